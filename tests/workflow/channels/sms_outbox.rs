//! The SMS outbox rules: provider errors retry and then dead-letter (listed by `odrdesk outbox
//! status`), per-number limits defer notices and refuse login codes, each counted apart, and a
//! login code goes at once (waking only its own server's sender), expires unsent after five
//! minutes and never stays readable.

use std::time::{Duration, Instant};

use chrono::Duration as Span;
use odrdesk::clock::Clock;
use odrdesk::domain::sms_limits::SmsLimits;
use odrdesk::notify::ops::status_report;
use odrdesk::notify::{Channels, SmsNotice, SmsRefusal, deliver_due};
use odrdesk::store::outbox;

use super::{progress, queue_sms};
use crate::common::providers::SmsStandIn;
use crate::common::{Backend, TestApp};
use crate::mail::{pool, rows, with_db};

/// An app whose own sender stays idle: the test runs the passes at the times it picks.
async fn quiet_app(
    backend: &Backend,
    sms: &SmsStandIn,
    adjust: impl FnOnce(&mut odrdesk::config::Settings),
) -> TestApp {
    let config = sms.config();
    TestApp::spawn_with(backend, |s| {
        s.sms = Some(config);
        s.mail_poll_ms = 3_600_000;
        adjust(s);
    })
    .await
}

async fn provider_errors_retry_then_dead_letter(backend: Backend) {
    let sms = SmsStandIn::start();
    let app = quiet_app(&backend, &sms, |s| s.outbox_max_attempts = 3).await;
    let (pool, channels) = (pool(&app), Channels::from_settings(&app.settings).unwrap());
    let t0 = app.clock.now();
    let naive = t0.naive_utc();
    assert!(
        queue_sms(
            &app,
            "a/sms",
            "13800138000",
            progress("TS-2026-000001"),
            naive
        )
        .await
        .unwrap()
    );
    // The same key again is not a second message.
    assert!(
        !queue_sms(
            &app,
            "a/sms",
            "13800138000",
            progress("TS-2026-000001"),
            naive
        )
        .await
        .unwrap()
    );
    sms.fail_with(&[
        "LimitExceeded.PhoneNumberDailyLimit",
        "FailedOperation.TemplateIncorrectOrUnapproved",
        "LimitExceeded.PhoneNumberDailyLimit",
    ]);
    for (pass, failed, dead) in [(0, 1, 0), (1, 1, 0), (2, 0, 1)] {
        let report = deliver_due(&pool, &channels, t0 + Span::hours(pass), 10)
            .await
            .unwrap();
        assert_eq!(
            (report.failed, report.dead, report.sent),
            (failed, dead, 0),
            "pass {pass}"
        );
    }
    let later = deliver_due(&pool, &channels, t0 + Span::days(1), 10)
        .await
        .unwrap();
    assert_eq!(later.handled(), 0, "a dead letter is never tried again");
    assert!(sms.receipts().is_empty());
    let row = rows(&pool).await.remove(0);
    assert!(row.dead_at.is_some() && row.sent_at.is_none(), "{row:?}");
    assert_eq!(row.attempts, 3);
    assert!(
        row.last_error
            .as_deref()
            .unwrap()
            .starts_with("LimitExceeded.PhoneNumberDailyLimit")
    );

    // One failure, then the provider takes it: sent once.
    assert!(
        queue_sms(
            &app,
            "b/sms",
            "13900139000",
            progress("TS-2026-000002"),
            naive
        )
        .await
        .unwrap()
    );
    sms.fail_with(&["InternalError.Timeout"]);
    deliver_due(&pool, &channels, t0 + Span::days(1), 10)
        .await
        .unwrap();
    let report = deliver_due(&pool, &channels, t0 + Span::days(2), 10)
        .await
        .unwrap();
    assert_eq!(report.sent, 1);
    let got = sms.receipts();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].phone.as_str(), got[0].params.clone()),
        ("+8613900139000", vec!["TS-2026-000002".to_owned()])
    );

    let text = with_db(&pool, move |c| {
        status_report(c, false, 20, t0 + Span::days(2))
    })
    .await
    .unwrap();
    assert!(
        text.contains("短信（sms）：待发送 0，已发送 1，死信 1"),
        "{text}"
    );
    assert!(
        text.contains("邮件（email）：待发送 0，已发送 0，死信 0"),
        "{text}"
    );
    assert!(
        text.contains("死信") && text.contains("138****8000"),
        "{text}"
    );
    assert!(!text.contains("13800138000"), "phones are masked: {text}");
}

async fn per_number_limits_defer_notices_but_not_login_codes(backend: Backend) {
    let sms = SmsStandIn::start();
    let limits = SmsLimits {
        per_minute: 1,
        per_hour: 2,
        per_day: 10,
    };
    let app = quiet_app(&backend, &sms, |s| {
        if let Some(c) = s.sms.as_mut() {
            c.limits = limits;
        }
    })
    .await;
    let (pool, channels) = (pool(&app), Channels::from_settings(&app.settings).unwrap());
    let t0 = app.clock.now();
    for n in 1..=3 {
        let key = format!("n{n}/sms");
        let notice = progress(&format!("TS-2026-00000{n}"));
        assert!(
            queue_sms(&app, &key, "13800138000", notice, t0.naive_utc())
                .await
                .unwrap()
        );
    }
    let first = deliver_due(&pool, &channels, t0, 10).await.unwrap();
    assert_eq!((first.sent, first.deferred, first.failed), (1, 2, 0));
    let waiting: Vec<_> = rows(&pool)
        .await
        .into_iter()
        .filter(|r| r.sent_at.is_none())
        .collect();
    assert!(
        waiting
            .iter()
            .all(|r| r.attempts == 0 && r.next_attempt_at == t0.naive_utc() + Span::minutes(1)),
        "{waiting:#?}"
    );

    // A login code is counted apart from the notices: to the same number, it goes at once.
    let code = SmsNotice::LoginCode {
        code: "482913".into(),
    };
    assert!(
        queue_sms(&app, "login-1", "13800138000", code, t0.naive_utc())
            .await
            .unwrap()
    );
    // The server's sender is woken for the code and sends it at once.
    let got = sms.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 2, "{got:#?} {:#?}", rows(&pool).await);

    let second = deliver_due(&pool, &channels, t0 + Span::minutes(1), 10)
        .await
        .unwrap();
    assert_eq!((second.sent, second.deferred), (1, 1));
    let third = deliver_due(&pool, &channels, t0 + Span::minutes(30), 10)
        .await
        .unwrap();
    assert_eq!(
        third.handled(),
        0,
        "two an hour: the third waits for the hour"
    );
    let fourth = deliver_due(&pool, &channels, t0 + Span::minutes(61), 10)
        .await
        .unwrap();
    assert_eq!(fourth.sent, 1);
    let to_first: Vec<_> = sms
        .receipts()
        .into_iter()
        .filter(|r| r.phone == "+8613800138000" && r.params[0].starts_with("TS-"))
        .collect();
    assert_eq!(to_first.len(), 3, "deferred, never dropped");
}

async fn login_codes_and_notices_have_separate_allowances(backend: Backend) {
    let sms = SmsStandIn::start();
    let limits = SmsLimits {
        per_minute: 0,
        per_hour: 0,
        per_day: 2,
    };
    let app = quiet_app(&backend, &sms, |s| {
        if let Some(c) = s.sms.as_mut() {
            c.limits = limits;
        }
    })
    .await;
    let (pool, channels) = (pool(&app), Channels::from_settings(&app.settings).unwrap());
    let t0 = app.clock.now();
    let now = t0.naive_utc();
    let code = || SmsNotice::LoginCode {
        code: "482913".into(),
    };
    // Anyone may ask for codes to a number: two use up its codes for the day...
    for key in ["login-1", "login-2"] {
        assert!(
            queue_sms(&app, key, "13800138000", code(), now)
                .await
                .unwrap()
        );
    }
    assert_eq!(sms.wait_for(2, Duration::from_secs(5)).await.len(), 2);
    let refused = queue_sms(&app, "login-3", "13800138000", code(), now).await;
    assert!(
        matches!(refused, Err(SmsRefusal::RateLimited { .. })),
        "{refused:?}"
    );
    // ...yet the case's acceptance notice goes at once.
    let accepted = SmsNotice::Accepted {
        case_no: "TS-2026-000001".into(),
        due: t0.date_naive() + Span::days(45),
    };
    assert!(
        queue_sms(&app, "accepted/sms", "13800138000", accepted, now)
            .await
            .unwrap()
    );
    // The server's own sender may take it first, after the codes woke it: count what arrived.
    let report = deliver_due(&pool, &channels, t0, 10).await.unwrap();
    assert_eq!(report.deferred, 0, "{report:?}");
    let got = sms.wait_for(3, Duration::from_secs(5)).await;
    assert!(
        got.iter().any(|r| r.params[0] == "TS-2026-000001"),
        "{got:#?}"
    );
    // And notices never hold back a code: two to another number, then its code goes.
    for n in 1..=2 {
        let key = format!("n{n}/sms");
        let notice = progress(&format!("TS-2026-00000{n}"));
        assert!(
            queue_sms(&app, &key, "13900139000", notice, now)
                .await
                .unwrap()
        );
    }
    let report = deliver_due(&pool, &channels, t0, 10).await.unwrap();
    assert_eq!(report.deferred, 0, "{report:?}");
    assert_eq!(sms.wait_for(5, Duration::from_secs(5)).await.len(), 5);
    assert!(
        queue_sms(&app, "login-4", "13900139000", code(), now)
            .await
            .unwrap()
    );
    assert_eq!(sms.wait_for(6, Duration::from_secs(5)).await.len(), 6);
}

async fn a_login_code_goes_at_once_expires_and_is_scrubbed(backend: Backend) {
    let sms = SmsStandIn::start();
    // The poll interval is an hour: only the wake-up can send the code quickly.
    let app = quiet_app(&backend, &sms, |_| {}).await;
    let pool = pool(&app);
    let now = app.clock.now().naive_utc();
    let started = Instant::now();
    let code = |c: &str| SmsNotice::LoginCode { code: c.into() };
    assert!(
        queue_sms(&app, "login-a", "13800138000", code("482913"), now)
            .await
            .unwrap()
    );
    let got = sms.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got.len(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(got[0].params, ["482913"]);
    // Queued six minutes ago and never sent: it is dropped, not delivered late.
    let stale = now - Span::minutes(6);
    assert!(
        queue_sms(&app, "login-b", "13900139000", code("771100"), stale)
            .await
            .unwrap()
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    let row = loop {
        let row = with_db(&pool, |c| outbox::find_by_key(c, "login-b"))
            .await
            .unwrap()
            .unwrap();
        if row.dead_at.is_some() || Instant::now() > deadline {
            break row;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(row.dead_at.is_some() && row.sent_at.is_none(), "{row:?}");
    assert_eq!(row.last_error.as_deref(), Some("expired unsent"));
    assert_eq!(sms.receipts().len(), 1);
    for row in rows(&pool).await {
        let payload = row.payload.unwrap_or_default();
        assert!(
            !payload.contains("482913") && !payload.contains("771100"),
            "{payload}"
        );
        assert!(payload.contains("******"), "{payload}");
    }
    // Too long for a template parameter: refused, not sent cut.
    let long = progress(&"长".repeat(21));
    let refused = queue_sms(&app, "long/sms", "13800138000", long, now).await;
    assert!(
        matches!(refused, Err(SmsRefusal::TooLong(_))),
        "{refused:?}"
    );
}

async fn a_login_code_wakes_only_its_own_servers_sender(backend: Backend) {
    let (sms_a, sms_b) = (SmsStandIn::start(), SmsStandIn::start());
    let a = quiet_app(&backend, &sms_a, |_| {}).await;
    let b = quiet_app(&backend, &sms_b, |_| {}).await;
    let now = b.clock.now().naive_utc();
    // B's notice waits for B's next pass, an hour away.
    assert!(
        queue_sms(&b, "b/sms", "13900139000", progress("TS-2026-000002"), now)
            .await
            .unwrap()
    );
    let code = SmsNotice::LoginCode {
        code: "482913".into(),
    };
    assert!(
        queue_sms(&a, "login-a", "13800138000", code, now)
            .await
            .unwrap()
    );
    assert_eq!(sms_a.wait_for(1, Duration::from_secs(5)).await.len(), 1);
    // A's code woke A alone: B sends nothing before its own time.
    let from_b = sms_b.wait_for(1, Duration::from_secs(1)).await;
    assert!(from_b.is_empty(), "{from_b:#?}");
}

async fn without_sms_settings_enqueue_says_not_configured(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let pool = pool(&app);
    let now = app.clock.now().naive_utc();
    let refused = queue_sms(
        &app,
        "login",
        "13800138000",
        SmsNotice::LoginCode { code: "1".into() },
        now,
    )
    .await;
    assert!(
        matches!(refused, Err(SmsRefusal::NotConfigured)),
        "{refused:?}"
    );
    assert!(rows(&pool).await.is_empty());
}

crate::on_both_backends!(
    provider_errors_retry_then_dead_letter,
    per_number_limits_defer_notices_but_not_login_codes,
    login_codes_and_notices_have_separate_allowances,
    a_login_code_goes_at_once_expires_and_is_scrubbed,
    a_login_code_wakes_only_its_own_servers_sender,
    without_sms_settings_enqueue_says_not_configured,
);
