//! Issued documents on the pages, per role: the consumer's tracking page lists and opens the
//! documents addressed to it (under the case's cookie), the business's desk those of its
//! complaints addressed to both parties (never a report's), the mediator's case page every
//! one with its number, date, 送达对象 and SHA-256; analysts open none. Each opens as issued.

use serde_json::{Value, json};

use crate::common;
use crate::on_both_backends;
use common::browser::{Browser, Page, hidden};
use common::{Backend, TestApp, sample_complaint, sample_report};

const USCC: &str = "91440703MA4UJ5QX2U";
const MEDIATOR: &str = "med@jm.gov.cn";
const SHOP: &str = "shop@meiyan.cn";
const ANALYST: &str = "analyst@jm.gov.cn";

async fn filed(app: &TestApp, path: &str, body: &Value) -> (String, String) {
    let (s, v) = app.post_json(path, body).await;
    assert_eq!(s, 201, "{v}");
    let no = v["case_no"].as_str().unwrap().to_owned();
    (no, v["tracking_token"].as_str().unwrap().to_owned())
}

async fn act(app: &TestApp, no: &str, med: &str, body: Value) {
    let path = format!("/api/v1/cases/{no}/actions");
    let (s, v) = app.post_as(&path, med, &body).await;
    assert_eq!(s, 200, "{body} → {v}");
}

/// The case's documents as the mediator's API lists them.
async fn issued(app: &TestApp, no: &str, med: &str) -> Vec<Value> {
    let (s, v) = app
        .get_as(&format!("/api/v1/cases/{no}/documents"), med)
        .await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

/// Looks the case up with its code and lands on the tracking page.
async fn tracked(web: &mut Browser<'_>, no: &str, code: &str) -> Page {
    let csrf = hidden(&web.get("/track").await.body, "csrf");
    let form = [("csrf", csrf.as_str()), ("case_no", no), ("token", code)];
    let answer = web.post("/track", &form).await;
    let page = web.follow(&answer).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page
}

/// Asserts `path` opens as the document exactly as issued, with its own styles allowed.
async fn opens_as_issued(web: &mut Browser<'_>, path: &str, html: &str) {
    let page = web.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    assert_eq!(page.body, html, "{path}");
    let csp = page.csp.unwrap_or_default();
    assert!(
        csp.contains("style-src 'unsafe-inline'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(page.cache_control.unwrap_or_default().contains("no-store"));
}

async fn each_role_reads_the_documents_addressed_to_it(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user(SHOP, "enterprise", &[], Some(USCC)).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    app.add_user(ANALYST, "analyst", &[], None).await;

    let (accepted, accepted_code) = filed(&app, "/api/v1/complaints", &sample_complaint()).await;
    act(&app, &accepted, &med, json!({"action": "accept"})).await;
    let (refused, refused_code) = filed(&app, "/api/v1/complaints", &sample_complaint()).await;
    let refuse = json!({"action": "not_accept", "reason": "time_barred", "detail": "购买于四年前"});
    act(&app, &refused, &med, refuse).await;
    let mut report = sample_report();
    report["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": USCC, "district": "440703"});
    report["place"] = json!({"district": "440703", "address": "蓬江区港口路8号"});
    report["reporter"] = json!({"name": "李四", "phone": "13900139000"});
    let (reported, reporter_code) = filed(&app, "/api/v1/reports", &report).await;
    act(&app, &reported, &med, json!({"action": "open_case"})).await;
    let notify = json!({"action": "notify_reporter", "text": "已立案调查"});
    act(&app, &reported, &med, notify).await;

    let acceptance = issued(&app, &accepted, &med).await.remove(0);
    let refusal = issued(&app, &refused, &med).await.remove(0);
    let opened = issued(&app, &reported, &med).await.remove(0);
    let html = |no: &str, d: &Value| {
        let path = format!("/api/v1/cases/{no}/documents/{}", d["id"]);
        let med = med.clone();
        let app = &app;
        async move { app.get_text_as(&path, &med).await }
    };
    let (acceptance_html, refusal_html, opened_html) = (
        html(&accepted, &acceptance).await,
        html(&refused, &refusal).await,
        html(&reported, &opened).await,
    );
    let number = |d: &Value| d["number"].as_str().unwrap().to_owned();

    // The complainant: its own documents, listed and opened under the case's cookie.
    let mut consumer = Browser::new(&app);
    let page = tracked(&mut consumer, &accepted, &accepted_code).await;
    let own = format!("/track/{accepted}/documents/{}", acceptance["id"]);
    assert!(page.body.contains("投诉受理决定书"), "{}", page.body);
    assert!(page.body.contains(&number(&acceptance)));
    assert!(
        page.body.contains(&format!("href=\"{own}\"")),
        "{}",
        page.body
    );
    opens_as_issued(&mut consumer, &own, &acceptance_html).await;
    // Another case's document, under this case's path, does not exist for this holder.
    let other = format!("/track/{accepted}/documents/{}", refusal["id"]);
    assert_eq!(consumer.get(&other).await.status, 404);
    let page = tracked(&mut consumer, &refused, &refused_code).await;
    assert!(page.body.contains(&number(&refusal)), "{}", page.body);
    let own = format!("/track/{refused}/documents/{}", refusal["id"]);
    opens_as_issued(&mut consumer, &own, &refusal_html).await;
    // Without the code, the lookup form asks for it.
    let mut stranger = Browser::new(&app);
    let asked = stranger.get(&own).await;
    assert_eq!(asked.status, 200);
    assert!(!asked.body.contains(&number(&refusal)));
    assert!(asked.body.contains("name=\"token\""), "{}", asked.body);

    // The reporter reads the report's notice.
    let mut reporter = Browser::new(&app);
    let page = tracked(&mut reporter, &reported, &reporter_code).await;
    assert!(page.body.contains("立案告知书"), "{}", page.body);
    let own = format!("/track/{reported}/documents/{}", opened["id"]);
    opens_as_issued(&mut reporter, &own, &opened_html).await;

    // The business: the acceptance of its complaint, never the refusal nor anything of a report.
    let mut shop = Browser::signed_in(&app, SHOP, "/enterprise").await;
    let page = shop.get(&format!("/enterprise/cases/{accepted}")).await;
    let link = format!(
        "/enterprise/cases/{accepted}/documents/{}",
        acceptance["id"]
    );
    assert!(
        page.body.contains(&format!("href=\"{link}\"")),
        "{}",
        page.body
    );
    opens_as_issued(&mut shop, &link, &acceptance_html).await;
    let page = shop.get(&format!("/enterprise/cases/{refused}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&number(&refusal)), "{}", page.body);
    for path in [
        format!("/enterprise/cases/{refused}/documents/{}", refusal["id"]),
        format!("/enterprise/cases/{reported}"),
        format!("/enterprise/cases/{reported}/documents/{}", opened["id"]),
        format!("/enterprise/cases/{accepted}/documents/{}", opened["id"]),
    ] {
        let page = shop.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.body.contains("立案告知书"), "{path}");
    }

    // The mediator: every document, with 送达对象, date, SHA-256 and a 打印 link.
    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    for (no, doc, audience, html) in [
        (&accepted, &acceptance, "投诉人、被投诉人", &acceptance_html),
        (&reported, &opened, "举报人", &opened_html),
    ] {
        let page = desk.get(&format!("/desk/cases/{no}")).await;
        assert_eq!(page.status, 200);
        let print = format!("/desk/cases/{no}/documents/{}", doc["id"]);
        let body = &page.body;
        assert!(body.contains(&number(doc)), "{body}");
        assert!(body.contains(&format!("送达对象：{audience}")), "{body}");
        let sha = doc["sha256"].as_str().unwrap();
        assert!(body.contains(&sha[..12]), "{body}");
        assert!(body.contains(&format!("href=\"{print}\"")), "{body}");
        assert!(body.contains("打印"));
        let logged = format!(
            "出具文书，{}（{}）",
            doc["title"].as_str().unwrap(),
            number(doc)
        );
        assert!(body.contains(&logged), "the timeline names it: {body}");
        opens_as_issued(&mut desk, &print, html).await;
    }

    // An analyst opens no document, on the pages or through the API.
    let mut analyst = Browser::signed_in(&app, ANALYST, "/analyst").await;
    let print = format!("/desk/cases/{accepted}/documents/{}", acceptance["id"]);
    assert_eq!(analyst.get(&print).await.status, 403);
    let token = app.login_token(ANALYST, common::accounts::PASSWORD).await;
    let (s, v) = app
        .get_as(&format!("/api/v1/cases/{accepted}/documents"), &token)
        .await;
    assert!(
        s == 404 || (s == 200 && v["items"].as_array().is_some_and(Vec::is_empty)),
        "{s} {v}"
    );
}

/// A printed document's PDF is linked from each reader's page and opens there; before it is
/// printed there is no link, and the address asks to come back.
async fn each_page_links_the_printed_pdf(backend: Backend) {
    common::chromium::ensure_tools();
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user(SHOP, "enterprise", &[], Some(USCC)).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let (no, code) = filed(&app, "/api/v1/complaints", &sample_complaint()).await;
    act(&app, &no, &med, json!({"action": "accept"})).await;
    let doc = issued(&app, &no, &med).await.remove(0);
    let id = &doc["id"];

    let mut desk = Browser::new(&app);
    desk.sign_in(MEDIATOR, "/desk").await;
    let pdf = format!("/desk/cases/{no}/documents/{id}/pdf");
    let page = desk.get(&format!("/desk/cases/{no}")).await;
    assert!(!page.body.contains(&pdf), "no link before printing");
    let waiting = desk.get(&pdf).await;
    assert_eq!(
        (waiting.status, waiting.retry_after.as_deref()),
        (503, Some("15"))
    );
    assert!(waiting.body.contains("PDF 正在生成"), "{}", waiting.body);

    let out = common::binary::run_on(&app, &["documents", "print"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let page = desk.get(&format!("/desk/cases/{no}")).await;
    assert!(
        page.body.contains(&format!("href=\"{pdf}\"")),
        "{}",
        page.body
    );
    let file = desk.get(&pdf).await;
    assert_eq!(file.status, 200);
    assert!(file.body.starts_with("%PDF-"), "a PDF");

    let mut shop = Browser::new(&app);
    shop.sign_in(SHOP, "/enterprise").await;
    let theirs = format!("/enterprise/cases/{no}/documents/{id}/pdf");
    let page = shop.get(&format!("/enterprise/cases/{no}")).await;
    assert!(
        page.body.contains(&format!("href=\"{theirs}\"")),
        "{}",
        page.body
    );
    assert!(shop.get(&theirs).await.body.starts_with("%PDF-"));

    let mut consumer = Browser::new(&app);
    let own = format!("/track/{no}/documents/{id}/pdf");
    // Without the case's cookie the PDF is not served: the lookup form asks for the code.
    assert!(!consumer.get(&own).await.body.starts_with("%PDF-"));
    let page = tracked(&mut consumer, &no, &code).await;
    assert!(
        page.body.contains(&format!("href=\"{own}\"")),
        "{}",
        page.body
    );
    assert!(consumer.get(&own).await.body.starts_with("%PDF-"));
}

on_both_backends!(
    each_role_reads_the_documents_addressed_to_it,
    each_page_links_the_printed_pdf,
);
