//! The code by SMS, end to end against the provider stand-in: a consumer who gave only a
//! phone number reads the code from the SMS, signs in and finds the case; the SMS carries the
//! bureau's template and the code alone; a number no case gave gets the same answer and no
//! SMS; and once sent, the code is in no table.

use std::time::Duration;

use diesel::prelude::*;
use odrdesk::clock::Clock;
use odrdesk::notify::ops::status_report;
use odrdesk::store::schema::{outbox, phone_codes, phone_sessions};
use serde_json::Value;

use super::{FILER, ask_code, complaint_by, get_bearer, sign_in};
use crate::common::providers::{SmsReceipt, SmsStandIn};
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

const WAIT: Duration = Duration::from_secs(10);

/// The login codes the stand-in received, in order.
fn login_codes(sms: &SmsStandIn) -> Vec<SmsReceipt> {
    let id = sms.config().templates["login_code"].clone();
    sms.receipts()
        .into_iter()
        .filter(|r| r.template_id == id)
        .collect()
}

async fn wait_for_codes(sms: &SmsStandIn, n: usize) -> Vec<SmsReceipt> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let got = login_codes(sms);
        if got.len() >= n || std::time::Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Every text the outbox and the phone tables hold.
fn stored_text(app: &TestApp) -> String {
    let mut db = app.db();
    let out: Vec<(String, String, String, Option<String>)> = outbox::table
        .select((
            outbox::dedupe_key,
            outbox::subject,
            outbox::body,
            outbox::payload,
        ))
        .load(&mut db)
        .unwrap();
    let codes: Vec<String> = phone_codes::table
        .select(phone_codes::code_hash)
        .load(&mut db)
        .unwrap();
    let sessions: Vec<String> = phone_sessions::table
        .select(phone_sessions::token_hash)
        .load(&mut db)
        .unwrap();
    format!("{out:?}{codes:?}{sessions:?}")
}

async fn a_consumer_reads_the_code_from_the_sms_and_finds_the_case(backend: Backend) {
    let sms = SmsStandIn::start();
    let config = sms.config();
    let app = TestApp::spawn_with(&backend, |s| {
        s.sms = Some(config);
        s.mail_poll_ms = 50;
    })
    .await;
    let (case_no, _) = app.file(&complaint_by(FILER, "面膜过敏")).await;

    // A number no case gave: the same answer, and no SMS.
    let nobody = ask_code(&app, &app.client, "13700137000").await;
    let (status, body) = ask_code(&app, &app.client, FILER).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!((status, body), nobody);
    let got = wait_for_codes(&sms, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let receipt = &got[0];
    assert!(receipt.signature_ok, "{receipt:?}");
    assert_eq!(receipt.phone, format!("+86{FILER}"));
    assert_eq!(receipt.params.len(), 1, "the code alone: {receipt:?}");
    let code = receipt.params[0].clone();
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        login_codes(&sms).len(),
        1,
        "none to the number without a case"
    );

    // Once sent, the code is stored nowhere (the outbox scrubs it).
    let deadline = std::time::Instant::now() + WAIT;
    while stored_text(&app).contains(&code) && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let text = stored_text(&app);
    assert!(!text.contains(&code), "{text}");

    let (status, body) = sign_in(&app, FILER, &code).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    let (status, body) = get_bearer(&app, "/api/v1/phone/cases", token).await;
    assert_eq!(status, 200, "{body}");
    let listed: Vec<&Value> = body["cases"].as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 1, "{body}");
    assert_eq!(listed[0]["case_no"], case_no.as_str());
    assert!(
        !stored_text(&app).contains(token),
        "only the session's hash is kept"
    );
}

async fn the_outbox_status_never_shows_the_number_of_a_login_code(backend: Backend) {
    let sms = SmsStandIn::start();
    let config = sms.config();
    let app = TestApp::spawn_with(&backend, |s| {
        s.sms = Some(config);
        s.mail_poll_ms = 3_600_000;
    })
    .await;
    app.file(&complaint_by(FILER, "面膜过敏")).await;
    assert_eq!(ask_code(&app, &app.client, FILER).await.0, 202);
    assert_eq!(wait_for_codes(&sms, 1).await.len(), 1);
    let now = app.clock.now();
    let text = status_report(&mut app.db(), true, 50, now).unwrap();
    assert!(text.contains("phone-code:"), "{text}");
    assert!(!text.contains(FILER), "{text}");
}

on_both_backends!(
    a_consumer_reads_the_code_from_the_sms_and_finds_the_case,
    the_outbox_status_never_shows_the_number_of_a_login_code,
);
