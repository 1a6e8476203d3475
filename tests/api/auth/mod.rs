//! Accounts and sign-in over HTTP: login, cookie and bearer, logout, expiry, back-off,
//! admin-only endpoints and business registration. WeChat login and the CLI are in the
//! submodules.

mod cli;
mod flood;
use crate::common;
use crate::on_both_backends;
pub(crate) mod wechat;

use chrono::Duration;
use common::accounts::PASSWORD;
use common::{Backend, TestApp, read};
use odrdesk::clock::Clock;
use serde_json::{Value, json};

pub const USCC: &str = "91440703MA4UJ5QX2U";
const OTHER_USCC: &str = "91440705MA51XK7Q3K";

fn field_codes(body: &Value) -> Vec<String> {
    let mut v: Vec<String> = body["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {body}"))
        .iter()
        .map(|f| {
            format!(
                "{}:{}",
                f["field"].as_str().unwrap(),
                f["code"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

async fn login_me_cookie_and_logout(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user(
        "med@example.gov.cn",
        "mediator",
        &["440705", "440703"],
        None,
    )
    .await;

    let res = app.login("  MED@example.gov.cn ", PASSWORD).await;
    let cookie = res
        .headers()
        .get("set-cookie")
        .expect("session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    let (status, body) = read(res).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "mediator");
    assert_eq!(body["expires_at"], "2026-11-20T14:00:00Z");
    let token = body["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    assert!(
        cookie.starts_with(&format!("odrdesk_session={token}")),
        "{cookie}"
    );
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{part} missing in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");

    let (status, me) = app.get_as("/api/v1/auth/me", &token).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        me,
        json!({"kind": "staff", "email": "med@example.gov.cn", "role": "mediator",
               "bureaus": ["440703", "440705"]})
    );
    let by_cookie = |t: String| {
        app.client
            .get(app.url("/api/v1/auth/me"))
            .header("Cookie", format!("odrdesk_session={t}"))
            .send()
    };
    let (status, me_cookie) = read(by_cookie(token.clone()).await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(me_cookie, me);

    // Wrong password and unknown email answer alike.
    let (s1, wrong) = read(app.login("med@example.gov.cn", "not the password").await).await;
    let (s2, unknown) = read(app.login("nobody@example.gov.cn", PASSWORD).await).await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"], "invalid_credentials");
    let (status, body) = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "med@example.gov.cn"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_codes(&body), ["password:required"]);

    let res = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 204);
    let cleared = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cleared.starts_with("odrdesk_session=;"), "{cleared}");
    let (status, body) = app.get_as("/api/v1/auth/me", &token).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthenticated");
    let (status, _) = read(by_cookie(token.clone()).await.unwrap()).await;
    assert_eq!(status, 401);
    let (status, _) = app.get("/api/v1/auth/me").await;
    assert_eq!(status, 401);
    let (status, _) = app.get_as("/api/v1/auth/me", "not-a-token").await;
    assert_eq!(status, 401);
    let (status, _) = app.get("/api/v1/auth/logout").await;
    assert_eq!(status, 405);
}

async fn staff_sessions_expire_after_twelve_hours(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.cookie_secure = true).await;
    let token = app
        .add_user("analyst@example.gov.cn", "analyst", &[], None)
        .await;
    let res = app.login("analyst@example.gov.cn", PASSWORD).await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    let start = app.clock.now();
    app.set_now(start + Duration::hours(11));
    assert_eq!(app.get_as("/api/v1/auth/me", &token).await.0, 200);
    app.set_now(start + Duration::hours(13));
    let (status, body) = app.get_as("/api/v1/auth/me", &token).await;
    assert_eq!(status, 401, "{body}");
}

async fn repeated_failures_back_off(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let email = "admin@example.gov.cn";
    for _ in 0..5 {
        assert_eq!(
            app.login(email, "wrong password").await.status().as_u16(),
            401
        );
    }
    // The sixth attempt is refused, even with the right password.
    let res = app.login(email, PASSWORD).await;
    assert_eq!(res.status().as_u16(), 429);
    assert_eq!(res.headers()["retry-after"], "60");
    let (_, body) = read(res).await;
    assert_eq!(body["error"], "too_many_requests");

    // After the minute, one more failure locks for two minutes.
    let start = app.clock.now();
    app.set_now(start + Duration::seconds(61));
    assert_eq!(app.login(email, "wrong again").await.status().as_u16(), 401);
    let res = app.login(email, PASSWORD).await;
    assert_eq!(res.status().as_u16(), 429);
    assert_eq!(res.headers()["retry-after"], "120");

    // Success after waiting resets the count.
    app.set_now(start + Duration::seconds(61 + 121));
    assert_eq!(app.login(email, PASSWORD).await.status().as_u16(), 200);
    for _ in 0..5 {
        assert_eq!(
            app.login(email, "wrong password").await.status().as_u16(),
            401
        );
    }
    assert_eq!(app.login(email, PASSWORD).await.status().as_u16(), 429);
    // Other accounts are not affected.
    let other = app
        .add_user("other@example.gov.cn", "admin", &[], None)
        .await;
    assert_eq!(other.len(), 64);
}

async fn admin_endpoints_are_for_admins_only(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mediator = app
        .add_user("med@example.gov.cn", "mediator", &["440703"], None)
        .await;
    let enterprise =
        json!({"uscc": USCC, "name": "江门市美颜化妆品有限公司", "district": "440703"});
    let posts = [
        ("/api/v1/admin/enterprises", enterprise),
        (
            "/api/v1/admin/users",
            json!({"email": "x@example.com", "password": "0123456789", "role": "analyst"}),
        ),
        ("/api/v1/admin/api-keys", json!({"label": "小程序"})),
    ];
    for (path, body) in &posts {
        let (status, answer) = app.post_json(path, body).await;
        assert_eq!(status, 401, "{path}: {answer}");
        assert_eq!(answer["error"], "unauthenticated");
        let (status, answer) = app.post_as(path, &mediator, body).await;
        assert_eq!(status, 403, "{path}: {answer}");
        assert_eq!(answer["error"], "forbidden");
    }
    assert_eq!(app.get("/api/v1/admin/enterprises").await.0, 401);
    assert_eq!(
        app.get_as("/api/v1/admin/enterprises", &mediator).await.0,
        403
    );
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    for (path, body) in &posts {
        let (status, answer) = app.post_as(path, &admin, body).await;
        assert_eq!(status, 201, "{path}: {answer}");
    }
}

async fn enterprises_upsert_and_enterprise_accounts(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let path = "/api/v1/admin/enterprises";
    let mut body = json!({"uscc": USCC, "name": "江门市美颜化妆品有限公司", "district": "440703",
                          "email": "kefu@meiyan.example.com", "odr": true, "commitments": ["worry_free"]});
    let (status, created) = app.post_as(path, &admin, &body).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["odr"], true);
    assert_eq!(created["commitments"], json!(["worry_free"]));
    body["odr"] = json!(false);
    body["commitments"] = json!(["no_reason_return", "worry_free", "worry_free"]);
    let (status, updated) = app.post_as(path, &admin, &body).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["commitments"],
        json!(["worry_free", "no_reason_return"])
    );
    let (status, list) = app.get_as(path, &admin).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["odr"], false);
    assert_eq!(list[0]["created_at"], created["created_at"]);

    let bad = json!({"uscc": "91440703MA4UJ5QX2A", "district": "110101", "email": "nope",
                     "commitments": ["cheap"]});
    let (status, answer) = app.post_as(path, &admin, &bad).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_codes(&answer),
        [
            "commitments[0]:unknown_commitment",
            "district:unknown_district",
            "email:email_format",
            "name:required",
            "uscc:uscc_checksum"
        ]
    );

    let users = "/api/v1/admin/users";
    let user = |email: &str, role: &str, uscc: Option<&str>| json!({"email": email, "password": "a long password", "role": role, "uscc": uscc});
    let (status, answer) = app
        .post_as(
            users,
            &admin,
            &user("shop@example.com", "enterprise", Some(USCC)),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["uscc"], USCC);
    let (status, answer) = app
        .post_as(
            users,
            &admin,
            &user("shop@example.com", "enterprise", Some(USCC)),
        )
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"], "email_taken");
    let (status, answer) = app
        .post_as(
            users,
            &admin,
            &user("else@example.com", "enterprise", Some(OTHER_USCC)),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(field_codes(&answer), ["uscc:unknown_enterprise"]);
    let (status, answer) = app
        .post_as(users, &admin, &json!({"email": "m@example.com", "password": "short", "role": "mediator", "bureaus": ["440799"]}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        field_codes(&answer),
        ["bureaus[0]:unknown_district", "password:password_too_short"]
    );
    let shop = app.login_token("shop@example.com", "a long password").await;
    let (_, me) = app.get_as("/api/v1/auth/me", &shop).await;
    assert_eq!(me["role"], "enterprise");
    assert_eq!(me["uscc"], USCC);
}

on_both_backends!(
    login_me_cookie_and_logout,
    staff_sessions_expire_after_twelve_hours,
    repeated_failures_back_off,
    admin_endpoints_are_for_admins_only,
    enterprises_upsert_and_enterprise_accounts,
);
