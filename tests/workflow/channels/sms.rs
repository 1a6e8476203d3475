//! SMS end to end: a consumer who gave only a phone number hears of every step by SMS, with
//! the bureau's templates and nothing but the case number and dates; without consent, none.

use std::time::Duration;

use odrdesk::store::outbox;
use serde_json::json;

use crate::common::providers::{SDK_APP_ID, SIGN_NAME, SmsReceipt, SmsStandIn};
use crate::common::{Backend, TestApp, sample_complaint};
use crate::mail::{WAIT, pool, rows, with_db};
use crate::{Who, mediator, step};

fn template_key(stand_in: &SmsStandIn, receipt: &SmsReceipt) -> String {
    stand_in
        .config()
        .templates
        .into_iter()
        .find(|(_, id)| *id == receipt.template_id)
        .map(|(key, _)| key)
        .unwrap_or_else(|| panic!("unknown template {receipt:?}"))
}

async fn a_phone_only_complainant_hears_every_step_by_sms(backend: Backend) {
    let sms = SmsStandIn::start();
    let config = sms.config();
    let app = TestApp::spawn_with(&backend, |s| {
        s.sms = Some(config);
        s.mail_poll_ms = 50;
    })
    .await;
    let med = mediator(&app).await;
    let mut complaint = sample_complaint();
    complaint["complainant"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    let (no, _) = app.file(&complaint).await;
    assert_eq!(sms.wait_for(1, WAIT).await.len(), 1);
    step(&app, &no, Who::Bearer(&med), json!({"action": "accept"})).await;
    assert_eq!(sms.wait_for(2, WAIT).await.len(), 2);
    let settle = json!({"action": "settle", "agreement": "退款并赔偿", "recovered_fen": 25800});
    step(&app, &no, Who::Bearer(&med), settle).await;
    sms.wait_for(4, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = sms.receipts();
    let keys: Vec<String> = got.iter().map(|r| template_key(&sms, r)).collect();
    assert_eq!(
        keys,
        ["acknowledgement", "accepted", "outcome", "rating"],
        "{got:#?}"
    );
    for r in &got {
        assert!(r.signature_ok, "{r:?}");
        assert_eq!(r.phone, "+8613800138000");
        assert_eq!(
            (r.sign_name.as_str(), r.sdk_app_id.as_str()),
            (SIGN_NAME, SDK_APP_ID)
        );
        assert_eq!(
            (r.action.as_str(), r.version.as_str()),
            ("SendSms", "2021-01-11")
        );
        // The case number first, then at most a date: no names, addresses or free text.
        assert_eq!(r.params[0], no, "{r:?}");
        for p in &r.params[1..] {
            assert!(
                chrono::NaiveDate::parse_from_str(p, "%Y-%m-%d").is_ok(),
                "{r:?}"
            );
        }
    }
    // No mail went anywhere for the complainant: there was no address.
    let pool = pool(&app);
    let stored = rows(&pool).await;
    let sms_rows: Vec<_> = stored.iter().filter(|r| r.channel == "sms").collect();
    assert_eq!(sms_rows.len(), 4);
    assert!(
        sms_rows
            .iter()
            .all(|r| r.sent_at.is_some() && r.attempts == 1)
    );
    assert!(sms_rows.iter().all(|r| r.dedupe_key.ends_with("/sms")));
    assert!(stored.iter().all(|r| r.to_addr != "zhang@example.com"));
    assert_eq!(with_db(&pool, outbox::pending_count).await.unwrap(), 0);
}

async fn without_consent_or_configuration_no_sms_is_queued(backend: Backend) {
    let sms = SmsStandIn::start();
    let config = sms.config();
    let app = TestApp::spawn_with(&backend, |s| {
        s.sms = Some(config);
        s.mail_poll_ms = 50;
    })
    .await;
    let mut complaint = sample_complaint();
    complaint["complainant"]["sms_notices"] = json!(false);
    app.file(&complaint).await;
    // Consent is the default when the field is left out.
    let mut consenting = sample_complaint();
    consenting["complainant"]["phone"] = json!("13900139000");
    app.file(&consenting).await;
    sms.wait_for(2, Duration::from_secs(3)).await;
    let got = sms.receipts();
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!(got[0].phone, "+8613900139000");
    let stored = rows(&pool(&app)).await;
    assert_eq!(stored.iter().filter(|r| r.channel == "sms").count(), 1);
    // Both still got their acknowledgement by mail.
    assert_eq!(stored.iter().filter(|r| r.channel == "email").count(), 2);

    // A server without SMS settings queues mail only.
    let plain = TestApp::spawn(&backend).await;
    plain.file(&sample_complaint()).await;
    let stored = rows(&pool(&plain)).await;
    assert!(stored.iter().all(|r| r.channel == "email"), "{stored:#?}");
    assert!(!stored.is_empty());
}

async fn the_intake_form_asks_for_sms_consent_ticked_by_default(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut web = crate::common::browser::Browser::new(&app);
    for path in ["/complain", "/report"] {
        let page = web.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(page.body.contains("用短信通知我办理进展"), "{}", page.body);
        let input = page
            .body
            .split("<input")
            .find(|i| i.contains("name=\"sms_notices\""))
            .unwrap_or_else(|| panic!("no sms_notices box on {path}"));
        assert!(input.contains(" checked"), "{input}");
    }
}

crate::on_both_backends!(
    a_phone_only_complainant_hears_every_step_by_sms,
    without_consent_or_configuration_no_sms_is_queued,
    the_intake_form_asks_for_sms_consent_ticked_by_default,
);
