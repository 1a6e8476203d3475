//! The tracking page's evidence form under the upload limits: the same bounds as the API,
//! each refusal said in Chinese beside the file input.

use std::time::Duration;

use crate::common;
use crate::on_both_backends;

use common::browser::{Browser, hidden};
use common::stream::{self, Body};
use common::{Backend, PNG, TestApp};

const MIB: u64 = 1024 * 1024;

/// A browser on the tracking page of a case filed through the API (holding its code), the
/// page's CSRF token, the evidence form's address and the code.
async fn on_tracking_page(app: &TestApp) -> (Browser<'_>, String, String, String) {
    let (case_no, token) = app.file_complaint().await;
    let mut web = Browser::new(app);
    let form = web.get(&format!("/track/{case_no}")).await;
    assert_eq!(form.status, 200);
    let csrf = hidden(&form.body, "csrf");
    let lookup = [
        ("csrf", csrf.as_str()),
        ("case_no", case_no.as_str()),
        ("token", token.as_str()),
    ];
    let opened = web.post("/track", &lookup).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    (web, csrf, format!("/track/{case_no}/evidence"), token)
}

async fn the_page_refuses_a_file_beyond_the_case_count(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.attachments_per_case = 1).await;
    let (mut web, csrf, evidence, _) = on_tracking_page(&app).await;
    let mut other = PNG.to_vec();
    other.push(1);
    let page = web
        .post_multipart(
            &evidence,
            &[("csrf", &csrf)],
            vec![
                ("evidence", "a.png", PNG.to_vec()),
                ("evidence", "b.png", other),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("每件最多1个附件"), "{}", page.body);
    assert!(
        app.attachment_files().is_empty(),
        "{:?}",
        app.attachment_files()
    );
}

async fn the_page_stops_reading_at_the_case_byte_cap(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.attachment_bytes_per_case = 20 * MIB).await;
    let (web, csrf, evidence, _) = on_tracking_page(&app).await;
    let body = Body {
        fields: vec![("csrf", &csrf)],
        file_field: "evidence",
        files: vec![19 * MIB / 2; 6],
    };
    let addr = app.address.trim_start_matches("http://");
    let headers = [("Cookie", web.cookie_header())];
    let answer = stream::post(addr, &evidence, &headers, &body, None).await;
    assert_eq!(answer.status, 413, "{}", answer.head);
    assert!(
        answer.body.contains("每件附件合计不能超过20MB"),
        "{}",
        answer.body
    );
    assert!(
        answer.sent < answer.total - 16 * MIB,
        "answered only after {} of {} bytes",
        answer.sent,
        answer.total
    );
    assert!(
        app.attachment_files().is_empty(),
        "{:?}",
        app.attachment_files()
    );
}

async fn the_page_says_when_uploads_are_full(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.upload_concurrency = 1).await;
    let (mut web, csrf, evidence, token) = on_tracking_page(&app).await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let held_case = evidence.split('/').nth(2).unwrap().to_owned();
    let held_token = token.clone();
    let held = tokio::spawn(async move {
        let body = Body {
            fields: Vec::new(),
            file_field: "file",
            files: vec![MIB],
        };
        let path = format!("/api/v1/track/{held_case}/attachments");
        let headers = [("X-Tracking-Token", held_token)];
        stream::post(&addr, &path, &headers, &body, Some(Duration::from_secs(2))).await
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    let page = web
        .post_multipart(
            &evidence,
            &[("csrf", &csrf)],
            vec![("evidence", "a.png", PNG.to_vec())],
        )
        .await;
    assert_eq!(page.status, 503, "{}", page.body);
    assert!(page.body.contains("同时上传的人数已满"), "{}", page.body);
    assert!(page.retry_after.is_some(), "Retry-After");
    assert_eq!(held.await.unwrap().status, 201);
}

on_both_backends!(
    the_page_refuses_a_file_beyond_the_case_count,
    the_page_stops_reading_at_the_case_byte_cap,
    the_page_says_when_uploads_are_full,
);
