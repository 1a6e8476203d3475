//! After an erasure: an anonymised case takes no further step (new personal data would never
//! be removed again), its issued documents' PDFs are gone (410) without breaking the backup,
//! and an ID number is found whatever the case of its final `x`.

use serde_json::json;

use super::subject_requests::{ADMIN, MEDIATOR, case_nos, close, file};
use crate::common::binary::{odrdesk_on, run_on};
use crate::common::{Backend, PNG, TestApp, sample_complaint};

const PHONE: &str = "13812345670";

async fn anonymised_case_takes_no_step_and_its_pdf_is_gone(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.add_user(ADMIN, "admin", &[], None).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let mut body = sample_complaint();
    body["complainant"]["phone"] = json!(PHONE);
    let (case_no, token) = app.file(&body).await;
    let refuse =
        json!({"action": "not_accept", "reason": "outside_authority", "detail": "不属本局职责"});
    let (s, v) = app
        .post_as(&format!("/api/v1/cases/{case_no}/actions"), &med, &refuse)
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, docs) = app
        .get_as(&format!("/api/v1/cases/{case_no}/documents"), &med)
        .await;
    assert_eq!(s, 200, "{docs}");
    let doc = docs["items"][0]["id"]
        .as_i64()
        .expect("a decision was issued");
    let pdf = format!("/api/v1/cases/{case_no}/documents/{doc}.pdf");

    let erase = json!({"phone": PHONE, "basis": "consent_withdrawn"});
    let (s, v) = app
        .post_as("/api/v1/admin/subject-requests/erase", &admin, &erase)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["anonymised"], json!([case_no]), "{v}");

    // The desk offers nothing, and every way in answers 409 `case_anonymised`.
    let (s, view) = app.get_as(&format!("/api/v1/cases/{case_no}"), &med).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["allowed_actions"], json!([]), "{view}");
    for step in [
        json!({"action": "reopen", "reason": "复核"}),
        json!({"action": "accept"}),
    ] {
        let (s, v) = app
            .post_as(&format!("/api/v1/cases/{case_no}/actions"), &med, &step)
            .await;
        assert_eq!(
            (s, v["error"].as_str()),
            (409, Some("case_anonymised")),
            "{step}: {v}"
        );
    }
    let (s, v) = app
        .upload_evidence(&case_no, &token, vec![("new.png", PNG.to_vec())])
        .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (409, Some("case_anonymised")),
        "{v}"
    );

    // The PDF is gone, the list shows none, and a backup still reads every file it names.
    let (s, v) = app.get_as(&pdf, &med).await;
    assert_eq!(s, 410, "{v}");
    let (_, docs) = app
        .get_as(&format!("/api/v1/cases/{case_no}/documents"), &med)
        .await;
    assert_eq!(docs["items"][0]["pdf_sha256"], json!(null), "{docs}");
    let o = run_on(&app, &["blobs", "sweep", "--dry-run"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    if matches!(backend, Backend::Sqlite) {
        // (A PostgreSQL database is backed up with its own tools.)
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("after.backup");
        let o = run_on(&app, &["backup", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}

async fn id_number_found_whatever_the_case_of_x(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.add_user(ADMIN, "admin", &[], None).await;
    let lower = file(&app, "上官晓", "13612345678", Some("44070519850512432x")).await;
    let upper = file(&app, "上官晓", "13612345679", Some("44070519850512433X")).await;
    for (typed, expected) in [
        ("44070519850512432X", &lower),
        ("44070519850512432x", &lower),
        ("44070519850512433x", &upper),
        ("44070519850512433X", &upper),
    ] {
        let (s, v) = app
            .post_as(
                "/api/v1/admin/subject-requests/export",
                &admin,
                &json!({"id_number": typed}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(case_nos(&v), vec![expected.clone()], "{typed}");
    }
}

/// Two people behind one (recycled) phone number.
async fn a_shared_phone_reaches_only_what_is_asked(backend: Backend) {
    const SHARED: &str = "13512345678";
    let app = TestApp::spawn(&backend).await;
    let admin = app.add_user(ADMIN, "admin", &[], None).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let first = file(&app, "张三丰", SHARED, Some("440703199001011111")).await;
    let second = file(&app, "李四光", SHARED, Some("440703199202022222")).await;
    close(&app, &med, &first).await;
    close(&app, &med, &second).await;
    let export = format!("/api/v1/admin/subject-requests/export?phone={SHARED}");

    // The export holds the matched parties' own rows and the facts of their cases: no
    // business's party row, no staff member's name on an event.
    let (s, v) = app.get_as(&export, &admin).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(case_nos(&v), vec![first.clone(), second.clone()]);
    for case in v["cases"].as_array().unwrap() {
        for party in case["parties"].as_array().unwrap() {
            assert_eq!(party["phone"], SHARED, "another party exported: {party}");
        }
        for event in case["events"].as_array().unwrap() {
            assert!(event.get("actor").is_none(), "{event}");
        }
    }
    assert!(!v.to_string().contains(MEDIATOR), "{v}");

    // Erasing by the shared number alone is refused, naming why; nothing is erased.
    let erase = json!({"phone": SHARED, "basis": "consent_withdrawn"});
    let (s, v) = app
        .post_as("/api/v1/admin/subject-requests/erase", &admin, &erase)
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["code"], "several_people", "{v}");
    let (_, still) = app.get_as(&export, &admin).await;
    assert_eq!(case_nos(&still).len(), 2, "{still}");

    // With the cases listed, only those go; a case not theirs is refused.
    let mut listed = erase.clone();
    listed["cases"] = json!([first]);
    let (s, v) = app
        .post_as("/api/v1/admin/subject-requests/erase", &admin, &listed)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["anonymised"], json!([first]), "{v}");
    let (_, after) = app.get_as(&export, &admin).await;
    assert_eq!(case_nos(&after), vec![second.clone()]);
    assert!(after.to_string().contains("李四光"), "{after}");
    listed["cases"] = json!(["TS00000000000000"]);
    let (s, v) = app
        .post_as("/api/v1/admin/subject-requests/erase", &admin, &listed)
        .await;
    assert_eq!(
        (s, v["fields"][0]["code"].as_str()),
        (422, Some("not_the_subjects")),
        "{v}"
    );
}

/// The command takes the key from standard input (`--phone -`), so it never shows in `ps`.
async fn the_command_reads_the_key_from_standard_input(backend: Backend) {
    use std::io::Write;
    let app = TestApp::spawn(&backend).await;
    let case_no = file(&app, "东方既白", "13712345601", None).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.json");
    let mut cmd = odrdesk_on(&app);
    cmd.args(["subject", "export", "--phone", "-", "--out"])
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"13712345601\n")
        .unwrap();
    let o = tokio::task::block_in_place(|| child.wait_with_output()).unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let export: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(case_nos(&export), vec![case_no]);
}

crate::on_both_backends!(
    the_command_reads_the_key_from_standard_input,
    anonymised_case_takes_no_step_and_its_pdf_is_gone,
    id_number_found_whatever_the_case_of_x,
    a_shared_phone_reaches_only_what_is_asked
);
