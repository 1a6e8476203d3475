//! An ODR business's own system on the case API with its API key: it lists, reads and answers
//! its complaints without our pages; a report is "not found" exactly like a number that does
//! not exist; another business's key sees nothing of it; a revoked key is refused; a key
//! manages neither keys nor the webhook.

use serde_json::{Value, json};

use super::common::{Backend, TestApp, read, sample_report};
use super::webhooks::odr_business;
use super::{RESPONDENT_USCC, Who, odr_complaint, view};
use crate::on_both_backends;

const OTHER_USCC: &str = "91440300MA5F0HX9XR";

async fn new_key(app: &TestApp, session: &str) -> (i64, String) {
    let (s, v) = app
        .post_as(
            "/api/v1/enterprise/api-keys",
            session,
            &json!({"label": "客服系统"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let key = v["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("odk_"), "{v}");
    (v["id"].as_i64().unwrap(), key)
}

async fn answer(app: &TestApp, case_no: &str, key: &str, body: Value) -> (u16, Value) {
    super::act(app, case_no, Who::Bearer(key), body).await
}

async fn a_business_works_its_cases_with_an_api_key(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let firm = odr_business(&app).await;
    let (key_id, key) = new_key(&app, &firm).await;
    let (case_no, _) = app.file(&odr_complaint()).await;

    let (s, list) = app.get_as("/api/v1/enterprise/cases", &key).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"][0]["case_no"], case_no.as_str());
    let (s, case) = view(&app, &case_no, Who::Bearer(&key)).await;
    assert_eq!(s, 200, "{case}");
    assert_eq!(case["state"], "odr_negotiation");
    let (s, answered) = answer(
        &app,
        &case_no,
        &key,
        json!({"action": "odr_answer", "proposal": "全额退款129元"}),
    )
    .await;
    assert_eq!(s, 200, "{answered}");
    let (_, case) = view(&app, &case_no, Who::Bearer(&firm)).await;
    assert!(
        case["timeline"].to_string().contains("odr_answer"),
        "the answer is on the case: {case}"
    );

    // A report against the business: exactly as absent as a case that does not exist.
    let mut report = sample_report();
    report["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": RESPONDENT_USCC, "district": "440703"});
    let (s, filed) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(s, 201, "{filed}");
    let report_no = filed["case_no"].as_str().unwrap();
    let missing = "TS-2099-999999";
    let (s_report, body_report) = view(&app, report_no, Who::Bearer(&key)).await;
    let (s_missing, body_missing) = view(&app, missing, Who::Bearer(&key)).await;
    assert_eq!((s_report, s_missing), (404, 404));
    assert_eq!(body_report["code"], body_missing["code"]);
    let (s, _) = answer(
        &app,
        report_no,
        &key,
        json!({"action": "message", "to": "mediator", "text": "?"}),
    )
    .await;
    assert_eq!(s, 404);
    let (_, list) = app.get_as("/api/v1/enterprise/cases", &key).await;
    assert!(!list.to_string().contains(report_no), "{list}");

    // Another business's key sees nothing of this one's complaint.
    app.add_enterprise(OTHER_USCC, "深圳市别家有限公司", "440703", true);
    let other = app
        .add_user("other@example.com", "enterprise", &[], Some(OTHER_USCC))
        .await;
    let (_, other_key) = new_key(&app, &other).await;
    let (s, _) = view(&app, &case_no, Who::Bearer(&other_key)).await;
    assert_eq!(s, 404);
    let (s, _) = answer(
        &app,
        &case_no,
        &other_key,
        json!({"action": "message", "to": "complainant", "text": "hi"}),
    )
    .await;
    assert_eq!(s, 404);

    // A key manages neither keys nor the webhook.
    let (s, _) = app
        .post_as("/api/v1/enterprise/api-keys", &key, &json!({}))
        .await;
    assert_eq!(s, 403);
    let (s, _) = app.get_as("/api/v1/enterprise/integration", &key).await;
    assert_eq!(s, 403);

    // Revoked: refused from then on.
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/enterprise/api-keys/{key_id}")))
        .bearer_auth(&firm)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 204);
    let (s, _) = app.get_as("/api/v1/enterprise/cases", &key).await;
    assert_eq!(s, 401);
    let (s, _) = view(&app, &case_no, Who::Bearer(&key)).await;
    assert_eq!(s, 401);
    // Another business cannot revoke this one's keys.
    let (other_id, _) = new_key(&app, &firm).await;
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/enterprise/api-keys/{other_id}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(read(res).await.0, 404);
}

async fn a_key_is_rate_limited(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let firm = odr_business(&app).await;
    let (_, key) = new_key(&app, &firm).await;
    let mut statuses = Vec::new();
    for _ in 0..125 {
        statuses.push(app.get_as("/api/v1/enterprise/cases", &key).await.0);
    }
    assert!(statuses[..120].iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(statuses[120..], [429; 5]);
    // The session is not counted against the key.
    assert_eq!(app.get_as("/api/v1/enterprise/cases", &firm).await.0, 200);
}

/// Made-up keys from one address are counted before any lookup: guessing is slow, and the
/// address is refused even with a real key for the rest of the minute.
async fn guessing_keys_from_one_address_is_refused(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let firm = odr_business(&app).await;
    let (_, key) = new_key(&app, &firm).await;
    let mut statuses = Vec::new();
    for n in 0..305u32 {
        let guess = format!("odk_{:064x}", u64::from(n) * 7919 + 1);
        statuses.push(app.get_as("/api/v1/enterprise/cases", &guess).await.0);
    }
    assert!(statuses[..300].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[300..], [429; 5]);
    assert_eq!(app.get_as("/api/v1/enterprise/cases", &key).await.0, 429);
}

/// An account holds at most ten unrevoked keys, and the desk lists every one of them.
async fn an_account_holds_at_most_ten_keys(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let firm = odr_business(&app).await;
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(new_key(&app, &firm).await.0);
    }
    let (s, v) = app
        .post_as(
            "/api/v1/enterprise/api-keys",
            &firm,
            &json!({"label": "多余"}),
        )
        .await;
    assert_eq!(
        (s, v["fields"][0]["code"].as_str()),
        (422, Some("too_many_keys")),
        "{v}"
    );
    assert!(
        v["fields"][0]["message"].as_str().unwrap().contains("最多"),
        "{v}"
    );
    // Revoking one makes room for another.
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/enterprise/api-keys/{}", ids[0])))
        .bearer_auth(&firm)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 204);
    let (newest, _) = new_key(&app, &firm).await;
    let (s, v) = app.get_as("/api/v1/enterprise/integration", &firm).await;
    assert_eq!(s, 200, "{v}");
    let active: Vec<i64> = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["revoked_at"].is_null())
        .map(|k| k["id"].as_i64().unwrap())
        .collect();
    let mut want: Vec<i64> = ids[1..].to_vec();
    want.push(newest);
    want.reverse();
    assert_eq!(active, want);
}

/// Registering an endpoint (which resolves its name) is limited per account.
async fn webhook_registration_is_rate_limited(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let firm = odr_business(&app).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let res = app
            .client
            .put(app.url("/api/v1/enterprise/webhook"))
            .bearer_auth(&firm)
            .json(&json!({"url": "https://127.0.0.1:9/hook"}))
            .send()
            .await
            .unwrap();
        statuses.push(read(res).await.0);
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429]);
}

on_both_backends!(
    a_business_works_its_cases_with_an_api_key,
    a_key_is_rate_limited,
    guessing_keys_from_one_address_is_refused,
    an_account_holds_at_most_ten_keys,
    webhook_registration_is_rate_limited,
);
