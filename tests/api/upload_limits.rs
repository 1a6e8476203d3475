//! Limits on evidence uploads that hold whatever a client sends: files are streamed to disk,
//! never held in memory; a case holds a bounded number and size of files, counting those it
//! already has; and only so many uploads run at once.

use std::time::Duration;

use crate::common;
use crate::on_both_backends;

use common::stream::{self, Body, Streamed};
use common::{Backend, PNG, TestApp};

const MIB: u64 = 1024 * 1024;

fn addr(app: &TestApp) -> String {
    app.address.trim_start_matches("http://").to_owned()
}

async fn upload(app: &TestApp, case_no: &str, token: &str, files: Vec<u64>) -> Streamed {
    let body = Body {
        fields: Vec::new(),
        file_field: "file",
        files,
    };
    let path = format!("/api/v1/track/{case_no}/attachments");
    let headers = [("X-Tracking-Token", token.to_owned())];
    stream::post(&addr(app), &path, &headers, &body, None).await
}

fn error_of(answer: &Streamed) -> serde_json::Value {
    serde_json::from_str(&answer.body).unwrap_or_else(|_| panic!("JSON error: {answer:?}"))
}

/// The highest resident set size of this process so far, in bytes (the server runs in it).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

async fn a_case_over_its_byte_cap_is_refused_while_the_client_still_sends(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.attachment_bytes_per_case = 20 * MIB).await;
    let (case_no, token) = app.file_complaint().await;
    // Six files of 9.5 MiB: each under the per-file limit, 57 MiB in all.
    let answer = upload(&app, &case_no, &token, vec![19 * MIB / 2; 6]).await;
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(error_of(&answer)["error"], "case_attachment_bytes");
    assert!(
        error_of(&answer)["message"]
            .as_str()
            .unwrap()
            .contains("20MB")
    );
    assert!(
        answer.sent < answer.total - 16 * MIB,
        "answered only after {} of {} bytes",
        answer.sent,
        answer.total
    );
    assert_eq!(app.attachment_files(), Vec::<std::path::PathBuf>::new());
    let (_, view) = app.track(&case_no, &token).await;
    assert_eq!(view["attachments"].as_array().unwrap().len(), 0, "{view}");

    // What is stored counts: 12 MiB in, then 9 MiB more would cross 20 MiB.
    let answer = upload(&app, &case_no, &token, vec![6 * MIB, 6 * MIB]).await;
    assert_eq!(answer.status, 201, "{answer:?}");
    let answer = upload(&app, &case_no, &token, vec![9 * MIB]).await;
    assert_eq!(answer.status, 413, "{answer:?}");
    assert_eq!(error_of(&answer)["error"], "case_attachment_bytes");
    // The two stored files are equal: one blob, and nothing of the refused one.
    assert_eq!(app.attachment_files().len(), 1, "no partial file left");
}

async fn an_accepted_upload_is_streamed_to_disk_not_memory(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, token) = app.file_complaint().await;
    let before = peak_rss();
    let answer = upload(&app, &case_no, &token, vec![9 * MIB; 4]).await;
    assert_eq!(answer.status, 201, "{answer:?}");
    let grown = peak_rss().saturating_sub(before);
    eprintln!("peak RSS grew by {} KiB for a 36 MiB upload", grown / 1024);
    assert!(
        // Buffers and threads take some; holding the files would take all 36 MiB.
        grown < 24 * MIB,
        "peak memory grew by {} MiB for a 36 MiB upload",
        grown / MIB
    );
    assert_eq!(
        app.attachment_files().len(),
        1,
        "four equal files, one blob"
    );
}

async fn a_case_holds_a_bounded_number_of_files(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.attachments_per_case = 3).await;
    let (case_no, token) = app.file_complaint().await;
    let (s, body) = app
        .upload_evidence(
            &case_no,
            &token,
            vec![("a.png", PNG.to_vec()), ("b.pdf", common::PDF.to_vec())],
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let two = |i: u8| {
        let mut other = PNG.to_vec();
        other.push(i);
        vec![("c.png", other.clone()), ("d.png", other)]
    };
    let (s, body) = app.upload_evidence(&case_no, &token, two(1)).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (422, Some("case_attachment_count")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains('3'), "{body}");
    assert_eq!(
        app.attachment_files().len(),
        2,
        "nothing of the refused upload stays"
    );
    let (s, body) = app
        .upload_evidence(&case_no, &token, vec![("e.png", two(2).remove(0).1)])
        .await;
    assert_eq!(s, 201, "{body}");
    // A full case is refused before its file is read.
    // (What the client sent by then is mostly what the kernel's socket buffers took.)
    let answer = upload(&app, &case_no, &token, vec![9 * MIB; 4]).await;
    assert_eq!(answer.status, 422, "{answer:?}");
    assert!(
        answer.sent < answer.total - 16 * MIB,
        "answered only after {} of {} bytes",
        answer.sent,
        answer.total
    );
    let (_, view) = app.track(&case_no, &token).await;
    assert_eq!(view["attachments"].as_array().unwrap().len(), 3, "{view}");
}

async fn uploads_beyond_the_bound_are_refused_at_once(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.upload_concurrency = 1).await;
    let (case_no, token) = app.file_complaint().await;
    // One upload holds the only slot: it pauses before its file's last bytes.
    let (held_app, held_case, held_token) = (addr(&app), case_no.clone(), token.clone());
    let held = tokio::spawn(async move {
        let body = Body {
            fields: Vec::new(),
            file_field: "file",
            files: vec![MIB],
        };
        let path = format!("/api/v1/track/{held_case}/attachments");
        let headers = [("X-Tracking-Token", held_token)];
        stream::post(
            &held_app,
            &path,
            &headers,
            &body,
            Some(Duration::from_secs(2)),
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    let started = std::time::Instant::now();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("b.png"),
    );
    let res = app
        .client
        .post(app.url(&format!("/api/v1/track/{case_no}/attachments")))
        .header("X-Tracking-Token", &token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("retry-after"), "Retry-After");
    let (s, body) = common::read(res).await;
    assert_eq!(
        (s, body["error"].as_str()),
        (503, Some("uploads_busy")),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused at once, not queued"
    );
    let first = held.await.unwrap();
    assert_eq!(first.status, 201, "{first:?}");
    assert!(
        first
            .head
            .to_ascii_lowercase()
            .contains("content-type: application/json")
    );
    // The slot is free again.
    let (s, body) = app
        .upload_evidence(&case_no, &token, vec![("b.png", PNG.to_vec())])
        .await;
    assert_eq!(s, 201, "{body}");
}

/// Uploads to one case at the same moment cannot together pass its count: each is counted
/// again inside its transaction, after the other committed.
async fn concurrent_uploads_cannot_overfill_a_case(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.attachments_per_case = 1).await;
    for round in 0..6u8 {
        let (case_no, token) = app.file_complaint().await;
        let answers = futures_util::future::join_all((0..4u8).map(|i| {
            let mut file = PNG.to_vec();
            file.extend_from_slice(&[round, i]);
            app.upload_evidence(&case_no, &token, vec![("p.png", file)])
        }))
        .await;
        let stored = answers.iter().filter(|(s, _)| *s == 201).count();
        assert_eq!(stored, 1, "round {round}: {answers:?}");
        for (s, body) in answers.iter().filter(|(s, _)| *s != 201) {
            assert_eq!(
                (*s, body["error"].as_str()),
                (422, Some("case_attachment_count"))
            );
        }
        let (_, view) = app.track(&case_no, &token).await;
        assert_eq!(view["attachments"].as_array().unwrap().len(), 1, "{view}");
    }
}

on_both_backends!(
    concurrent_uploads_cannot_overfill_a_case,
    a_case_over_its_byte_cap_is_refused_while_the_client_still_sends,
    an_accepted_upload_is_streamed_to_disk_not_memory,
    a_case_holds_a_bounded_number_of_files,
    uploads_beyond_the_bound_are_refused_at_once,
);
