//! A small city with known answers: complaints and reports moved through the workflow at
//! pinned times, including quarter boundaries, a transfer, a merge and an ODR settlement.

use chrono::{DateTime, TimeZone, Utc};
use odrdesk::clock::china_offset;
use serde_json::{Value, json};

use crate::common::accounts::PASSWORD;
use crate::common::{TestApp, read, sample_complaint, sample_report};

pub const RESPONDENT_USCC: &str = "91440703MA4UJ5QX2U";
pub const ADMIN: &str = "admin@jm.gov.cn";
pub const MEDIATOR: &str = "med@jm.gov.cn";
pub const ENTERPRISE: &str = "desk@meiyan.cn";
/// The city's unified intake unit (统一接收机构).
pub const DISPATCHER: &str = "dispatch@jm.gov.cn";
pub const AS_OF: &str = "2026-11-20";

/// China time.
pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    china_offset()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid time")
        .with_timezone(&Utc)
}

pub fn morning(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    at(y, m, d, 10, 0)
}

/// Signs in at the test clock's current time (sessions expire as the clock moves on).
pub async fn token(app: &TestApp, email: &str) -> String {
    app.login_token(email, PASSWORD).await
}

#[derive(Clone, Copy)]
pub struct Complaint<'a> {
    pub district: &'a str,
    pub category: &'a str,
    pub nature: &'a str,
    pub online: bool,
    pub odr: bool,
    /// A different complainant phone for each case unless a duplicate is meant.
    pub phone: &'a str,
    pub uscc: Option<&'a str>,
}

/// Files a complaint at `when`; returns its case number and tracking token.
pub async fn complaint(app: &TestApp, when: DateTime<Utc>, c: Complaint<'_>) -> (String, String) {
    app.set_now(when);
    let mut body = sample_complaint();
    let bought = (when - chrono::Duration::days(5)).date_naive();
    body["purchase"] = json!({"date": bought, "amount_fen": 12900, "online": c.online});
    body["respondent"]["district"] = json!(c.district);
    body["respondent"]["uscc"] = c.uscc.map_or(Value::Null, |u| json!(u));
    if c.uscc.is_none() {
        body["respondent"]["name"] = json!(format!("江门市{}某商行", c.district));
    }
    body["complainant"]["phone"] = json!(c.phone);
    body["category"] = json!(c.category);
    body["nature"] = json!(c.nature);
    body["prefer_odr"] = json!(c.odr);
    app.file(&body).await
}

pub async fn report(app: &TestApp, when: DateTime<Utc>) -> String {
    app.set_now(when);
    let (s, v) = app.post_json("/api/v1/reports", &sample_report()).await;
    assert_eq!(s, 201, "{v}");
    v["case_no"].as_str().expect("case_no").to_owned()
}

pub async fn act(app: &TestApp, when: DateTime<Utc>, email: &str, case_no: &str, body: Value) {
    app.set_now(when);
    let t = token(app, email).await;
    let res = app
        .client
        .post(app.url(&format!("/api/v1/cases/{case_no}/actions")))
        .bearer_auth(&t)
        .json(&body)
        .send()
        .await
        .expect("request");
    let (s, v) = read(res).await;
    assert_eq!(s, 200, "{case_no} {body} → {v}");
}

/// Case numbers of the Q3 2026 fixture, by letter.
pub struct Fixture {
    pub settled: String,
    pub merged: String,
    pub cross_quarter_in: String,
    pub cross_quarter_out: String,
}

/// Builds the fixture; the expected figures are spelled out in `figures.rs`.
pub async fn build(app: &TestApp) -> Fixture {
    app.set_now(morning(2025, 6, 1));
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    app.add_user(ADMIN, "admin", &[], None).await;
    app.add_user(MEDIATOR, "mediator", &["440703", "440705", "440781"], None)
        .await;
    app.add_user(ENTERPRISE, "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    app.add_user(DISPATCHER, "dispatcher", &[], None).await;
    let plain = |district, category, nature, phone| Complaint {
        district,
        category,
        nature,
        online: false,
        odr: false,
        phone,
        uscc: Some(RESPONDENT_USCC),
    };

    // Earlier periods: 2025-Q3 (year on year) has 2 complaints, 2026-Q2 has 1.
    complaint(
        app,
        morning(2025, 7, 1),
        plain("440703", "goods.food", "quality", "13900000001"),
    )
    .await;
    complaint(
        app,
        morning(2025, 9, 1),
        plain("440704", "goods.food", "price", "13900000002"),
    )
    .await;
    complaint(
        app,
        morning(2026, 5, 11),
        plain("440703", "goods.food", "price", "13900000003"),
    )
    .await;

    // A: cosmetics, online, adverse reaction; accepted on time, settled with 129.00 yuan.
    app.set_now(morning(2026, 7, 6));
    let mut body = sample_complaint();
    body["purchase"] = json!({"date": "2026-07-01", "amount_fen": 12900, "online": true});
    body["complainant"]["phone"] = json!("13900000010");
    body["adverse_reaction"] = json!({"onset_date": "2026-07-03", "symptoms": "面部红肿瘙痒",
        "body_site": "面部", "severity": "general"});
    let (s, v) = app.post_json("/api/v1/complaints", &body).await;
    assert_eq!(s, 201, "{v}");
    let a = v["case_no"].as_str().expect("case_no").to_owned();
    act(
        app,
        morning(2026, 7, 8),
        MEDIATOR,
        &a,
        json!({"action": "submit_referral"}),
    )
    .await;
    act(
        app,
        morning(2026, 7, 8),
        MEDIATOR,
        &a,
        json!({"action": "accept"}),
    )
    .await;
    act(
        app,
        morning(2026, 7, 20),
        MEDIATOR,
        &a,
        json!({"action": "settle", "agreement": "退货退款", "recovered_fen": 12900}),
    )
    .await;

    // B: make-up, accepted late (due 15 July), mediation terminated.
    let (b, _) = complaint(
        app,
        morning(2026, 7, 6),
        plain(
            "440703",
            "goods.cosmetics.makeup",
            "false_advertising",
            "13900000011",
        ),
    )
    .await;
    act(
        app,
        morning(2026, 7, 20),
        MEDIATOR,
        &b,
        json!({"action": "accept"}),
    )
    .await;
    act(
        app,
        morning(2026, 7, 27),
        MEDIATOR,
        &b,
        json!({"action": "terminate", "reason": "party_absent"}),
    )
    .await;

    // C: food, returned by 蓬江 to the city's unified intake unit, dispatched to 新会 and
    // accepted there (Order 121 Art. 41); mediation overdue by November.
    let (c, _) = complaint(
        app,
        morning(2026, 7, 10),
        plain("440703", "goods.food", "quality", "13900000012"),
    )
    .await;
    act(
        app,
        morning(2026, 7, 13),
        MEDIATOR,
        &c,
        json!({"action": "return_to_dispatcher", "reason": "实际经营地在新会区"}),
    )
    .await;
    act(
        app,
        morning(2026, 7, 13),
        DISPATCHER,
        &c,
        json!({"action": "dispatch", "bureau": "440705"}),
    )
    .await;
    act(
        app,
        morning(2026, 7, 14),
        MEDIATOR,
        &c,
        json!({"action": "accept"}),
    )
    .await;

    // D: the same complainant as A again, merged into A: not counted twice.
    let (d, _) = complaint(
        app,
        morning(2026, 7, 13),
        Complaint {
            phone: "13900000010",
            ..plain("440703", "goods.cosmetics.skincare", "quality", "")
        },
    )
    .await;
    act(
        app,
        morning(2026, 7, 14),
        MEDIATOR,
        &d,
        json!({"action": "merge_into", "case_no": a}),
    )
    .await;

    // E: ODR, answered by the business and accepted by the consumer two working days later.
    let (e, e_token) = complaint(
        app,
        morning(2026, 8, 3),
        Complaint {
            odr: true,
            ..plain(
                "440703",
                "goods.cosmetics.skincare",
                "after_sales",
                "13900000013",
            )
        },
    )
    .await;
    act(
        app,
        morning(2026, 8, 4),
        ENTERPRISE,
        &e,
        json!({"action": "odr_answer", "proposal": "全额退款"}),
    )
    .await;
    app.set_now(morning(2026, 8, 5));
    let res = app
        .client
        .post(app.url(&format!("/api/v1/cases/{e}/actions")))
        .header("X-Tracking-Token", &e_token)
        .json(&json!({"action": "consumer_accept"}))
        .send()
        .await
        .expect("request");
    let (s, v) = read(res).await;
    assert_eq!(s, 200, "{v}");

    // F: 23:30 on 30 September China time is still Q3; never decided, overdue by November.
    let (f, _) = complaint(
        app,
        at(2026, 9, 30, 23, 30),
        Complaint {
            online: true,
            uscc: None,
            ..plain("440781", "goods.electronics", "quality", "13900000014")
        },
    )
    .await;
    // G: 07:00 on 1 October China time (still 30 September in UTC) belongs to Q4.
    let (g, _) = complaint(
        app,
        at(2026, 10, 1, 7, 0),
        plain("440703", "goods.food", "quality", "13900000015"),
    )
    .await;

    // Reports: one not opened on time, one left undecided past its limit.
    let r1 = report(app, morning(2026, 7, 7)).await;
    act(
        app,
        morning(2026, 7, 10),
        MEDIATOR,
        &r1,
        json!({"action": "not_open", "reason": "证据不足"}),
    )
    .await;
    report(app, morning(2026, 8, 10)).await;

    Fixture {
        settled: a,
        merged: d,
        cross_quarter_in: f,
        cross_quarter_out: g,
    }
}
