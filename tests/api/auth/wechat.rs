//! WeChat mini-program login against a loopback stand-in for code2session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpResponse, HttpServer, web};
use odrdesk::auth::wechat::WechatConfig;
use serde_json::json;

use crate::common::{Backend, TestApp, read};
use crate::on_both_backends;

/// A loopback stand-in for WeChat's code2session that records every query it gets.
pub(crate) struct StandIn {
    pub(crate) base: String,
    seen: Arc<Mutex<Vec<HashMap<String, String>>>>,
    handle: ServerHandle,
}

pub(crate) fn stand_in() -> StandIn {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = seen.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let server = HttpServer::new(move || {
        let recorder = recorder.clone();
        App::new().route(
            "/sns/jscode2session",
            web::get().to(move |q: web::Query<HashMap<String, String>>| {
                let recorder = recorder.clone();
                async move {
                    let q = q.into_inner();
                    let answer = match q.get("js_code").map(String::as_str) {
                        Some("good-code") => json!({"openid": "oWx-consumer-1", "session_key": "c2Vzc2lvbktleQ==", "unionid": "u-1"}),
                        Some("busy-code") => json!({"errcode": 45011, "errmsg": "api minute-quota reach limit"}),
                        Some("odd-code") => json!({"errcode": -1, "errmsg": "system error"}),
                        _ => json!({"errcode": 40029, "errmsg": "invalid code"}),
                    };
                    recorder.lock().unwrap().push(q);
                    HttpResponse::Ok().json(answer)
                }
            }),
        )
    })
    .workers(1)
    // One connection per request: once stopped, the stand-in is unreachable at once, with no
    // pooled keep-alive connection left for a worker that has not shut down yet.
    .keep_alive(actix_web::http::KeepAlive::Disabled)
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    StandIn { base, seen, handle }
}

async fn wechat_login_with_api_key(backend: Backend) {
    let stand_in = stand_in();
    let base = stand_in.base.clone();
    let app = TestApp::spawn_with(&backend, |s| {
        s.wechat = Some(WechatConfig {
            appid: "wx-test-app".into(),
            secret: "s3cret".into(),
            api_base: base,
        })
    })
    .await;
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let (status, issued) = app
        .post_as(
            "/api/v1/admin/api-keys",
            &admin,
            &json!({"label": "小程序后端"}),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let key = issued["key"].as_str().unwrap().to_owned();
    let wx = |key: Option<&str>, code: &str| {
        let mut req = app
            .client
            .post(app.url("/api/v1/wechat/login"))
            .json(&json!({"code": code}));
        if let Some(key) = key {
            req = req.header("X-Api-Key", key);
        }
        req.send()
    };

    let (status, body) = read(wx(None, "good-code").await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_api_key"))
    );
    let (status, _) = read(wx(Some(&"0".repeat(64)), "good-code").await.unwrap()).await;
    assert_eq!(status, 401);
    assert!(stand_in.seen.lock().unwrap().is_empty());

    let (status, body) = read(wx(Some(&key), "good-code").await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_at"], "2026-12-20T02:00:00Z");
    assert!(body.get("session_key").is_none() && body.get("openid").is_none());
    let consumer = body["token"].as_str().unwrap().to_owned();
    let query = stand_in.seen.lock().unwrap()[0].clone();
    let expected: HashMap<String, String> = [
        ("appid", "wx-test-app"),
        ("secret", "s3cret"),
        ("js_code", "good-code"),
        ("grant_type", "authorization_code"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(query, expected);
    let (status, me) = app.get_as("/api/v1/auth/me", &consumer).await;
    assert_eq!(status, 200);
    assert_eq!(me, json!({"kind": "consumer", "openid": "oWx-consumer-1"}));
    assert_eq!(
        app.get_as("/api/v1/admin/enterprises", &consumer).await.0,
        403
    );

    // Cases filed while signed in are the consumer's own: listed and visible by bearer token.
    let (status, mine) = app
        .post_as(
            "/api/v1/complaints",
            &consumer,
            &crate::common::sample_complaint(),
        )
        .await;
    assert_eq!(status, 201, "{mine}");
    let (_, anonymous) = app
        .post_json("/api/v1/complaints", &crate::common::sample_complaint())
        .await;
    let (status, list) = app.get_as("/api/v1/me/cases", &consumer).await;
    assert_eq!(status, 200, "{list}");
    let listed: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["case_no"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [mine["case_no"].as_str().unwrap()]);
    let own = format!("/api/v1/cases/{}", mine["case_no"].as_str().unwrap());
    let (status, view) = app.get_as(&own, &consumer).await;
    assert_eq!((status, view["view"].as_str()), (200, Some("consumer")));
    let theirs = format!("/api/v1/cases/{}", anonymous["case_no"].as_str().unwrap());
    assert_eq!(app.get_as(&theirs, &consumer).await.0, 404);
    assert_eq!(app.get_as("/api/v1/me/cases", &admin).await.0, 403);

    let (status, body) = read(wx(Some(&key), "used-code").await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("wechat_code_invalid"))
    );
    let res = wx(Some(&key), "busy-code").await.unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let (status, body) = read(wx(Some(&key), "odd-code").await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (502, Some("wechat_unavailable"))
    );
    let (status, body) = read(wx(Some(&key), "").await.unwrap()).await;
    assert_eq!(status, 422, "{body}");

    stand_in.handle.stop(false).await;
    let (status, body) = read(wx(Some(&key), "good-code").await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (502, Some("wechat_unavailable"))
    );
}

async fn wechat_login_unconfigured_is_503(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let (_, issued) = app
        .post_as(
            "/api/v1/admin/api-keys",
            &admin,
            &json!({"label": "小程序后端"}),
        )
        .await;
    let res = app
        .client
        .post(app.url("/api/v1/wechat/login"))
        .header("X-Api-Key", issued["key"].as_str().unwrap())
        .json(&json!({"code": "good-code"}))
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (503, Some("wechat_not_configured"))
    );
}

/// The mini-program's consumer, signed in through WeChat, lists and opens the documents of
/// its own case by bearer token, and finds them documented under `documents`.
async fn wechat_consumer_reads_its_documents(backend: Backend) {
    let stand_in = stand_in();
    let base = stand_in.base.clone();
    let app = TestApp::spawn_with(&backend, |s| {
        s.wechat = Some(WechatConfig {
            appid: "wx-test-app".into(),
            secret: "s3cret".into(),
            api_base: base,
        })
    })
    .await;
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let med = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    let (_, issued) = app
        .post_as(
            "/api/v1/admin/api-keys",
            &admin,
            &json!({"label": "小程序后端"}),
        )
        .await;
    let res = app
        .client
        .post(app.url("/api/v1/wechat/login"))
        .header("X-Api-Key", issued["key"].as_str().unwrap())
        .json(&json!({"code": "good-code"}))
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    assert_eq!(status, 200, "{body}");
    let consumer = body["token"].as_str().unwrap().to_owned();

    let complaint = crate::common::sample_complaint();
    let (_, mine) = app
        .post_as("/api/v1/complaints", &consumer, &complaint)
        .await;
    let (_, theirs) = app.post_json("/api/v1/complaints", &complaint).await;
    let (mine, theirs) = (
        mine["case_no"].as_str().unwrap().to_owned(),
        theirs["case_no"].as_str().unwrap().to_owned(),
    );
    for no in [&mine, &theirs] {
        let path = format!("/api/v1/cases/{no}/actions");
        let (s, v) = app.post_as(&path, &med, &json!({"action": "accept"})).await;
        assert_eq!(s, 200, "{v}");
    }

    let (status, list) = app
        .get_as(&format!("/api/v1/cases/{mine}/documents"), &consumer)
        .await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["title"], "投诉受理决定书");
    assert_eq!(items[0]["audience"], "both");
    let path = format!("/api/v1/cases/{mine}/documents/{}", items[0]["id"]);
    let res = app
        .client
        .get(app.url(&path))
        .bearer_auth(&consumer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        etag,
        format!("\"{}\"", items[0]["sha256"].as_str().unwrap())
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains(items[0]["number"].as_str().unwrap()),
        "{html}"
    );
    // As JSON: the text read back from the stored page, the same words as the page.
    let (status, text) = app.get_as(&format!("{path}?format=json"), &consumer).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(text["title"], "投诉受理决定书");
    assert_eq!(text["number"], items[0]["number"]);
    assert_eq!(text["sha256"], items[0]["sha256"]);
    assert_eq!(text["bureau"], "江门市蓬江区市场监督管理局");
    assert!(
        text["addressee"].as_str().unwrap().starts_with("张三"),
        "{text}"
    );
    let paragraphs = text["paragraphs"].as_array().unwrap();
    assert!(!paragraphs.is_empty(), "{text}");
    for p in paragraphs {
        let p = p.as_str().unwrap();
        assert!(!p.contains('<') && !p.contains("&#"), "{p}");
        let escaped = p.replace('&', "&#38;");
        assert!(html.contains(&escaped) || html.contains(p), "{p}");
    }
    let res = app
        .client
        .get(app.url(&path))
        .bearer_auth(&consumer)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    let (status, by_accept) = read(res).await;
    assert_eq!((status, &by_accept), (200, &text));
    // Someone else's case, and its document, do not exist for this consumer.
    let other = format!("/api/v1/cases/{theirs}/documents");
    assert_eq!(app.get_as(&other, &consumer).await.0, 404);
    let (_, theirs_list) = app.get_as(&other, &med).await;
    let their_doc = format!(
        "/api/v1/cases/{mine}/documents/{}",
        theirs_list["items"][0]["id"]
    );
    assert_eq!(app.get_as(&their_doc, &consumer).await.0, 404);

    // Documented where the mini-program's developers look.
    let (_, doc) = app.get("/openapi.json").await;
    let tag = doc["tags"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == "documents"))
        .unwrap_or_else(|| panic!("no documents tag in {}", doc["tags"]));
    assert!(
        tag["description"]
            .as_str()
            .unwrap()
            .contains("mini-program")
    );
    for p in [
        "/api/v1/cases/{case_no}/documents",
        "/api/v1/cases/{case_no}/documents/{id}",
    ] {
        assert_eq!(doc["paths"][p]["get"]["tags"][0], "documents", "{p}");
    }
    stand_in.handle.stop(false).await;
}

on_both_backends!(
    wechat_login_with_api_key,
    wechat_login_unconfigured_is_503,
    wechat_consumer_reads_its_documents
);
