//! A quarter (2026Q3) of cosmetics businesses built through real intake and workflow steps at
//! pinned times, with scorecards worked out by hand (see `build`).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::accounts::PASSWORD;
use super::{TestApp, china_morning, read, sample_complaint, sample_report};

/// 美颜: registered, in ODR, a 放心消费承诺 unit.
pub const A_USCC: &str = "91440703MA4UJ5QX2U";
pub const A_NAME: &str = "江门市美颜化妆品有限公司";
/// 丽人: registered, no pledge.
pub const B_USCC: &str = "91440705MA51XK7Q3K";
pub const B_NAME: &str = "江门市丽人美妆有限公司";
/// A shop named without a USCC.
pub const C_NAME: &str = "=江门市某美妆店";
pub const ADMIN: &str = "admin@jm.gov.cn";
pub const ANALYST: &str = "analyst@jm.gov.cn";
pub const MEDIATOR: &str = "med@jm.gov.cn";
pub const A_DESK: &str = "desk@meiyan.cn";
pub const B_DESK: &str = "desk@liren.cn";
pub const AS_OF: &str = "2026-11-20";

pub async fn token(app: &TestApp, email: &str) -> String {
    app.login_token(email, PASSWORD).await
}

pub async fn act(app: &TestApp, when: DateTime<Utc>, email: &str, case_no: &str, body: Value) {
    app.set_now(when);
    let t = token(app, email).await;
    let (s, v) = app
        .post_as(&format!("/api/v1/cases/{case_no}/actions"), &t, &body)
        .await;
    assert_eq!(s, 200, "{case_no} {body} → {v}");
}

fn july(day: u32) -> DateTime<Utc> {
    china_morning(2026, 7, day)
}

fn complaint(uscc: Option<&str>, name: &str, category: &str, phone: &str) -> Value {
    let mut body = sample_complaint();
    body["purchase"] = json!({"date": "2026-07-01", "amount_fen": 12900, "online": false});
    body["respondent"]["uscc"] = uscc.map_or(Value::Null, |u| json!(u));
    body["respondent"]["name"] = json!(name);
    body["complainant"]["phone"] = json!(phone);
    body["category"] = json!(category);
    body
}

pub async fn report(app: &TestApp, when: DateTime<Utc>, nature: &str) -> String {
    app.set_now(when);
    let mut body = sample_report();
    body["respondent"] = json!({"name": A_NAME, "uscc": A_USCC, "district": "440705"});
    body["category"] = json!("goods.cosmetics.skincare");
    body["nature"] = json!(nature);
    let (s, v) = app.post_json("/api/v1/reports", &body).await;
    assert_eq!(s, 201, "{v}");
    v["case_no"].as_str().expect("case_no").to_owned()
}

/// Builds the quarter. Cosmetics complaints: A 3, B 1, C 1, so the sector's median is 1.
///
/// A: 3 complaints, 2 medians above the median: −20; ODR response 1/1: 0; settlement 1/2
/// (the ODR one settled, one terminated, one never accepted): −10; one counterfeit report
/// filed: −15 −10; one adverse-reaction referral: −2; commitment unit: +5 → 48, D.
/// B and C: one complaint each, nothing else → 100, A.
/// A second report against A (`open_report`) stays under verification and counts nowhere.
pub async fn build(app: &TestApp) {
    app.set_now(china_morning(2026, 6, 1));
    let admin = app.add_user(ADMIN, "admin", &[], None).await;
    let enterprise = |uscc: &str, name: &str, odr: bool, commitments: Value| {
        json!({"uscc": uscc, "name": name, "district": "440703", "odr": odr,
            "commitments": commitments})
    };
    for body in [
        enterprise(A_USCC, A_NAME, true, json!(["worry_free"])),
        enterprise(B_USCC, B_NAME, false, json!([])),
    ] {
        let (s, v) = app
            .post_as("/api/v1/admin/enterprises", &admin, &body)
            .await;
        assert!(s == 200 || s == 201, "{v}");
    }
    app.add_user(ANALYST, "analyst", &[], None).await;
    app.add_user(MEDIATOR, "mediator", &["440703", "440705"], None)
        .await;
    app.add_user(A_DESK, "enterprise", &[], Some(A_USCC)).await;
    app.add_user(B_DESK, "enterprise", &[], Some(B_USCC)).await;

    // A1: sent to A through ODR; A answers, the consumer accepts: settled.
    app.set_now(july(6));
    let mut a1 = complaint(
        Some(A_USCC),
        A_NAME,
        "goods.cosmetics.skincare",
        "13900000101",
    );
    a1["prefer_odr"] = json!(true);
    let (a1, a1_token) = app.file(&a1).await;
    act(
        app,
        july(8),
        A_DESK,
        &a1,
        json!({"action": "odr_answer", "proposal": "全额退款"}),
    )
    .await;
    app.set_now(july(10));
    let res = app
        .client
        .post(app.url(&format!("/api/v1/cases/{a1}/actions")))
        .header("X-Tracking-Token", &a1_token)
        .json(&json!({"action": "consumer_accept"}))
        .send()
        .await
        .expect("request");
    let (s, v) = read(res).await;
    assert_eq!(s, 200, "{v}");

    // A2: accepted, mediation terminated.
    app.set_now(july(6));
    let (a2, _) = app
        .file(&complaint(
            Some(A_USCC),
            A_NAME,
            "goods.cosmetics.makeup",
            "13900000102",
        ))
        .await;
    act(app, july(8), MEDIATOR, &a2, json!({"action": "accept"})).await;
    act(
        app,
        july(20),
        MEDIATOR,
        &a2,
        json!({"action": "terminate", "reason": "party_absent"}),
    )
    .await;

    // A3: a skin reaction, referred; never accepted.
    app.set_now(july(7));
    let mut a3 = complaint(
        Some(A_USCC),
        A_NAME,
        "goods.cosmetics.skincare",
        "13900000103",
    );
    a3["adverse_reaction"] = json!({"onset_date": "2026-07-03", "symptoms": "面部红肿瘙痒",
        "body_site": "面部", "severity": "general"});
    app.file(&a3).await;

    // B1 and C1: one complaint each.
    app.set_now(july(9));
    app.file(&complaint(
        Some(B_USCC),
        B_NAME,
        "goods.cosmetics.perfume",
        "13900000104",
    ))
    .await;
    app.file(&complaint(
        None,
        C_NAME,
        "goods.cosmetics.haircare_dye",
        "13900000105",
    ))
    .await;
    // A food complaint against B: not in the scorecard.
    app.file(&complaint(
        Some(B_USCC),
        B_NAME,
        "goods.food",
        "13900000106",
    ))
    .await;

    // A counterfeit report against A, filed as a case.
    let filed = report(app, july(7), "counterfeit").await;
    act(
        app,
        july(15),
        MEDIATOR,
        &filed,
        json!({"action": "open_case"}),
    )
    .await;
    app.set_now(china_morning(2026, 11, 20));
}

/// A report against A received in the quarter and left under verification; returns its
/// case number. The clock is back at `AS_OF` afterwards.
pub async fn open_report(app: &TestApp) -> String {
    let open = report(app, july(8), "counterfeit").await;
    app.set_now(china_morning(2026, 11, 20));
    open
}
