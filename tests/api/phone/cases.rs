//! What a phone session opens: the number's cases, and a fresh 查询码 for one.

use diesel::prelude::*;
use odrdesk::store::schema::{case_events, case_parties, cases, work_orders};
use serde_json::json;

use super::{FILER, complaint_by, get_bearer, post_bearer, session_for};
use crate::common::binary::run_on;
use crate::common::{Backend, TestApp, sample_report};
use crate::on_both_backends;

async fn the_list_holds_every_case_filed_with_the_number_and_no_other(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (first, _) = app.file(&complaint_by(FILER, "面膜过敏")).await;
    let (_, _) = app.file(&complaint_by("13900139001", "别人的投诉")).await;
    let mut report = sample_report();
    report["reporter"] = json!({"name": "王五", "phone": FILER});
    let (status, body) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(status, 201, "{body}");
    let reported = body["case_no"].as_str().unwrap().to_owned();
    // A case where the number is the business's, not the filer's, is not theirs.
    let (against, _) = app.file(&complaint_by("13900139002", "商家电话")).await;
    let against_id: i64 = cases::table
        .filter(cases::case_no.eq(&against))
        .select(cases::id)
        .first(&mut app.db())
        .unwrap();
    diesel::update(
        case_parties::table
            .filter(case_parties::case_id.eq(against_id))
            .filter(case_parties::role.eq("respondent")),
    )
    .set(case_parties::phone.eq(FILER))
    .execute(&mut app.db())
    .unwrap();
    // A 12315 work order with the number, imported: its code was never given to anyone.
    let file = app.data_dir().join("orders.csv");
    std::fs::write(
        &file,
        "\u{feff}登记编号,类型,企业名称,企业地址,诉求内容,问题类别,登记时间,投诉人,联系电话,投诉人地址\n\
         P-1,投诉,某店,江门市新会区会城,面霜过敏,护肤品 质量,2026-11-19 10:30,张三,138 0013 8000,江门市江海区\n",
    )
    .unwrap();
    let out = run_on(&app, &["workorders", "import", file.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported: String = cases::table
        .inner_join(work_orders::table)
        .select(cases::case_no)
        .first(&mut app.db())
        .unwrap();

    let token = session_for(&app, FILER).await;
    let (status, body) = get_bearer(&app, "/api/v1/phone/cases", &token).await;
    assert_eq!(status, 200, "{body}");
    let mut listed: Vec<String> = body["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_no"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    let mut want = vec![first.clone(), reported, imported];
    want.sort();
    assert_eq!(listed, want);
    let text = body.to_string();
    assert!(!text.contains(FILER), "phones are masked: {text}");
    assert!(text.contains("138****8000"), "{text}");
    assert!(
        !text.contains("别人的投诉") && !text.contains("商家电话"),
        "{text}"
    );
    for staff_only in ["description", "assignee", "tracking_token_hash", "flags"] {
        assert!(!text.contains(staff_only), "{staff_only} in {text}");
    }

    // Without a session, nothing.
    let (status, _) = get_bearer(&app, "/api/v1/phone/cases", &"0".repeat(64)).await;
    assert_eq!(status, 401);
    let (status, _) = app.get("/api/v1/phone/cases").await;
    assert_eq!(status, 401);
}

async fn a_fresh_tracking_code_opens_the_case_and_the_old_one_stops(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (mine, old) = app.file(&complaint_by(FILER, "面膜过敏")).await;
    let (theirs, _) = app.file(&complaint_by("13900139001", "别人的投诉")).await;
    let token = session_for(&app, FILER).await;
    let path = format!("/api/v1/phone/cases/{mine}/tracking-code");
    let (status, body) = post_bearer(&app, &path, &token).await;
    assert_eq!(status, 200, "{body}");
    let fresh = body["token"].as_str().unwrap().to_owned();
    assert_eq!(app.track(&mine, &fresh).await.0, 200);
    assert_eq!(app.track(&mine, &old).await.0, 404, "the old code stops");
    // The case's log records it, without personal data.
    let id: i64 = cases::table
        .filter(cases::case_no.eq(&mine))
        .select(cases::id)
        .first(&mut app.db())
        .unwrap();
    let (kind, payload): (String, String) = case_events::table
        .filter(case_events::case_id.eq(id))
        .order(case_events::case_seq.desc())
        .select((case_events::kind, case_events::payload))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(kind, "tracking_code_reissued");
    assert!(!payload.contains("138"), "{payload}");
    // Someone else's case, or no case, is not found.
    let other = format!("/api/v1/phone/cases/{theirs}/tracking-code");
    assert_eq!(post_bearer(&app, &other, &token).await.0, 404);
    let none = "/api/v1/phone/cases/TS-2026-999999/tracking-code";
    assert_eq!(post_bearer(&app, none, &token).await.0, 404);
    // The session ends after half an hour.
    super::pass(&app, 31 * 60);
    assert_eq!(post_bearer(&app, &path, &token).await.0, 401);
}

async fn a_case_gets_three_fresh_tracking_codes_a_day(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (mine, _) = app.file(&complaint_by(FILER, "面膜过敏")).await;
    let token = session_for(&app, FILER).await;
    let path = format!("/api/v1/phone/cases/{mine}/tracking-code");
    for _ in 0..3 {
        let (status, body) = post_bearer(&app, &path, &token).await;
        assert_eq!(status, 200, "{body}");
        super::pass(&app, 60);
    }
    let res = app
        .client
        .post(app.url(&path))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("重试"), "{body}");
    let reissued: i64 = case_events::table
        .filter(case_events::kind.eq("tracking_code_reissued"))
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(reissued, 3, "a refused try logs nothing");
    // A day after the first, one more fits.
    super::pass(&app, 24 * 3600 - 3 * 60 + 1);
    let token = session_for(&app, FILER).await;
    assert_eq!(post_bearer(&app, &path, &token).await.0, 200);
}

on_both_backends!(
    the_list_holds_every_case_filed_with_the_number_and_no_other,
    a_fresh_tracking_code_opens_the_case_and_the_old_one_stops,
    a_case_gets_three_fresh_tracking_codes_a_day,
);
