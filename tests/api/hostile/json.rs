//! Broken bodies on every endpoint that takes JSON: malformed, not an object, not JSON at
//! all, over the size limit, nested past the parser's limit, not UTF-8, unknown fields. Always
//! a 4xx with the JSON error shape, never a 5xx.

use serde_json::{Value, json};

use crate::common::{self, Backend, TestApp};

/// A broken body: (what, content type, bytes, the statuses that may answer it).
type Broken<'a> = (&'a str, Option<&'a str>, Vec<u8>, &'a [u16]);

struct Endpoint {
    method: reqwest::Method,
    path: String,
    /// A body the endpoint accepts, to which an unknown field is added.
    valid: Value,
    /// Whether unknown fields are refused (422) rather than ignored.
    strict: bool,
}

fn endpoints(case_no: &str, bulletin: i64) -> Vec<Endpoint> {
    let post = reqwest::Method::POST;
    let put = reqwest::Method::PUT;
    let mut staff_complaint = common::sample_complaint();
    staff_complaint["channel"] = json!("phone");
    staff_complaint["received_at"] = json!("2026-11-19");
    let b = format!("/api/v1/admin/bulletins/{bulletin}");
    let rows: Vec<(reqwest::Method, String, Value, bool)> = vec![
        (
            post.clone(),
            "/api/v1/complaints".into(),
            common::sample_complaint(),
            false,
        ),
        (
            post.clone(),
            "/api/v1/reports".into(),
            common::sample_report(),
            false,
        ),
        (
            post.clone(),
            "/api/v1/auth/login".into(),
            json!({"email": "nobody@example.com", "password": "wrong password"}),
            false,
        ),
        (
            post.clone(),
            "/api/v1/wechat/login".into(),
            json!({"code": "x"}),
            false,
        ),
        (
            post.clone(),
            "/api/v1/admin/enterprises".into(),
            json!({"uscc": "91440705MA51XK7Q3K", "name": "江门市新会某公司", "district": "440705"}),
            false,
        ),
        (
            post.clone(),
            "/api/v1/admin/users".into(),
            json!({"email": "new@example.gov.cn", "password": "a long password", "role": "analyst"}),
            false,
        ),
        (
            post.clone(),
            "/api/v1/admin/api-keys".into(),
            json!({"label": "x"}),
            false,
        ),
        (
            post.clone(),
            format!("/api/v1/cases/{case_no}/actions"),
            json!({"action": "accept"}),
            false,
        ),
        (
            post.clone(),
            "/api/v1/queue/assign".into(),
            json!({"case_nos": [case_no], "user": "admin@example.gov.cn"}),
            false,
        ),
        (
            post.clone(),
            "/api/v1/staff/complaints".into(),
            staff_complaint,
            false,
        ),
        (post.clone(), "/api/v1/exports".into(), json!({}), false),
        (
            post.clone(),
            "/api/v1/admin/bulletins".into(),
            json!({"period": "2026-Q2"}),
            true,
        ),
        (
            post.clone(),
            format!("{b}/corrections"),
            json!({"erratum": "x"}),
            true,
        ),
        (put, format!("{b}/content"), json!({}), false),
    ];
    rows.into_iter()
        .map(|(method, path, valid, strict)| Endpoint {
            method,
            path,
            valid,
            strict,
        })
        .collect()
}

async fn send(
    app: &TestApp,
    token: &str,
    e: &Endpoint,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut req = app
        .client
        .request(e.method.clone(), app.url(&e.path))
        .bearer_auth(token)
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("Content-Type", ct);
    }
    common::read(req.send().await.expect("request")).await
}

async fn broken_bodies_get_json_errors(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, _) = app.file_complaint().await;
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let (s, draft) = app
        .post_as(
            "/api/v1/admin/bulletins",
            &admin,
            &json!({"period": "2026-Q3"}),
        )
        .await;
    assert_eq!(s, 201, "{draft}");
    let bulletin = draft["id"].as_i64().unwrap();

    let json_ct = Some("application/json");
    let limit = app.settings.json_limit_bytes;
    let mut oversize = br#"{"description":""#.to_vec();
    oversize.resize(limit + 16, b'a');
    oversize.extend_from_slice(br#""}"#);
    let deep = format!("{{\"q\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let broken: Vec<Broken> = vec![
        ("truncated", json_ct, br#"{""#.to_vec(), &[400]),
        // An unknown field is reported before the end of input where fields are checked.
        ("truncated value", json_ct, br#"{"a":"#.to_vec(), &[400, 422]),
        ("trailing", json_ct, br#"{} {}"#.to_vec(), &[400, 422]),
        ("array", json_ct, b"[1,2]".to_vec(), &[400]),
        ("number", json_ct, b"12".to_vec(), &[400]),
        ("empty", json_ct, Vec::new(), &[400]),
        (
            "not utf-8",
            json_ct,
            b"{\"q\":\"\xff\xfe\"}".to_vec(),
            &[400, 422],
        ),
        ("bad key", json_ct, b"{\"\xff\":1}".to_vec(), &[400, 422]),
        ("deep", json_ct, deep.into_bytes(), &[400, 422]),
        ("oversize", json_ct, oversize, &[413]),
        ("text/plain", Some("text/plain"), b"{}".to_vec(), &[415]),
        (
            "form",
            Some("application/x-www-form-urlencoded"),
            b"a=1".to_vec(),
            &[415],
        ),
        ("xml", Some("application/xml"), b"<a/>".to_vec(), &[415]),
        (
            "types",
            json_ct,
            br#"{"action":7,"email":[],"period":{},"q":[],"label":[],"uscc":1,"code":[],"erratum":[],"case_nos":"x","channel":5}"#.to_vec(),
            &[400, 422],
        ),
    ];
    let mut failures = Vec::new();
    for e in endpoints(&case_no, bulletin) {
        for (what, ct, body, want) in &broken {
            let (s, answer) = send(&app, &admin, &e, *ct, body.clone()).await;
            // The WeChat key is checked before the body is parsed (not before its size).
            let want: &[u16] = match e.path.ends_with("/wechat/login") {
                true if *what == "oversize" => &[413],
                true => &[401],
                // Every field of a bulletin's content is optional and others are ignored.
                false
                    if e.path.ends_with("/content")
                        && ["not utf-8", "deep", "types"].contains(what) =>
                {
                    &[200]
                }
                false => want,
            };
            let shaped = s < 400 || answer["error"].is_string() && answer["message"].is_string();
            if !want.contains(&s) || !shaped {
                failures.push(format!("{} {} {what}: {s} {answer}", e.method, e.path));
            }
        }
        let mut extra = e.valid.clone();
        extra["zz_unknown"] = json!("<script>");
        let (s, answer) = send(&app, &admin, &e, json_ct, extra.to_string().into_bytes()).await;
        let ok = if e.strict {
            s == 422 && answer["fields"].is_array()
        } else {
            s < 500
        };
        if !ok {
            failures.push(format!(
                "{} {} unknown field: {s} {answer}",
                e.method, e.path
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The calendar and the policy are TOML documents: garbage is a 400 that says why.
    for path in ["/api/v1/admin/calendar", "/api/v1/admin/policy"] {
        for body in [
            "{\"a\":",
            "= = =",
            "\u{0}\u{1}",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        ] {
            let res = app
                .client
                .put(app.url(path))
                .bearer_auth(&admin)
                .body(body)
                .send()
                .await
                .unwrap();
            let (s, answer) = common::read(res).await;
            super::assert_json_error(path, s, &answer);
            assert_eq!(s, 400, "{path} {body:?}: {answer}");
        }
    }
}

crate::on_both_backends!(broken_bodies_get_json_errors);
