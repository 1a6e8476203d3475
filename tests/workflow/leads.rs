//! Order 121 Art. 27: a lead found while mediating a complaint (of any nature) opens a report
//! of its own, verified within 15 working days of the day it was found. Neither the business
//! nor the complainant learns of it (Art. 37), and ending the mediation does not end it.

use serde_json::json;

use super::common::{Backend, TestApp, china_morning, sample_complaint};
use super::mail::{pool, rows};
use super::*;

const LEAD: &str = "调解中发现该店货架另有过期面膜在售";

async fn a_lead_found_in_mediation_opens_a_report_the_parties_never_see(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let med = mediator(&app).await;
    // A quality complaint: not counterfeit, so intake opened no report.
    let (complaint, token) = app.file(&sample_complaint()).await;
    let lead = |detail: &str| json!({"action": "open_lead_report", "detail": detail});
    let (s, _) = act(&app, &complaint, Who::Bearer(&med), lead(LEAD)).await;
    assert_eq!(s, 409, "only while mediating");
    step(
        &app,
        &complaint,
        Who::Bearer(&med),
        json!({"action": "accept"}),
    )
    .await;
    // Found on Wed 2026-11-25.
    app.set_now(china_morning(2026, 11, 25));
    let med = relogin(&app, "med@jm.gov.cn").await;
    let firm_token = relogin(&app, "shop@example.com").await;
    let page = app
        .get_text_as(&format!("/desk/cases/{complaint}"), &med)
        .await;
    assert!(page.contains("登记调解中发现的违法线索"), "{page}");
    let (s, v) = act(&app, &complaint, Who::Bearer(&med), lead(" ")).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "detail");
    assert_eq!(
        step(&app, &complaint, Who::Bearer(&med), lead(LEAD)).await,
        "in_mediation"
    );

    let (_, v) = view(&app, &complaint, Who::Bearer(&med)).await;
    let link = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "lead_report")
        .unwrap_or_else(|| panic!("no lead report in {v}"));
    let report = link["case_no"].as_str().unwrap().to_owned();
    assert!(report.starts_with("JB-2026-"), "{report}");
    let (s, r) = view(&app, &report, Who::Bearer(&med)).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["kind"].as_str(), r["state"].as_str()),
        (Some("report"), Some("pending_verification"))
    );
    assert_eq!(r["received_date"], "2026-11-25");
    assert_eq!(r["description"], LEAD);
    assert!(
        r["title"].as_str().unwrap().contains("调解中发现的线索"),
        "{r}"
    );
    assert!(
        !r.to_string().contains("张三") && !r.to_string().contains("13800138000"),
        "{r}"
    );
    let verification = clock(&r, "verification");
    // 15 working days from Wed 2026-11-25.
    assert_eq!(verification["started"], "2026-11-25");
    assert_eq!(verification["due"], "2026-12-16");
    let desk = app
        .get_text_as(&format!("/desk/cases/{complaint}"), &med)
        .await;
    assert!(desk.contains(&format!("另立举报 {report}")), "{desk}");

    // The business and the complainant see nothing of it.
    let (_, seen) = view(&app, &complaint, Who::Bearer(&firm_token)).await;
    let (_, tracked) = view(&app, &complaint, Who::Tracking(&token)).await;
    for answer in [&seen, &tracked] {
        let text = answer.to_string();
        assert!(!text.contains(&report) && !text.contains("线索"), "{text}");
    }
    let (s, _) = view(&app, &report, Who::Bearer(&firm_token)).await;
    assert_eq!(s, 404);
    let page = app
        .get_text_as(&format!("/enterprise/cases/{complaint}"), &firm_token)
        .await;
    assert!(!page.contains(&report) && !page.contains("线索"), "{page}");
    let mail = rows(&pool(&app)).await;
    assert!(
        mail.iter().all(|m| !m.subject.contains(&report)
            && !m.body.contains(&report)
            && !m.body.contains("线索")),
        "{mail:?}"
    );

    // Settling the complaint leaves the report to its verification.
    let settle = json!({"action": "settle", "agreement": "退货退款", "recovered_fen": 12900});
    assert_eq!(
        step(&app, &complaint, Who::Bearer(&med), settle).await,
        "settled"
    );
    let (_, r) = view(&app, &report, Who::Bearer(&med)).await;
    assert_eq!(r["state"], "pending_verification");
    assert!(clock(&r, "verification")["ended"].is_null(), "{r}");
}

on_both_backends!(a_lead_found_in_mediation_opens_a_report_the_parties_never_see);

/// Staff may name the complainant while writing the lead down; the report keeps only what
/// concerns the business.
async fn a_lead_never_carries_the_complainants_name_or_number(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let (complaint, _) = app.file(&sample_complaint()).await;
    step(
        &app,
        &complaint,
        Who::Bearer(&med),
        json!({"action": "accept"}),
    )
    .await;
    let detail = "张三（13800138000）反映该店另有过期面膜在售";
    step(
        &app,
        &complaint,
        Who::Bearer(&med),
        json!({"action": "open_lead_report", "detail": detail}),
    )
    .await;
    let (_, v) = view(&app, &complaint, Who::Bearer(&med)).await;
    let report = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "lead_report")
        .and_then(|l| l["case_no"].as_str())
        .unwrap_or_else(|| panic!("no lead report in {v}"))
        .to_owned();
    let (_, r) = view(&app, &report, Who::Bearer(&med)).await;
    let text = r["description"].as_str().unwrap_or_default();
    assert!(text.contains("另有过期面膜在售"), "{r}");
    assert!(
        !text.contains("张三") && !text.contains("13800138000"),
        "{text}"
    );
}

on_both_backends!(a_lead_never_carries_the_complainants_name_or_number);
