//! Order 121 Art. 34 and 35: a repeated report is recorded and not handled again, a report
//! with new facts merges into the earlier one and restarts its verification, and a report the
//! bureau has no competence for is answered with where to go. The reporter is told; the
//! reported business learns nothing.

use serde_json::{Value, json};

use super::common::{Backend, TestApp, china_morning, sample_complaint, sample_report};
use super::mail::{confirm_address, pool, rows};
use super::*;

const FIRM: &str = "江门市美颜化妆品有限公司";
const REPORTER_EMAIL: &str = "li@example.com";
const BUSINESS_EMAIL: &str = "service@example.com";

/// A report by 李四 against the registered business (which has a mail address).
fn report_by_li() -> Value {
    let mut report = sample_report();
    report["reporter"] = json!({"name": "李四", "phone": "13900139000", "email": REPORTER_EMAIL});
    report["respondent"] = json!({"name": FIRM, "uscc": RESPONDENT_USCC, "district": "440703"});
    report["place"] = json!({"district": "440703", "address": "蓬江区港口路8号"});
    report
}

/// A report against another business of the same district.
fn report_on_another_business() -> Value {
    let mut report = report_by_li();
    report["respondent"] = json!({"name": "江门市某美容院", "district": "440703"});
    report
}

async fn file(app: &TestApp, report: &Value) -> String {
    let (s, r) = app.post_json("/api/v1/reports", report).await;
    assert_eq!(s, 201, "{r}");
    r["case_no"].as_str().unwrap().to_owned()
}

/// Opens the link in the acknowledgement of `case_no`, so that its reporter gets mail.
async fn confirm_reporter(app: &TestApp, case_no: &str) {
    let ack = rows(&pool(app))
        .await
        .into_iter()
        .find(|m| m.to_addr == REPORTER_EMAIL && m.subject.contains(case_no))
        .unwrap_or_else(|| panic!("no acknowledgement of {case_no}"));
    confirm_address(app, &ack.body).await;
}

/// The mail queued for the reporter about `case_no` after the acknowledgement.
async fn told(app: &TestApp, case_no: &str) -> String {
    let all = rows(&pool(app)).await;
    assert!(
        all.iter().all(|m| m.to_addr != BUSINESS_EMAIL),
        "the business got mail about a report: {all:?}"
    );
    let notice = all
        .iter()
        .find(|m| {
            m.to_addr == REPORTER_EMAIL
                && m.subject
                    .ends_with(&format!("举报处理情况告知（编号 {case_no}）"))
        })
        .unwrap_or_else(|| panic!("the reporter was not told about {case_no}: {all:?}"));
    notice.body.clone()
}

fn issue(v: &Value) -> (&str, &str) {
    (
        v["fields"][0]["field"].as_str().unwrap_or_default(),
        v["fields"][0]["code"].as_str().unwrap_or_default(),
    )
}

async fn a_repeated_report_is_recorded_and_not_handled_again(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, FIRM, "440703", false);
    let med = mediator(&app).await;
    let first = file(&app, &report_by_li()).await;
    let again = file(&app, &report_by_li()).await;
    let elsewhere = file(&app, &report_on_another_business()).await;
    confirm_reporter(&app, &again).await;
    let (complaint, _) = app.file(&sample_complaint()).await;
    // Intake links the same phone's earlier report against the same business for the desk.
    let (_, v) = view(&app, &again, Who::Bearer(&med)).await;
    assert_eq!(v["links"][0]["case_no"], first.as_str(), "{v}");
    assert_eq!(v["links"][0]["relation"], "possible_repeat", "{v}");
    let (_, v) = view(&app, &elsewhere, Who::Bearer(&med)).await;
    assert_eq!(v["links"], json!([]), "another business: {v}");
    let page = app.get_text_as(&format!("/desk/cases/{again}"), &med).await;
    assert!(page.contains("认定为重复举报"), "{page}");
    assert!(
        page.contains(&format!(
            "{first}</a><span class=\"sub\">可能重复的此前举报"
        )),
        "the desk suggests the earlier report: {page}"
    );
    assert!(page.contains("此前举报编号"), "{page}");

    let repeat = |no: &str| json!({"action": "mark_repeated", "case_no": no});
    let (s, v) = act(&app, &again, Who::Bearer(&med), repeat(" ")).await;
    assert_eq!((s, issue(&v)), (422, ("case_no", "required")), "{v}");
    let (s, v) = act(&app, &again, Who::Bearer(&med), repeat("JB-2026-999999")).await;
    assert_eq!((s, issue(&v)), (422, ("case_no", "unknown_case")), "{v}");
    let (s, v) = act(&app, &again, Who::Bearer(&med), repeat(&complaint)).await;
    assert_eq!((s, issue(&v)), (422, ("case_no", "unknown_case")), "{v}");
    let (s, v) = act(&app, &again, Who::Bearer(&med), repeat(&elsewhere)).await;
    assert_eq!((s, issue(&v)), (422, ("case_no", "other_business")), "{v}");
    // A complaint is no report: the step is not offered there.
    let (s, v) = act(&app, &complaint, Who::Bearer(&med), repeat(&first)).await;
    assert_eq!(s, 409, "{v}");

    let body = json!({"action": "mark_repeated", "case_no": first, "detail": "同一举报人就同一事实再次举报"});
    assert_eq!(
        step(&app, &again, Who::Bearer(&med), body).await,
        "repeated"
    );
    let (_, v) = view(&app, &again, Who::Bearer(&med)).await;
    assert_eq!(v["state_label"], "重复举报，不再重复处理");
    assert_eq!(clock(&v, "verification")["verdict"], "timely", "{v}");
    let links: Vec<(&str, &str)> = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["case_no"].as_str().unwrap(),
                l["relation"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(links.contains(&(first.as_str(), "repeat_of")), "{v}");
    // The earlier report goes on as it was.
    let (_, earlier) = view(&app, &first, Who::Bearer(&med)).await;
    assert_eq!(earlier["state"], "pending_verification");
    let mail = told(&app, &again).await;
    assert!(
        mail.contains("不再重复处理") && mail.contains(&first),
        "{mail}"
    );
    assert!(!mail.contains("13900139000"), "{mail}");
}

async fn a_report_with_new_facts_restarts_the_earlier_ones_verification(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, FIRM, "440703", false);
    let med = mediator(&app).await;
    // Received Fri 2026-11-20: due 2026-12-11.
    let first = file(&app, &report_by_li()).await;
    let (_, v) = view(&app, &first, Who::Bearer(&med)).await;
    assert_eq!(clock(&v, "verification")["due"], "2026-12-11");
    let elsewhere = file(&app, &report_on_another_business()).await;
    app.set_now(china_morning(2026, 11, 27));
    let med = relogin(&app, "med@jm.gov.cn").await;
    let mut more = report_by_li();
    more["description"] = json!("补充：该店仓库另存有大量无中文标签的同款精华液。");
    let later = file(&app, &more).await;
    let merge = |no: &str| json!({"action": "merge_report", "case_no": no});
    let (s, v) = act(&app, &later, Who::Bearer(&med), merge(&elsewhere)).await;
    assert_eq!((s, issue(&v)), (422, ("case_no", "other_business")), "{v}");
    assert_eq!(
        step(&app, &later, Who::Bearer(&med), merge(&first)).await,
        "merged"
    );

    // The earlier report verifies afresh from Fri 2026-11-27: 15 working days is 2026-12-18.
    let (_, v) = view(&app, &first, Who::Bearer(&med)).await;
    assert_eq!(v["state"], "pending_verification");
    let verification = clock(&v, "verification");
    assert_eq!(verification["started"], "2026-11-27", "{v}");
    assert_eq!(verification["due"], "2026-12-18", "{v}");
    let (_, q) = app.get_as("/api/v1/queue", &med).await;
    let item = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_no"] == first.as_str())
        .unwrap();
    assert_eq!(item["due"], "2026-12-18", "{q}");
    let page = app.get_text_as(&format!("/desk/cases/{first}"), &med).await;
    assert!(
        page.contains(&format!("并入 {later}，核查期限自 2026-11-27 起重新计算")),
        "{page}"
    );

    // Only a report still being verified takes in another.
    let open = json!({"action": "open_case"});
    assert_eq!(
        step(&app, &first, Who::Bearer(&med), open).await,
        "case_opened"
    );
    let last = file(&app, &report_by_li()).await;
    let (s, v) = act(&app, &last, Who::Bearer(&med), merge(&first)).await;
    assert_eq!((s, issue(&v)), (422, ("case_no", "not_pending")), "{v}");
    assert!(
        rows(&pool(&app))
            .await
            .iter()
            .all(|m| m.to_addr != BUSINESS_EMAIL)
    );
}

async fn a_report_outside_our_competence_is_answered_with_where_to_go(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, FIRM, "440703", false);
    let med = mediator(&app).await;
    let no = file(&app, &report_by_li()).await;
    confirm_reporter(&app, &no).await;
    let refer =
        |to: &str| json!({"action": "refer_reporter", "where": to, "detail": "涉嫌非法行医"});
    let (s, v) = act(&app, &no, Who::Bearer(&med), refer("  ")).await;
    assert_eq!((s, issue(&v)), (422, ("where", "required")), "{v}");
    let (complaint, _) = app.file(&sample_complaint()).await;
    let (s, v) = act(
        &app,
        &complaint,
        Who::Bearer(&med),
        refer("江门市卫生健康局"),
    )
    .await;
    assert_eq!(s, 409, "a complaint is not referred this way: {v}");

    assert_eq!(
        step(&app, &no, Who::Bearer(&med), refer("江门市卫生健康局")).await,
        "referred_elsewhere"
    );
    let (_, v) = view(&app, &no, Who::Bearer(&med)).await;
    assert_eq!(v["state_label"], "告知向有权机关举报");
    assert!(
        v["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["ended"].is_null()),
        "{v}"
    );
    let mail = told(&app, &no).await;
    assert!(mail.contains("请您向江门市卫生健康局举报"), "{mail}");
    assert!(mail.contains("涉嫌非法行医"), "{mail}");
}

on_both_backends!(
    a_repeated_report_is_recorded_and_not_handled_again,
    a_report_with_new_facts_restarts_the_earlier_ones_verification,
    a_report_outside_our_competence_is_answered_with_where_to_go,
);
