//! Webhooks from `odrdesk serve` processes to a loopback receiver: every event reaches the
//! business exactly once when its node is killed and another starts on the same data, and
//! when two nodes on one PostgreSQL database send side by side.

use std::collections::BTreeSet;
use std::time::Duration;

use odrdesk::clock::{Clock, SystemClock};
use odrdesk::service::accounts::{self, EnterpriseInput, UserInput};
use odrdesk::store::{self, DatabaseUrl};
use serde_json::json;

use crate::common::accounts::PASSWORD;
use crate::common::hook_receiver::Receiver;
use crate::common::node::{Node, NodeSpec};
use crate::common::{PgDatabase, http_client, read};
use crate::{complaint, post, postgres_base};

const USCC: &str = "91440703MA4UJ5QX2U";
const FIRM: &str = "shop@example.com";

/// Every node of one database holds the same server key, and may post to loopback.
fn spec(dir: &std::path::Path, database_url: Option<String>) -> NodeSpec {
    NodeSpec {
        database_url,
        env: vec![
            ("ODRDESK_SECRET_KEY".into(), "5a".repeat(32)),
            ("ODRDESK_WEBHOOK_ALLOW_LOOPBACK".into(), "true".into()),
        ],
        extra_config: "webhook_poll_ms = 50\n".into(),
        ..NodeSpec::new(dir)
    }
}

/// The business, enrolled in ODR, and its enterprise account.
fn add_business(database: &DatabaseUrl) {
    let mut conn = store::connect(database, 1).unwrap().get().unwrap();
    let now = SystemClock.now();
    let enterprise = accounts::parse_enterprise(&EnterpriseInput {
        uscc: Some(USCC.into()),
        name: Some("江门市美颜化妆品有限公司".into()),
        district: Some("440703".into()),
        email: Some("service@example.com".into()),
        odr: true,
        commitments: vec![],
    })
    .unwrap();
    accounts::upsert_enterprise(&mut conn, &enterprise, now).unwrap();
    let user = accounts::parse_user(&UserInput {
        email: Some(FIRM.into()),
        password: Some(PASSWORD.into()),
        role: Some("enterprise".into()),
        bureaus: vec![],
        uscc: Some(USCC.into()),
        name: None,
    })
    .unwrap();
    accounts::add_user(&mut conn, user, now).unwrap();
}

async fn register(client: &reqwest::Client, node: &Node, receiver: &Receiver) {
    let session = node.login(client, FIRM).await;
    let res = client
        .put(node.url("/api/v1/enterprise/webhook"))
        .bearer_auth(&session)
        .json(&json!({"url": receiver.url}))
        .send()
        .await
        .unwrap();
    let (s, v) = read(res).await;
    assert_eq!(s, 200, "{v}");
    receiver.trust(v["secret"].as_str().unwrap());
}

async fn file_odr(client: &reqwest::Client, node: &Node, n: usize) -> String {
    let mut c = complaint(n);
    c["prefer_odr"] = json!(true);
    let p = post(client, &node.url("/api/v1/complaints"), None, &c).await;
    assert_eq!(p.status, 201, "{:?}", p.body);
    p.case_no()
}

/// Each case's `case.created` came exactly once, signed, and nothing else came.
async fn exactly_once(receiver: &Receiver, cases: &[String], bound: Duration) {
    receiver.wait_accepted_within(cases.len(), bound).await;
    // Time for a duplicate to show up, if one were coming.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let accepted = receiver.accepted();
    let ids: BTreeSet<&str> = accepted.iter().map(|r| r.event_id.as_str()).collect();
    assert_eq!(
        ids.len(),
        accepted.len(),
        "a duplicate delivery: {accepted:?}"
    );
    let got: BTreeSet<&str> = accepted
        .iter()
        .map(|r| r.body["data"]["case_no"].as_str().unwrap())
        .collect();
    let filed: BTreeSet<&str> = cases.iter().map(String::as_str).collect();
    assert_eq!(got, filed);
    assert!(
        accepted
            .iter()
            .all(|r| r.signed && r.body["type"] == "case.created")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_once_across_a_restart() {
    let receiver = Receiver::start();
    let client = http_client();
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), None);
    let first = Node::start(&spec, &client).await;
    let database = DatabaseUrl::default_for(dir.path());
    let db = database.clone();
    tokio::task::spawn_blocking(move || add_business(&db))
        .await
        .unwrap();
    register(&client, &first, &receiver).await;
    // The receiver is down while the first node queues and tries them.
    receiver.fail_next(usize::MAX);
    let mut cases = Vec::new();
    for n in 0..8 {
        cases.push(file_odr(&client, &first, n).await);
    }
    receiver.wait_received(8).await;
    drop(first);
    receiver.fail_next(0);
    let second = Node::start(&spec, &client).await;
    for n in 8..12 {
        cases.push(file_odr(&client, &second, n).await);
    }
    // A delivery the killed node held waits out its lease (60 s); the back-off is 30 s.
    exactly_once(&receiver, &cases, Duration::from_secs(120)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_deliver_every_event_once() {
    let Some(base) = postgres_base() else { return };
    let (_pg, url) = PgDatabase::create(&base);
    let receiver = Receiver::start();
    let client = http_client();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let (spec_a, spec_b) = (
        spec(dirs[0].path(), Some(url.clone())),
        spec(dirs[1].path(), Some(url.clone())),
    );
    let (a, b) = tokio::join!(Node::start(&spec_a, &client), Node::start(&spec_b, &client));
    let db = DatabaseUrl::Postgres(url.clone());
    tokio::task::spawn_blocking(move || add_business(&db))
        .await
        .unwrap();
    // Registered on one node, signed by both with the secret sealed under the shared key.
    register(&client, &a, &receiver).await;
    let nodes = [a, b];
    let mut cases = Vec::new();
    for n in 0..24 {
        cases.push(file_odr(&client, &nodes[n % 2], n).await);
    }
    exactly_once(&receiver, &cases, Duration::from_secs(30)).await;
    assert_eq!(receiver.received().len(), cases.len(), "no attempt failed");
}
