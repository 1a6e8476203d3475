//! `/metrics`, `/readyz` and the index lag the analysts' answers carry, against the real
//! server: the exposition is read by a strict parser and compared with what was done and
//! with SQL written here.

use std::time::Duration;

use chrono::{Duration as Span, NaiveDateTime};
use diesel::prelude::*;
use odrdesk::clock::Clock;
use odrdesk::store::outbox::{NewOutboxRow, insert};
use odrdesk::store::schema::{case_events, cases, outbox, webhook_deliveries};
use odrdesk::store::webhooks::{NewDelivery, enqueue};
use serde_json::Value;

use crate::{common, on_both_backends};
use common::prometheus::{Exposition, parse};
use common::{Backend, TestApp};

/// `/metrics` as a loopback caller gets it, parsed.
async fn scrape(app: &TestApp) -> Exposition {
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    parse(&res.text().await.unwrap())
}

const REQUESTS: &str = "odrdesk_http_requests_total";

/// Waits until `/readyz` says the index has taken in every event.
async fn wait_caught_up(app: &TestApp) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, v) = app.get("/readyz").await;
        if v["index_lag_events"] == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "index never caught up: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waiting and dead messages of one channel, and when the oldest waiting one was queued.
fn outbox_sql(app: &TestApp, channel: &str) -> (i64, i64, Option<NaiveDateTime>) {
    let mut conn = app.db();
    let mine = || outbox::table.filter(outbox::channel.eq(channel.to_owned()));
    let waiting = || {
        mine()
            .filter(outbox::sent_at.is_null())
            .filter(outbox::dead_at.is_null())
    };
    (
        waiting().count().get_result(&mut *conn).unwrap(),
        mine()
            .filter(outbox::dead_at.is_not_null())
            .count()
            .get_result(&mut *conn)
            .unwrap(),
        waiting()
            .select(diesel::dsl::min(outbox::created_at))
            .first(&mut *conn)
            .unwrap(),
    )
}

/// Queues a message no sender takes before next year, `dead` or not, `age` old.
fn queue_message(app: &TestApp, key: &str, channel: &str, age: Span, dead: bool) {
    let now = app.clock.now().naive_utc();
    let mut conn = app.db();
    insert(
        &mut conn,
        &NewOutboxRow {
            dedupe_key: key,
            case_id: None,
            channel,
            to_addr: "13912345678",
            subject: "test",
            body: "",
            payload: None,
            created_at: now - age,
            attempts: 0,
            next_attempt_at: now + Span::days(365),
            expires_at: None,
        },
    )
    .unwrap();
    if dead {
        diesel::update(outbox::table.filter(outbox::dedupe_key.eq(key)))
            .set(outbox::dead_at.eq(Some(now)))
            .execute(&mut *conn)
            .unwrap();
    }
}

/// Queues a webhook delivery for `case_no` that no sender takes before next year, `age` old,
/// given up (`dead`) or waiting.
fn queue_delivery(app: &TestApp, event_id: &str, case_no: &str, age: Span, dead: bool) {
    let now = app.clock.now().naive_utc();
    let mut conn = app.db();
    let case_id: i64 = cases::table
        .filter(cases::case_no.eq(case_no))
        .select(cases::id)
        .first(&mut *conn)
        .unwrap();
    let row = NewDelivery {
        event_id,
        uscc: "91440700MA4UTEST01",
        case_id,
        case_no,
        event_type: "complaint.created",
        body: "{}",
        created_at: now - age,
        attempts: 0,
        next_attempt_at: now + Span::days(365),
    };
    assert!(enqueue(&mut conn, &row).unwrap());
    if dead {
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::event_id.eq(event_id)))
            .set(webhook_deliveries::dead_at.eq(Some(now)))
            .execute(&mut *conn)
            .unwrap();
    }
}

async fn requests_are_counted_by_pattern_without_personal_data(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let (first, token) = app.file_complaint().await;
    let mut second = common::sample_complaint();
    second["complainant"]["phone"] = "13711112222".into();
    let (second, _) = app.file(&second).await;
    for _ in 0..3 {
        let (s, _) = app.track(&first, &token).await;
        assert_eq!(s, 200);
    }
    let (s, _) = app.get(&format!("/api/v1/no-such-thing/{first}")).await;
    assert_eq!(s, 404);
    queue_message(&app, "t-wechat", "wechat", Span::hours(1), false);
    queue_message(&app, "t-sms-dead", "sms", Span::hours(5), true);
    queue_delivery(&app, "hook-waiting", &first, Span::hours(2), false);
    queue_delivery(&app, "hook-dead-1", &first, Span::hours(9), true);
    queue_delivery(&app, "hook-dead-2", &second, Span::hours(8), true);
    app.wait_indexed(&analyst, 2).await;
    wait_caught_up(&app).await;

    // The mail sender may deliver between two readings: compare a scrape with SQL that
    // read the same before and after it.
    let mut tries = 0;
    let (m, sql) = loop {
        let before: Vec<_> = ["email", "sms", "wechat"]
            .map(|c| outbox_sql(&app, c))
            .into();
        let m = scrape(&app).await;
        let after: Vec<_> = ["email", "sms", "wechat"]
            .map(|c| outbox_sql(&app, c))
            .into();
        tries += 1;
        if before == after || tries == 20 {
            assert_eq!(before, after, "the outbox never held still");
            break (m, after);
        }
    };
    let now = app.clock.now().naive_utc();
    for (channel, (waiting, dead, oldest)) in ["email", "sms", "wechat"].iter().zip(&sql) {
        let with = [("channel", *channel)];
        assert_eq!(
            m.value("odrdesk_outbox_waiting", &with),
            Some(*waiting as f64),
            "{channel}"
        );
        assert_eq!(
            m.value("odrdesk_outbox_dead", &with),
            Some(*dead as f64),
            "{channel}"
        );
        let age = oldest.map_or(0, |t| (now - t).num_seconds());
        assert_eq!(
            m.value("odrdesk_outbox_oldest_waiting_seconds", &with),
            Some(age as f64),
            "{channel}"
        );
    }
    assert_eq!(sql[2].0, 1, "the queued WeChat message waits");
    assert_eq!(
        m.value(
            "odrdesk_outbox_oldest_waiting_seconds",
            &[("channel", "wechat")]
        ),
        Some(3600.0)
    );
    assert_eq!(
        m.value("odrdesk_outbox_dead", &[("channel", "sms")]),
        Some(1.0)
    );

    let hooks = |name: &str| m.value(name, &[]);
    assert_eq!(hooks("odrdesk_webhook_deliveries_waiting"), Some(1.0));
    assert_eq!(hooks("odrdesk_webhook_deliveries_dead"), Some(2.0));
    assert_eq!(
        hooks("odrdesk_webhook_oldest_waiting_seconds"),
        Some(7200.0)
    );

    let track = [("route", "/api/v1/track/{case_no}"), ("method", "GET")];
    assert_eq!(m.sum(REQUESTS, &track), 3.0);
    assert_eq!(
        m.value(REQUESTS, &[track[0], track[1], ("status", "2xx")]),
        Some(3.0)
    );
    let filed = [
        ("route", "/api/v1/complaints"),
        ("method", "POST"),
        ("status", "2xx"),
    ];
    assert_eq!(m.value(REQUESTS, &filed), Some(2.0));
    assert_eq!(
        m.sum("odrdesk_http_request_duration_seconds_count", &track),
        3.0,
        "the latency histogram saw every call"
    );
    assert!(m.sum(REQUESTS, &[("route", "unmatched"), ("status", "4xx")]) >= 1.0);
    assert!(m.value("odrdesk_intake_batch_size_count", &[]).unwrap() >= 1.0);
    assert_eq!(m.value("odrdesk_intake_batch_size_sum", &[]), Some(2.0));
    assert_eq!(m.value("odrdesk_search_index_lag_events", &[]), Some(0.0));
    assert_eq!(m.types["odrdesk_sweep_duration_seconds"], "histogram");

    let open: i64 = cases::table
        .filter(cases::closed_on.is_null())
        .count()
        .get_result(&mut *app.db())
        .unwrap();
    assert_eq!(open, 2);
    assert_eq!(m.sum("odrdesk_open_cases", &[("overdue", "false")]), 2.0);
    assert_eq!(m.sum("odrdesk_open_cases", &[("overdue", "true")]), 0.0);

    for value in m.label_values() {
        for secret in [
            first.as_str(),
            second.as_str(),
            "13800138000",
            "13711112222",
            "张三",
            "zhang@",
        ] {
            assert!(
                !value.contains(secret),
                "label value {value:?} holds {secret}"
            );
        }
    }

    // Months later, nobody having acted, the acceptance clocks have run out.
    app.set_now(common::china_morning(2027, 3, 1));
    let later = scrape(&app).await;
    assert_eq!(later.sum("odrdesk_open_cases", &[("overdue", "true")]), 2.0);
    assert_eq!(later.sum("odrdesk_open_cases", &[]), 2.0);
}

async fn index_lag_fails_readiness_and_shows_in_answers(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.metrics.max_index_lag = 0).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    app.file_complaint().await;
    app.wait_indexed(&analyst, 1).await;
    wait_caught_up(&app).await;
    let (s, ready) = app.get("/readyz").await;
    assert_eq!(
        (s, &ready["database"], &ready["max_lag"]),
        (200, &"ok".into(), &0.into()),
        "{ready}"
    );
    let (_, found) = app.get_as("/api/v1/search?limit=1", &analyst).await;
    assert_eq!(found["index_lag_events"], 0, "{found}");
    let page = app.get_text_as("/analyst/search", &analyst).await;
    assert!(!page.contains("检索索引落后"), "{page}");

    // The same data with a follower that does not run: new events are not indexed.
    let mut app = app;
    app.settings.index_poll_ms = 3_600_000;
    let app = app.restart().await;
    // The old server's follower may finish the pass it was in.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut other = common::sample_complaint();
    other["complainant"]["phone"] = "13711112222".into();
    let (case_no, _) = app.file(&other).await;
    let appended: i64 = case_events::table
        .inner_join(cases::table)
        .filter(cases::case_no.eq(&case_no))
        .count()
        .get_result(&mut *app.db())
        .unwrap();
    assert!(appended >= 1);

    let (s, ready) = app.get("/readyz").await;
    assert_eq!(s, 503, "{ready}");
    assert_eq!(ready["index_lag_events"], appended, "{ready}");
    assert_eq!(
        ready["failing"],
        serde_json::json!(["index_lag"]),
        "{ready}"
    );
    let (s, found) = app.get_as("/api/v1/search?limit=5", &analyst).await;
    assert_eq!(s, 200, "{found}");
    assert_eq!(
        (found["total"].clone(), found["index_lag_events"].clone()),
        (1.into(), appended.into())
    );
    let (s, trend) = app.get_as("/api/v1/trends?interval=month", &analyst).await;
    assert_eq!(
        (s, trend["index_lag_events"].clone()),
        (200, Value::from(appended)),
        "{trend}"
    );
    let notice = format!("检索索引落后 {appended} 条事件，结果可能不完整");
    for path in [
        "/analyst/search",
        "/analyst/trends",
        "/analyst/hot",
        "/analyst/alerts",
    ] {
        let page = app.get_text_as(path, &analyst).await;
        assert!(page.contains(&notice), "{path}: {page}");
    }
    let m = scrape(&app).await;
    assert_eq!(
        m.value("odrdesk_search_index_lag_events", &[]),
        Some(appended as f64)
    );
    let (s, health) = app.get("/healthz").await;
    assert_eq!((s, &health["status"]), (200, &"ok".into()));
}

async fn metrics_are_for_loopback_callers_or_the_token(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| {
        s.metrics.token = Some("a-long-scrape-token".into());
    })
    .await;
    let get = |forwarded: bool, bearer: Option<&str>| {
        let mut req = app.client.get(app.url("/metrics"));
        if forwarded {
            req = req.header("X-Forwarded-For", "203.0.113.9");
        }
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        get(false, None).await,
        200,
        "a loopback caller needs no token"
    );
    assert_eq!(
        get(true, None).await,
        404,
        "a proxied caller without a token"
    );
    assert_eq!(
        get(true, Some("a-long-scrape-toke")).await,
        404,
        "a wrong token"
    );
    assert_eq!(
        get(true, Some("a-long-scrape-token")).await,
        200,
        "the token"
    );
    let res = app
        .client
        .get(app.url("/metrics"))
        .header("Forwarded", "for=203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    let open = TestApp::spawn(&backend).await;
    let res = open
        .client
        .get(open.url("/metrics"))
        .header("X-Real-IP", "203.0.113.9")
        .bearer_auth("a-long-scrape-token")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        404,
        "without a configured token only loopback callers read it"
    );

    // The default: a proxy on the same host may forward without saying so, so loopback
    // callers need the token too unless the operator says otherwise.
    let closed = TestApp::spawn_with(&backend, |s| {
        s.metrics.allow_loopback = false;
        s.metrics.token = Some("a-long-scrape-token".into());
    })
    .await;
    let plain = closed
        .client
        .get(closed.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 404, "loopback without allow_loopback");
    let with_token = closed
        .client
        .get(closed.url("/metrics"))
        .bearer_auth("a-long-scrape-token")
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), 200, "loopback with the token");
    assert!(!odrdesk::metrics::MetricsSettings::default().allow_loopback);
}

on_both_backends!(
    requests_are_counted_by_pattern_without_personal_data,
    index_lag_fails_readiness_and_shows_in_answers,
    metrics_are_for_loopback_callers_or_the_token,
);
