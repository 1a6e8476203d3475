//! Evidence uploads: the content decides the type whatever the name says, refused uploads
//! leave no file and no row, and file names cannot reach outside the blob store.

use serde_json::Value;

use crate::common::{Backend, PDF, PNG, TestApp};

/// The answer lists every attachment of the case; the newest is last.
fn last(body: &Value) -> &Value {
    body.as_array()
        .and_then(|a| a.last())
        .expect("attachment list")
}

async fn attachment_count(app: &TestApp, case_no: &str, token: &str) -> usize {
    let (s, view) = app.track(case_no, token).await;
    assert_eq!(s, 200, "{view}");
    view["attachments"].as_array().expect("attachments").len()
}

async fn spoofed_types_are_refused_and_leave_nothing(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, token) = app.file_complaint().await;
    let mut html_polyglot = b"<!DOCTYPE html><script>alert(1)</script>".to_vec();
    html_polyglot.extend_from_slice(PNG);
    html_polyglot.extend_from_slice(PDF);
    let refused: [(&str, &[u8]); 6] = [
        ("photo.png", b"<html><body onload=alert(1)>hi</body></html>"),
        (
            "photo.png",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0 PE executable",
        ),
        ("photo.png", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"),
        ("photo.png", &html_polyglot),
        ("photo.png", b""),
        (
            "photo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        ),
    ];
    for (name, bytes) in refused {
        let (s, body) = app
            .upload_evidence(&case_no, &token, vec![(name, bytes.to_vec())])
            .await;
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(16)]).into_owned();
        assert!(
            s == 415 || s == 400 || s == 422,
            "{head:?} as {name}: {s} {body}"
        );
        super::assert_json_error(&head, s, &body);
    }
    assert_eq!(app.attachment_files(), Vec::<std::path::PathBuf>::new());
    assert_eq!(attachment_count(&app, &case_no, &token).await, 0);

    // A PDF named .png is a PDF: the sniffed type is stored, never the claimed one.
    let (s, body) = app
        .upload_evidence(&case_no, &token, vec![("photo.png", PDF.to_vec())])
        .await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(last(&body)["mime"], "application/pdf");

    // A picture with a page glued on is stored as a picture and served as one, never as HTML.
    let mut png_polyglot = PNG.to_vec();
    png_polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let (s, body) = app
        .upload_evidence(&case_no, &token, vec![("x.html", png_polyglot.to_vec())])
        .await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(last(&body)["mime"], "image/png");
    let id = last(&body)["id"].as_i64().unwrap();
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let res = app
        .client
        .get(app.url(&format!("/desk/cases/{case_no}/attachments/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let header = |h: &str| res.headers().get(h).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("content-type").as_deref(), Some("image/png"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(header("content-security-policy").is_some_and(|c| c.contains("default-src 'none'")));
    assert_eq!(attachment_count(&app, &case_no, &token).await, 2);
}

async fn huge_declared_size_is_refused_before_reading(backend: Backend) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn(&backend).await;
    let (case_no, token) = app.file_complaint().await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/track/{case_no}/attachments HTTP/1.1\r\nHost: {addr}\r\n\
         X-Tracking-Token: {token}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\n\
         Content-Length: 1099511627776\r\nConnection: close\r\n\r\n\
         --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(PNG).await.unwrap();
    // Keep sending for a while, far past the 10 MB limit, unless the server hangs up.
    let chunk = vec![0u8; 64 * 1024];
    for _ in 0..(app.settings.attachment_max_bytes as usize / chunk.len() + 32) {
        if stream.write_all(&chunk).await.is_err() {
            break;
        }
    }
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the server kept reading a huge upload");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert_eq!(app.attachment_files(), Vec::<std::path::PathBuf>::new());
    assert_eq!(attachment_count(&app, &case_no, &token).await, 0);
}

const ESCAPED_NAMES: [&str; 5] = ["etc/passwd", "x", "passwd", "shadow", "evil.png"];

async fn hostile_names_are_cleaned_and_stay_inside(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    // The data dir's parent is the shared temporary directory: judge only what appears there
    // during this test.
    let parent = app.data_dir().parent().expect("a parent").to_owned();
    let there_before: Vec<bool> = ESCAPED_NAMES
        .iter()
        .map(|name| parent.join(name).exists())
        .collect();
    let (case_no, token) = app.file_complaint().await;
    let long = format!("{}.png", "长".repeat(5000));
    let cases: [(&str, &str); 8] = [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\x", "x"),
        ("/etc/shadow", "shadow"),
        ("C:\\Windows\\system32\\evil.png", "evil.png"),
        ("..", "附件"),
        ("invoice\u{202E}gnp.exe", "invoicegnp.exe"),
        ("\u{2067}x\u{2069}\u{200F}.png", "x.png"),
        (&long, ""),
    ];
    for (i, (raw, want)) in cases.iter().enumerate() {
        let mut bytes = PNG.to_vec();
        bytes.push(i as u8);
        let (s, body) = app
            .upload_evidence(&case_no, &token, vec![(raw, bytes.to_vec())])
            .await;
        assert_eq!(s, 201, "{raw:?}: {body}");
        let name = last(&body)["name"].as_str().unwrap();
        if want.is_empty() {
            assert!(
                name.chars().count() <= 120,
                "{} chars",
                name.chars().count()
            );
            assert!(name.starts_with('长'));
        } else {
            assert_eq!(name, *want, "{raw:?}");
        }
    }
    // A NUL in the part header is refused by the multipart parser itself.
    let (s, body) = app
        .upload_evidence(&case_no, &token, vec![("a\0b.png", PNG.to_vec())])
        .await;
    assert_eq!(
        (s, body["error"].as_str()),
        (400, Some("malformed_multipart"))
    );

    let root = app.data_dir().to_owned();
    let blob_root = app.settings.attachments_dir();
    for file in super::walk(&root) {
        let inside = file.strip_prefix(&root).expect("inside the data dir");
        let text = inside.to_string_lossy();
        assert!(
            !text.contains("passwd") && !text.contains("shadow"),
            "{text}"
        );
        if let Ok(blob) = file.strip_prefix(&blob_root) {
            let name = blob.file_name().unwrap().to_string_lossy();
            assert!(
                name.len() == 64 && name.chars().all(|c| c.is_ascii_hexdigit()),
                "blob stored under a name from the upload: {text}"
            );
        }
    }
    for (outside, before) in ESCAPED_NAMES.iter().zip(there_before) {
        assert!(
            before || !parent.join(outside).exists(),
            "{outside} was written outside the data dir"
        );
    }
    assert_eq!(app.attachment_files().len(), cases.len());
}

crate::on_both_backends!(
    spoofed_types_are_refused_and_leave_nothing,
    huge_declared_size_is_refused_before_reading,
    hostile_names_are_cleaned_and_stay_inside,
);
