//! SMS through the outbox of two `odrdesk serve` processes on one database: every message goes
//! exactly once while both send, and after one node is killed mid-run and restarted the rest
//! still goes, each at most once more than it should only if it was on the wire at the kill.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use odrdesk::notify::{SmsMessage, SmsNotice, enqueue_sms, sms};
use odrdesk::store::{self, DatabaseUrl, schema};

use crate::common::node::{Node, NodeSpec};
use crate::common::providers::{
    SDK_APP_ID, SECRET_ID, SECRET_KEY, SIGN_NAME, SmsReceipt, SmsStandIn,
};
use crate::common::{PgDatabase, http_client};
use crate::postgres_base;

const BATCH: usize = 40;

fn spec(dir: &std::path::Path, database_url: &str, stand_in: &SmsStandIn) -> NodeSpec {
    let template = &stand_in.config().templates["progress"];
    NodeSpec {
        database_url: Some(database_url.to_owned()),
        mail_poll_ms: 50,
        extra_config: format!(
            "[sms]\nsign_name = \"{SIGN_NAME}\"\n[sms.templates]\nprogress = \"{template}\"\n\
             [sms.limits]\nper_minute = 0\nper_hour = 0\nper_day = 0\n"
        ),
        env: [
            ("ODRDESK_SMS_SECRET_ID", SECRET_ID),
            ("ODRDESK_SMS_SECRET_KEY", SECRET_KEY),
            ("ODRDESK_SMS_SDK_APP_ID", SDK_APP_ID),
            ("ODRDESK_SMS_API_BASE", stand_in.base.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        ..NodeSpec::new(dir)
    }
}

/// Queues one SMS to each of `count` numbers from `first` on, in one transaction.
fn queue(database: &DatabaseUrl, config: &sms::SmsConfig, first: usize, count: usize) {
    let pool = store::connect(database, 1).expect("connect");
    let mut conn = pool.get().expect("connection");
    let now = chrono::Utc::now().naive_utc();
    store::write_transaction::<_, sms::SmsRefusal>(&mut conn, |c| {
        for n in first..first + count {
            let msg = SmsMessage {
                dedupe_key: format!("scaleout/{n}/sms"),
                case_id: None,
                phone: format!("138{n:08}").parse().expect("phone"),
                notice: SmsNotice::Progress {
                    case_no: format!("TS-2026-{n:06}"),
                },
            };
            assert!(enqueue_sms(c, Some(config), &msg, now)?);
        }
        Ok(())
    })
    .expect("queue");
}

fn per_phone(receipts: &[SmsReceipt]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in receipts {
        assert!(r.signature_ok, "{r:?}");
        *counts.entry(r.phone.clone()).or_insert(0) += 1;
    }
    counts
}

/// What a lease that ran out looks like: the row is free again for any sender.
fn expire_leases(database: &DatabaseUrl) {
    use schema::outbox;
    let pool = store::connect(database, 1).expect("connect");
    diesel::update(outbox::table.filter(outbox::sent_at.is_null()))
        .set(outbox::lease_until.eq(None::<chrono::NaiveDateTime>))
        .execute(&mut pool.get().expect("connection"))
        .expect("expire leases");
}

async fn exactly_once(database_url: String) {
    let stand_in = SmsStandIn::start();
    stand_in.slow_down(Duration::from_millis(10));
    let config = stand_in.config();
    let database = DatabaseUrl::parse(&database_url);
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let client = http_client();
    let node_a = Node::start(&spec(dir_a.path(), &database_url, &stand_in), &client).await;
    let node_b = Node::start(&spec(dir_b.path(), &database_url, &stand_in), &client).await;

    queue(&database, &config, 0, BATCH);
    stand_in.wait_for(BATCH, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = per_phone(&stand_in.receipts());
    assert_eq!(counts.len(), BATCH);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    let sent_by = |node: &Node| node.log_text().matches("outbox pass").count();
    assert!(
        sent_by(&node_a) > 0 && sent_by(&node_b) > 0,
        "both nodes sent"
    );

    // Kill one node while both send, restart it after its leases ran out.
    stand_in.slow_down(Duration::from_millis(40));
    queue(&database, &config, BATCH, BATCH);
    let deadline = Instant::now() + Duration::from_secs(30);
    while stand_in.receipts().len() < BATCH + 5 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(node_a);
    expire_leases(&database);
    let _node_a = Node::start(&spec(dir_a.path(), &database_url, &stand_in), &client).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while per_phone(&stand_in.receipts()).len() < 2 * BATCH && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let counts = per_phone(&stand_in.receipts());
    assert_eq!(counts.len(), 2 * BATCH, "every message went");
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    // Only a message on the wire when the node died can go twice (the provider has no
    // idempotency key); nothing else ever does.
    assert!(
        repeated.len() <= 1 && repeated.iter().all(|(_, n)| **n == 2),
        "{repeated:?}"
    );
    drop(node_b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_goes_once_across_two_nodes_and_a_kill_on_sqlite() {
    let shared = tempfile::tempdir().unwrap();
    let path = shared.path().join("shared.sqlite3");
    exactly_once(path.to_string_lossy().into_owned()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_goes_once_across_two_nodes_and_a_kill_on_postgres() {
    let Some(base) = postgres_base() else {
        return;
    };
    let (_db, url) = PgDatabase::create(&base);
    exactly_once(url).await;
}
