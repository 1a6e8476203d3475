//! Evidence upload: type sniffed from content, size limits, content addressing, and nothing
//! left behind when an upload is refused.

use crate::common;
use crate::on_both_backends;

use common::{Backend, PDF, PNG, TestApp};
use reqwest::multipart::Form;

async fn evidence_is_sniffed_stored_by_content_and_listed(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, token) = app.file_complaint().await;
    let (s, body) = app
        .upload_evidence(
            &case_no,
            &token,
            vec![
                ("../../收据.png", PNG.to_vec()),
                ("invoice.jpg", PDF.to_vec()),
            ],
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let list = body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "收据.png");
    assert_eq!(list[0]["mime"], "image/png");
    // The name said JPEG; the content is a PDF, and the content wins.
    assert_eq!(list[1]["mime"], "application/pdf");
    let sha = list[0]["sha256"].as_str().unwrap();
    let stored = app.settings.attachments_dir().join(&sha[..2]).join(sha);
    assert_eq!(std::fs::read(&stored).unwrap(), PNG);

    // The same file again is stored once on disk but listed twice.
    let (s, body) = app
        .upload_evidence(&case_no, &token, vec![("again.png", PNG.to_vec())])
        .await;
    assert_eq!(s, 201);
    assert_eq!(body.as_array().unwrap().len(), 3);
    assert_eq!(app.attachment_files().len(), 2);

    let (_, view) = app.track(&case_no, &token).await;
    assert_eq!(view["attachments"].as_array().unwrap().len(), 3);
    assert_eq!(view["timeline"][1]["event"], "attachment_added");
}

async fn refused_uploads_leave_nothing_behind(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, token) = app.file_complaint().await;
    // An executable dressed up as a picture.
    let (s, body) = app
        .upload_evidence(
            &case_no,
            &token,
            vec![(
                "photo.png",
                b"MZ\x90\0\x03\0\0\0 this is not a picture".to_vec(),
            )],
        )
        .await;
    assert_eq!(
        (s, body["error"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    // One good file with one bad one: all or nothing.
    let (s, _) = app
        .upload_evidence(
            &case_no,
            &token,
            vec![
                ("ok.png", PNG.to_vec()),
                ("x.html", b"<html></html>".to_vec()),
            ],
        )
        .await;
    assert_eq!(s, 415);
    // Over the size limit.
    let mut big = PNG.to_vec();
    big.resize(app.settings.attachment_max_bytes as usize + 1, 0);
    let (s, body) = app
        .upload_evidence(&case_no, &token, vec![("big.png", big)])
        .await;
    assert_eq!(
        (s, body["error"].as_str()),
        (413, Some("payload_too_large"))
    );
    // Wrong token: not even read.
    let (s, _) = app
        .upload_evidence(&case_no, &"f".repeat(40), vec![("ok.png", PNG.to_vec())])
        .await;
    assert_eq!(s, 404);
    // No file part at all.
    let form = Form::new().text("note", "hello");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/track/{case_no}/attachments")))
        .header("X-Tracking-Token", &token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (s, body) = common::read(res).await;
    assert_eq!((s, body["error"].as_str()), (400, Some("no_file")));
    // Not multipart.
    let res = app
        .client
        .post(app.url(&format!("/api/v1/track/{case_no}/attachments")))
        .header("X-Tracking-Token", &token)
        .body("plain")
        .send()
        .await
        .unwrap();
    let (s, body) = common::read(res).await;
    assert!(s == 400 || s == 415, "{s} {body}");
    assert!(body["error"].is_string());

    assert!(
        app.attachment_files().is_empty(),
        "{:?}",
        app.attachment_files()
    );
    let (_, view) = app.track(&case_no, &token).await;
    assert_eq!(view["attachments"].as_array().unwrap().len(), 0);
    assert_eq!(view["timeline"].as_array().unwrap().len(), 1);
}

on_both_backends!(
    evidence_is_sniffed_stored_by_content_and_listed,
    refused_uploads_leave_nothing_behind,
);
