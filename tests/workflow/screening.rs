//! Order 121 Art. 17 screening: flags for the staff handling a complaint, from the city's
//! thresholds, and nowhere else (Art. 37; the parties, mail and analysts never see them).

use serde_json::{Value, json};

use super::common::{Backend, TestApp, sample_complaint};
use super::mail::{pool, rows};
use super::*;
use odrdesk::domain::screening::Thresholds;

const HEADLINE: &str = "疑似职业索赔";

fn complaint(name: &str, phone: &str, quantity: Option<u32>) -> Value {
    let mut c = sample_complaint();
    c["complainant"]["name"] = json!(name);
    c["complainant"]["phone"] = json!(phone);
    // One address per phone number: a shared address is its own factor.
    c["complainant"]["address"] = json!(format!("江门市蓬江区建设路{}号", &phone[7..]));
    if let Some(q) = quantity {
        c["purchase"]["quantity"] = json!(q);
    }
    c
}

async fn staff_see_art_17_factors_and_parties_do_not(backend: Backend) {
    // The city's own thresholds, lower than the defaults.
    let app = TestApp::spawn_with(&backend, |s| {
        s.screening = Thresholds {
            same_complainant_window_days: 30,
            same_complainant_min_cases: 3,
            shared_contact_min_complainants: 2,
            quantity_max: 5,
        }
    })
    .await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    let firm = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let med = mediator(&app).await;
    let analyst = app
        .add_user("analyst@jm.gov.cn", "analyst", &[], None)
        .await;

    // Five units is normal use here; six is not.
    let (normal, _) = app.file(&complaint("王五", "13700000001", Some(5))).await;
    let (bulk, bulk_token) = app.file(&complaint("王六", "13700000002", Some(6))).await;
    let (_, v) = view(&app, &normal, Who::Bearer(&med)).await;
    assert_eq!(v["screening"]["factors"], json!([]), "{v}");
    assert_eq!(v["screening"]["purchase_quantity"], 5);
    let (_, v) = view(&app, &bulk, Who::Bearer(&med)).await;
    assert_eq!(
        v["screening"]["factors"],
        json!(["unusual_quantity"]),
        "{v}"
    );

    // The same complainant's third complaint against one business, about one kind of goods
    // and one problem, within 30 days.
    app.file(&complaint("张三", "13800138000", None)).await;
    let (second, _) = app.file(&complaint("张三", "13800138000", None)).await;
    let (third, token) = app.file(&complaint("张三", "13800138000", None)).await;
    let (_, v) = view(&app, &second, Who::Bearer(&med)).await;
    assert_eq!(v["screening"], Value::Null, "below the threshold: {v}");
    let (_, v) = view(&app, &third, Who::Bearer(&med)).await;
    assert_eq!(
        v["screening"]["factors"],
        json!(["same_business", "same_goods", "same_problem"]),
        "{v}"
    );
    let headline = v["screening"]["headline"].as_str().unwrap_or_default();
    assert!(
        headline.starts_with("疑似职业索赔：同一投诉人短期内多次投诉同一经营者"),
        "{headline}"
    );
    // Another complainant with the same phone number.
    let (shared, _) = app.file(&complaint("李四", "13800138000", None)).await;
    let (_, v) = view(&app, &shared, Who::Bearer(&med)).await;
    let factors = v["screening"]["factors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(factors.contains(&json!("shared_phone")), "{v}");

    // Staff see it on the desk: the case page and the queue.
    let page = app.get_text_as(&format!("/desk/cases/{third}"), &med).await;
    assert!(page.contains(HEADLINE), "{page}");
    let (_, q) = app.get_as("/api/v1/queue", &med).await;
    let listed = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_no"] == third.as_str())
        .cloned()
        .unwrap_or_default();
    assert!(
        listed["screening"]
            .as_str()
            .unwrap_or_default()
            .starts_with(HEADLINE),
        "{q}"
    );
    let desk = app.get_text_as("/desk", &med).await;
    assert!(desk.contains(HEADLINE), "{desk}");

    // Never the parties, the analysts or the mail.
    for (no, token) in [(&third, &token), (&bulk, &bulk_token)] {
        let (s, v) = view(&app, no, Who::Tracking(token)).await;
        assert_eq!(s, 200);
        let text = v.to_string();
        assert!(
            !text.contains(HEADLINE) && !text.contains("screening"),
            "{text}"
        );
        assert!(!text.contains("unusual_quantity"), "{text}");
        let (s, v) = view(&app, no, Who::Bearer(&firm)).await;
        assert_eq!(s, 200, "{v}");
        let text = v.to_string();
        assert!(
            !text.contains(HEADLINE) && !text.contains("screening"),
            "{text}"
        );
        let page = app
            .get_text_as(&format!("/enterprise/cases/{no}"), &firm)
            .await;
        assert!(page.contains(no.as_str()), "{page}");
        assert!(!page.contains(HEADLINE), "{page}");
        let (s, v) = view(&app, no, Who::Bearer(&analyst)).await;
        assert_eq!(s, 200);
        assert_eq!(v["screening"], Value::Null, "{v}");
    }
    let (_, list) = app.get_as("/api/v1/enterprise/cases", &firm).await;
    let text = list.to_string();
    assert!(
        !text.contains(HEADLINE) && !text.contains("screening"),
        "{text}"
    );
    let enterprise_desk = app.get_text_as("/enterprise", &firm).await;
    assert!(!enterprise_desk.contains(HEADLINE), "{enterprise_desk}");
    for mail in rows(&pool(&app)).await {
        assert!(!mail.body.contains(HEADLINE), "{}", mail.body);
    }
}

/// A stated quantity must be a whole number of units.
async fn a_quantity_is_checked(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut c = sample_complaint();
    c["purchase"]["quantity"] = json!(0);
    let (s, v) = app.post_json("/api/v1/complaints", &c).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "purchase.quantity", "{v}");
}

on_both_backends!(
    staff_see_art_17_factors_and_parties_do_not,
    a_quantity_is_checked
);
