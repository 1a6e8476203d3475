//! Forged form posts: every page form refuses a post without a token, with another session's
//! token or with another browser's token (400), and does nothing.

use reqwest::header::COOKIE;
use serde_json::json;

use crate::common::browser::{Browser, hidden};
use crate::common::{Backend, TestApp};

/// A browser signed in with this session token, and the CSRF token its pages carry.
async fn signed_in<'a>(app: &'a TestApp, token: &str, page: &str) -> (Browser<'a>, String) {
    let mut b = Browser::new(app);
    b.cookies.push(("odrdesk_session".into(), token.to_owned()));
    let p = b.get(page).await;
    assert_eq!(p.status, 200, "{page}");
    let csrf = hidden(&p.body, "csrf");
    (b, csrf)
}

/// An anonymous browser with its form cookie, and its CSRF token.
async fn anonymous(app: &TestApp) -> (Browser<'_>, String) {
    let mut b = Browser::new(app);
    let p = b.get("/complain").await;
    assert_eq!(p.status, 200);
    let csrf = hidden(&p.body, "csrf");
    (b, csrf)
}

/// Posts a form as urlencoded or multipart, with the given token (or none).
async fn post(b: &Browser<'_>, path: &str, multipart: bool, csrf: Option<&str>) -> u16 {
    let mut fields = vec![("case_no", "TS-2026-000001"), ("action", "accept")];
    if let Some(t) = csrf {
        fields.push(("csrf", t));
    }
    let req = b
        .client
        .post(b.app.url(path))
        .header(COOKIE, b.cookie_header());
    let req = if multipart {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_owned(), v.to_owned());
        }
        req.multipart(form)
    } else {
        req.header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&fields).unwrap())
    };
    req.send().await.expect("post").status().as_u16()
}

async fn forged_form_posts_are_refused(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(
        "91440703MA4UJ5QX2U",
        "江门市美颜化妆品有限公司",
        "440703",
        true,
    );
    let (case_no, _) = app.file_complaint().await;
    let admin_a = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let admin_b = app
        .login_token("admin@example.gov.cn", crate::common::accounts::PASSWORD)
        .await;
    let shop = app
        .add_user(
            "shop@example.com",
            "enterprise",
            &[],
            Some("91440703MA4UJ5QX2U"),
        )
        .await;
    let (s, draft) = app
        .post_as(
            "/api/v1/admin/bulletins",
            &admin_a,
            &json!({"period": "2026-Q3"}),
        )
        .await;
    assert_eq!(s, 201, "{draft}");
    let id = draft["id"].as_i64().unwrap();

    let (a, token_a) = signed_in(&app, &admin_a, "/desk").await;
    let (_b, token_b) = signed_in(&app, &admin_b, "/desk").await;
    let (e, token_e) = signed_in(&app, &shop, "/enterprise").await;
    let (c, token_c) = anonymous(&app).await;
    let (_d, token_d) = anonymous(&app).await;
    assert_ne!(token_a, token_b, "two sessions share a token");
    assert_ne!(token_c, token_d, "two browsers share a token");

    let staff_forms = [
        "/desk/assign".to_owned(),
        format!("/desk/cases/{case_no}/actions"),
        "/analyst/exports".to_owned(),
        "/admin/bulletins".to_owned(),
        format!("/admin/bulletins/{id}/content"),
        format!("/admin/bulletins/{id}/adopt"),
        format!("/admin/bulletins/{id}/correct"),
        format!("/admin/bulletins/{id}/publish"),
        format!("/admin/bulletins/{id}/hot-terms"),
        "/logout".to_owned(),
    ];
    let mut wrong = Vec::new();
    for path in &staff_forms {
        for (what, token) in [
            ("none", None),
            ("other session", Some(token_b.as_str())),
            ("anonymous browser", Some(token_c.as_str())),
            ("enterprise", Some(token_e.as_str())),
            ("garbage", Some("00")),
        ] {
            let s = post(&a, path, false, token).await;
            if s != 400 {
                wrong.push(format!("{path} with {what}: {s}"));
            }
        }
    }
    let enterprise_form = format!("/enterprise/cases/{case_no}/actions");
    for token in [None, Some(token_a.as_str()), Some(token_c.as_str())] {
        let s = post(&e, &enterprise_form, false, token).await;
        if s != 400 {
            wrong.push(format!("{enterprise_form} with {token:?}: {s}"));
        }
    }
    let consumer_forms = [
        ("/login", false),
        ("/track", false),
        ("/track/TS-2026-000001/action", false),
        ("/track/TS-2026-000001/supplement", false),
        ("/complain", true),
        ("/report", true),
        ("/track/TS-2026-000001/evidence", true),
    ];
    for (path, multipart) in consumer_forms {
        for token in [None, Some(token_d.as_str()), Some(token_a.as_str())] {
            let s = post(&c, path, multipart, token).await;
            if s != 400 {
                wrong.push(format!("{path} with {token:?}: {s}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "forged posts not refused:\n{}",
        wrong.join("\n")
    );

    // Nothing happened: the session is alive, the draft is still a draft, no export was made.
    let mut a = a;
    assert_eq!(a.get("/desk").await.status, 200);
    let (s, body) = app
        .client
        .put(app.url(&format!("/api/v1/admin/bulletins/{id}/content")))
        .bearer_auth(&admin_a)
        .json(&json!({}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .unwrap();
    assert_eq!(s, 200, "{:?}", body.text().await);
    let (s, body) = app.get_as("/api/v1/admin/bulletins", &admin_a).await;
    assert_eq!(s, 200);
    assert_eq!(body.as_array().map(Vec::len), Some(1), "{body}");

    // The right token works, so the refusals above are the token's doing.
    let s = post(&a, "/analyst/exports", false, Some(&token_a)).await;
    assert_eq!(s, 303);
    for (path, multipart) in consumer_forms {
        let s = post(&c, path, multipart, Some(&token_c)).await;
        assert_ne!(s, 400, "{path} refuses its own token");
        assert!(s < 500, "{path}: {s}");
    }
}

crate::on_both_backends!(forged_form_posts_are_refused);
