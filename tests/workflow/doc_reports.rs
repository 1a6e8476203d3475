//! The documents between the city's unified intake unit and the bureaus (分送、退回, staff
//! only, naming no complainant or reporter), and a report's notices to its reporter on both
//! orders, which never reach the reported business (Order 121 Art. 37).

use serde_json::{Value, json};

use super::common::{Backend, TestApp, china_morning, sample_complaint, sample_report};
use super::doc_complaints::{Expected, Ledger, ORDERS, Order, check};
use super::documents::{document_html, documents, get};
use super::*;

const MISSING_REPORT: &str = "JB-2026-999999";

/// A report against the sample business, by 李四, filed through /api/v1/reports.
async fn report(app: &TestApp, district: &str) -> (String, String) {
    let mut report = sample_report();
    report["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": RESPONDENT_USCC, "district": district});
    report["place"] = json!({"district": district, "address": "某商场一楼"});
    report["reporter"] = json!({"name": "李四", "phone": "13912345678", "email": "li@example.com"});
    let (s, r) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(s, 201, "{r}");
    (
        r["case_no"].as_str().unwrap().to_owned(),
        r["tracking_token"].as_str().unwrap().to_owned(),
    )
}

/// What the business gets for the documents of `case_no`: the list, and document `id`.
async fn business_gets(app: &TestApp, firm: &str, case_no: &str, id: &Value) -> Vec<(u16, String)> {
    vec![
        get(
            app,
            &format!("/api/v1/cases/{case_no}/documents"),
            Who::Bearer(firm),
        )
        .await,
        document_html(app, case_no, id, Who::Bearer(firm)).await,
    ]
}

/// The routing documents of a case: staff read them; neither party does.
async fn staff_only(
    app: &TestApp,
    case_no: &str,
    token: &str,
    firm: &str,
    staff: &str,
) -> Vec<Value> {
    assert!(
        documents(app, case_no, Who::Tracking(token))
            .await
            .is_empty()
    );
    let (s, list) = get(
        app,
        &format!("/api/v1/cases/{case_no}/documents"),
        Who::Bearer(firm),
    )
    .await;
    assert!(s == 404 || list.contains("\"items\":[]"), "{s} {list}");
    documents(app, case_no, Who::Bearer(staff)).await
}

async fn the_unit_and_the_bureaus_exchange_notices_among_staff(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    let shop = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let penjiang = mediator(&app).await;
    let xinhui = app
        .add_user("xh@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    let unit = app
        .add_user("dispatch@jm.gov.cn", "dispatcher", &[], None)
        .await;
    let order: &Order = &ORDERS[1];
    let mut samples = Vec::new();

    // A complaint: 蓬江 returns it (numbered by 蓬江), the unit sends it to 新会 (numbered
    // by the city).
    let (complaint, token) = app.file(&sample_complaint()).await;
    let back = json!({"action": "return_to_dispatcher", "reason": "经营者实际经营地在新会区"});
    step(&app, &complaint, Who::Bearer(&penjiang), back).await;
    let docs = staff_only(&app, &complaint, &token, &shop, &penjiang).await;
    assert_eq!(docs.len(), 1, "{docs:?}");
    let private = ["张三", "13800138000", "zhang@example.com", "建设路"];
    let text = check(
        &app,
        &complaint,
        (&penjiang, &token, None),
        order,
        Expected {
            kind: "return_notice",
            title: "投诉举报退回通知书",
            number: "江蓬市监投退〔2026〕第1号".into(),
            consumer_reads: false,
            business_reads: false,
            says: vec![
                "江门市市场监督管理局投诉举报统一受理机构：".into(),
                "你单位分送本局的投诉一件".into(),
                "退回理由：经营者实际经营地在新会区".into(),
                "第四十一条".into(),
                "江门市蓬江区市场监督管理局".into(),
            ],
            never: private.to_vec(),
        },
    )
    .await;
    samples.push(text);
    let send = |to: &str| json!({"action": "dispatch", "bureau": to});
    step(&app, &complaint, Who::Bearer(&unit), send("440705")).await;
    let docs = staff_only(&app, &complaint, &token, &shop, &xinhui).await;
    assert_eq!(docs.len(), 2, "the receiving bureau reads both: {docs:?}");
    let text = check(
        &app,
        &complaint,
        (&xinhui, &token, None),
        order,
        Expected {
            kind: "dispatch_notice",
            title: "投诉举报分送通知书",
            number: "江市监投分〔2026〕第1号".into(),
            consumer_reads: false,
            business_reads: false,
            says: vec![
                "江门市新会区市场监督管理局：".into(),
                "收到投诉一件".into(),
                "依照第四十一条的规定，现分送你局".into(),
                "江门市市场监督管理局".into(),
            ],
            never: private.to_vec(),
        },
    )
    .await;
    samples.push(text);

    // A report: 新会 returns it, the unit sends it to 蓬江; the reporter is named nowhere, and
    // the reported business cannot tell the report's documents from a missing number.
    let (report_no, reporter) = report(&app, "440705").await;
    let back = json!({"action": "return_to_dispatcher", "reason": "被举报行为发生地在蓬江区"});
    step(&app, &report_no, Who::Bearer(&xinhui), back).await;
    step(&app, &report_no, Who::Bearer(&unit), send("440703")).await;
    let docs = staff_only(&app, &report_no, &reporter, &shop, &penjiang).await;
    let numbers: Vec<&Value> = docs.iter().map(|d| &d["number"]).collect();
    assert_eq!(
        numbers,
        [
            &json!("江新市监投退〔2026〕第1号"),
            &json!("江市监投分〔2026〕第2号")
        ]
    );
    for doc in &docs {
        let (s, html) = document_html(&app, &report_no, &doc["id"], Who::Bearer(&penjiang)).await;
        assert_eq!(s, 200);
        assert!(html.contains("举报一件"), "{html}");
        for secret in ["李四", "13912345678", "li@example.com"] {
            assert!(!html.contains(secret), "{secret} in {html}");
        }
        assert_eq!(
            business_gets(&app, &shop, &report_no, &doc["id"]).await,
            business_gets(&app, &shop, MISSING_REPORT, &doc["id"]).await
        );
    }
    println!("{}", samples.join("\n\n────────\n\n"));
}

/// Opened and not opened, on both orders: addressed to the reporter alone, with the reason.
async fn a_reporter_is_told_in_writing_and_the_business_never(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    mediator(&app).await;
    let mut ledger = Ledger::new("江蓬");
    let mut samples = Vec::new();
    for order in &ORDERS {
        let (y, m, d) = order.filed;
        app.set_now(china_morning(y, m, d));
        let opened = report(&app, "440703").await;
        let closed = report(&app, "440703").await;
        let (y, m, d) = order.decided;
        app.set_now(china_morning(y, m, d));
        let med = relogin(&app, "med@jm.gov.cn").await;
        let shop = relogin(&app, "shop@example.com").await;
        let (cites_notice, other) = if order.cites.contains("暂行") {
            ("第三十一条", "第三十六条")
        } else {
            ("第三十六条", "第三十一条")
        };

        step(
            &app,
            &opened.0,
            Who::Bearer(&med),
            json!({"action": "open_case"}),
        )
        .await;
        let told = json!({"action": "notify_reporter", "text": "已对被举报人涉嫌销售假冒化妆品的行为立案调查"});
        step(&app, &opened.0, Who::Bearer(&med), told).await;
        let text = check(
            &app,
            &opened.0,
            (&med, &opened.1, None),
            order,
            Expected {
                kind: "report_opened",
                title: "举报立案告知书",
                number: ledger.take("举立"),
                consumer_reads: true,
                business_reads: false,
                says: vec![
                    "李四：".into(),
                    "有关情况：已对被举报人涉嫌销售假冒化妆品的行为立案调查".into(),
                    cites_notice.into(),
                    "本告知书仅送达实名举报人本人".into(),
                ],
                never: vec![other],
            },
        )
        .await;
        samples.push(text);

        // Told without a word of its own: the document still gives the decided reason.
        let not_open = json!({"action": "not_open", "reason": "现有证据不能证明存在违法行为"});
        step(&app, &closed.0, Who::Bearer(&med), not_open).await;
        step(
            &app,
            &closed.0,
            Who::Bearer(&med),
            json!({"action": "notify_reporter"}),
        )
        .await;
        let text = check(
            &app,
            &closed.0,
            (&med, &closed.1, None),
            order,
            Expected {
                kind: "report_not_opened",
                title: "举报不予立案告知书",
                number: ledger.take("举不立"),
                consumer_reads: true,
                business_reads: false,
                says: vec![
                    "李四：".into(),
                    "不予立案的理由：现有证据不能证明存在违法行为".into(),
                    cites_notice.into(),
                ],
                never: vec![other],
            },
        )
        .await;
        samples.push(text);

        for (no, _) in [&opened, &closed] {
            let docs = documents(&app, no, Who::Bearer(&med)).await;
            assert_eq!(docs.len(), 1, "{docs:?}");
            assert_eq!(
                business_gets(&app, &shop, no, &docs[0]["id"]).await,
                business_gets(&app, &shop, MISSING_REPORT, &docs[0]["id"]).await,
                "the business cannot tell {no} exists"
            );
        }
    }
    println!("{}", samples.join("\n\n────────\n\n"));
}

on_both_backends!(
    the_unit_and_the_bureaus_exchange_notices_among_staff,
    a_reporter_is_told_in_writing_and_the_business_never,
);
