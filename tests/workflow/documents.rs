//! Official documents (文书): each decision issues its numbered document once, logged with
//! its SHA-256; each party reads only what is addressed to it; a printed copy is checked by
//! its code.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::common::{Backend, TestApp, china_morning, sample_complaint};
use super::*;

/// A complaint filed on China date `y`-`m`-`d`, bought five days before.
async fn filed_on(app: &TestApp, (y, m, d): (i32, u32, u32)) -> (String, String) {
    app.set_now(china_morning(y, m, d));
    let mut complaint = sample_complaint();
    let bought = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap() - chrono::Days::new(5);
    complaint["purchase"]["date"] = json!(bought.to_string());
    app.file(&complaint).await
}

/// GET as `who`: the status and the body as text.
pub async fn get(app: &TestApp, path: &str, who: Who<'_>) -> (u16, String) {
    let req = app.client.get(app.url(path));
    let req = match who {
        Who::Bearer(t) => req.bearer_auth(t),
        Who::Tracking(t) => req.header("X-Tracking-Token", t),
    };
    let res = req.send().await.expect("request");
    (res.status().as_u16(), res.text().await.expect("body"))
}

pub async fn documents(app: &TestApp, case_no: &str, who: Who<'_>) -> Vec<Value> {
    let (s, body) = get(app, &format!("/api/v1/cases/{case_no}/documents"), who).await;
    assert_eq!(s, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["items"].as_array().unwrap().clone()
}

async fn each_decision_issues_its_numbered_document_once(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    mediator(&app).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    let shop = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let (old, old_token) = filed_on(&app, (2026, 3, 2)).await;
    let (new, new_token) = filed_on(&app, (2026, 5, 6)).await;
    let (third, third_token) = filed_on(&app, (2026, 5, 7)).await;
    let med = relogin(&app, "med@jm.gov.cn").await;
    for no in [&old, &new] {
        step(&app, no, Who::Bearer(&med), json!({"action": "accept"})).await;
    }
    step(
        &app,
        &third,
        Who::Bearer(&med),
        json!({"action": "not_accept", "reason": "time_barred", "detail": "购买于四年前"}),
    )
    .await;

    // Numbered per bureau, kind and year, in the order decided, without gaps.
    let old_docs = documents(&app, &old, Who::Tracking(&old_token)).await;
    let new_docs = documents(&app, &new, Who::Tracking(&new_token)).await;
    assert_eq!(old_docs.len(), 1, "{old_docs:?}");
    assert_eq!(old_docs[0]["number"], "江蓬市监投受〔2026〕第1号");
    assert_eq!(new_docs[0]["number"], "江蓬市监投受〔2026〕第2号");
    assert_eq!(new_docs[0]["title"], "投诉受理决定书");
    let refused = documents(&app, &third, Who::Tracking(&third_token)).await;
    assert_eq!(refused[0]["number"], "江蓬市监投不受〔2026〕第1号");

    // Each cites its own order; the text is what was logged.
    for (no, token, doc, order) in [
        (
            &old,
            &old_token,
            &old_docs[0],
            "市场监督管理投诉举报处理暂行办法",
        ),
        (
            &new,
            &new_token,
            &new_docs[0],
            "《市场监督管理投诉举报处理办法》",
        ),
    ] {
        let path = format!("/api/v1/cases/{no}/documents/{}", doc["id"]);
        let (s, html) = get(&app, &path, Who::Tracking(token)).await;
        assert_eq!(s, 200);
        assert!(html.contains(order), "{html}");
        assert!(html.contains(doc["number"].as_str().unwrap()));
        let sha = hex::encode(Sha256::digest(html.as_bytes()));
        assert_eq!(doc["sha256"], sha.as_str());
        let (_, events) = app
            .get_as(&format!("/api/v1/cases/{no}/events"), &med)
            .await;
        let logged = events["events"]
            .as_array()
            .or(events.as_array())
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "document_issued")
            .cloned()
            .unwrap_or_else(|| panic!("no document_issued in {events}"));
        assert_eq!(logged["payload"]["sha256"], sha.as_str(), "{logged}");
    }
    let (_, html) = get(
        &app,
        &format!("/api/v1/cases/{third}/documents/{}", refused[0]["id"]),
        Who::Tracking(&third_token),
    )
    .await;
    assert!(
        html.contains("第三十九条"),
        "other routes of 消法 Art. 39: {html}"
    );
    assert!(html.contains("购买于四年前"));

    // The business receives the acceptance (addressed to both parties), never the refusal.
    let shop_docs = documents(&app, &new, Who::Bearer(&shop)).await;
    assert_eq!(shop_docs.len(), 1);
    let (s, _) = get(
        &app,
        &format!("/api/v1/cases/{third}/documents/{}", refused[0]["id"]),
        Who::Bearer(&shop),
    )
    .await;
    assert_eq!(s, 404);
    assert!(documents(&app, &third, Who::Bearer(&shop)).await.is_empty());

    // The public check: number, date, bureau, hash, nothing personal; a forged code is 404.
    let code = new_docs[0]["verify_code"].as_str().unwrap();
    let (s, body) = get(
        &app,
        &format!("/api/v1/verify/{}", code.to_lowercase()),
        Who::Tracking(""),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["number"], "江蓬市监投受〔2026〕第2号");
    assert_eq!(v["bureau"], "江门市蓬江区市场监督管理局");
    assert_eq!(v["sha256"], new_docs[0]["sha256"]);
    assert!(
        !body.contains("张三") && !body.contains("13800138000"),
        "{body}"
    );
    // Well formed, but no document carries it (one in 2^60 that a real one does).
    let forged = if code == "ZZZZ-ZZZZ-ZZZZ" {
        "YYYY-YYYY-YYYY"
    } else {
        "ZZZZ-ZZZZ-ZZZZ"
    };
    let (s, _) = get(&app, &format!("/api/v1/verify/{forged}"), Who::Tracking("")).await;
    assert_eq!(s, 404);
    let (s, _) = get(&app, "/api/v1/verify/not-a-code", Who::Tracking("")).await;
    assert_eq!(s, 404);
}

async fn an_issued_document_is_frozen_and_audited(backend: Backend) {
    use diesel::RunQueryDsl;
    let app = TestApp::spawn(&backend).await;
    mediator(&app).await;
    let (no, _) = filed_on(&app, (2026, 5, 6)).await;
    let med = relogin(&app, "med@jm.gov.cn").await;
    step(&app, &no, Who::Bearer(&med), json!({"action": "accept"})).await;
    let ok = run_on(&app, &["audit", "verify"]);
    let said = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success() && said.contains("1 document(s)"),
        "{said}"
    );

    // Nobody edits an issued document, not even with database access …
    let mut conn = app.db();
    let edit = "UPDATE documents SET html = replace(html, '受理', '不予受理')";
    assert!(
        diesel::sql_query(edit).execute(&mut *conn).is_err(),
        "frozen"
    );
    assert!(
        diesel::sql_query("DELETE FROM documents")
            .execute(&mut *conn)
            .is_err()
    );
    // … and one who lifts the guard is caught by the audit.
    let lift = match &mut *conn {
        odrdesk::store::Db::Pg(_) => "ALTER TABLE documents DISABLE TRIGGER documents_no_change",
        odrdesk::store::Db::Sqlite(_) => "DROP TRIGGER documents_frozen",
    };
    diesel::sql_query(lift).execute(&mut *conn).unwrap();
    diesel::sql_query(edit).execute(&mut *conn).unwrap();
    let broken = run_on(&app, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(
        err.contains(&no) && err.contains("江蓬市监投受〔2026〕第1号"),
        "{err}"
    );
}

on_both_backends!(
    each_decision_issues_its_numbered_document_once,
    an_issued_document_is_frozen_and_audited,
);

/// The HTML of document `id` of `case_no` as `who` reads it: (status, body).
pub async fn document_html(
    app: &TestApp,
    case_no: &str,
    id: &Value,
    who: Who<'_>,
) -> (u16, String) {
    get(app, &format!("/api/v1/cases/{case_no}/documents/{id}"), who).await
}

/// An issued document as plain text, laid out as on paper: title, number, addressee, the
/// body's paragraphs (indented), the bureau and date under the seal, then the notes.
pub fn issued_text(html: &str) -> String {
    let inner = |from: &str, start: &str, end: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = from;
        while let Some(i) = rest.find(start) {
            let after = &rest[i + start.len()..];
            let Some(j) = after.find(end) else { break };
            out.push(unescape(&strip_tags(&after[..j])));
            rest = &after[j + end.len()..];
        }
        out
    };
    let section = |open: &str| -> &str {
        html.split_once(open)
            .and_then(|(_, rest)| rest.split_once("</div>"))
            .map_or("", |(s, _)| s)
    };
    let first = |start: &str, end: &str| {
        inner(html, start, end)
            .into_iter()
            .next()
            .unwrap_or_default()
    };
    let mut lines = vec![
        first("<h1>", "</h1>"),
        first("<p class=\"number\">", "</p>"),
    ];
    lines.extend(inner(html, "<p class=\"replaces\">", "</p>"));
    lines.push(String::new());
    lines.push(first("<p class=\"addressee\">", "</p>"));
    lines.extend(
        inner(section("<div class=\"body\">"), "<p>", "</p>")
            .into_iter()
            .map(|p| format!("　　{p}")),
    );
    lines.push(String::new());
    lines.push(
        first("<span class=\"bureau\">", "</span>") + &first("<span class=\"mark\">", "</span>"),
    );
    lines.push(first("<span class=\"date\">", "</span>"));
    let notes = inner(section("<div class=\"notes\">"), "<p>", "</p>");
    if !notes.is_empty() {
        lines.push(String::new());
        lines.extend(notes);
    }
    lines.join("\n")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
