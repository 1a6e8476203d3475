//! Exports and hot-terms questions are bounded per analyst and in all (429 saying which
//! bound), on the API and the pages; an export's file expires after `export_ttl_days`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use odrdesk::clock::Clock;
use serde_json::json;

use super::common::accounts::PASSWORD;
use super::common::browser::{Browser, hidden};
use super::common::{Backend, TestApp};
use super::*;

/// Makes the temporary file of export `id` a named pipe, so writing it waits for a reader:
/// the export stays running until `release` reads it (it then ends as failed, since a pipe
/// cannot be synced to disk; either way its slot is free).
fn hold_export(app: &TestApp, id: i64) -> PathBuf {
    let dir = app.data_dir().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    let pipe = dir.join(format!("{id}.csv.tmp"));
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    pipe
}

fn release(pipe: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        std::fs::read(&pipe).unwrap();
    })
}

/// The export's status once it is one of `want` (polled for up to 10 s).
async fn status_of(app: &TestApp, id: i64, token: &str, want: &[&str]) -> Value {
    let path = format!("/api/v1/exports/{id}");
    let mut status = json!(null);
    for _ in 0..200 {
        status = app.get_as(&path, token).await.1;
        if want.iter().any(|w| status["status"] == *w) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    status
}

async fn busy(app: &TestApp, method: reqwest::Method, path: &str, token: &str) -> (u16, Value) {
    let mut req = app
        .client
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if method == reqwest::Method::POST {
        req = req.json(&json!({"q": "面膜"}));
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    if status == 429 {
        assert!(
            res.headers().contains_key("retry-after"),
            "{path}: Retry-After"
        );
    }
    (status, res.json().await.unwrap())
}

const HOT: &str = "/api/v1/hot-terms";
const ENDED: &[&str] = &["done", "failed"];

async fn exports_and_questions_are_bounded_per_user_and_in_all(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| {
        s.jobs_per_user = 1;
        s.jobs_total = 2;
    })
    .await;
    let a = app.add_user("a@jm.gov.cn", "analyst", &[], None).await;
    let b = app.add_user("b@jm.gov.cn", "analyst", &[], None).await;
    let c = app.add_user("c@jm.gov.cn", "analyst", &[], None).await;
    let (pipe1, pipe2) = (hold_export(&app, 1), hold_export(&app, 2));
    let (s, job) = app
        .post_as("/api/v1/exports", &a, &json!({"q": "面膜"}))
        .await;
    assert_eq!((s, job["id"].as_i64()), (202, Some(1)), "{job}");
    assert_eq!(
        status_of(&app, 1, &a, &["queued"]).await["status"],
        "queued"
    );

    let (s, body) = busy(&app, reqwest::Method::POST, "/api/v1/exports", &a).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (429, Some("jobs_per_user")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("1个"), "{body}");
    let (s, body) = busy(&app, reqwest::Method::GET, HOT, &a).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (429, Some("jobs_per_user")),
        "{body}"
    );

    let (s, job) = app
        .post_as("/api/v1/exports", &b, &json!({"q": "面膜"}))
        .await;
    assert_eq!((s, job["id"].as_i64()), (202, Some(2)), "{job}");
    let (s, body) = busy(&app, reqwest::Method::GET, HOT, &c).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (429, Some("jobs_total")),
        "{body}"
    );
    let (s, body) = busy(&app, reqwest::Method::GET, "/api/v1/alerts", &c).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (429, Some("jobs_total")),
        "{body}"
    );

    // Once the exports are written, everyone may ask again.
    let (r1, r2) = (release(pipe1), release(pipe2));
    r1.await.unwrap();
    r2.await.unwrap();
    assert!(status_of(&app, 1, &a, ENDED).await["status"].is_string());
    assert!(status_of(&app, 2, &b, ENDED).await["status"].is_string());
    for token in [&a, &b, &c] {
        let (s, body) = busy(&app, reqwest::Method::GET, HOT, token).await;
        assert_eq!(s, 200, "{body}");
    }
}

async fn the_pages_say_why_a_job_is_refused(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.jobs_per_user = 1).await;
    let a = app.add_user("a@jm.gov.cn", "analyst", &[], None).await;
    let pipe = hold_export(&app, 1);
    let (s, job) = app
        .post_as("/api/v1/exports", &a, &json!({"q": "面膜"}))
        .await;
    assert_eq!(s, 202, "{job}");
    let mut web = Browser::signed_in(&app, "a@jm.gov.cn", "/analyst/search").await;
    let search = web.get("/analyst/search?q=面膜").await;
    let csrf = hidden(&search.body, "csrf");
    let refused = web
        .post("/analyst/exports", &[("csrf", &csrf), ("q", "面膜")])
        .await;
    assert_eq!(refused.status, 429, "{}", refused.body);
    assert!(
        refused.body.contains("您已有1个导出或分析任务在进行"),
        "{}",
        refused.body
    );
    assert!(refused.retry_after.is_some());
    let hot = web.get("/analyst/hot").await;
    assert_eq!(hot.status, 429, "{}", hot.body);
    assert!(
        hot.body.contains("您已有1个导出或分析任务在进行"),
        "{}",
        hot.body
    );
    release(pipe).await.unwrap();
    status_of(&app, 1, &a, ENDED).await;
    assert_eq!(web.get("/analyst/hot").await.status, 200);
}

fn file_of(app: &TestApp, id: i64) -> PathBuf {
    app.data_dir().join("exports").join(format!("{id}.csv"))
}

async fn export_files_expire_in_the_periodic_loop(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| {
        s.sweep_interval_secs = 1;
        s.export_ttl_days = 7;
    })
    .await;
    let a = app.add_user("a@jm.gov.cn", "analyst", &[], None).await;
    let (s, job) = app
        .post_as("/api/v1/exports", &a, &json!({"q": "面膜"}))
        .await;
    assert_eq!(s, 202, "{job}");
    let id = job["id"].as_i64().unwrap();
    assert_eq!(status_of(&app, id, &a, &["done"]).await["status"], "done");
    let download = format!("/api/v1/exports/{id}/download");
    assert!(app.get_text_as(&download, &a).await.starts_with('\u{feff}'));

    let filed = app.clock.now();
    app.set_now(filed + chrono::Duration::days(6));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(file_exists(&file_of(&app, id)), "kept for 7 days");
    // Sessions are shorter than that: sign in again.
    let a = app.login_token("a@jm.gov.cn", PASSWORD).await;
    assert_eq!(status_of(&app, id, &a, &["done"]).await["status"], "done");

    app.set_now(filed + chrono::Duration::days(8));
    let a = app.login_token("a@jm.gov.cn", PASSWORD).await;
    for _ in 0..100 {
        if !file_exists(&file_of(&app, id)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!file_exists(&file_of(&app, id)), "deleted after 7 days");
    let status = status_of(&app, id, &a, &["expired"]).await;
    assert_eq!(status["status"], "expired", "{status}");
    assert_eq!(status["download"], json!(null), "{status}");
    let (s, body) = app.get_as(&download, &a).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (410, Some("expired")),
        "{body}"
    );
    let web = &mut Browser::signed_in(&app, "a@jm.gov.cn", "/analyst/search").await;
    let page = web.get(&format!("/analyst/exports/{id}")).await;
    assert!(page.body.contains("已过期"), "{}", page.body);
}

fn file_exists(path: &Path) -> bool {
    path.exists()
}

crate::on_both_backends!(
    exports_and_questions_are_bounded_per_user_and_in_all,
    the_pages_say_why_a_job_is_refused,
    export_files_expire_in_the_periodic_loop,
);
