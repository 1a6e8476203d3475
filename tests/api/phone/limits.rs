//! Codes: how often, how long, how many tries, and answers that reveal nothing.

use diesel::prelude::*;
use odrdesk::store::schema::phone_codes;
use serde_json::json;

use super::{FILER, KNOWN_CODE, ask_code, client_from, complaint_by, know_code, pass, sign_in};
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

async fn a_number_gets_one_code_a_minute_and_five_an_hour(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.file(&complaint_by(FILER, "面膜过敏")).await;
    let (status, body) = ask_code(&app, &app.client, FILER).await;
    assert_eq!(status, 202, "{body}");
    // Again at once, and from another address too: the number waits out its minute.
    let res = client_from("127.0.0.9")
        .post(app.url("/api/v1/phone/codes"))
        .json(&json!({ "phone": FILER }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert_eq!(res.headers()["retry-after"], "60");
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("重试"), "{body}");
    for _ in 0..4 {
        pass(&app, 61);
        assert_eq!(ask_code(&app, &app.client, FILER).await.0, 202);
    }
    pass(&app, 61);
    let (status, _) = ask_code(&app, &app.client, FILER).await;
    assert_eq!(status, 429, "the sixth code within the hour");
    // The count is kept in the database, so a restarted node still knows it.
    let app = app.restart().await;
    assert_eq!(ask_code(&app, &app.client, FILER).await.0, 429);
    pass(&app, 3600);
    assert_eq!(ask_code(&app, &app.client, FILER).await.0, 202);
}

async fn an_address_gets_twenty_codes_an_hour(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let client = client_from("127.0.0.7");
    for i in 0..20 {
        let phone = format!("1390000{i:04}");
        let (status, body) = ask_code(&app, &client, &phone).await;
        assert_eq!(status, 202, "{body}");
    }
    let (status, body) = ask_code(&app, &client, "13911112222").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(ask_code(&app, &app.client, "13911112222").await.0, 202);
}

async fn every_number_gets_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.file(&complaint_by(FILER, "面膜过敏")).await;
    let with_case = ask_code(&app, &app.client, FILER).await;
    let without = ask_code(&app, &app.client, "13700137000").await;
    assert_eq!(with_case, without);
    assert_eq!(with_case.0, 202);
    // Both are counted alike, too.
    assert_eq!(ask_code(&app, &app.client, "13700137000").await.0, 429);
    // A landline or garbage is a plain validation error.
    let (status, body) = ask_code(&app, &app.client, "0750-1234567").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["fields"][0]["code"], "phone_format");
}

async fn wrong_codes_and_numbers_answer_alike(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.file(&complaint_by(FILER, "面膜过敏")).await;
    ask_code(&app, &app.client, FILER).await;
    know_code(&app, FILER);
    ask_code(&app, &app.client, "13700137000").await;
    let wrong_code = sign_in(&app, FILER, "135791").await;
    let no_case = sign_in(&app, "13700137000", KNOWN_CODE).await;
    let never_asked = sign_in(&app, "13600136000", KNOWN_CODE).await;
    assert_eq!(wrong_code.0, 401, "{}", wrong_code.1);
    assert_eq!(wrong_code, no_case);
    assert_eq!(wrong_code, never_asked);
    assert_eq!(wrong_code.1["error"], "phone_code_invalid");
}

async fn a_code_lives_five_minutes(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.file(&complaint_by(FILER, "面膜过敏")).await;
    ask_code(&app, &app.client, FILER).await;
    know_code(&app, FILER);
    pass(&app, 300);
    assert_eq!(sign_in(&app, FILER, KNOWN_CODE).await.0, 401, "expired");
    // A fresh one works at 4:59, once.
    ask_code(&app, &app.client, FILER).await;
    know_code(&app, FILER);
    pass(&app, 299);
    let (status, body) = sign_in(&app, FILER, KNOWN_CODE).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(sign_in(&app, FILER, KNOWN_CODE).await.0, 401, "used");
}

async fn a_code_takes_five_wrong_tries_and_a_new_code_supersedes(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.file(&complaint_by(FILER, "面膜过敏")).await;
    ask_code(&app, &app.client, FILER).await;
    know_code(&app, FILER);
    for _ in 0..5 {
        assert_eq!(sign_in(&app, FILER, "000000").await.0, 401);
    }
    assert_eq!(sign_in(&app, FILER, KNOWN_CODE).await.0, 401, "dead");
    // Superseded: the first code stops working when a second is sent.
    pass(&app, 61);
    ask_code(&app, &app.client, FILER).await;
    know_code(&app, FILER);
    pass(&app, 61);
    ask_code(&app, &app.client, FILER).await;
    assert_eq!(sign_in(&app, FILER, KNOWN_CODE).await.0, 401, "superseded");
}

async fn an_address_typing_wrong_codes_is_slowed(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let client = client_from("127.0.0.5");
    for i in 0..30 {
        let phone = format!("1360000{i:04}");
        let res = client
            .post(app.url("/api/v1/phone/sessions"))
            .json(&json!({"phone": phone, "code": "111111"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401);
    }
    let res = client
        .post(app.url("/api/v1/phone/sessions"))
        .json(&json!({"phone": FILER, "code": "111111"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
}

async fn a_burst_of_codes_from_one_address_is_all_counted(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let client = client_from("127.0.0.6");
    let tries = (0..80).map(|i| {
        let phone = format!("1350000{i:04}");
        client
            .post(app.url("/api/v1/phone/sessions"))
            .json(&json!({"phone": phone, "code": "111111"}))
            .send()
    });
    let answers = futures_util::future::join_all(tries).await;
    let statuses: Vec<u16> = answers
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(
        statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "{statuses:?}"
    );
    assert!(
        checked <= 30,
        "{checked} codes checked past the limit: {statuses:?}"
    );
    // Busy answers gave their try back; the address is at its limit once thirty were wrong.
    for n in checked..30 {
        let res = client
            .post(app.url("/api/v1/phone/sessions"))
            .json(&json!({"phone": format!("1350001{n:04}"), "code": "111111"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 401);
    }
    let res = client
        .post(app.url("/api/v1/phone/sessions"))
        .json(&json!({"phone": FILER, "code": "111111"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
}

async fn only_a_hash_of_the_code_is_stored(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.file(&complaint_by(FILER, "面膜过敏")).await;
    ask_code(&app, &app.client, FILER).await;
    let stored: Vec<String> = phone_codes::table
        .select(phone_codes::code_hash)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("$argon2id$"), "{}", stored[0]);
}

on_both_backends!(
    a_number_gets_one_code_a_minute_and_five_an_hour,
    an_address_gets_twenty_codes_an_hour,
    every_number_gets_the_same_answer,
    wrong_codes_and_numbers_answer_alike,
    a_code_lives_five_minutes,
    a_code_takes_five_wrong_tries_and_a_new_code_supersedes,
    an_address_typing_wrong_codes_is_slowed,
    a_burst_of_codes_from_one_address_is_all_counted,
    only_a_hash_of_the_code_is_stored,
);
