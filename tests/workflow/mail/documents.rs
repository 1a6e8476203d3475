//! The mail a decision sends names the document it issued and links to where its recipient
//! reads it: the consumer's tracking page (after the 查询码), the business's desk for a
//! complaint's documents addressed to both parties. A report's documents and any word of
//! the report never reach the business.

use std::time::Duration;

use serde_json::json;

use super::{WAIT, confirm_address, normalized};
use crate::common::browser::{Browser, hidden};
use crate::common::smtp::{Received, SmtpServer};
use crate::common::{Backend, TestApp, sample_complaint, sample_report};
use crate::documents::documents;
use crate::{RESPONDENT_USCC, Who, mediator, step};

const SHOP: &str = "service@example.com";

/// Waits until `n` mails have arrived, then a little longer to catch any extra.
async fn inbox(smtp: &SmtpServer, n: usize) -> Vec<Received> {
    smtp.wait_for(n, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    smtp.messages()
}

/// The link to a document in a mail's body, as a path on the app.
fn document_path(body: &str) -> String {
    let link = normalized(body)
        .split_whitespace()
        .find(|w| w.contains("/documents/"))
        .unwrap_or_else(|| panic!("no document link in {body}"))
        .to_owned();
    let at = link.find("/track/").or_else(|| link.find("/enterprise/"));
    link[at.expect("a link to the site")..].to_owned()
}

/// Files `case` and confirms its submitter's address from the acknowledgement.
async fn filed_and_confirmed(
    app: &TestApp,
    smtp: &SmtpServer,
    seen: &mut usize,
    path: &str,
    case: serde_json::Value,
) -> (String, String) {
    let (s, v) = app.post_json(path, &case).await;
    assert_eq!(s, 201, "{v}");
    let no = v["case_no"].as_str().unwrap().to_owned();
    let token = v["tracking_token"]
        .as_str()
        .or(v["token"].as_str())
        .unwrap()
        .to_owned();
    *seen += 1;
    let mails = inbox(smtp, *seen).await;
    let ack = mails
        .iter()
        .find(|m| m.subject().contains(&no))
        .expect("acknowledgement");
    confirm_address(app, &ack.body_text()).await;
    (no, token)
}

async fn decision_mail_names_its_document_and_links_to_it(backend: Backend) {
    let (app, smtp) = TestApp::spawn_with_smtp(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let med = mediator(&app).await;
    let mut seen = 0;
    let complaint = sample_complaint();
    let (no, token) =
        filed_and_confirmed(&app, &smtp, &mut seen, "/api/v1/complaints", complaint).await;
    step(&app, &no, Who::Bearer(&med), json!({"action": "accept"})).await;

    // The complainant's notice and the business's copy, each naming the acceptance.
    seen += 2;
    let mails = inbox(&smtp, seen).await;
    assert_eq!(mails.len(), seen, "{mails:#?}");
    let docs = documents(&app, &no, Who::Tracking(&token)).await;
    let number = docs[0]["number"].as_str().unwrap();
    let to = |addr: &str| {
        mails
            .iter()
            .rfind(|m| m.to == [addr] && m.subject().contains(&no))
            .unwrap_or_else(|| panic!("no mail to {addr}: {mails:#?}"))
            .body_text()
    };
    let (consumer, business) = (to("zhang@example.com"), to(SHOP));
    for body in [&consumer, &business] {
        assert!(
            normalized(body).contains(&format!("《投诉受理决定书》（{number}）")),
            "{body}"
        );
    }
    let id = &docs[0]["id"];
    assert_eq!(
        document_path(&consumer),
        format!("/track/{no}/documents/{id}")
    );
    assert_eq!(
        document_path(&business),
        format!("/enterprise/cases/{no}/documents/{id}")
    );

    // The consumer's link asks for the 查询码, then opens the document as issued.
    let as_issued = app
        .get_text_as(&format!("/api/v1/cases/{no}/documents/{id}"), &med)
        .await;
    let mut web = Browser::new(&app);
    let path = document_path(&consumer);
    let ask = web.get(&path).await;
    assert_eq!(ask.status, 200);
    assert_eq!(hidden(&ask.body, "document"), id.to_string());
    let csrf = hidden(&ask.body, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("case_no", no.as_str()),
        ("token", token.as_str()),
        ("document", &id.to_string()),
    ];
    let answer = web.post("/track", &form).await;
    assert_eq!(answer.location.as_deref(), Some(path.as_str()));
    let page = web.follow(&answer).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body, as_issued, "served exactly as stored");
    // The business's link, once signed in.
    let path = document_path(&business);
    let mut shop = Browser::signed_in(&app, "shop@example.com", &path).await;
    let page = shop.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body, as_issued);

    // A refusal is the complainant's alone: no copy to the business.
    let complaint = sample_complaint();
    let (refused, _) =
        filed_and_confirmed(&app, &smtp, &mut seen, "/api/v1/complaints", complaint).await;
    let refuse = json!({"action": "not_accept", "reason": "time_barred", "detail": "购买于四年前"});
    step(&app, &refused, Who::Bearer(&med), refuse).await;

    // A report: the reporter's notice links to the 立案告知书; the business hears nothing.
    let mut report = sample_report();
    report["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": RESPONDENT_USCC, "district": "440703"});
    report["place"] = json!({"district": "440703", "address": "蓬江区港口路8号"});
    report["reporter"] = json!({"name": "李四", "phone": "13900139000", "email": "li@example.com"});
    let (rno, _) = filed_and_confirmed(&app, &smtp, &mut seen, "/api/v1/reports", report).await;
    step(
        &app,
        &rno,
        Who::Bearer(&med),
        json!({"action": "open_case"}),
    )
    .await;
    let notify = json!({"action": "notify_reporter", "text": "已立案调查"});
    step(&app, &rno, Who::Bearer(&med), notify).await;

    seen += 2;
    let mails = inbox(&smtp, seen).await;
    assert_eq!(mails.len(), seen, "{mails:#?}");
    let refusal = mails
        .iter()
        .find(|m| m.subject().contains(&refused) && m.subject().contains("不予受理"))
        .expect("refusal mail");
    assert!(
        document_path(&refusal.body_text()).starts_with(&format!("/track/{refused}/documents/")),
        "{}",
        refusal.body_text()
    );
    let told = mails
        .iter()
        .find(|m| m.to == ["li@example.com"] && m.subject().contains("举报处理情况"))
        .expect("reporter notice");
    assert!(
        normalized(&told.body_text()).contains("《立案告知书》"),
        "{}",
        told.body_text()
    );
    assert!(document_path(&told.body_text()).starts_with(&format!("/track/{rno}/documents/")));
    for m in mails.iter().filter(|m| m.to == [SHOP]) {
        let (subject, body) = (m.subject(), m.body_text());
        assert!(
            !subject.contains(&refused) && !body.contains(&refused),
            "the business got the refusal: {subject}\n{body}"
        );
        assert!(
            !subject.contains(&rno) && !body.contains(&rno) && !body.contains("举报"),
            "the business heard of the report: {subject}\n{body}"
        );
    }
}

crate::on_both_backends!(decision_mail_names_its_document_and_links_to_it);
