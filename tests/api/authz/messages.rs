//! Who may write to whom. Mail about a message goes out under the bureau's name, so a party
//! writes only to the mediator, or, while a complaint is negotiated or mediated, to the other
//! side; nobody but the bureau writes to a reporter, and a business never reaches a report.

use serde_json::{Value, json};

use super::{OWN_USCC, common};
use crate::on_both_backends;
use common::{Backend, TestApp};

async fn filed(app: &TestApp, path: &str, body: &Value) -> (String, String) {
    let (s, r) = app.post_json(path, body).await;
    assert_eq!(s, 201, "{r}");
    let field = |k: &str| r[k].as_str().unwrap().to_owned();
    (field("case_no"), field("tracking_token"))
}

async fn message_rules(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(OWN_USCC, "江门市美颜化妆品有限公司", "440703", true);
    let firm = app
        .add_user("own@example.com", "enterprise", &[], Some(OWN_USCC))
        .await;
    let med = app
        .add_user("med-in@example.gov.cn", "mediator", &["440703"], None)
        .await;
    let (pending, pending_token) =
        filed(&app, "/api/v1/complaints", &common::sample_complaint()).await;
    let mut odr = common::sample_complaint();
    odr["prefer_odr"] = json!(true);
    let (odr, odr_token) = filed(&app, "/api/v1/complaints", &odr).await;
    let mut report = common::sample_report();
    report["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": OWN_USCC, "district": "440703"});
    report["place"] = json!({"district": "440703"});
    let (report, report_token) = filed(&app, "/api/v1/reports", &report).await;

    enum By<'a> {
        Token(&'a str),
        Bearer(&'a str),
    }
    // (who, case, to, status, error or field code)
    let rows: Vec<(&str, By, &str, &str, u16, &str)> = vec![
        (
            "consumer",
            By::Token(&pending_token),
            &pending,
            "mediator",
            200,
            "",
        ),
        (
            "consumer",
            By::Token(&pending_token),
            &pending,
            "reporter",
            422,
            "recipient_not_allowed",
        ),
        (
            "consumer",
            By::Token(&pending_token),
            &pending,
            "complainant",
            422,
            "recipient_not_allowed",
        ),
        (
            "consumer",
            By::Token(&pending_token),
            &pending,
            "enterprise",
            422,
            "not_negotiating",
        ),
        (
            "consumer",
            By::Token(&odr_token),
            &odr,
            "enterprise",
            200,
            "",
        ),
        (
            "consumer",
            By::Token(&odr_token),
            &odr,
            "reporter",
            422,
            "recipient_not_allowed",
        ),
        (
            "reporter",
            By::Token(&report_token),
            &report,
            "mediator",
            200,
            "",
        ),
        (
            "reporter",
            By::Token(&report_token),
            &report,
            "enterprise",
            422,
            "not_for_report",
        ),
        (
            "reporter",
            By::Token(&report_token),
            &report,
            "reporter",
            422,
            "recipient_not_allowed",
        ),
        ("business", By::Bearer(&firm), &pending, "mediator", 200, ""),
        (
            "business",
            By::Bearer(&firm),
            &pending,
            "complainant",
            422,
            "not_negotiating",
        ),
        (
            "business",
            By::Bearer(&firm),
            &pending,
            "reporter",
            422,
            "recipient_not_allowed",
        ),
        ("business", By::Bearer(&firm), &odr, "complainant", 200, ""),
        (
            "business",
            By::Bearer(&firm),
            &odr,
            "reporter",
            422,
            "recipient_not_allowed",
        ),
        (
            "business",
            By::Bearer(&firm),
            &odr,
            "enterprise",
            422,
            "recipient_not_allowed",
        ),
        (
            "business",
            By::Bearer(&firm),
            &report,
            "mediator",
            404,
            "not_found",
        ),
        (
            "business",
            By::Bearer(&firm),
            &report,
            "reporter",
            404,
            "not_found",
        ),
        (
            "mediator",
            By::Bearer(&med),
            &report,
            "enterprise",
            422,
            "not_for_report",
        ),
        ("mediator", By::Bearer(&med), &report, "reporter", 200, ""),
        (
            "mediator",
            By::Bearer(&med),
            &pending,
            "complainant",
            200,
            "",
        ),
        (
            "mediator",
            By::Bearer(&med),
            &pending,
            "enterprise",
            200,
            "",
        ),
    ];
    let mut lines = Vec::new();
    let mut wrong = 0;
    for (who, by, case_no, to, status, code) in &rows {
        let req = app
            .client
            .post(app.url(&format!("/api/v1/cases/{case_no}/actions")))
            .json(&json!({"action": "message", "to": to, "text": "请联系我"}));
        let req = match by {
            By::Token(t) => req.header("X-Tracking-Token", *t),
            By::Bearer(t) => req.bearer_auth(t),
        };
        let (s, body) = common::read(req.send().await.unwrap()).await;
        let got_code = body["fields"][0]["code"]
            .as_str()
            .or(body["error"].as_str().filter(|_| s != 200))
            .unwrap_or_default();
        let ok = s == *status && (s == 200 || got_code == *code);
        if !ok {
            wrong += 1;
        }
        let mark = if ok { " " } else { "✗" };
        lines.push(format!(
            "{mark} {who:<9} {case_no:<15} → {to:<12} {s} {got_code:<22} (expected {status} {code})"
        ));
    }
    assert_eq!(wrong, 0, "who may write to whom:\n{}", lines.join("\n"));
}

on_both_backends!(message_rules);
