//! kill -9 during sustained intake over HTTP: every case the server acknowledged (201) is in
//! the database after the restart, and the restarted node's index holds exactly the database.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use odrdesk::store::DatabaseUrl;
use serde_json::{Value, json};

use super::common::node::{Node, NodeSpec, add_user};
use super::{complaint, post, stored_case_nos};

/// Posting loops at once, and the most posts each makes.
const LOOPS: usize = 8;
const POSTS_PER_LOOP: usize = 400;

/// Every case number the index holds, page by page.
pub(super) async fn indexed_case_nos(
    client: &reqwest::Client,
    node: &Node,
    token: &str,
) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut url = node.url("/api/v1/search?limit=200&sort=oldest");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("search")
            .json()
            .await
            .expect("search page");
        for hit in page["hits"].as_array().expect("hits") {
            found.insert(hit["case_no"].as_str().expect("case_no").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return found,
        }
    }
    panic!("search paging did not end");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_during_sustained_intake_loses_no_acknowledged_case() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = NodeSpec::new(dir.path());
    let database = DatabaseUrl::default_for(dir.path());
    let client = super::common::http_client();
    let node = Node::start(&spec, &client).await;
    add_user(&database, "ana@jm.gov.cn", "analyst", &[]);

    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let loops: Vec<_> = (0..LOOPS)
        .map(|l| {
            let (client, url, acknowledged) = (
                client.clone(),
                node.url("/api/v1/complaints"),
                acknowledged.clone(),
            );
            tokio::spawn(async move {
                for i in 0..POSTS_PER_LOOP {
                    let mut body = complaint(l * POSTS_PER_LOOP + i);
                    body["complainant"]["phone"] = json!(format!("137{:08}", l * 10_000 + i));
                    let sent = client
                        .post(&url)
                        .timeout(Duration::from_secs(10))
                        .json(&body)
                        .send()
                        .await;
                    // Once the server is gone, an unanswered post is not acknowledged.
                    let Ok(res) = sent else { return };
                    let status = res.status().as_u16();
                    // A connection cut mid-answer: the client never saw an acknowledgement.
                    let Ok(text) = res.text().await else { return };
                    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    match status {
                        201 => {
                            let case_no = answer["case_no"].as_str().expect("case_no").to_owned();
                            acknowledged.lock().expect("set").insert(case_no);
                        }
                        other => panic!("post {i} of loop {l}: {other} {answer}"),
                    }
                }
            })
        })
        .collect();
    // Kill once intake is well under way, while the loops are still posting.
    let deadline = Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().expect("set").len() < 300 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(node); // SIGKILL
    for l in loops {
        l.await.expect("posting loop");
    }
    let acknowledged = acknowledged.lock().expect("set").clone();
    assert!(
        acknowledged.len() >= 300 && acknowledged.len() < LOOPS * POSTS_PER_LOOP,
        "the kill must land during intake ({} acknowledged)",
        acknowledged.len()
    );

    let stored: BTreeSet<String> = stored_case_nos(&database).into_iter().collect();
    eprintln!(
        "killed with {} case(s) acknowledged; {} stored (the rest were committed, never answered)",
        acknowledged.len(),
        stored.len()
    );
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");

    let node = Node::start(&spec, &client).await;
    let token = node.login(&client, "ana@jm.gov.cn").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let indexed = loop {
        let indexed = indexed_case_nos(&client, &node, &token).await;
        if indexed == stored || Instant::now() > deadline {
            break indexed;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(indexed, stored, "the index holds exactly the stored cases");
    // Still taking cases, numbered after the last one stored.
    let after = post(
        &client,
        &node.url("/api/v1/complaints"),
        None,
        &complaint(99_999),
    )
    .await;
    assert_eq!(after.status, 201, "{:?}", after.body);
    assert!(!stored.contains(&after.case_no()));
}
