//! "My cases by phone" over the API: the limits on codes (per number, counted in the
//! database; per client address), a code's five minutes and five tries, the same answer for
//! any number and any wrong code, only a hash stored, the list of a number's cases (filed on
//! line or imported from 12315) and a fresh 查询码 that retires the old one. The code is set
//! here by writing the hash of a known code into the stored row; the SMS itself is in
//! `sms.rs`.

mod cases;
mod limits;
mod sms;

use std::net::IpAddr;

use chrono::Duration;
use diesel::prelude::*;
use odrdesk::clock::Clock;
use odrdesk::domain::ids::Phone;
use odrdesk::secrets::LoginCode;
use odrdesk::store::schema::phone_codes;
use serde_json::{Value, json};

use crate::common::{TestApp, read, sample_complaint};

pub const FILER: &str = "13800138000";
pub const KNOWN_CODE: &str = "246810";

/// A client whose requests come from `local` (any 127.x.y.z address reaches the server).
pub fn client_from(local: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(local.parse::<IpAddr>().ok())
        .build()
        .unwrap()
}

pub async fn ask_code(app: &TestApp, client: &reqwest::Client, phone: &str) -> (u16, Value) {
    let res = client
        .post(app.url("/api/v1/phone/codes"))
        .json(&json!({ "phone": phone }))
        .send()
        .await
        .unwrap();
    read(res).await
}

pub async fn sign_in(app: &TestApp, phone: &str, code: &str) -> (u16, Value) {
    app.post_json(
        "/api/v1/phone/sessions",
        &json!({"phone": phone, "code": code}),
    )
    .await
}

/// Makes `KNOWN_CODE` the code last sent to `phone`.
pub fn know_code(app: &TestApp, phone: &str) {
    let phone_value: Phone = phone.parse().unwrap();
    let hash = LoginCode::parse(KNOWN_CODE)
        .unwrap()
        .hash(&phone_value)
        .unwrap();
    let mut db = app.db();
    let newest: i64 = phone_codes::table
        .filter(phone_codes::phone.eq(phone))
        .order(phone_codes::id.desc())
        .select(phone_codes::id)
        .first(&mut db)
        .unwrap();
    diesel::update(phone_codes::table.find(newest))
        .set(phone_codes::code_hash.eq(hash))
        .execute(&mut db)
        .unwrap();
}

/// Asks for a code for `phone`, learns it, and signs in: the bearer token.
pub async fn session_for(app: &TestApp, phone: &str) -> String {
    let (status, body) = ask_code(app, &app.client, phone).await;
    assert_eq!(status, 202, "{body}");
    know_code(app, phone);
    let (status, body) = sign_in(app, phone, KNOWN_CODE).await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

pub async fn get_bearer(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    read(
        app.client
            .get(app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

pub async fn post_bearer(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    read(
        app.client
            .post(app.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// A complaint with the complainant's phone `phone`.
pub fn complaint_by(phone: &str, title: &str) -> Value {
    let mut c = sample_complaint();
    c["complainant"]["phone"] = json!(phone);
    c["title"] = json!(title);
    c
}

/// Moves the test clock by `secs` seconds.
pub fn pass(app: &TestApp, secs: i64) {
    app.set_now(app.clock.now() + Duration::seconds(secs));
}
