//! The case-work pages without JavaScript: the mediator's queue with due marks, bulk
//! assignment, the case page's steps (accept, settle, a refusal shown in place), evidence
//! access, and the enterprise desk answering an ODR complaint. Every form needs its CSRF token.

use crate::common;
use crate::on_both_backends;

use chrono::NaiveDate;
use common::accounts::PASSWORD;
use common::browser::{Browser, Page, hidden, unlabelled};
use common::{Backend, PNG, TestApp, china_morning, sample_complaint};
use odrdesk::domain::severity::Severity;
use reqwest::header::COOKIE;
use serde_json::json;

const RESPONDENT_USCC: &str = "91440703MA4UJ5QX2U";
const OTHER_USCC: &str = "91440705MA51XK7Q3K";
const MEDIATOR: &str = "med@jm.gov.cn";
const SUPERVISOR: &str = "chief@jm.gov.cn";

/// Posts a form with the CSRF token of the page at `from`, after checking that page's labels.
async fn submit(web: &mut Browser<'_>, from: &str, to: &str, fields: &[(&str, &str)]) -> Page {
    let page = web.get(from).await;
    assert_eq!(unlabelled(&page.body), Vec::<String>::new(), "{from}");
    let token = hidden(&page.body, "csrf");
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    web.post(to, &form).await
}

/// A file as the browser receives it: status, headers and the raw bytes.
async fn fetch(web: &Browser<'_>, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let res = web
        .client
        .get(web.app.url(path))
        .header(COOKIE, web.cookie_header())
        .send()
        .await
        .unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, headers, res.bytes().await.unwrap().to_vec())
}

/// The queue row (`<tr …>…</tr>`) that mentions `case_no`.
fn row<'h>(html: &'h str, case_no: &str) -> &'h str {
    html.split("<tr")
        .find(|r| r.contains(case_no))
        .unwrap_or_else(|| panic!("no row for {case_no} in {html}"))
}

async fn mediators_work_a_case_through_the_pages(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    app.add_user(SUPERVISOR, "supervisor", &["440703"], None)
        .await;
    app.add_user("far@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    app.add_enterprise(OTHER_USCC, "江门市新会某商行", "440705", false);
    app.add_user("rival@example.com", "enterprise", &[], Some(OTHER_USCC))
        .await;
    let (case_no, token) = app.file_complaint().await;
    let (status, answer) = app
        .upload_evidence(&case_no, &token, vec![("收据.png", PNG.to_vec())])
        .await;
    assert_eq!(status, 201, "{answer}");

    // Move to the acceptance due date: due today is "due soon", not yet overdue.
    let (_, queue) = app.get_as("/api/v1/queue", &med).await;
    let due: NaiveDate = queue["items"][0]["due"].as_str().unwrap().parse().unwrap();
    app.set_now(china_morning(
        due.format("%Y").to_string().parse().unwrap(),
        due.format("%m").to_string().parse().unwrap(),
        due.format("%d").to_string().parse().unwrap(),
    ));

    let mut anonymous = Browser::new(&app);
    let away = anonymous.get("/desk").await;
    assert_eq!(away.status, 303);
    assert_eq!(away.location.as_deref(), Some("/login?next=/desk"));

    let mut mediator = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let desk = mediator.get("/desk").await;
    assert_eq!(desk.status, 200, "{}", desk.body);
    let line = row(&desk.body, &case_no);
    assert!(
        line.contains("due-soon") && line.contains("即将到期"),
        "{line}"
    );
    assert!(
        !desk.body.contains("name=\"case_no\""),
        "mediators cannot bulk-assign"
    );

    // A supervisor assigns it to the mediator; the form needs its token.
    let mut chief = Browser::signed_in(&app, SUPERVISOR, "/desk").await;
    let forged = chief
        .post("/desk/assign", &[("case_no", &case_no), ("user", MEDIATOR)])
        .await;
    assert_eq!(forged.status, 400);
    let unchosen = submit(
        &mut chief,
        "/desk",
        "/desk/assign",
        &[("case_no", &case_no), ("back", ""), ("user", "")],
    )
    .await;
    assert_eq!(unchosen.status, 422);
    assert!(unchosen.body.contains("分派未完成") && unchosen.body.contains("checked"));
    let assigned = submit(
        &mut chief,
        "/desk",
        "/desk/assign",
        &[
            ("case_no", &case_no),
            ("back", "state=pending_acceptance"),
            ("user", MEDIATOR),
        ],
    )
    .await;
    assert_eq!(assigned.status, 303, "{}", assigned.body);
    let back = assigned.location.unwrap();
    assert_eq!(back, "/desk?state=pending_acceptance&assigned=1");
    assert!(chief.get(&back).await.body.contains("已分派 1 件"));
    let mine = mediator.get("/desk?mine=true").await;
    assert!(mine.body.contains(&case_no), "{}", mine.body);

    // The case page: header, parties, evidence, and the steps of a pending complaint.
    let here = format!("/desk/cases/{case_no}");
    let acts = format!("{here}/actions");
    let page = mediator.get(&here).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for expected in [
        "待受理",
        "张三",
        "收据.png",
        "image/png",
        "form-accept",
        "不予受理理由",
        MEDIATOR,
    ] {
        assert!(
            page.body.contains(expected),
            "{expected} missing: {}",
            page.body
        );
    }
    let marker = format!("{here}/attachments/");
    let at = page.body.find(&marker).unwrap() + marker.len();
    let id: String = page.body[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let file_path = format!("{marker}{id}");

    let forged = mediator.post(&acts, &[("action", "accept")]).await;
    assert_eq!(forged.status, 400);
    let accepted = submit(&mut mediator, &here, &acts, &[("action", "accept")]).await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let page = mediator.get(accepted.location.as_deref().unwrap()).await;
    assert!(page.body.contains("调解中") && page.body.contains("已记录：已受理（调解中）"));

    // Wrong details come back with the typed values and messages by the fields.
    let wrong = submit(
        &mut mediator,
        &here,
        &acts,
        &[
            ("action", "settle"),
            ("agreement", "退款"),
            ("amount", "12.345"),
        ],
    )
    .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("aria-invalid=\"true\"") && wrong.body.contains("12.345"));
    let settled = submit(
        &mut mediator,
        &here,
        &acts,
        &[
            ("action", "settle"),
            ("agreement", "商家退款129元"),
            ("amount", "129.00"),
        ],
    )
    .await;
    assert_eq!(settled.status, 303, "{}", settled.body);
    let page = mediator.get(&here).await;
    assert!(page.body.contains("调解成功"), "{}", page.body);
    let fresh = app.login_token(MEDIATOR, PASSWORD).await;
    let (_, events) = app
        .get_as(&format!("/api/v1/cases/{case_no}/events"), &fresh)
        .await;
    let settle = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "settle")
        .unwrap();
    assert_eq!(settle["payload"]["recovered_fen"], json!(12900));

    // A step the state no longer allows is refused in place.
    let refused = submit(&mut mediator, &here, &acts, &[("action", "accept")]).await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("role=\"alert\"") && refused.body.contains("不允许「受理」"),
        "{}",
        refused.body
    );
    let note = submit(
        &mut mediator,
        &here,
        &acts,
        &[("action", "note"), ("text", "已电话回访")],
    )
    .await;
    assert_eq!(note.status, 303);
    assert!(mediator.get(&here).await.body.contains("已电话回访"));

    // Evidence: served to the mediator, refused to everyone else.
    let (status, headers, bytes) = fetch(&mediator, &file_path).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, PNG);
    assert_eq!(headers["content-type"], "image/png");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (status, _, bytes) = fetch(&anonymous, &file_path).await;
    assert_eq!(status, 303);
    assert_ne!(bytes, PNG);
    let mut rival = Browser::signed_in(&app, "rival@example.com", "/enterprise").await;
    assert_eq!(rival.get(&file_path).await.status, 403);
    assert_eq!(rival.get(&here).await.status, 403);
    let mut far = Browser::signed_in(&app, "far@jm.gov.cn", "/desk").await;
    assert_eq!(far.get(&here).await.status, 404);
    assert_eq!(far.get(&file_path).await.status, 404);
    assert!(!far.get("/desk").await.body.contains(&case_no));
}

async fn enterprise_answers_its_odr_complaint(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    app.add_enterprise(OTHER_USCC, "江门市新会某商行", "440705", false);
    app.add_user("rival@example.com", "enterprise", &[], Some(OTHER_USCC))
        .await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let mut complaint = sample_complaint();
    complaint["prefer_odr"] = json!(true);
    let (s, filed) = app.post_json("/api/v1/complaints", &complaint).await;
    assert_eq!(s, 201, "{filed}");
    let case_no = filed["case_no"].as_str().unwrap().to_owned();

    let mut shop = Browser::signed_in(&app, "shop@example.com", "/enterprise").await;
    let list = shop.get("/enterprise").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(&case_no));
    // Filed 20 November; ten working days.
    assert!(list.body.contains("请于12月4日前答复"), "{}", list.body);

    let here = format!("/enterprise/cases/{case_no}");
    let acts = format!("{here}/actions");
    let page = shop.get(&here).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("form-odr_answer") && page.body.contains("请于12月4日前答复"));
    for private in ["zhang@example.com", "建设路", "form-accept"] {
        assert!(
            !page.body.contains(private),
            "{private} shown to the business"
        );
    }
    assert_eq!(shop.get("/desk").await.status, 403);

    let forged = shop
        .post(&acts, &[("action", "odr_answer"), ("proposal", "退款")])
        .await;
    assert_eq!(forged.status, 400);
    let empty = submit(
        &mut shop,
        &here,
        &acts,
        &[("action", "odr_answer"), ("proposal", " ")],
    )
    .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("请填写「处理方案」"));
    let answered = submit(
        &mut shop,
        &here,
        &acts,
        &[("action", "odr_answer"), ("proposal", "全额退款129元")],
    )
    .await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    assert!(
        shop.get(answered.location.as_deref().unwrap())
            .await
            .body
            .contains("已记录：企业已答复，处理方案：全额退款129元")
    );
    let not_now = submit(&mut shop, &here, &acts, &[("action", "accept")]).await;
    assert_eq!(not_now.status, 409);

    let mut rival = Browser::signed_in(&app, "rival@example.com", "/enterprise").await;
    assert!(!rival.get("/enterprise").await.body.contains(&case_no));
    assert_eq!(rival.get(&here).await.status, 404);

    let mut mediator = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let staff_view = mediator.get(&format!("/desk/cases/{case_no}")).await;
    assert!(staff_view.body.contains("企业已答复") && staff_view.body.contains("全额退款129元"));
}

/// A counterfeit complaint opens a report against the business too: its desk lists and shows
/// the complaint, and answers for the report exactly as for a number that does not exist.
async fn the_enterprise_desk_never_shows_a_report(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let mut complaint = sample_complaint();
    complaint["nature"] = json!("counterfeit");
    let (s, filed) = app.post_json("/api/v1/complaints", &complaint).await;
    assert_eq!(s, 201, "{filed}");
    let case_no = filed["case_no"].as_str().unwrap().to_owned();
    let report_no = case_no.replacen("TS-", "JB-", 1);

    let mut shop = Browser::signed_in(&app, "shop@example.com", "/enterprise").await;
    let list = shop.get("/enterprise").await;
    assert!(list.body.contains(&case_no), "{}", list.body);
    assert!(!list.body.contains(&report_no), "{}", list.body);
    let page = shop.get(&format!("/enterprise/cases/{case_no}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&report_no), "{}", page.body);
    let report = shop.get(&format!("/enterprise/cases/{report_no}")).await;
    let missing = shop.get("/enterprise/cases/JB-2026-999999").await;
    assert_eq!(report.status, 404, "{}", report.body);
    assert_eq!(
        (report.status, report.body.replace(&report_no, "…")),
        (missing.status, missing.body.replace("JB-2026-999999", "…"))
    );
}

/// The API and the desk page show one case view: the same products and adverse reaction.
async fn api_and_desk_show_the_same_products_and_reaction(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let mut c = sample_complaint();
    c["product"] = json!({"name": "玻尿酸补水面膜", "brand": "GlowLab", "cosmetics_id": "粤G妆网备字2022001234", "batch": "B2210"});
    c["adverse_reaction"] = json!({"onset_date": "2026-10-05", "symptoms": "面部红肿、瘙痒", "body_site": "面部", "severity": "general"});
    let (s, filed) = app.post_json("/api/v1/complaints", &c).await;
    assert_eq!(s, 201, "{filed}");
    let case_no = filed["case_no"].as_str().unwrap();

    let (s, api) = app.get_as(&format!("/api/v1/cases/{case_no}"), &med).await;
    assert_eq!(s, 200, "{api}");
    let product = &api["products"][0];
    assert_eq!(api["products"].as_array().map(Vec::len), Some(1), "{api}");
    let reaction = &api["adverse_reaction"];
    assert_eq!(reaction["symptoms"], "面部红肿、瘙痒", "{api}");

    let mut mediator = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let page = mediator.get(&format!("/desk/cases/{case_no}")).await;
    assert_eq!(page.status, 200);
    for field in ["name", "brand", "cosmetics_id", "batch"] {
        let shown = product[field].as_str().unwrap();
        assert!(
            page.body.contains(shown),
            "{field} {shown} missing on the desk"
        );
    }
    for field in ["onset_date", "symptoms", "body_site"] {
        let shown = reaction[field].as_str().unwrap();
        assert!(
            page.body.contains(shown),
            "{field} {shown} missing on the desk"
        );
    }
    // The API gives the severity's code; the desk names that same severity in Chinese.
    let severity: Severity = reaction["severity"].as_str().unwrap().parse().unwrap();
    assert!(
        page.body.contains(severity.label_zh()),
        "severity {} missing on the desk",
        severity.label_zh()
    );
}

on_both_backends!(
    api_and_desk_show_the_same_products_and_reaction,
    mediators_work_a_case_through_the_pages,
    enterprise_answers_its_odr_complaint,
    the_enterprise_desk_never_shows_a_report,
);
