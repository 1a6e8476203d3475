//! The 调解书 after a mediated settlement (Order 121 Art. 24): confirmed on line by both
//! parties, or recorded as a paper copy signed by both; none when performed at once; and
//! corrections, which replace a document and must be confirmed afresh.

use serde_json::{Value, json};

use super::common::{Backend, PNG, TestApp};
use super::documents::documents;
use super::*;

const OTHER_USCC: &str = "91440705MA51XK7Q3K";

struct Parties {
    app: TestApp,
    med: String,
    shop: String,
    case_no: String,
    token: String,
}

/// A complaint against the sample business, accepted by a mediator of its bureau, with the
/// business's own account.
async fn in_mediation(backend: &Backend) -> Parties {
    let app = TestApp::spawn(backend).await;
    mediator(&app).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    let shop = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let (case_no, token) = app.file(&common::sample_complaint()).await;
    let med = relogin(&app, "med@jm.gov.cn").await;
    step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "accept"}),
    )
    .await;
    Parties {
        app,
        med,
        shop,
        case_no,
        token,
    }
}

async fn settle(p: &Parties, form: &str) {
    let body = json!({"action": "settle", "agreement": "商家退款129元并赔偿医疗费", "recovered_fen": 25800, "agreement_form": form});
    assert_eq!(
        step(&p.app, &p.case_no, Who::Bearer(&p.med), body).await,
        "settled"
    );
}

async fn agreement(p: &Parties, who: Who<'_>) -> Value {
    let (s, v) = view(&p.app, &p.case_no, who).await;
    assert_eq!(s, 200, "{v}");
    v["agreement"].clone()
}

fn offered(v: &Value, action: &str) -> bool {
    v["allowed_actions"]
        .as_array()
        .is_some_and(|a| a.contains(&json!(action)))
}

async fn events(p: &Parties, kind: &str) -> Vec<Value> {
    let (_, v) = p
        .app
        .get_as(&format!("/api/v1/cases/{}/events", p.case_no), &p.med)
        .await;
    v["events"]
        .as_array()
        .or(v.as_array())
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

fn refusal_message(v: &Value) -> String {
    v.to_string()
}

async fn both_parties_confirm_the_agreement_on_line(backend: Backend) {
    let p = in_mediation(&backend).await;
    settle(&p, "written").await;
    let docs = documents(&p.app, &p.case_no, Who::Tracking(&p.token)).await;
    let doc = docs
        .iter()
        .find(|d| d["kind"] == "mediation_agreement")
        .expect("a 调解书")
        .clone();
    let id = doc["id"].as_i64().unwrap();
    let state = agreement(&p, Who::Bearer(&p.med)).await;
    assert_eq!(state["status"], "awaiting_both", "{state}");
    assert_eq!(state["document_id"], id);
    assert_eq!(state["number"], doc["number"]);

    // The consumer, by tracking token, sees the button and confirms exactly that text.
    let (_, mine) = view(&p.app, &p.case_no, Who::Tracking(&p.token)).await;
    assert!(offered(&mine, "confirm_agreement"), "{mine}");
    let confirm = json!({"action": "confirm_agreement", "document_id": id});
    step(&p.app, &p.case_no, Who::Tracking(&p.token), confirm.clone()).await;
    let state = agreement(&p, Who::Bearer(&p.shop)).await;
    assert_eq!(state["label"], "待经营者确认", "{state}");
    let (_, mine) = view(&p.app, &p.case_no, Who::Tracking(&p.token)).await;
    assert!(!offered(&mine, "confirm_agreement"));

    // A second confirmation by the same party is refused, and says why.
    let (s, v) = act(&p.app, &p.case_no, Who::Tracking(&p.token), confirm.clone()).await;
    assert_eq!(s, 422, "{v}");
    assert!(
        refusal_message(&v).contains("投诉人已确认过本调解书，不能重复确认"),
        "{v}"
    );

    // Another business cannot reach the case at all.
    p.app
        .add_enterprise(OTHER_USCC, "江门市新会某公司", "440705", false);
    let other = p
        .app
        .add_user("other@example.com", "enterprise", &[], Some(OTHER_USCC))
        .await;
    let (s, _) = act(&p.app, &p.case_no, Who::Bearer(&other), confirm.clone()).await;
    assert_eq!(s, 404);

    // The business, by its account.
    let (_, theirs) = view(&p.app, &p.case_no, Who::Bearer(&p.shop)).await;
    assert!(offered(&theirs, "confirm_agreement"), "{theirs}");
    step(&p.app, &p.case_no, Who::Bearer(&p.shop), confirm.clone()).await;
    let state = agreement(&p, Who::Tracking(&p.token)).await;
    assert_eq!(state["status"], "confirmed_online", "{state}");
    assert!(
        state["label"]
            .as_str()
            .unwrap()
            .starts_with("双方已在线确认（"),
        "{state}"
    );
    let (s, v) = act(&p.app, &p.case_no, Who::Bearer(&p.shop), confirm).await;
    assert_eq!(s, 422);
    assert!(
        refusal_message(&v).contains("经营者已确认过本调解书"),
        "{v}"
    );

    // Each confirmation is logged with the document and the hash of its text.
    let logged = events(&p, "confirm_agreement").await;
    assert_eq!(logged.len(), 2);
    let roles: Vec<&str> = logged
        .iter()
        .map(|e| e["actor_role"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(roles, ["consumer", "enterprise"]);
    for e in &logged {
        assert_eq!(e["payload"]["document_id"], id, "{e}");
        assert_eq!(e["payload"]["sha256"], doc["sha256"], "{e}");
    }
}

on_both_backends!(both_parties_confirm_the_agreement_on_line);

async fn upload_signed(p: &Parties, id: i64, who: Who<'_>) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("签字调解书.png");
    let form = reqwest::multipart::Form::new().part("file", part);
    let req = p
        .app
        .client
        .post(p.app.url(&format!(
            "/api/v1/cases/{}/documents/{id}/signed",
            p.case_no
        )))
        .multipart(form);
    let req = match who {
        Who::Bearer(t) => req.bearer_auth(t),
        Who::Tracking(t) => req.header("X-Tracking-Token", t),
    };
    common::read(req.send().await.expect("upload")).await
}

async fn the_signed_paper_copy_is_recorded_with_its_scan(backend: Backend) {
    let p = in_mediation(&backend).await;
    settle(&p, "written").await;
    let state = agreement(&p, Who::Bearer(&p.med)).await;
    let id = state["document_id"].as_i64().expect("a 调解书");
    let (_, staff) = view(&p.app, &p.case_no, Who::Bearer(&p.med)).await;
    assert!(offered(&staff, "record_signed_agreement"), "{staff}");

    // Only staff upload it.
    let (s, _) = upload_signed(&p, id, Who::Bearer(&p.shop)).await;
    assert!(s == 403 || s == 404, "{s}");
    let (s, v) = upload_signed(&p, id, Who::Bearer(&p.med)).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["agreement"]["status"], "signed_on_paper", "{v}");
    assert_eq!(v["agreement"]["label"], "已上传双方签字的纸质调解书");
    let scan = v["agreement"]["signed_attachment_id"]
        .as_i64()
        .expect("scan");
    assert!(
        v["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == scan),
        "{v}"
    );
    let logged = events(&p, "record_signed_agreement").await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["payload"]["document_id"], id);
    assert_eq!(logged[0]["payload"]["attachment_id"], scan);

    // The parties need not confirm it any more; a second upload is refused.
    let state = agreement(&p, Who::Tracking(&p.token)).await;
    assert_eq!(state["status"], "signed_on_paper");
    assert!(state["signed_attachment_id"].is_null(), "{state}");
    let (s, v) = act(
        &p.app,
        &p.case_no,
        Who::Tracking(&p.token),
        json!({"action": "confirm_agreement", "document_id": id}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(refusal_message(&v).contains("无需在线确认"), "{v}");
    let (s, v) = upload_signed(&p, id, Who::Bearer(&p.med)).await;
    assert_eq!(s, 422, "{v}");
}

on_both_backends!(the_signed_paper_copy_is_recorded_with_its_scan);

async fn performed_at_once_issues_no_agreement(backend: Backend) {
    let p = in_mediation(&backend).await;
    settle(&p, "performed_at_once").await;
    let docs = documents(&p.app, &p.case_no, Who::Bearer(&p.med)).await;
    assert!(
        docs.iter().all(|d| d["kind"] != "mediation_agreement"),
        "{docs:?}"
    );
    for who in [
        Who::Bearer(&p.med),
        Who::Bearer(&p.shop),
        Who::Tracking(&p.token),
    ] {
        let state = agreement(&p, who).await;
        assert_eq!(state["status"], "performed_at_once", "{state}");
        assert_eq!(state["label"], "当场履行完毕，不制作调解书");
        assert!(state["document_id"].is_null());
    }
    let (_, mine) = view(&p.app, &p.case_no, Who::Tracking(&p.token)).await;
    assert!(!offered(&mine, "confirm_agreement"));
    let (s, v) = act(
        &p.app,
        &p.case_no,
        Who::Tracking(&p.token),
        json!({"action": "confirm_agreement", "document_id": 1}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        refusal_message(&v).contains("本案没有待确认的调解书"),
        "{v}"
    );
}

on_both_backends!(performed_at_once_issues_no_agreement);

async fn a_correction_replaces_a_document_and_is_confirmed_afresh(backend: Backend) {
    let p = in_mediation(&backend).await;
    settle(&p, "written").await;
    let before = documents(&p.app, &p.case_no, Who::Tracking(&p.token)).await;
    let old = before
        .iter()
        .find(|d| d["kind"] == "mediation_agreement")
        .unwrap()
        .clone();
    let old_id = old["id"].as_i64().unwrap();
    let old_html_path = format!("/api/v1/cases/{}/documents/{old_id}", p.case_no);
    let old_html = p
        .app
        .client
        .get(p.app.url(&old_html_path))
        .bearer_auth(&p.med);
    let old_html = old_html.send().await.unwrap().text().await.unwrap();
    step(
        &p.app,
        &p.case_no,
        Who::Tracking(&p.token),
        json!({"action": "confirm_agreement", "document_id": old_id}),
    )
    .await;

    // Only the kind's own fields may change.
    let (s, v) = act(
        &p.app,
        &p.case_no,
        Who::Bearer(&p.med),
        json!({"action": "correct_document", "document_id": old_id, "reason": "金额笔误",
               "fields": {"case_no": "TS-2026-999999"}}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert!(refusal_message(&v).contains("不能更正"), "{v}");
    // The parties may not correct anything.
    let (s, _) = act(
        &p.app,
        &p.case_no,
        Who::Tracking(&p.token),
        json!({"action": "correct_document", "document_id": old_id, "reason": "笔误"}),
    )
    .await;
    assert_eq!(s, 409);
    step(
        &p.app,
        &p.case_no,
        Who::Bearer(&p.med),
        json!({"action": "correct_document", "document_id": old_id, "reason": "金额笔误",
               "fields": {"terms": "商家退款129元并赔偿医疗费100元", "amount": "贰佰贰拾玖元整"}}),
    )
    .await;

    let after = documents(&p.app, &p.case_no, Who::Tracking(&p.token)).await;
    let old_now = after.iter().find(|d| d["id"] == old_id).unwrap();
    let new = after
        .iter()
        .find(|d| d["replaces"] == old["number"])
        .unwrap_or_else(|| panic!("no correction in {after:?}"));
    assert_ne!(new["number"], old["number"]);
    assert_eq!(old_now["replaced_by"], new["number"]);
    assert_eq!(
        old_now["sha256"], old["sha256"],
        "the old one stays as issued"
    );
    let (_, html) = p
        .app
        .get_as(&format!("/api/v1/cases/{}/events", p.case_no), &p.med)
        .await;
    assert!(html.to_string().contains("correct_document"));
    let new_path = format!("/api/v1/cases/{}/documents/{}", p.case_no, new["id"]);
    let req = p.app.client.get(p.app.url(&new_path)).bearer_auth(&p.med);
    let new_html = req.send().await.unwrap().text().await.unwrap();
    let cited = format!("本文书更正并取代{}", old["number"].as_str().unwrap());
    assert!(new_html.contains(&cited), "{new_html}");
    assert!(new_html.contains("赔偿医疗费100元"));
    assert!(new_html.contains("张三"), "common fields carried over");
    let old_again = p
        .app
        .client
        .get(p.app.url(&old_html_path))
        .bearer_auth(&p.med);
    let old_again = old_again.send().await.unwrap().text().await.unwrap();
    assert_eq!(old_again, old_html);

    // The check of the old printed copy says it was replaced.
    let code = old["verify_code"].as_str().unwrap();
    let (s, v) = common::read(
        p.app
            .client
            .get(p.app.url(&format!("/api/v1/verify/{code}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["replaced_by"], new["number"]);

    // The corrected text is confirmed afresh; the earlier confirmation does not count.
    let state = agreement(&p, Who::Tracking(&p.token)).await;
    assert_eq!(state["status"], "awaiting_both", "{state}");
    assert_eq!(state["document_id"], new["id"]);
    let (s, v) = act(
        &p.app,
        &p.case_no,
        Who::Tracking(&p.token),
        json!({"action": "confirm_agreement", "document_id": old_id}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(refusal_message(&v).contains("不是本案现行的调解书"), "{v}");
    // A replaced document is not corrected again.
    let (s, v) = act(
        &p.app,
        &p.case_no,
        Who::Bearer(&p.med),
        json!({"action": "correct_document", "document_id": old_id, "reason": "再改"}),
    )
    .await;
    assert_eq!(s, 422);
    assert!(refusal_message(&v).contains("已由"), "{v}");
}

on_both_backends!(a_correction_replaces_a_document_and_is_confirmed_afresh);
