//! Document numbers with two nodes on one PostgreSQL database: decisions taken at once on
//! both nodes for one bureau share its serials 1..=N with no gap and no duplicate, and a
//! decision that fails after taking its number gives it back to the next one.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use odrdesk::store::DatabaseUrl;
use serde_json::json;

use crate::common::node::{Node, NodeSpec, add_user};
use crate::common::numbering::{
    assert_gap_free, case_id, connect, lift_refusal, refuse_documents_of, serials,
};
use crate::common::{PgDatabase, http_client};
use crate::{Posted, complaint, post, postgres_base};

/// Decisions that succeed, and the bound on the time they all take.
const DECISIONS: usize = 30;
const CONCURRENCY: usize = 10;
const BOUND: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_number_one_bureaus_decisions_without_gaps() {
    let Some(base) = postgres_base() else { return };
    let (_pg, url) = PgDatabase::create(&base);
    let database = DatabaseUrl::Postgres(url.clone());
    let client = http_client();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let spec = |dir: &tempfile::TempDir| NodeSpec {
        database_url: Some(url.clone()),
        ..NodeSpec::new(dir.path())
    };
    let (spec_a, spec_b) = (spec(&dirs[0]), spec(&dirs[1]));
    let (a, b) = tokio::join!(Node::start(&spec_a, &client), Node::start(&spec_b, &client));
    let nodes = [a, b];
    let db = database.clone();
    tokio::task::spawn_blocking(move || add_user(&db, "med@jm.gov.cn", "mediator", &["440703"]))
        .await
        .unwrap();
    let mediator = nodes[0].login(&client, "med@jm.gov.cn").await;

    let mut cases = Vec::new();
    for n in 0..DECISIONS + 2 {
        let p = post(
            &client,
            &nodes[n % 2].url("/api/v1/complaints"),
            None,
            &complaint(n),
        )
        .await;
        assert_eq!(p.status, 201, "{}", p.body);
        cases.push(p.case_no());
    }
    // Two decisions fail once they hold their number: the database refuses their document's
    // event, so the deciding transaction rolls back after raising the counter.
    let failing = [cases[5].clone(), cases[20].clone()];
    let mut conn = connect(&database);
    let ids: Vec<i64> = failing.iter().map(|no| case_id(&mut conn, no)).collect();
    refuse_documents_of(&mut conn, &ids);

    let start = Instant::now();
    let answers: Vec<(String, Posted)> = futures_util::stream::iter(cases.iter().enumerate())
        .map(|(n, no)| {
            let (client, node, token) = (&client, &nodes[n % 2], &mediator);
            async move {
                let url = node.url(&format!("/api/v1/cases/{no}/actions"));
                let p = post(client, &url, Some(token), &json!({"action": "accept"})).await;
                (no.clone(), p)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let took = start.elapsed();
    assert!(took < BOUND, "{} decisions took {took:?}", cases.len());
    for (no, p) in &answers {
        if failing.contains(no) {
            assert!(p.status >= 500, "{no}: {p:?}");
        } else {
            assert_eq!(p.status, 200, "{no}: {p:?}");
        }
    }
    let format = |n| format!("江蓬市监投受〔{}〕第{n}号", year());
    assert_gap_free(
        &serials(&mut conn, "440703", "acceptance"),
        DECISIONS,
        format,
    );

    // Decided again on the other node, the failed ones take the next two numbers.
    lift_refusal(&mut conn);
    for no in &failing {
        let url = nodes[1].url(&format!("/api/v1/cases/{no}/actions"));
        let p = post(&client, &url, Some(&mediator), &json!({"action": "accept"})).await;
        assert_eq!(p.status, 200, "{p:?}");
    }
    assert_gap_free(
        &serials(&mut conn, "440703", "acceptance"),
        DECISIONS + 2,
        format,
    );
    println!(
        "document numbers: {} decisions on two nodes ({CONCURRENCY} at a time) in {took:?}",
        cases.len()
    );
}

/// A decision whose connection dies while it holds the bureau's counter: the decisions that
/// queued behind it on the other node take the numbers, the dead one's included, and the
/// failed case takes the next number when decided again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_killed_holding_the_counter_leaves_no_gap() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let Some(base) = postgres_base() else { return };
    let (pg, url) = PgDatabase::create(&base);
    let client = http_client();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let spec = |dir: &tempfile::TempDir| NodeSpec {
        database_url: Some(url.clone()),
        ..NodeSpec::new(dir.path())
    };
    let (spec_a, spec_b) = (spec(&dirs[0]), spec(&dirs[1]));
    let (a, b) = tokio::join!(Node::start(&spec_a, &client), Node::start(&spec_b, &client));
    let database = DatabaseUrl::Postgres(url.clone());
    let db = database.clone();
    tokio::task::spawn_blocking(move || add_user(&db, "med@jm.gov.cn", "mediator", &["440703"]))
        .await
        .unwrap();
    let token = a.login(&client, "med@jm.gov.cn").await;
    let mut cases = Vec::new();
    for n in 0..11 {
        let p = post(&client, &a.url("/api/v1/complaints"), None, &complaint(n)).await;
        assert_eq!(p.status, 201, "{}", p.body);
        cases.push(p.case_no());
    }
    let accept = |node: &Node, no: &str| {
        let (client, token) = (client.clone(), token.clone());
        let url = node.url(&format!("/api/v1/cases/{no}/actions"));
        tokio::spawn(async move {
            post(&client, &url, Some(&token), &json!({"action": "accept"})).await
        })
    };

    // Nothing may be stored in `documents` for now: the first decision waits there, after
    // it took number 1 and while it holds the counter row.
    let mut locker = PgConnection::establish(&url).expect("connect");
    tokio::task::block_in_place(|| {
        diesel::sql_query("BEGIN").execute(&mut locker).unwrap();
        diesel::sql_query("LOCK TABLE documents IN SHARE MODE")
            .execute(&mut locker)
            .unwrap();
    });
    let victim = accept(&a, &cases[0]);
    let pid = wait_for_backend(&url, &pg.name, "INSERT INTO \"documents\"").await;
    // The other node's decisions queue behind it on the counter.
    let queued: Vec<_> = cases[1..].iter().map(|no| accept(&b, no)).collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        queued.iter().all(|q| !q.is_finished()) && !victim.is_finished(),
        "every decision waits while the first holds the counter"
    );
    tokio::task::block_in_place(|| {
        let mut admin = PgConnection::establish(&url).expect("connect");
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut admin)
            .unwrap();
        diesel::sql_query("COMMIT").execute(&mut locker).unwrap();
    });
    let died = victim.await.unwrap();
    assert!(died.status >= 500, "{died:?}");
    for answer in queued {
        let p = tokio::time::timeout(BOUND, answer).await.unwrap().unwrap();
        assert_eq!(p.status, 200, "{p:?}");
    }
    let mut conn = connect(&database);
    let format = |n| format!("江蓬市监投受〔{}〕第{n}号", year());
    assert_gap_free(&serials(&mut conn, "440703", "acceptance"), 10, format);
    let p = accept(&b, &cases[0]).await.unwrap();
    assert_eq!(p.status, 200, "{p:?}");
    assert_gap_free(&serials(&mut conn, "440703", "acceptance"), 11, format);
}

/// The process id of the backend of database `name` whose statement starts with `statement`
/// and waits for a lock, once there is one.
async fn wait_for_backend(url: &str, name: &str, statement: &str) -> i32 {
    use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
    #[derive(QueryableByName)]
    struct Backend {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let mut conn = PgConnection::establish(url).expect("connect");
    let sql = format!(
        "SELECT pid FROM pg_stat_activity WHERE datname = '{name}' \
         AND wait_event_type = 'Lock' AND query LIKE '{statement}%'"
    );
    let start = Instant::now();
    loop {
        let found: Vec<Backend> =
            tokio::task::block_in_place(|| diesel::sql_query(&sql).load(&mut conn).unwrap());
        if let Some(b) = found.first() {
            return b.pid;
        }
        assert!(start.elapsed() < BOUND, "no decision waits on {statement}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The year the nodes number in (they run on the system clock).
fn year() -> i32 {
    use chrono::Datelike;
    odrdesk::clock::china_date(chrono::Utc::now()).year()
}
