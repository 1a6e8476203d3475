//! Publication of complaint information (Order 121 Art. 38), the rules around the editors'
//! review: a reopened complaint leaves the public page and is published again only after a
//! new review; a transferred complaint takes no public reply; a 12315 work order never
//! stores consent.

use diesel::prelude::*;
use odrdesk::domain::case::CaseKind;
use odrdesk::store::schema::{case_disclosures, cases};
use serde_json::{Value, json};

use crate::common::binary::run_on;
use crate::common::workorder_sheet::{self, Order};
use crate::common::{Backend, TestApp};
use crate::disclosure::{
    ENTRIES, approve, consent_of, desk, planted_complaint, put_as, queued, settle,
};
use crate::on_both_backends;

async fn entries(app: &TestApp) -> Vec<Value> {
    let (s, v) = app.get(ENTRIES).await;
    assert_eq!(s, 200, "{v}");
    v.as_array().unwrap().clone()
}

async fn a_reopened_complaint_is_published_again_only_after_a_new_review(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let d = desk(&app).await;
    let (no, token) = app.file(&planted_complaint()).await;
    settle(&app, &d.med, &no).await;
    let reply_path = format!("/api/v1/cases/{no}/public-reply");
    let (s, v) = put_as(&app, &reply_path, &d.shop, &json!({"reply": "已全额退款"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(approve(&app, &d.admin, &no).await.0, 200);
    assert_eq!(entries(&app).await.len(), 1);

    // Reopened: off the public page at once, and no longer approved.
    let actions = format!("/api/v1/cases/{no}/actions");
    let reopen = json!({"action": "reopen", "reason": "复核"});
    let (s, v) = app.post_as(&actions, &d.sup, &reopen).await;
    assert_eq!(
        (s, v["state"].as_str()),
        (200, Some("pending_acceptance")),
        "{v}"
    );
    assert!(entries(&app).await.is_empty());
    let (_, v) = consent_of(&app, &no, &token).await;
    assert_eq!(
        (v["published"].as_bool(), v["review"].as_str()),
        (Some(false), Some("queued")),
        "{v}"
    );

    // Closed again: waiting for the editors with the new outcome, not public on the old
    // approval.
    settle(&app, &d.med, &no).await;
    assert!(
        entries(&app).await.is_empty(),
        "published without a new review"
    );
    let queue = app.get_as("/api/v1/disclosures", &d.sup).await.1;
    let candidate = queued(&queue, &no).expect("queued again");
    assert_eq!(candidate["entry"]["reply"], "已全额退款");
    assert_eq!(candidate["published_reply"], Value::Null);
    let (_, v) = consent_of(&app, &no, &token).await;
    assert_eq!(v["published"], false, "{v}");
    assert_eq!(approve(&app, &d.sup, &no).await.0, 200);
    let shown = entries(&app).await;
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0], candidate["entry"]);
}

async fn a_transferred_complaint_takes_no_public_reply(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let d = desk(&app).await;
    let (no, _) = app.file(&planted_complaint()).await;
    let actions = format!("/api/v1/cases/{no}/actions");
    let transfer = json!({"action": "transfer", "outside": true, "reason": "经营者在佛山"});
    let (s, v) = app.post_as(&actions, &d.med, &transfer).await;
    assert_eq!(
        (s, v["state"].as_str()),
        (200, Some("transferred_out")),
        "{v}"
    );
    let reply_path = format!("/api/v1/cases/{no}/public-reply");
    let (s, v) = put_as(&app, &reply_path, &d.shop, &json!({"reply": "已处理"})).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (409, Some("reply_not_allowed")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("移送或并案"), "{v}");
    assert!(queued(&app.get_as("/api/v1/disclosures", &d.admin).await.1, &no).is_none());
}

async fn an_approval_is_refused_when_the_entry_changed_since_shown(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let d = desk(&app).await;
    let (no, _) = app.file(&planted_complaint()).await;
    settle(&app, &d.med, &no).await;
    let reply_path = format!("/api/v1/cases/{no}/public-reply");
    put_as(&app, &reply_path, &d.shop, &json!({"reply": "第一版回复"})).await;
    let shown = queued(&app.get_as("/api/v1/disclosures", &d.sup).await.1, &no).unwrap();
    assert_eq!(shown["entry"]["reply"], "第一版回复");
    // The business changes its reply while the editor reads the first one.
    let (s, _) = put_as(&app, &reply_path, &d.shop, &json!({"reply": "第二版回复"})).await;
    assert_eq!(s, 200);
    let decision = format!("/api/v1/disclosures/{no}/decision");
    let stale = json!({"decision": "approve", "reviewed_version": shown["version"]});
    let (s, v) = app.post_as(&decision, &d.sup, &stale).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (409, Some("changed_since_shown")),
        "{v}"
    );
    assert!(entries(&app).await.is_empty(), "unseen text published");
    let (s, v) = app
        .post_as(&decision, &d.sup, &json!({"decision": "approve"}))
        .await;
    assert_eq!(
        (s, v["fields"][0]["field"].as_str()),
        (422, Some("reviewed_version")),
        "{v}"
    );
    // Shown again, the second version is approved and published as shown.
    let again = queued(&app.get_as("/api/v1/disclosures", &d.sup).await.1, &no).unwrap();
    assert_ne!(again["version"], shown["version"]);
    assert_eq!(approve(&app, &d.sup, &no).await.0, 200);
    assert_eq!(entries(&app).await, vec![again["entry"].clone()]);
}

async fn a_12315_work_order_never_stores_consent(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let file = app.data_dir().join("orders.xlsx");
    workorder_sheet::write(
        &file,
        &[Order {
            no: "W-7001",
            kind: "投诉",
            address: "江门市蓬江区港口路",
            claim: "面霜使用后过敏，要求退款",
            registered: "2026-11-21 09:00",
        }],
    );
    let out = run_on(&app, &["workorders", "import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored: Vec<bool> = case_disclosures::table
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint))
        .select(case_disclosures::consent)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(stored, vec![false]);
}

on_both_backends!(
    a_reopened_complaint_is_published_again_only_after_a_new_review,
    a_transferred_complaint_takes_no_public_reply,
    an_approval_is_refused_when_the_entry_changed_since_shown,
    a_12315_work_order_never_stores_consent,
);
