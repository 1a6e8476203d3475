//! Sign-in under a flood of guesses: back-off per (client address, account), a per-address
//! limit, and password checks that neither hold up intake nor queue without bound.

use std::net::IpAddr;
use std::time::Duration;

use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Params, Version};
use diesel::prelude::*;
use odrdesk::store::schema::users;

use super::PASSWORD;
use crate::common::{Backend, TestApp, read, sample_complaint};
use crate::on_both_backends;

/// A client whose requests come from `local` (any 127.x.y.z address reaches the server).
fn client_from(local: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(local.parse::<IpAddr>().ok())
        .build()
        .unwrap()
}

async fn login_from(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> u16 {
    let res = client
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    res.status().as_u16()
}

async fn failures_from_one_address_do_not_lock_out_another(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let email = "mediator@example.gov.cn";
    app.add_user(email, "mediator", &["440703"], None).await;
    let (a, b) = (client_from("127.0.0.1"), client_from("127.0.0.2"));
    for _ in 0..5 {
        assert_eq!(login_from(&app, &a, email, "wrong password").await, 401);
    }
    assert_eq!(login_from(&app, &a, email, PASSWORD).await, 429);
    // The owner, elsewhere, is not kept out by someone else's guesses.
    assert_eq!(login_from(&app, &b, email, PASSWORD).await, 200);
    // Nor is the guessing address on another account.
    let other = "analyst@example.gov.cn";
    app.add_user(other, "analyst", &[], None).await;
    assert_eq!(login_from(&app, &a, other, PASSWORD).await, 200);
}

async fn a_flood_from_one_address_gets_429(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.rate_limit_per_minute = 10).await;
    let email = "mediator@example.gov.cn";
    let flood = client_from("127.0.0.3");
    // Different accounts each time: no back-off, only the address's own limit.
    for i in 0..10 {
        let status = login_from(&app, &flood, &format!("guess{i}@example.com"), "x").await;
        assert_eq!(status, 401);
    }
    let res = flood
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "guess10@example.com", "password": "x"}))
        .send()
        .await
        .unwrap();
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 0);
    let (status, body) = read(res).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "too_many_requests");
    // Another address still signs in.
    app.add_user(email, "mediator", &["440703"], None).await;
    assert_eq!(
        login_from(&app, &client_from("127.0.0.4"), email, PASSWORD).await,
        200
    );
}

/// Gives the account a hash whose check takes seconds, so that checks can be caught running.
async fn make_password_check_slow(app: &TestApp, email: &str) {
    let slow = tokio::task::spawn_blocking(|| {
        let params = Params::new(19 * 1024, 100, 1, None).unwrap();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(PASSWORD.as_bytes())
            .unwrap()
            .to_string()
    })
    .await
    .unwrap();
    let mut conn = app.db();
    let email = email.to_owned();
    tokio::task::block_in_place(|| {
        diesel::update(users::table.filter(users::email.eq(email)))
            .set(users::password_hash.eq(slow))
            .execute(&mut *conn)
            .unwrap()
    });
}

async fn password_checks_neither_hold_up_intake_nor_queue(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let email = "mediator@example.gov.cn";
    app.add_user(email, "mediator", &["440703"], None).await;
    make_password_check_slow(&app, email).await;
    let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
    let checks: Vec<_> = (0..slots)
        .map(|i| {
            let (client, url) = (client_from(&format!("127.0.1.{}", i + 1)), app.url("/api/v1/auth/login"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&serde_json::json!({"email": "mediator@example.gov.cn", "password": "wrong password"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    // Let every check take its slot.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, body) = app
        .post_json("/api/v1/complaints", &sample_complaint())
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(
        checks.iter().all(|c| !c.is_finished()),
        "the complaint was stored while every password check was still running"
    );
    // One more check is refused at once instead of waiting for a slot.
    let res = client_from("127.0.2.1")
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("retry-after"));
    let (status, body) = read(res).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        checks.iter().all(|c| !c.is_finished()),
        "refused before any check ended"
    );
    for check in checks {
        assert_eq!(check.await.unwrap(), 401);
    }
    // With the slots free again, the right password signs in.
    assert_eq!(
        login_from(&app, &client_from("127.0.2.1"), email, PASSWORD).await,
        200
    );
}

on_both_backends!(
    failures_from_one_address_do_not_lock_out_another,
    a_flood_from_one_address_gets_429,
    password_checks_neither_hold_up_intake_nor_queue,
);
