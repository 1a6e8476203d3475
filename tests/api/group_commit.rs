//! Group commit: many concurrent submissions share transactions, and each still gets its own
//! answer; refusals and idempotent replays inside a shared transaction stay separate.

use crate::common;
use crate::on_both_backends;

use std::collections::BTreeSet;

use common::{Backend, TestApp, china_morning, sample_complaint};
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{Value, json};

fn complaint(n: usize) -> Value {
    let mut c = sample_complaint();
    c["complainant"]["phone"] = json!(format!("139{n:08}"));
    c["description"] = json!(format!(
        "十月初购买的补水面膜，使用后面部红肿，第{n}份投诉。"
    ));
    c
}

async fn post(app: &TestApp, body: Value, key: Option<String>) -> (u16, Value) {
    let mut req = app.client.post(app.url("/api/v1/complaints")).json(&body);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    common::read(req.send().await.expect("request")).await
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    case_no: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    flags: String,
}

fn stored(app: &TestApp) -> Vec<Row> {
    let pool = odrdesk::store::connect(&app.settings.database, 1).expect("pool");
    let mut conn = pool.get().expect("connection");
    diesel::sql_query("SELECT case_no, flags FROM cases ORDER BY id")
        .load(&mut *conn)
        .expect("cases")
}

async fn concurrent_submissions_each_get_their_own_answer(backend: Backend) {
    // A long pause per batch is not needed: 140 requests at once queue up behind the first.
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 11, 20));
    let mut requests = Vec::new();
    for n in 0..100 {
        requests.push((complaint(n), None, "distinct"));
    }
    // One key sent 20 times with the same body: one case, the same answer every time.
    for _ in 0..20 {
        requests.push((
            complaint(1000),
            Some("same-key-same-body".to_owned()),
            "replay",
        ));
    }
    // One key with 20 different bodies: one case; the others are refused, never stored.
    for n in 0..20 {
        requests.push((
            complaint(2000 + n),
            Some("same-key-other-bodies".to_owned()),
            "reused",
        ));
    }
    let app = &app;
    let answers = join_all(
        requests
            .into_iter()
            .map(|(body, key, group)| async move { (group, post(app, body, key).await) }),
    )
    .await;

    let mut distinct = BTreeSet::new();
    let (mut replayed, mut reused) = (BTreeSet::new(), BTreeSet::new());
    let mut refused = 0;
    for (group, (status, body)) in &answers {
        assert!(*status < 500, "{group}: {status} {body}");
        match (*group, *status) {
            ("distinct", 201) => assert!(distinct.insert(body["case_no"].to_string())),
            ("replay", 201) => {
                replayed.insert(body["case_no"].to_string());
            }
            ("reused", 201) => {
                reused.insert(body["case_no"].to_string());
            }
            ("reused", _) => {
                assert_eq!(body["error"], "idempotency_key_reused", "{body}");
                refused += 1;
            }
            _ => panic!("{group}: {status} {body}"),
        }
    }
    assert_eq!(distinct.len(), 100);
    assert_eq!(replayed.len(), 1, "{replayed:?}");
    assert_eq!(reused.len(), 1, "{reused:?}");
    assert_eq!(refused, 19);

    // Exactly the acknowledged cases are stored, numbered without gaps: a refused case's
    // savepoint gave its number back.
    let rows = stored(app);
    assert_eq!(rows.len(), 102);
    let numbers: BTreeSet<String> = rows.iter().map(|r| format!("\"{}\"", r.case_no)).collect();
    let answered: BTreeSet<String> = distinct
        .iter()
        .chain(&replayed)
        .chain(&reused)
        .cloned()
        .collect();
    assert_eq!(numbers, answered);
    let expected: BTreeSet<String> = (1..=102).map(|n| format!("\"TS-2026-{n:06}\"")).collect();
    assert_eq!(numbers, expected);
}

async fn fifth_complaint_about_the_same_issue_is_flagged_collective(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 11, 20));
    for n in 0..4 {
        let (status, body) = post(&app, complaint(n), None).await;
        assert_eq!(status, 201, "{body}");
    }
    // A different issue, or a different business, is not part of the group.
    let mut other_nature = complaint(10);
    other_nature["nature"] = json!("contract");
    let mut other_business = complaint(11);
    other_business["respondent"]["uscc"] = json!(null);
    other_business["respondent"]["name"] = json!("江门市另一家化妆品店");
    for body in [other_nature, other_business] {
        assert_eq!(post(&app, body, None).await.0, 201);
    }
    assert!(stored(&app).iter().all(|r| !r.flags.contains("collective")));
    let (status, body) = post(&app, complaint(4), None).await;
    assert_eq!(status, 201, "{body}");
    let rows = stored(&app);
    let fifth = rows.last().expect("a case");
    assert!(fifth.flags.contains("collective"), "{}", fifth.flags);
    // A month later the earlier ones are outside the window.
    app.set_now(china_morning(2026, 12, 30));
    assert_eq!(post(&app, complaint(5), None).await.0, 201);
    let rows = stored(&app);
    assert!(!rows.last().expect("a case").flags.contains("collective"));
}

on_both_backends!(
    concurrent_submissions_each_get_their_own_answer,
    fifth_complaint_about_the_same_issue_is_flagged_collective,
);
