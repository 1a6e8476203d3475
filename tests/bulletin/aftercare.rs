//! The bulletin counts termination notices on time, late and pending, and what follow-up
//! visits found, for the period's complaints, with its methodology.

use odrdesk::store::outbox;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};
use crate::draft;
use crate::fixture::{self, ADMIN, Complaint, MEDIATOR, RESPONDENT_USCC, act, morning};

/// No background mail sender or sweep: the test delivers mail and sweeps at pinned times.
fn quiet(s: &mut odrdesk::config::Settings) {
    s.mail_poll_ms = 3_600_000;
    s.sweep_interval_secs = 0;
}

fn rate(v: &Value) -> (u64, u64) {
    (
        v["numerator"].as_u64().unwrap(),
        v["denominator"].as_u64().unwrap(),
    )
}

async fn filed(app: &TestApp, day: u32, phone: &str) -> String {
    let c = Complaint {
        district: "440703",
        category: "goods.food",
        nature: "quality",
        online: false,
        odr: false,
        phone,
        uscc: Some(RESPONDENT_USCC),
    };
    let (no, _) = fixture::complaint(app, morning(2026, 9, day), c).await;
    act(
        app,
        morning(2026, 9, day),
        MEDIATOR,
        &no,
        json!({"action": "accept"}),
    )
    .await;
    no
}

fn notice(party: &str, date: &str) -> Value {
    json!({"action": "record_notice", "party": party, "means": "phone", "date": date})
}

fn visit(fulfilled: &str) -> Value {
    json!({"action": "follow_up", "fulfilled": fulfilled, "view": "neutral"})
}

async fn bulletin_counts_notices_and_follow_ups(backend: Backend) {
    let app = TestApp::spawn_with(&backend, quiet).await;
    app.set_now(morning(2026, 8, 1));
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user(ADMIN, "admin", &[], None).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let terminate = json!({"action": "terminate", "reason": "agreement_impossible"});
    let ten = morning(2026, 9, 10);

    let on_time = filed(&app, 1, "13900000101").await;
    let late = filed(&app, 2, "13900000102").await;
    let pending = filed(&app, 3, "13900000103").await;
    let mut settled = Vec::new();
    for (day, phone) in [(4, "13900000104"), (7, "13900000105"), (8, "13900000106")] {
        settled.push(filed(&app, day, phone).await);
    }
    // Both told on 09-11, within 7 working days of 09-10 (due 09-20, a make-up Sunday).
    act(&app, ten, MEDIATOR, &on_time, terminate.clone()).await;
    act(&app, ten, MEDIATOR, &late, terminate.clone()).await;
    for party in ["consumer", "business"] {
        act(
            &app,
            morning(2026, 9, 11),
            MEDIATOR,
            &on_time,
            notice(party, "2026-09-11"),
        )
        .await;
    }
    // The consumer told on 09-11, the business's mail delivered only on 09-25: late.
    act(
        &app,
        morning(2026, 9, 11),
        MEDIATOR,
        &late,
        notice("consumer", "2026-09-11"),
    )
    .await;
    let settle = json!({"action": "settle", "agreement": "退款"});
    for no in &settled {
        act(&app, morning(2026, 9, 20), MEDIATOR, no, settle.clone()).await;
    }
    let prefix = format!("{late}/event-");
    {
        let mut conn = app.db();
        tokio::task::block_in_place(|| {
            let row = outbox::list(&mut conn, false, 100)
                .unwrap()
                .into_iter()
                .find(|r| {
                    r.dedupe_key.starts_with(&prefix) && r.dedupe_key.ends_with("/enterprise")
                })
                .expect("the termination mail to the business");
            assert!(
                outbox::mark_sent(&mut conn, row.id, morning(2026, 9, 25).naive_utc()).unwrap()
            );
        });
    }
    // Settled complaints: one visit found it carried out, one (at last) only partly, one
    // unvisited.
    act(
        &app,
        morning(2026, 10, 20),
        MEDIATOR,
        &settled[0],
        visit("yes"),
    )
    .await;
    act(
        &app,
        morning(2026, 10, 20),
        MEDIATOR,
        &settled[1],
        visit("no"),
    )
    .await;
    act(
        &app,
        morning(2026, 10, 21),
        MEDIATOR,
        &settled[1],
        visit("partly"),
    )
    .await;
    // Terminated two days before the bulletin date, nobody told yet: pending.
    act(&app, morning(2026, 11, 18), MEDIATOR, &pending, terminate).await;

    app.set_now(morning(2026, 11, 20));
    let b = draft(&app, json!({"period": "2026-Q3", "as_of": fixture::AS_OF})).await;
    let a = &b["aftercare"];
    assert_eq!(
        (
            a["notices_on_time"].as_u64(),
            a["notices_late"].as_u64(),
            a["notices_pending"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{a}"
    );
    assert_eq!(rate(&a["notice_on_time"]), (1, 2));
    assert_eq!(
        (a["follow_ups"].as_u64(), a["unfulfilled"].as_u64()),
        (Some(2), Some(1)),
        "the latest visit counts: {a}"
    );
    assert_eq!(rate(&a["fulfilled"]), (1, 2));
    let keys: Vec<&str> = b["methodology"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    for key in [
        "aftercare.notice_on_time",
        "aftercare.fulfilled",
        "aftercare.unfulfilled",
    ] {
        assert!(keys.contains(&key), "{keys:?}");
    }
}

crate::on_both_backends!(bulletin_counts_notices_and_follow_ups);
