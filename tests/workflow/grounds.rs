//! Grounds per policy version (Order 20 vs Order 121), identity proof by a date, and the
//! police referral of Order 121 Art. 42, over the API on pinned dates.

use serde_json::{Value, json};

use super::common::{Backend, TestApp, china_morning, sample_complaint};
use super::*;

/// A complaint filed on China date 2026-`m`-`d`, bought five days before.
async fn filed_on(app: &TestApp, (m, d): (u32, u32)) -> (String, String) {
    app.set_now(china_morning(2026, m, d));
    let mut complaint = sample_complaint();
    let bought = chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap() - chrono::Days::new(5);
    complaint["purchase"]["date"] = json!(bought.to_string());
    app.file(&complaint).await
}

fn codes(view: &Value, list: &str) -> Vec<String> {
    view["grounds"][list]
        .as_array()
        .unwrap_or_else(|| panic!("no grounds.{list} in {view}"))
        .iter()
        .map(|g| g["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The issue of a 422 answer: (field, code).
fn issue(answer: &Value) -> (String, String) {
    let i = &answer["fields"][0];
    (
        i["field"].as_str().unwrap_or_default().to_owned(),
        i["code"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn each_case_offers_and_takes_only_its_own_version_grounds(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    mediator(&app).await;
    let (old, _) = filed_on(&app, (3, 2)).await;
    let (new, _) = filed_on(&app, (5, 6)).await;
    let staff = relogin(&app, "med@jm.gov.cn").await;
    let (_, old_view) = view(&app, &old, Who::Bearer(&staff)).await;
    let (_, new_view) = view(&app, &new, Who::Bearer(&staff)).await;
    assert_eq!(old_view["policy_version"], "samr-order-20", "{old_view}");
    assert!(!codes(&old_view, "not_accept").contains(&"identity_unverified".into()));
    assert!(!codes(&old_view, "termination").contains(&"party_deceased".into()));
    assert!(codes(&new_view, "termination").contains(&"party_deceased".into()));
    assert_eq!(
        new_view["grounds"]["termination"][8]["basis"], "第121号令第二十三条第七项",
        "{new_view}"
    );

    for no in [&old, &new] {
        step(&app, no, Who::Bearer(&staff), json!({"action": "accept"})).await;
    }
    let deceased = json!({"action": "terminate", "reason": "party_deceased"});
    let (s, answer) = act(&app, &old, Who::Bearer(&staff), deceased.clone()).await;
    assert_eq!(s, 422, "{answer}");
    assert_eq!(issue(&answer), ("reason".into(), "not_in_policy".into()));
    let state = step(&app, &new, Who::Bearer(&staff), deceased).await;
    assert_eq!(state, "mediation_terminated");
    // Order 20's testing-body ground stays with Order 20 cases.
    let fees = json!({"action": "terminate", "reason": "no_testing_agreement"});
    assert_eq!(
        step(&app, &old, Who::Bearer(&staff), fees).await,
        "mediation_terminated"
    );
}

async fn an_identity_request_lapses_into_a_not_accept_ground(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    mediator(&app).await;
    let (no, code) = filed_on(&app, (5, 6)).await;
    let (answered, answered_code) = filed_on(&app, (5, 6)).await;
    // The complainant proves the address, so the notice may be mailed.
    let pool = super::mail::pool(&app);
    let ack = super::mail::rows(&pool)
        .await
        .into_iter()
        .find(|r| r.subject.contains(&no))
        .expect("acknowledgement");
    super::mail::confirm_address(&app, &ack.body).await;
    app.set_now(china_morning(2026, 5, 8));
    let staff = relogin(&app, "med@jm.gov.cn").await;
    let ask =
        json!({"action": "request_identity", "due": "2026-05-15", "detail": "请提供身份证复印件"});
    for n in [&no, &answered] {
        assert_eq!(
            step(&app, n, Who::Bearer(&staff), ask.clone()).await,
            "pending_acceptance"
        );
    }
    let notice = super::mail::rows(&pool)
        .await
        .into_iter()
        .find(|r| r.subject.contains("限期提供身份证明材料通知") && r.subject.contains(&no))
        .expect("the identity notice is mailed");
    assert!(notice.body.contains("2026年5月15日"), "{}", notice.body);
    let (_, staff_view) = view(&app, &no, Who::Bearer(&staff)).await;
    assert_eq!(staff_view["identity_request"]["due"], "2026-05-15");
    let (_, mine) = view(&app, &no, Who::Tracking(&code)).await;
    assert_eq!(mine["identity_request"]["due"], "2026-05-15", "{mine}");
    assert!(
        mine.to_string()
            .contains("请于 2026-05-15 前提供身份证明材料")
    );
    assert!(!codes(&staff_view, "not_accept").contains(&"identity_unverified".into()));

    // The complainant answers one of them.
    let given = json!({"action": "provide_identity", "detail": "已邮寄身份证复印件"});
    step(&app, &answered, Who::Tracking(&answered_code), given).await;

    let unverified = json!({"action": "not_accept", "reason": "identity_unverified"});
    // On the last day the request still runs.
    app.set_now(china_morning(2026, 5, 15));
    let staff = relogin(&app, "med@jm.gov.cn").await;
    let (s, answer) = act(&app, &no, Who::Bearer(&staff), unverified.clone()).await;
    assert_eq!(s, 422, "{answer}");
    assert_eq!(
        issue(&answer),
        ("reason".into(), "identity_not_expired".into())
    );

    app.set_now(china_morning(2026, 5, 18));
    let staff = relogin(&app, "med@jm.gov.cn").await;
    let (_, lapsed) = view(&app, &no, Who::Bearer(&staff)).await;
    assert!(codes(&lapsed, "not_accept").contains(&"identity_unverified".into()));
    let (s, answer) = act(&app, &answered, Who::Bearer(&staff), unverified.clone()).await;
    assert_eq!(
        (s, issue(&answer).1.as_str()),
        (422, "identity_not_expired")
    );
    assert_eq!(
        step(&app, &no, Who::Bearer(&staff), unverified).await,
        "not_accepted"
    );
}

async fn a_police_referral_stays_with_the_bureau(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    mediator(&app).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let (no, code) = filed_on(&app, (5, 6)).await;
    app.set_now(china_morning(2026, 6, 1));
    let staff = relogin(&app, "med@jm.gov.cn").await;
    step(&app, &no, Who::Bearer(&staff), json!({"action": "accept"})).await;
    let mut fraud = json!({"action": "terminate", "reason": "fraudulent_claim", "detail": "以曝光相威胁索要五万元"});
    let (s, answer) = act(&app, &no, Who::Bearer(&staff), fraud.clone()).await;
    assert_eq!(s, 422, "{answer}");
    assert_eq!(issue(&answer), ("police_unit".into(), "required".into()));
    fraud["police_unit"] = json!("江门市公安局蓬江分局");
    fraud["referred_on"] = json!("2026-06-01");
    assert_eq!(
        step(&app, &no, Who::Bearer(&staff), fraud).await,
        "mediation_terminated"
    );

    let (_, log) = app
        .get_as(&format!("/api/v1/cases/{no}/events"), &staff)
        .await;
    let referral = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "police_referral")
        .unwrap_or_else(|| panic!("no referral in {log}"));
    assert_eq!(referral["payload"]["police_unit"], "江门市公安局蓬江分局");
    assert_eq!(referral["payload"]["detail"], "以曝光相威胁索要五万元");

    let firm = relogin(&app, "shop@example.com").await;
    let (s, theirs) = view(&app, &no, Who::Bearer(&firm)).await;
    assert_eq!(s, 200, "{theirs}");
    let (_, mine) = view(&app, &no, Who::Tracking(&code)).await;
    for (who, seen) in [("business", theirs), ("complainant", mine)] {
        let text = seen.to_string();
        for secret in ["公安", "蓬江分局", "五万元", "police"] {
            assert!(!text.contains(secret), "{who} sees {secret}: {text}");
        }
        assert!(
            text.contains("受理后发现存在第四十二条规定的情形"),
            "{who}: {text}"
        );
    }
}

on_both_backends!(
    each_case_offers_and_takes_only_its_own_version_grounds,
    an_identity_request_lapses_into_a_not_accept_ground,
    a_police_referral_stays_with_the_bureau,
);
