//! Order 121's mediation clock end to end: 60 calendar days from acceptance, ending on the
//! next working day (Art. 45), the same due date on the API, the desk and the tracking page,
//! and lists that count it in days, not working days.

use crate::common;
use crate::on_both_backends;

use common::accounts::PASSWORD;
use common::browser::{Browser, hidden};
use common::{Backend, TestApp, china_morning, sample_complaint};
use serde_json::{Value, json};

const MEDIATOR: &str = "med@jm.gov.cn";

fn mediation(view: &Value) -> &Value {
    view["clocks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == "mediation"))
        .unwrap_or_else(|| panic!("no mediation clock: {view}"))
}

async fn mediation_accepted_on_2026_09_15_is_due_monday_2026_11_16(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    app.set_now(china_morning(2026, 9, 14));
    let mut complaint = sample_complaint();
    complaint["purchase"]["date"] = json!("2026-09-01");
    let (no, code) = app.file(&complaint).await;
    // Accepted Tuesday 15 September: day 60 is Saturday 14 November.
    app.set_now(china_morning(2026, 9, 15));
    let token = app.login_token(MEDIATOR, PASSWORD).await;
    let (status, answer) = app
        .post_as(
            &format!("/api/v1/cases/{no}/actions"),
            &token,
            &json!({"action": "accept"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");

    app.set_now(china_morning(2026, 11, 4));
    let token = app.login_token(MEDIATOR, PASSWORD).await;
    let (_, view) = app.get_as(&format!("/api/v1/cases/{no}"), &token).await;
    let clock = mediation(&view);
    assert_eq!(clock["due"], "2026-11-16", "{clock}");
    assert_eq!(clock["unit"], "calendar", "{clock}");
    assert_eq!(clock["remaining_days"], 12, "{clock}");
    assert_eq!(clock["provisional"], false, "{clock}");

    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let list = desk.get("/desk").await;
    let row = list
        .body
        .split("<tr")
        .find(|r| r.contains(&no))
        .unwrap_or_else(|| panic!("{no} not listed: {}", list.body));
    assert!(
        row.contains("2026-11-16") && row.contains("剩 12 天"),
        "{row}"
    );
    assert!(!row.contains("工作日"), "{row}");
    let page = desk.get(&format!("/desk/cases/{no}")).await;
    assert!(
        page.body.contains("<td>调解</td><td>2026-11-16"),
        "{}",
        page.body
    );

    let mut consumer = Browser::new(&app);
    let csrf = hidden(&consumer.get("/track").await.body, "csrf");
    let answer = consumer
        .post(
            "/track",
            &[("csrf", &csrf), ("case_no", &no), ("token", &code)],
        )
        .await;
    let tracked = consumer.follow(&answer).await;
    assert!(
        tracked.body.contains("调解期限：11月16日前"),
        "{}",
        tracked.body
    );
}

/// Takes `body` on case `no` as the mediator on China date 2026-`m`-`d`.
async fn act_on(app: &TestApp, (m, d): (u32, u32), no: &str, body: Value) -> Value {
    app.set_now(china_morning(2026, m, d));
    let token = app.login_token(MEDIATOR, PASSWORD).await;
    let (status, answer) = app
        .post_as(&format!("/api/v1/cases/{no}/actions"), &token, &body)
        .await;
    assert_eq!(status, 200, "{body}: {answer}");
    let (_, view) = app.get_as(&format!("/api/v1/cases/{no}"), &token).await;
    view
}

async fn a_recusal_request_pauses_mediation_until_the_bureau_decides(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    app.set_now(china_morning(2026, 9, 14));
    let mut complaint = sample_complaint();
    complaint["purchase"]["date"] = json!("2026-09-01");
    let (no, _) = app.file(&complaint).await;
    act_on(&app, (9, 15), &no, json!({"action": "accept"})).await;
    // Asked on Mon 12 October, decided on Mon 19 October: seven days do not count.
    let paused = act_on(
        &app,
        (10, 12),
        &no,
        json!({"action": "pause", "reason": "recusal"}),
    )
    .await;
    assert_eq!(paused["state"], "mediation_paused");
    assert_eq!(mediation(&paused)["paused"], true);
    let resumed = act_on(&app, (10, 19), &no, json!({"action": "resume"})).await;
    assert_eq!(resumed["state"], "in_mediation");
    // Day 67 after 15 September is Sat 21 November: due Mon 23 November.
    assert_eq!(mediation(&resumed)["due"], "2026-11-23", "{resumed}");

    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let page = desk.get(&format!("/desk/cases/{no}")).await;
    assert!(page.body.contains("申请回避"), "{}", page.body);
    // Mediation's pause form offers recusal, not a report's identification step.
    assert!(
        page.body.contains("<option value=\"recusal\""),
        "{}",
        page.body
    );
    assert!(
        !page
            .body
            .contains("<option value=\"rights_holder_identification\""),
        "{}",
        page.body
    );
}

on_both_backends!(
    mediation_accepted_on_2026_09_15_is_due_monday_2026_11_16,
    a_recusal_request_pauses_mediation_until_the_bureau_decides,
);
