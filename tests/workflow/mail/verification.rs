//! Anyone can type a stranger's address into a complaint. That address gets the
//! acknowledgement, with a link to confirm it, and nothing else until the link is opened.

use std::time::Duration;

use serde_json::json;

use super::{WAIT, confirm_address, pool, rows, verify_path};
use crate::common::browser::{Browser, hidden};
use crate::common::smtp::SmtpServer;
use crate::common::{Backend, TestApp, sample_complaint};
use crate::{Who, mediator, step, view};

async fn to(smtp: &SmtpServer, n: usize, address: &str) -> Vec<String> {
    smtp.wait_for(n, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    smtp.messages()
        .iter()
        .filter(|m| m.to == [address])
        .map(|m| m.subject())
        .collect()
}

async fn an_unproven_address_gets_only_the_acknowledgement(backend: Backend) {
    let (app, smtp) = TestApp::spawn_with_smtp(&backend).await;
    let med = mediator(&app).await;
    let (no, token) = app.file(&sample_complaint()).await;
    let ack = smtp.wait_for(1, WAIT).await[0].body_text();
    assert!(!ack.contains(&token), "the tracking token is never mailed");
    let link = verify_path(&ack);

    // Holding the tracking token proves nothing about the address: the one who typed it in
    // holds the token.
    let (s, _) = view(&app, &no, Who::Tracking(&token)).await;
    assert_eq!(s, 200);
    step(&app, &no, Who::Bearer(&med), json!({"action": "accept"})).await;
    let bureau = json!({"action": "message", "to": "complainant", "text": "请补充购物凭证。"});
    step(&app, &no, Who::Bearer(&med), bureau.clone()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        to(&smtp, 1, "zhang@example.com").await.len(),
        1,
        "only the acknowledgement"
    );
    let queued = rows(&pool(&app)).await;
    assert_eq!(queued.len(), 1, "nothing else is even queued: {queued:?}");

    // A wrong code confirms nothing.
    let mut web = Browser::new(&app);
    let page = web.get(&link).await;
    let csrf = hidden(&page.body, "csrf");
    let action = format!("/track/{no}/verify");
    let wrong = "0".repeat(40);
    let refused = web
        .post(&action, &[("csrf", &csrf), ("code", &wrong)])
        .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    step(&app, &no, Who::Bearer(&med), bureau.clone()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(to(&smtp, 1, "zhang@example.com").await.len(), 1);

    confirm_address(&app, &ack).await;
    step(&app, &no, Who::Bearer(&med), bureau).await;
    let got = to(&smtp, 2, "zhang@example.com").await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[1].contains("案件留言"), "{got:?}");
}

async fn an_address_keyed_in_by_staff_is_the_bureaus_own_record(backend: Backend) {
    let (app, smtp) = TestApp::spawn_with_smtp(&backend).await;
    let med = mediator(&app).await;
    let mut complaint = sample_complaint();
    complaint["channel"] = json!("phone");
    complaint["received_at"] = json!("2026-11-19");
    let (s, filed) = app
        .post_as("/api/v1/staff/complaints", &med, &complaint)
        .await;
    assert_eq!(s, 201, "{filed}");
    let no = filed["case_no"].as_str().unwrap().to_owned();
    let ack = smtp.wait_for(1, WAIT).await[0].body_text();
    assert!(!ack.contains("/verify?code="), "{ack}");
    step(&app, &no, Who::Bearer(&med), json!({"action": "accept"})).await;
    let got = to(&smtp, 2, "zhang@example.com").await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[1].contains("已受理"), "{got:?}");
}

crate::on_both_backends!(
    an_unproven_address_gets_only_the_acknowledgement,
    an_address_keyed_in_by_staff_is_the_bureaus_own_record,
);
