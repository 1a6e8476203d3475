//! Numbers under concurrency on one node: many decisions at once on one bureau take the
//! serials 1..=N with no gap and no duplicate, and a decision that fails after taking its
//! number gives it back.

use futures_util::StreamExt;
use serde_json::json;

use super::common::numbering::{
    assert_gap_free, case_id, lift_refusal, refuse_documents_of, serials,
};
use super::common::{Backend, TestApp};
use super::*;

const DECISIONS: usize = 30;

async fn concurrent_decisions_take_every_number_once(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let mut cases = Vec::new();
    for _ in 0..DECISIONS + 2 {
        cases.push(app.file_complaint().await.0);
    }
    // Two of them fail after taking their number.
    let failing = [cases[7].clone(), cases[19].clone()];
    let mut conn = app.db();
    let ids: Vec<i64> = failing.iter().map(|no| case_id(&mut conn, no)).collect();
    refuse_documents_of(&mut conn, &ids);

    let answers: Vec<(String, u16, serde_json::Value)> = futures_util::stream::iter(&cases)
        .map(|no| {
            let (app, med) = (&app, &med);
            async move {
                let (s, v) = act(app, no, Who::Bearer(med), json!({"action": "accept"})).await;
                (no.clone(), s, v)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    for (no, status, body) in &answers {
        if failing.contains(no) {
            assert!(*status >= 500, "{no}: {status} {body}");
        } else {
            assert_eq!(*status, 200, "{no}: {body}");
        }
    }
    let format = |n| format!("江蓬市监投受〔2026〕第{n}号");
    assert_gap_free(
        &serials(&mut conn, "440703", "acceptance"),
        DECISIONS,
        format,
    );
    // The failed decisions left nothing behind: the case waits, with no document.
    for no in &failing {
        let (_, v) = view(&app, no, Who::Bearer(&med)).await;
        assert_eq!(v["state"], "pending_acceptance", "{v}");
        let docs = super::documents::documents(&app, no, Who::Bearer(&med)).await;
        assert!(docs.is_empty(), "{docs:?}");
    }
    // Decided again, they take the next numbers.
    lift_refusal(&mut conn);
    for no in &failing {
        step(&app, no, Who::Bearer(&med), json!({"action": "accept"})).await;
    }
    assert_gap_free(
        &serials(&mut conn, "440703", "acceptance"),
        DECISIONS + 2,
        format,
    );
}

on_both_backends!(concurrent_decisions_take_every_number_once);
