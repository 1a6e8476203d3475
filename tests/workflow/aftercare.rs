//! After mediation: the termination notice clock (Order 121 Art. 23, last paragraph) closes
//! only once both parties were told, by delivered mail or a recorded notice; the follow-up
//! sample of settled complaints (Art. 26), its visits, and unfulfilled settlements on the
//! queue.

use serde_json::{Value, json};

use super::common::{Backend, TestApp, china_morning, sample_complaint};
use super::mail::{pool, with_db};
use super::*;
use odrdesk::store::outbox;

const MED: &str = "med@jm.gov.cn";

/// A complaint received on 2026-09-21 and accepted; returns its number.
async fn accepted(app: &TestApp, med: &str) -> String {
    let mut c = sample_complaint();
    c["purchase"]["date"] = json!("2026-09-01");
    let (case_no, _) = app.file(&c).await;
    step(app, &case_no, Who::Bearer(med), json!({"action": "accept"})).await;
    case_no
}

/// No background mail sender or sweep: the test delivers mail and sweeps at pinned times.
fn quiet(s: &mut odrdesk::config::Settings) {
    s.mail_poll_ms = 3_600_000;
    s.sweep_interval_secs = 0;
}

fn notice(party: &str, means: &str, date: &str) -> Value {
    json!({"action": "record_notice", "party": party, "means": means, "date": date})
}

async fn notice_clock(app: &TestApp, case_no: &str, med: &str) -> Value {
    let (s, v) = view(app, case_no, Who::Bearer(med)).await;
    assert_eq!(s, 200, "{v}");
    clock(&v, "termination_notice").clone()
}

async fn notice_queue(app: &TestApp, med: &str) -> Vec<Value> {
    let (s, v) = app
        .get_as("/api/v1/queue?clock=termination_notice", med)
        .await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

/// Marks the termination mail to the business as delivered at `at` (China morning).
async fn deliver_business_mail(app: &TestApp, case_no: &str, at: chrono::DateTime<chrono::Utc>) {
    let pool = pool(app);
    let prefix = format!("{case_no}/event-");
    with_db(&pool, move |c| {
        let row = outbox::list(c, false, 100)
            .unwrap()
            .into_iter()
            // The latest: the acceptance's copy went to the business before.
            .filter(|r| r.dedupe_key.starts_with(&prefix) && r.dedupe_key.ends_with("/enterprise"))
            .max_by_key(|r| r.id)
            .expect("a termination mail to the business");
        assert!(outbox::mark_sent(c, row.id, at.naive_utc()).unwrap());
    })
    .await;
}

async fn termination_notice_closes_only_when_both_parties_are_told(backend: Backend) {
    let app = TestApp::spawn_with(&backend, quiet).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.set_now(china_morning(2026, 9, 21));
    let med = mediator(&app).await;
    let case_no = accepted(&app, &med).await;
    let on_time = accepted(&app, &med).await;

    // Terminated the day before the National Day holiday: 7 working days run to 10-15
    // (Oct 1–7 off, Saturday Oct 10 a make-up working day).
    app.set_now(china_morning(2026, 9, 30));
    let med = relogin(&app, MED).await;
    for no in [&case_no, &on_time] {
        let body = json!({"action": "terminate", "reason": "party_absent"});
        assert_eq!(
            step(&app, no, Who::Bearer(&med), body).await,
            "mediation_terminated"
        );
    }
    let c = notice_clock(&app, &case_no, &med).await;
    assert_eq!(
        (c["started"].as_str(), c["due"].as_str()),
        (Some("2026-09-30"), Some("2026-10-15"))
    );
    assert!(c["ended"].is_null(), "{c}");
    // A notice is recorded once given, and not before the termination.
    let (s, v) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        notice("consumer", "phone", "2026-10-09"),
    )
    .await;
    assert_eq!(
        (s, v["fields"][0]["field"].as_str()),
        (422, Some("date")),
        "{v}"
    );
    let (s, v) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        notice("consumer", "phone", "2026-09-29"),
    )
    .await;
    assert_eq!(
        (s, v["fields"][0]["field"].as_str()),
        (422, Some("date")),
        "{v}"
    );
    let (s, _) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        notice("nobody", "phone", "2026-09-30"),
    )
    .await;
    assert_eq!(s, 422);

    // The consumer is told by phone; the mail to the business is still queued.
    app.set_now(china_morning(2026, 10, 9));
    let med = relogin(&app, MED).await;
    step(
        &app,
        &case_no,
        Who::Bearer(&med),
        notice("consumer", "phone", "2026-10-09"),
    )
    .await;
    let c = notice_clock(&app, &case_no, &med).await;
    assert!(
        c["ended"].is_null() && c["overdue"] == false,
        "one party told is not both: {c}"
    );
    let listed = notice_queue(&app, &med).await;
    let item = listed
        .iter()
        .find(|i| i["case_no"] == case_no.as_str())
        .expect("on the notice list");
    assert_eq!(
        (item["clock"].as_str(), item["due"].as_str()),
        (Some("termination_notice"), Some("2026-10-15"))
    );
    assert_eq!(item["overdue"], false);

    // The other case: both told by recorded notices in time.
    for party in ["consumer", "business"] {
        step(
            &app,
            &on_time,
            Who::Bearer(&med),
            notice(party, "letter", "2026-10-08"),
        )
        .await;
    }
    let c = notice_clock(&app, &on_time, &med).await;
    assert_eq!(
        (c["ended"].as_str(), c["verdict"].as_str()),
        (Some("2026-10-08"), Some("timely")),
        "{c}"
    );

    // The day after the due date the first is overdue, on the queue and for the sweep.
    app.set_now(china_morning(2026, 10, 16));
    let med = relogin(&app, MED).await;
    let c = notice_clock(&app, &case_no, &med).await;
    assert_eq!(c["overdue"], true, "{c}");
    let listed = notice_queue(&app, &med).await;
    let numbers: Vec<&str> = listed
        .iter()
        .map(|i| i["case_no"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, [case_no.as_str()], "only the case still waiting");
    assert_eq!(listed[0]["overdue"], true);
    let out = common::binary::run_on(&app, &["sweep", "--as-of", "2026-10-16"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("1 clock(s) marked overdue"), "{said}");

    // The mail to the business is delivered: both told, late.
    deliver_business_mail(&app, &case_no, china_morning(2026, 10, 16)).await;
    let c = notice_clock(&app, &case_no, &med).await;
    assert_eq!(
        (c["ended"].as_str(), c["verdict"].as_str()),
        (Some("2026-10-16"), Some("late")),
        "{c}"
    );
    assert!(notice_queue(&app, &med).await.is_empty());
}

fn settle() -> Value {
    json!({"action": "settle", "agreement": "商家退款并赔偿"})
}

/// The policy file with the follow-up share set to `share` percent.
fn policy_with_share(share: u32) -> String {
    include_str!("../../reference/policy.toml").replacen(
        "follow_up_share = 10",
        &format!("follow_up_share = {share}"),
        1,
    )
}

async fn put_policy(app: &TestApp, admin: &str, text: String) -> u16 {
    app.client
        .put(app.url("/api/v1/admin/policy"))
        .bearer_auth(admin)
        .body(text)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn follow_up_list(app: &TestApp, med: &str, which: &str) -> Vec<String> {
    let (s, v) = app
        .get_as(&format!("/api/v1/queue?follow_up={which}"), med)
        .await;
    assert_eq!(s, 200, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["case_no"].as_str().unwrap().to_owned())
        .collect()
}

async fn follow_up_visits_of_the_sample_show_unfulfilled_settlements(backend: Backend) {
    let app = TestApp::spawn_with(&backend, quiet).await;
    let admin = app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let med = mediator(&app).await;
    let mut settled = Vec::new();
    for i in 0..3 {
        let mut c = sample_complaint();
        c["complainant"]["phone"] = json!(format!("1390013900{i}"));
        let (no, token) = app.file(&c).await;
        step(&app, &no, Who::Bearer(&med), json!({"action": "accept"})).await;
        step(&app, &no, Who::Bearer(&med), settle()).await;
        settled.push((no, token));
    }
    let open = app.file(&sample_complaint()).await.0;

    // The city's share: none drawn at 0 %, every settled complaint at 100 %.
    assert_eq!(put_policy(&app, &admin, policy_with_share(101)).await, 400);
    assert_eq!(put_policy(&app, &admin, policy_with_share(0)).await, 200);
    assert!(follow_up_list(&app, &med, "sampled").await.is_empty());
    assert_eq!(put_policy(&app, &admin, policy_with_share(100)).await, 200);
    let mut expected: Vec<String> = settled.iter().map(|(n, _)| n.clone()).collect();
    let mut drawn = follow_up_list(&app, &med, "sampled").await;
    drawn.sort();
    expected.sort();
    assert_eq!(drawn, expected);
    assert_eq!(
        follow_up_list(&app, &med, "sampled").await.len(),
        3,
        "the same every time"
    );

    // Visits: one settlement only partly carried out, one carried out.
    let (first, token) = &settled[0];
    let visit = |fulfilled: &str| json!({"action": "follow_up", "fulfilled": fulfilled, "view": "dissatisfied", "detail": "商家仅退款未赔偿"});
    let (s, _) = act(&app, first, Who::Bearer(&med), visit("maybe")).await;
    assert_eq!(s, 422);
    let (s, _) = act(&app, &open, Who::Bearer(&med), visit("no")).await;
    assert_eq!(s, 409, "no visit before settlement");
    let (s, _) = act(&app, first, Who::Tracking(token), visit("no")).await;
    assert!(s == 403 || s == 409, "staff only: {s}");
    step(&app, first, Who::Bearer(&med), visit("partly")).await;
    step(&app, &settled[1].0, Who::Bearer(&med), visit("yes")).await;
    assert_eq!(
        follow_up_list(&app, &med, "unfulfilled").await,
        [first.as_str()]
    );
    let (_, v) = app.get_as("/api/v1/queue?follow_up=sampled", &med).await;
    let item = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_no"] == first.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            item["follow_up_sampled"].as_bool(),
            item["fulfilled"].as_str()
        ),
        (Some(true), Some("partly"))
    );
    assert_eq!(app.get_as("/api/v1/queue?follow_up=all", &med).await.0, 422);

    // The visit is the bureau's own record: the consumer's tracking page does not show it.
    let (_, tracked) = app.track(first, token).await;
    assert!(!tracked.to_string().contains("follow_up"), "{tracked}");
    assert!(
        !tracked.to_string().contains("商家仅退款未赔偿"),
        "{tracked}"
    );
    let (_, staff) = view(&app, first, Who::Bearer(&med)).await;
    assert!(
        staff["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("follow_up")),
        "{staff}"
    );
}

on_both_backends!(
    termination_notice_closes_only_when_both_parties_are_told,
    follow_up_visits_of_the_sample_show_unfulfilled_settlements,
);
