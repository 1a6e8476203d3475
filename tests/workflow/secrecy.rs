//! Order 121 Art. 37: a report, and how it is handled, stays secret from the reported
//! business. Similar cases and merges stay inside the caller's districts.

use std::time::Duration;

use serde_json::{Value, json};

use super::common::{Backend, TestApp, sample_complaint, sample_report};
use super::*;

const MISSING_REPORT: &str = "JB-2026-999999";
const MISSING_COMPLAINT: &str = "TS-2026-999999";

async fn the_reported_business(app: &TestApp) -> String {
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await
}

async fn report_against_the_business(app: &TestApp) -> String {
    let mut report = sample_report();
    report["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": RESPONDENT_USCC, "district": "440703"});
    report["place"] = json!({"district": "440703"});
    let (s, r) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(s, 201, "{r}");
    r["case_no"].as_str().unwrap().to_owned()
}

/// What the business gets for `case_no` on every case endpoint: (status, body) each.
async fn business_answers(app: &TestApp, firm: &str, case_no: &str) -> Vec<(u16, Value)> {
    vec![
        view(app, case_no, Who::Bearer(firm)).await,
        app.get_as(&format!("/api/v1/cases/{case_no}/events"), firm)
            .await,
        act(
            app,
            case_no,
            Who::Bearer(firm),
            json!({"action": "odr_answer", "proposal": "退款"}),
        )
        .await,
        act(
            app,
            case_no,
            Who::Bearer(firm),
            json!({"action": "message", "to": "mediator", "text": "请告知"}),
        )
        .await,
    ]
}

async fn the_business_cannot_tell_a_report_from_a_missing_number(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let firm = the_reported_business(&app).await;
    let report = report_against_the_business(&app).await;
    let (s, _) = view(&app, &report, Who::Bearer(&firm)).await;
    assert_eq!(s, 404, "the business must not find the report {report}");
    assert_eq!(
        business_answers(&app, &firm, &report).await,
        business_answers(&app, &firm, MISSING_REPORT).await,
        "a report answers exactly like a number that does not exist"
    );
    let (s, list) = app.get_as("/api/v1/enterprise/cases", &firm).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"], json!([]));
}

async fn a_counterfeit_complaint_shows_the_business_only_the_complaint(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let firm = the_reported_business(&app).await;
    let med = mediator(&app).await;
    let mut complaint = sample_complaint();
    complaint["nature"] = json!("counterfeit");
    let (complaint, _) = app.file(&complaint).await;
    let (_, staff_view) = view(&app, &complaint, Who::Bearer(&med)).await;
    let report = staff_view["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "linked_report")
        .and_then(|l| l["case_no"].as_str())
        .unwrap_or_else(|| panic!("a counterfeit complaint opens a report: {staff_view}"))
        .to_owned();

    let (s, seen) = view(&app, &complaint, Who::Bearer(&firm)).await;
    assert_eq!(s, 200, "{seen}");
    let text = seen.to_string();
    assert!(
        !text.contains(&report) && !text.contains("linked_report"),
        "the complaint names its report to the business: {text}"
    );
    assert_eq!(
        business_answers(&app, &firm, &report).await,
        business_answers(&app, &firm, MISSING_REPORT).await
    );
    let (_, list) = app.get_as("/api/v1/enterprise/cases", &firm).await;
    let listed: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["case_no"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [complaint.as_str()], "{list}");
    assert!(!list.to_string().contains(&report), "{list}");
}

async fn merging_into_another_bureaus_case_is_merging_into_no_case(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let (own, _) = app.file(&sample_complaint()).await;
    let (elsewhere, _) = app.file(&in_xinhui(sample_complaint())).await;
    let (s, v) = view(&app, &elsewhere, Who::Bearer(&med)).await;
    assert_eq!(s, 404, "the mediator must not see {elsewhere}: {v}");
    let merge = |target: &str| json!({"action": "merge_into", "case_no": target});
    let unknown = act(&app, &own, Who::Bearer(&med), merge(MISSING_COMPLAINT)).await;
    assert_eq!(unknown.0, 422, "{}", unknown.1);
    let invisible = act(&app, &own, Who::Bearer(&med), merge(&elsewhere)).await;
    assert_eq!(
        invisible, unknown,
        "an invisible target answers like an unknown one"
    );
    let (_, after) = view(&app, &own, Who::Bearer(&med)).await;
    assert_ne!(after["state"], "merged", "{after}");
}

fn in_xinhui(mut complaint: Value) -> Value {
    complaint["respondent"]["district"] = json!("440705");
    complaint["respondent"]["address"] = json!("江门市新会区会城某路2号");
    complaint
}

/// Waits until the search index holds `expected` cases.
async fn wait_indexed(app: &TestApp, token: &str, expected: u64) {
    for _ in 0..600 {
        let (_, v) = app.get_as("/api/v1/search?limit=1", token).await;
        if v["total"].as_u64() == Some(expected) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the index never held {expected} cases");
}

async fn similar_cases_never_name_another_bureaus_case(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let admin = app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let (own, _) = app.file(&sample_complaint()).await;
    let (own_twin, _) = app.file(&sample_complaint()).await;
    let (elsewhere, _) = app.file(&in_xinhui(sample_complaint())).await;
    wait_indexed(&app, &admin, 3).await;
    let (s, all) = app.get_as(&format!("/api/v1/similar/{own}"), &admin).await;
    assert_eq!(s, 200, "{all}");
    assert!(
        all.to_string().contains(&elsewhere),
        "city-wide staff see it: {all}"
    );
    let (s, scoped) = app.get_as(&format!("/api/v1/similar/{own}"), &med).await;
    assert_eq!(s, 200, "{scoped}");
    assert!(scoped.to_string().contains(&own_twin), "{scoped}");
    assert!(
        !scoped.to_string().contains(&elsewhere),
        "a mediator of 440703 is shown a case of 440705: {scoped}"
    );
    let page = app.get_text_as(&format!("/desk/cases/{own}"), &med).await;
    assert!(page.contains(&own_twin), "the desk panel lists the twin");
    assert!(
        !page.contains(&elsewhere),
        "the desk panel names {elsewhere}"
    );
}

crate::on_both_backends!(
    the_business_cannot_tell_a_report_from_a_missing_number,
    a_counterfeit_complaint_shows_the_business_only_the_complaint,
    merging_into_another_bureaus_case_is_merging_into_no_case,
    similar_cases_never_name_another_bureaus_case,
);
