//! The 调解书 on the pages: its state on the tracking page, the enterprise desk and the desk
//! case page, and the confirm buttons of the two parties.

use crate::common;
use crate::on_both_backends;

use common::browser::{Browser, hidden, unlabelled};
use common::{Backend, TestApp};
use serde_json::json;

const MEDIATOR: &str = "med@jm.gov.cn";
const USCC: &str = "91440703MA4UJ5QX2U";

async fn both_parties_confirm_the_agreement_with_their_buttons(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    app.add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user("shop@example.com", "enterprise", &[], Some(USCC))
        .await;
    let (no, code) = app.file_complaint().await;
    for body in [
        json!({"action": "accept"}),
        json!({"action": "settle", "agreement": "商家退款129元", "recovered_fen": 12900}),
    ] {
        let (s, v) = app
            .post_as(&format!("/api/v1/cases/{no}/actions"), &med, &body)
            .await;
        assert_eq!(s, 200, "{v}");
    }

    // The complainant, on the tracking page.
    let mut web = Browser::new(&app);
    let csrf = hidden(&web.get("/track").await.body, "csrf");
    let answer = web
        .post(
            "/track",
            &[("csrf", &csrf), ("case_no", &no), ("token", &code)],
        )
        .await;
    let page = web.follow(&answer).await;
    assert!(
        page.body.contains("待投诉人确认、待经营者确认"),
        "{}",
        page.body
    );
    assert!(page.body.contains("form-confirm_agreement"));
    let document_id = hidden(&page.body, "document_id");
    let csrf = hidden(&page.body, "csrf");
    let done = web
        .post(
            &format!("/track/{no}/action"),
            &[
                ("csrf", &csrf),
                ("action", "confirm_agreement"),
                ("document_id", &document_id),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = web.follow(&done).await;
    assert!(page.body.contains("您已确认调解书。"), "{}", page.body);
    assert!(page.body.contains("待经营者确认"));
    assert!(!page.body.contains("form-confirm_agreement"));

    // The business, on the enterprise desk: the form names the 调解书 in force itself.
    let mut shop = Browser::signed_in(&app, "shop@example.com", "/enterprise").await;
    let here = format!("/enterprise/cases/{no}");
    let page = shop.get(&here).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("待经营者确认"), "{}", page.body);
    assert!(page.body.contains("form-confirm_agreement"));
    assert_eq!(unlabelled(&page.body), Vec::<String>::new());
    assert_eq!(hidden(&page.body, "document_id"), document_id);
    let csrf = hidden(&page.body, "csrf");
    let done = shop
        .post(
            &format!("{here}/actions"),
            &[
                ("csrf", &csrf),
                ("action", "confirm_agreement"),
                ("document_id", &document_id),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = shop.get(&here).await;
    assert!(page.body.contains("双方已在线确认（"), "{}", page.body);
    assert!(!page.body.contains("form-confirm_agreement"));

    // The desk reads the same state.
    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let page = desk.get(&format!("/desk/cases/{no}")).await;
    assert!(page.body.contains("调解书："), "{}", page.body);
    assert!(page.body.contains("双方已在线确认（"));
}

on_both_backends!(both_parties_confirm_the_agreement_with_their_buttons);

async fn the_desk_uploads_the_signed_paper_copy(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let (no, _) = app.file_complaint().await;
    for body in [
        json!({"action": "accept"}),
        json!({"action": "settle", "agreement": "商家退款129元", "recovered_fen": 12900}),
    ] {
        let (s, v) = app
            .post_as(&format!("/api/v1/cases/{no}/actions"), &med, &body)
            .await;
        assert_eq!(s, 200, "{v}");
    }
    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let here = format!("/desk/cases/{no}");
    let page = desk.get(&here).await;
    assert!(
        page.body.contains("待投诉人确认、待经营者确认"),
        "{}",
        page.body
    );
    assert!(page.body.contains("signed-agreement"), "the upload form");
    assert_eq!(unlabelled(&page.body), Vec::<String>::new());
    let csrf = hidden(&page.body, "csrf");
    let document_id = hidden(&page.body, "document_id");
    let post = format!("{here}/signed-agreement");

    // Nothing chosen: the page again, saying so.
    let empty = desk
        .post_multipart(
            &post,
            &[("csrf", &csrf), ("document_id", &document_id)],
            vec![("evidence", "", Vec::new())],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("请先选择双方签字的纸质调解书扫描件"));

    let done = desk
        .post_multipart(
            &post,
            &[("csrf", &csrf), ("document_id", &document_id)],
            vec![("evidence", "签字调解书.png", common::PNG.to_vec())],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = desk.get(&here).await;
    assert!(
        page.body.contains("已上传双方签字的纸质调解书"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("签字调解书.png"),
        "listed with the case's files"
    );
    assert!(!page.body.contains("signed-agreement\""), "asked for once");
}

on_both_backends!(the_desk_uploads_the_signed_paper_copy);

async fn documents_of(app: &TestApp, no: &str, med: &str) -> serde_json::Value {
    let path = format!("/api/v1/cases/{no}/documents");
    app.get_as(&path, med).await.1["items"].clone()
}

/// A correction on the desk chooses the document from the case's list (by title and number),
/// never by a typed id; the replaced one is no longer offered.
async fn the_desk_corrects_a_document_chosen_from_its_list(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let (no, _) = app.file_complaint().await;
    for body in [
        json!({"action": "accept"}),
        json!({"action": "settle", "agreement": "商家退款129元", "recovered_fen": 12900}),
    ] {
        let (s, v) = app
            .post_as(&format!("/api/v1/cases/{no}/actions"), &med, &body)
            .await;
        assert_eq!(s, 200, "{v}");
    }
    let docs = documents_of(&app, &no, &med).await;
    let agreement = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "mediation_agreement")
        .unwrap()
        .clone();
    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let here = format!("/desk/cases/{no}");
    let page = desk.get(&here).await;
    let option = format!(
        "<option value=\"{}\">调解书（{}）</option>",
        agreement["id"],
        agreement["number"].as_str().unwrap()
    );
    assert!(page.body.contains(&option), "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let id = agreement["id"].to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("action", "correct_document"),
        ("document_id", id.as_str()),
        ("reason", "协议金额笔误"),
    ];
    let done = desk.post(&format!("{here}/actions"), &form).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let docs = documents_of(&app, &no, &med).await;
    let newest = docs.as_array().unwrap().last().unwrap().clone();
    assert_eq!(newest["replaces"], agreement["number"], "{docs}");
    let page = desk.get(&here).await;
    assert!(
        !page.body.contains(&option),
        "the replaced one is not offered again"
    );
    assert!(page.body.contains(newest["number"].as_str().unwrap()));
}

on_both_backends!(the_desk_corrects_a_document_chosen_from_its_list);
