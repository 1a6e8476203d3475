//! Joint complaints (Order 121 Art. 12): complaints against one business join with their
//! complainants' consent, choose one or two representatives, and settle with the consent of
//! those represented. Other complainants' cases stay out of the parties' views.

use serde_json::{Value, json};

use super::common::{Backend, TestApp, sample_complaint};
use super::*;

async fn complaint_from(app: &TestApp, phone: &str, respondent: Option<&str>) -> (String, String) {
    let mut body = sample_complaint();
    body["complainant"]["phone"] = json!(phone);
    if let Some(name) = respondent {
        body["respondent"] =
            json!({"name": name, "district": "440703", "address": "江门市蓬江区某路2号"});
    }
    app.file(&body).await
}

fn field(v: &Value) -> (&str, &str) {
    (
        v["fields"][0]["field"].as_str().unwrap_or_default(),
        v["fields"][0]["code"].as_str().unwrap_or_default(),
    )
}

async fn complaints_join_choose_representatives_and_settle_with_consent(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    let med = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    let (a, a_token) = complaint_from(&app, "13800000001", None).await;
    let (b, _) = complaint_from(&app, "13800000002", None).await;
    let (c, _) = complaint_from(&app, "13800000003", None).await;
    let (other, _) = complaint_from(&app, "13800000004", Some("江门市另一家商行")).await;
    let join =
        |to: &str, consent: bool| json!({"action": "join_into", "case_no": to, "consent": consent});
    assert_eq!(
        step(&app, &a, Who::Bearer(&med), json!({"action": "accept"})).await,
        "in_mediation"
    );
    // Choosing representatives is offered only once others have joined.
    let (_, v) = view(&app, &a, Who::Bearer(&med)).await;
    assert!(v["joint"].is_null(), "{v}");
    assert!(
        !v["allowed_actions"]
            .to_string()
            .contains("set_representatives"),
        "{v}"
    );

    let (s, v) = act(&app, &b, Who::Bearer(&med), join(&a, false)).await;
    assert_eq!(
        (s, field(&v)),
        (422, ("consent", "consent_required")),
        "{v}"
    );
    let (s, v) = act(&app, &b, Who::Bearer(&med), join(&other, true)).await;
    assert_eq!(
        (s, field(&v)),
        (422, ("case_no", "different_business")),
        "{v}"
    );
    let (s, v) = act(&app, &b, Who::Bearer(&med), join(&b, true)).await;
    assert_eq!((s, field(&v)), (422, ("case_no", "unknown_case")), "{v}");
    assert_eq!(
        step(&app, &b, Who::Bearer(&med), join(&a, true)).await,
        "merged"
    );
    assert_eq!(
        step(&app, &c, Who::Bearer(&med), join(&a, true)).await,
        "merged"
    );
    // The joint complaint cannot itself join another.
    let (s, v) = act(&app, &a, Who::Bearer(&med), join(&other, true)).await;
    assert_eq!((s, field(&v)), (422, ("case_no", "already_joint")), "{v}");

    let reps = |first: &str, second: &str| json!({"action": "set_representatives", "first": first, "second": second});
    let (s, v) = act(&app, &a, Who::Bearer(&med), reps(&b, &other)).await;
    assert_eq!((s, field(&v)), (422, ("second", "not_a_member")), "{v}");
    let (s, _) = act(&app, &a, Who::Bearer(&med), reps(&b, &c)).await;
    assert_eq!(s, 200);
    let (_, v) = view(&app, &a, Who::Bearer(&med)).await;
    assert_eq!(v["joint"]["members"], json!([a, b, c]), "{v}");
    assert_eq!(v["joint"]["representatives"], json!([b, c]), "{v}");

    // A representative's settlement needs the consent of those represented.
    let settle = |consent: bool| {
        json!({"action": "settle", "agreement": "三人均退货退款", "recovered_fen": 38700,
               "represented_consent": consent})
    };
    let (s, v) = act(&app, &a, Who::Bearer(&med), settle(false)).await;
    assert_eq!(
        (s, field(&v)),
        (422, ("represented_consent", "represented_consent_required")),
        "{v}"
    );
    assert_eq!(
        step(&app, &a, Who::Bearer(&med), settle(true)).await,
        "settled"
    );
    let page = app.get_text_as(&format!("/desk/cases/{a}"), &med).await;
    assert!(page.contains("被代表的投诉人已同意"), "{page}");
    assert!(page.contains(&format!("代表人：{b}、{c}")), "{page}");

    // The complainant of the joint case sees neither the other complainants' case numbers
    // nor who represents them.
    let (s, mine) = view(&app, &a, Who::Tracking(&a_token)).await;
    assert_eq!(s, 200);
    let text = mine.to_string();
    assert!(!text.contains(&b) && !text.contains(&c), "{text}");
    let business = app
        .add_user("desk@meiyan.cn", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let (s, theirs) = view(&app, &a, Who::Bearer(&business)).await;
    assert_eq!(s, 200, "{theirs}");
    let text = theirs.to_string();
    assert!(!text.contains(&b) && !text.contains(&c), "{text}");

    // An ordinary complaint settles without that consent.
    assert_eq!(
        step(&app, &other, Who::Bearer(&med), json!({"action": "accept"})).await,
        "in_mediation"
    );
    assert_eq!(
        step(&app, &other, Who::Bearer(&med), settle(false)).await,
        "settled"
    );
}

async fn the_desk_asks_for_consent_with_a_checkbox(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    let (a, _) = complaint_from(&app, "13800000001", None).await;
    let page = app.get_text_as(&format!("/desk/cases/{a}"), &med).await;
    assert!(page.contains("并入共同投诉"), "{page}");
    assert!(
        page.contains(
            r#"<input type="checkbox" id="join_into-consent" name="consent" value="yes""#
        ),
        "{page}"
    );
    // Not before others have joined.
    assert!(!page.contains("确定共同投诉代表人"), "{page}");
}

crate::on_both_backends!(
    complaints_join_choose_representatives_and_settle_with_consent,
    the_desk_asks_for_consent_with_a_checkbox,
);
