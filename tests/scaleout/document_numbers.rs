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

/// The year the nodes number in (they run on the system clock).
fn year() -> i32 {
    use chrono::Datelike;
    odrdesk::clock::china_date(chrono::Utc::now()).year()
}
