//! Cookie-signed API writes from other sites: a body must be declared JSON (415) and a
//! request signed in by the session cookie must come from the site itself (403 `csrf`), while
//! bearer-token clients, which no other site can make a browser send, need neither header.

use reqwest::RequestBuilder;
use serde_json::{Value, json};

use crate::common::{self, Backend, TestApp};

/// A step on the case, signed in by the session cookie only.
fn cookie_action(app: &TestApp, case_no: &str, token: &str) -> RequestBuilder {
    app.client
        .post(app.url(&format!("/api/v1/cases/{case_no}/actions")))
        .header("Cookie", format!("odrdesk_session={token}"))
}

async fn send(req: RequestBuilder) -> (u16, Value) {
    common::read(req.send().await.expect("request")).await
}

async fn state_of(app: &TestApp, case_no: &str, admin: &str) -> Value {
    let (status, case) = app.get_as(&format!("/api/v1/cases/{case_no}"), admin).await;
    assert_eq!(status, 200, "{case}");
    case["state"].clone()
}

async fn cookie_writes_need_json_and_the_same_origin(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let accept = json!({"action": "accept"}).to_string();
    let (case_no, _) = app.file_complaint().await;
    let before = state_of(&app, &case_no, &admin).await;

    // A form another site posts: no JSON type, no fetch metadata.
    let (status, body) = send(cookie_action(&app, &case_no, &admin).body(accept.clone())).await;
    assert_eq!(status, 415, "{body}");
    assert_eq!(body["error"], "unsupported_media_type", "{body}");
    let (status, body) = send(
        cookie_action(&app, &case_no, &admin)
            .header("Content-Type", "text/plain")
            .body(accept.clone()),
    )
    .await;
    assert!([403, 415].contains(&status), "{status} {body}");

    // A script on another site (or a sibling subdomain) sending JSON with the cookie.
    for (header, value) in [
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Site", "same-site"),
        ("Origin", "https://evil.example"),
    ] {
        let (status, body) = send(
            cookie_action(&app, &case_no, &admin)
                .header(header, value)
                .json(&json!({"action": "accept"})),
        )
        .await;
        assert_eq!(status, 403, "{header}: {value}: {body}");
        assert_eq!(body["error"], "csrf", "{body}");
        assert!(body["message"].is_string(), "{body}");
    }
    // Neither fetch metadata nor an origin: nothing vouches for the request.
    let (status, body) =
        send(cookie_action(&app, &case_no, &admin).json(&json!({"action": "accept"}))).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("csrf")),
        "{body}"
    );
    assert_eq!(state_of(&app, &case_no, &admin).await, before);

    // The site's own pages: fetch metadata, or (older browsers) the configured origin.
    let (status, body) = send(
        cookie_action(&app, &case_no, &admin)
            .header("Sec-Fetch-Site", "same-origin")
            .json(&json!({"action": "accept"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(state_of(&app, &case_no, &admin).await, before);
    let (second, _) = app.file_complaint().await;
    let (status, body) = send(
        cookie_action(&app, &second, &admin)
            .header("Origin", app.settings.public_url.clone())
            .header("Content-Type", "application/json; charset=UTF-8")
            .body(accept.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // A bearer token: no fetch metadata needed, but still a JSON body.
    let (third, _) = app.file_complaint().await;
    let bearer = |body: &str| {
        app.client
            .post(app.url(&format!("/api/v1/cases/{third}/actions")))
            .bearer_auth(&admin)
            .body(body.to_owned())
    };
    let (status, body) = send(bearer(&accept)).await;
    assert_eq!(status, 415, "{body}");
    let (status, body) = send(bearer(&accept).header("Content-Type", "application/json")).await;
    assert_eq!(status, 200, "{body}");
}

/// Signing out is a write too; a request without a live session has nothing to forge.
async fn cookie_sign_out_and_anonymous_writes(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let logout = |site: &str| {
        app.client
            .post(app.url("/api/v1/auth/logout"))
            .header("Cookie", format!("odrdesk_session={admin}"))
            .header("Sec-Fetch-Site", site.to_owned())
    };
    let (status, body) = send(logout("cross-site")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("csrf")),
        "{body}"
    );
    let (status, me) = app.get_as("/api/v1/auth/me", &admin).await;
    assert_eq!(status, 200, "{me}");

    // The public intake from anywhere, without a cookie (or with a dead one).
    let (status, body) = send(
        app.client
            .post(app.url("/api/v1/complaints"))
            .header("Sec-Fetch-Site", "cross-site")
            .header("Cookie", "odrdesk_session=not-a-live-session")
            .json(&common::sample_complaint()),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let (status, _) = common::read(logout("same-origin").send().await.unwrap()).await;
    assert_eq!(status, 204);
    let (status, _) = app.get_as("/api/v1/auth/me", &admin).await;
    assert_eq!(status, 401);
}

crate::on_both_backends!(
    cookie_writes_need_json_and_the_same_origin,
    cookie_sign_out_and_anonymous_writes
);
