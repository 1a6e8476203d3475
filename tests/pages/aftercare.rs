//! The desk pages after mediation: a terminated case's notice clock in words, a notice
//! recorded through the case page's form, the notice list, and the follow-up marks.

use crate::common;
use crate::on_both_backends;

use common::browser::{Browser, hidden};
use common::{Backend, TestApp, china_morning, sample_complaint};
use serde_json::json;

const MEDIATOR: &str = "med@jm.gov.cn";

async fn the_desk_shows_the_notice_clock_and_records_a_notice(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| {
        s.mail_poll_ms = 3_600_000;
        s.sweep_interval_secs = 0;
    })
    .await;
    app.set_now(china_morning(2026, 9, 21));
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let mut c = sample_complaint();
    c["purchase"]["date"] = json!("2026-09-01");
    let (no, _) = app.file(&c).await;
    for body in [
        json!({"action": "accept"}),
        json!({"action": "terminate", "reason": "party_absent"}),
    ] {
        let (s, v) = app
            .post_as(&format!("/api/v1/cases/{no}/actions"), &med, &body)
            .await;
        assert_eq!(s, 200, "{v}");
    }
    let mut web = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let here = format!("/desk/cases/{no}");
    let page = web.get(&here).await;
    assert!(
        page.body.contains("告知双方：剩 7 个工作日"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("记录终止调解告知"),
        "the form is offered"
    );
    let list = web.get("/desk?clock=termination_notice").await;
    assert!(
        list.body.contains(&no) && list.body.contains("待告知双方"),
        "{}",
        list.body
    );

    // Both parties told through the form: the clock reads 已告知双方 and leaves the list.
    for party in ["consumer", "business"] {
        let page = web.get(&here).await;
        let token = hidden(&page.body, "csrf");
        let done = web
            .post(
                &format!("{here}/actions"),
                &[
                    ("csrf", &token),
                    ("action", "record_notice"),
                    ("party", party),
                    ("means", "phone"),
                    ("date", "2026-09-21"),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
    }
    let page = web.get(&here).await;
    assert!(page.body.contains("已告知双方"), "{}", page.body);
    let list = web.get("/desk?clock=termination_notice").await;
    assert!(!list.body.contains(&no), "{}", list.body);
}

on_both_backends!(the_desk_shows_the_notice_clock_and_records_a_notice);
