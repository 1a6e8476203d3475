//! Webhooks for ODR businesses against a loopback receiver that checks every signature: the
//! events of a complaint (new case, the consumer's message, the decision), none for a report
//! (Order 121 Art. 37), retries after a 500, a delivery given up after a day and resent, and
//! the registration's refusals.

use chrono::Duration;
use serde_json::{Value, json};

use super::common::hook_receiver::{Received, Receiver};
use super::common::{Backend, TestApp, china_morning, sample_report};
use super::{RESPONDENT_USCC, Who, odr_complaint, run_on, step};
use crate::on_both_backends;

/// A business enrolled in ODR with an enterprise account; returns its session token.
pub async fn odr_business(app: &TestApp) -> String {
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await
}

/// Registers `receiver` as the business's endpoint and tells it the secret.
pub async fn register(app: &TestApp, session: &str, receiver: &Receiver) {
    let res = app
        .client
        .put(app.url("/api/v1/enterprise/webhook"))
        .bearer_auth(session)
        .json(&json!({"url": receiver.url}))
        .send()
        .await
        .unwrap();
    let (s, v) = super::common::read(res).await;
    assert_eq!(s, 200, "{v}");
    let secret = v["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{v}");
    receiver.trust(secret);
}

pub async fn spawn(backend: &Backend) -> TestApp {
    TestApp::spawn_with(backend, |s| {
        s.webhook_allow_loopback = true;
        s.webhook_poll_ms = 50;
    })
    .await
}

async fn deliveries(app: &TestApp, session: &str) -> Vec<Value> {
    let (s, v) = app
        .get_as("/api/v1/enterprise/webhook/deliveries", session)
        .await;
    assert_eq!(s, 200, "{v}");
    v.as_array().unwrap().clone()
}

async fn a_complaint_makes_events_and_a_report_none(backend: Backend) {
    let receiver = Receiver::start();
    let app = spawn(&backend).await;
    let firm = odr_business(&app).await;
    register(&app, &firm, &receiver).await;

    let (case_no, token) = app.file(&odr_complaint()).await;
    let first = receiver.wait_accepted(1).await;
    assert_eq!(first[0].body["type"], "case.created");
    assert_eq!(first[0].body["data"]["case_no"], case_no.as_str());
    assert_eq!(first[0].body["data"]["state"], "odr_negotiation");
    assert_eq!(
        first[0].body["data"]["api_path"],
        format!("/api/v1/cases/{case_no}")
    );
    assert_eq!(first[0].body["id"], first[0].event_id.as_str());

    let words = "请尽快联系我，电话13800138000";
    step(
        &app,
        &case_no,
        Who::Tracking(&token),
        json!({"action": "message", "to": "enterprise", "text": words}),
    )
    .await;
    let got = receiver.wait_accepted(2).await;
    assert_eq!(got[1].body["type"], "case.message");
    // The business's own answer tells it nothing; the consumer's decision does.
    step(
        &app,
        &case_no,
        Who::Bearer(&firm),
        json!({"action": "odr_answer", "proposal": "全额退款129元"}),
    )
    .await;
    step(
        &app,
        &case_no,
        Who::Tracking(&token),
        json!({"action": "consumer_accept"}),
    )
    .await;
    let got = receiver.wait_accepted(3).await;
    assert_eq!(got[2].body["type"], "case.decision");
    assert_eq!(got[2].body["data"]["state"], "settled");

    // A report against the same business, and a step on it: never a delivery.
    let mut report = sample_report();
    report["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": RESPONDENT_USCC, "district": "440703"});
    let (s, filed) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(s, 201, "{filed}");
    let report_no = filed["case_no"].as_str().unwrap().to_owned();
    let med = super::mediator(&app).await;
    let (s, v) = super::act(
        &app,
        &report_no,
        Who::Bearer(&med),
        json!({"action": "message", "to": "enterprise", "text": "x"}),
    )
    .await;
    assert!(s >= 400, "no message reaches a business on a report: {v}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let all = receiver.received();
    assert_eq!(all.len(), 3, "{all:?}");
    for r in &all {
        assert!(r.signed, "signature checks out: {r:?}");
        assert_ne!(r.body["data"]["case_no"], report_no.as_str());
        for secret in [words, "张三", "13800138000", "全额退款", "面膜"] {
            assert!(!r.raw.contains(secret), "{secret} in {}", r.raw);
        }
    }
    let log = deliveries(&app, &firm).await;
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(
        log.iter()
            .all(|d| d["status"] == "delivered" && d["attempts"] == 1)
    );
    assert!(log.iter().all(|d| d["case_no"] == case_no.as_str()));
}

async fn a_failed_delivery_is_retried_then_given_up_after_a_day(backend: Backend) {
    let receiver = Receiver::start();
    let app = spawn(&backend).await;
    let firm = odr_business(&app).await;
    register(&app, &firm, &receiver).await;
    receiver.fail_next(1);
    let start = china_morning(2026, 11, 20);
    app.file(&odr_complaint()).await;
    let first = receiver.wait_received(1).await;
    assert_eq!(first[0].answered, 500);
    // The sender records the attempt just after the receiver answered it.
    let log = loop {
        let log = deliveries(&app, &firm).await;
        if log[0]["attempts"] != 0 {
            break log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(
        (
            log[0]["status"].as_str(),
            log[0]["attempts"].as_i64(),
            log[0]["last_status"].as_i64()
        ),
        (Some("pending"), Some(1), Some(500))
    );
    // Not before the back-off has passed.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1);
    app.set_now(start + Duration::seconds(31));
    let got = receiver.wait_accepted(1).await;
    assert_eq!(got[0].event_id, first[0].event_id, "the same event again");
    assert!(got[0].signed);
    let log = loop {
        let log = deliveries(&app, &firm).await;
        if log[0]["attempts"] != 1 {
            break log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(
        (log[0]["status"].as_str(), log[0]["attempts"].as_i64()),
        (Some("delivered"), Some(2))
    );

    // The receiver is down for good: after 24 hours the delivery is dead.
    receiver.fail_next(usize::MAX);
    app.file(&odr_complaint()).await;
    receiver.wait_received(3).await;
    // The failed first attempt is recorded before the clock jumps a day.
    while deliveries(&app, &firm).await[0]["attempts"] != 1 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    app.set_now(start + Duration::hours(25));
    let firm = super::relogin(&app, "shop@example.com").await;
    let dead = loop {
        let log = deliveries(&app, &firm).await;
        if log[0]["status"] == "dead" {
            break log[0].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(dead["attempts"], 2);
    assert_eq!(dead["next_attempt_at"], Value::Null);
    let seen = receiver.received().len();
    app.set_now(start + Duration::hours(30));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        receiver.received().len(),
        seen,
        "a dead delivery is not tried"
    );
    let firm = super::relogin(&app, "shop@example.com").await;

    // Resent from the desk's log once the receiver is back.
    receiver.fail_next(0);
    let id = dead["id"].as_i64().unwrap();
    let (s, v) = app
        .post_as(
            &format!("/api/v1/enterprise/webhook/deliveries/{id}/resend"),
            &firm,
            &json!({}),
        )
        .await;
    assert_eq!(s, 204, "{v}");
    let got = receiver.wait_accepted(2).await;
    assert_eq!(got[1].event_id, dead["event_id"].as_str().unwrap());
}

async fn registration_refuses_plain_http_and_private_addresses(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let firm = odr_business(&app).await;
    for (url, code) in [
        ("http://127.0.0.1:9/hook", "bad_webhook_url"),
        ("https://127.0.0.1:9/hook", "private_address"),
        ("https://10.0.0.8/hook", "private_address"),
        ("ftp://example.com/", "bad_webhook_url"),
    ] {
        let res = app
            .client
            .put(app.url("/api/v1/enterprise/webhook"))
            .bearer_auth(&firm)
            .json(&json!({"url": url}))
            .send()
            .await
            .unwrap();
        let (s, v) = super::common::read(res).await;
        assert_eq!(
            (s, v["fields"][0]["code"].as_str()),
            (422, Some(code)),
            "{url}: {v}"
        );
    }
    // Nothing registered: nothing to rotate.
    let (s, _) = app
        .post_as("/api/v1/enterprise/webhook/rotate", &firm, &json!({}))
        .await;
    assert_eq!(s, 404);
    // Only a business manages a webhook.
    let med = super::mediator(&app).await;
    let (s, _) = app.get_as("/api/v1/enterprise/integration", &med).await;
    assert_eq!(s, 403);
}

async fn the_sweep_reminds_the_business_once_and_tells_it_of_the_expiry(backend: Backend) {
    let receiver = Receiver::start();
    let app = spawn(&backend).await;
    let firm = odr_business(&app).await;
    register(&app, &firm, &receiver).await;
    let (case_no, _) = app.file(&odr_complaint()).await;
    receiver.wait_accepted(1).await;
    // The answer is due 2026-12-04: a reminder the working day before, once.
    for as_of in ["2026-12-03", "2026-12-03", "2026-12-07"] {
        let out = run_on(&app, &["sweep", "--as-of", as_of]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    app.set_now(china_morning(2026, 12, 8));
    receiver.wait_accepted(3).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Delivery order across events is not promised (a retried delivery arrives after later
    // events): a receiver orders by the body's `created_at`, then its `id`.
    let got = in_event_order(receiver.received());
    assert!(got.iter().all(|r| r.signed && r.answered < 300), "{got:?}");
    let types: Vec<&str> = got
        .iter()
        .map(|r| r.body["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["case.created", "case.deadline_reminder", "case.decision"],
        "{got:?}"
    );
    let reminder = &got[1].body["data"];
    assert_eq!(
        (reminder["case_no"].as_str(), reminder["due_date"].as_str()),
        (Some(case_no.as_str()), Some("2026-12-04"))
    );
    assert_eq!(got[2].body["data"]["state"], "pending_acceptance");
}

/// Received events in the order they happened, as a receiver must sort them.
fn in_event_order(mut all: Vec<Received>) -> Vec<Received> {
    all.sort_by(|a, b| {
        let key = |r: &Received| {
            let at = r.body["created_at"].as_str().unwrap_or_default();
            let at = chrono::DateTime::parse_from_rfc3339(at).expect("created_at is RFC 3339");
            (at, r.event_id.clone())
        };
        key(a).cmp(&key(b))
    });
    all
}

/// A cosmetics complaint with a skin reaction opens the bureau's internal adverse-reaction
/// referral clock; its deadline is the bureau's and never reaches the business.
async fn only_the_odr_answer_deadline_is_sent_to_the_business(backend: Backend) {
    let receiver = Receiver::start();
    let app = spawn(&backend).await;
    let firm = odr_business(&app).await;
    register(&app, &firm, &receiver).await;
    let mut complaint = odr_complaint();
    complaint["adverse_reaction"] = json!({"onset_date": "2026-11-18", "symptoms": "面部红肿瘙痒",
        "body_site": "面部", "severity": "public_concern"});
    let (case_no, _) = app.file(&complaint).await;
    receiver.wait_accepted(1).await;
    // Filed Friday 2026-11-20: the referral is due Monday 2026-11-23 (three calendar days),
    // the ODR answer on 2026-12-04.
    for as_of in ["2026-11-20", "2026-12-03"] {
        let out = run_on(&app, &["sweep", "--as-of", as_of]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Events queued by the sweep are due from the day it ran as of.
    app.set_now(china_morning(2026, 12, 3));
    receiver.wait_accepted(2).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let got = in_event_order(receiver.received());
    let seen: Vec<(&str, Option<&str>)> = got
        .iter()
        .map(|r| {
            (
                r.body["type"].as_str().unwrap(),
                r.body["data"]["due_date"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("case.created", None),
            ("case.deadline_reminder", Some("2026-12-04"))
        ],
        "{got:?}"
    );
    assert_eq!(got[1].body["data"]["case_no"], case_no.as_str());
}

on_both_backends!(
    only_the_odr_answer_deadline_is_sent_to_the_business,
    the_sweep_reminds_the_business_once_and_tells_it_of_the_expiry,
    a_complaint_makes_events_and_a_report_none,
    a_failed_delivery_is_retried_then_given_up_after_a_day,
    registration_refuses_plain_http_and_private_addresses,
);
