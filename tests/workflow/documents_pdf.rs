//! Issued documents (文书) printed to PDF after the decision: once, by one printer, from the
//! page as issued (A4, fonts embedded), logged in the case's event log, served to whoever may
//! read the document, and checked on the public page `/verify/{code}`, which shows nothing
//! personal. Each kind is photographed at A4 width into `target/screenshots/documents/<backend>/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::common::binary::odrdesk_on;
use super::common::chromium::{ensure_tools, screenshot, screenshot_sized};
use super::common::{Backend, TestApp, china_morning, sample_complaint};
use super::*;

/// Planted in every complaint: the public page must never show them.
const NAME: &str = "欧阳明珠";
const PHONE: &str = "13912345678";
const STREET: &str = "建设路88号";

/// A complaint by the planted complainant, filed on China date `y`-`m`-`d`.
async fn filed_on(app: &TestApp, (y, m, d): (i32, u32, u32)) -> (String, String) {
    app.set_now(china_morning(y, m, d));
    let mut complaint = sample_complaint();
    let bought = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap() - chrono::Days::new(5);
    complaint["purchase"]["date"] = json!(bought.to_string());
    complaint["complainant"]["name"] = json!(NAME);
    complaint["complainant"]["phone"] = json!(PHONE);
    complaint["complainant"]["address"] = json!(format!("江门市蓬江区{STREET}"));
    app.file(&complaint).await
}

/// GET as `who` (or nobody): status, headers and body.
async fn fetch(
    app: &TestApp,
    path: &str,
    who: Option<Who<'_>>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let req = app.client.get(app.url(path)).header("Accept", "text/html");
    let req = match who {
        Some(Who::Bearer(t)) => req.bearer_auth(t),
        Some(Who::Tracking(t)) => req.header("X-Tracking-Token", t),
        None => req,
    };
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.bytes().await.expect("body").to_vec())
}

async fn list(app: &TestApp, case_no: &str, med: &str) -> Vec<Value> {
    let (s, v) = app
        .get_as(&format!("/api/v1/cases/{case_no}/documents"), med)
        .await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().unwrap().clone()
}

/// The `document_printed` events of a case, by document id.
async fn printed_events(app: &TestApp, case_no: &str, med: &str) -> Vec<Value> {
    let (_, events) = app
        .get_as(&format!("/api/v1/cases/{case_no}/events"), med)
        .await;
    events["events"]
        .as_array()
        .or(events.as_array())
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "document_printed")
        .cloned()
        .collect()
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `odrdesk documents print` on the app's data, with extra environment.
fn print_documents(app: &TestApp, env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = odrdesk_on(app);
    cmd.args(["documents", "print"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::task::block_in_place(|| cmd.output()).expect("run odrdesk documents print")
}

/// One directory per backend: both variants run at once and must not overwrite each other's
/// pictures while Chromium writes them.
fn shots_dir(backend: &Backend) -> PathBuf {
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/screenshots/documents")
        .join(name);
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// Checks a printed PDF: the title, number and code in its text, every font embedded, A4.
fn check_pdf(pdf: &[u8], doc: &Value, dir: &Path) {
    let path = dir.join(format!("{}.pdf", doc["id"]));
    std::fs::write(&path, pdf).unwrap();
    let arg = path.to_str().unwrap();
    let text: String = run("pdftotext", &[arg, "-"])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for field in ["title", "number", "verify_code"] {
        let want = doc[field].as_str().unwrap();
        assert!(
            text.contains(want),
            "PDF text lacks {field} {want}:\n{text}"
        );
    }
    let fonts = run("pdffonts", &[arg]);
    let rows: Vec<Vec<&str>> = fonts
        .lines()
        .skip_while(|line| !line.starts_with("---"))
        .skip(1)
        .map(|line| line.split_whitespace().collect())
        .filter(|cells: &Vec<&str>| cells.len() >= 7)
        .collect();
    // Chinese text came out above; Skia embeds CJK fonts as (unnamed) Type 3 fonts.
    assert!(!rows.is_empty(), "no fonts:\n{fonts}");
    assert!(
        rows.iter().all(|cells| cells[cells.len() - 5] == "yes"),
        "a font is not embedded:\n{fonts}"
    );
    let info = run("pdfinfo", &[arg]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Page size:") && l.contains("(A4)")),
        "not A4:\n{info}"
    );
}

async fn documents_are_printed_once_served_and_verified(backend: Backend) {
    ensure_tools();
    let app = TestApp::spawn(&backend).await;
    mediator(&app).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    let shop = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    // Order 20: accepted then terminated; refused. Order 121: accepted then settled with a
    // written 调解书; refused.
    let mut cases = Vec::new();
    for (day, order) in [((2026, 3, 2), 20), ((2026, 3, 3), 20), ((2026, 5, 6), 121)] {
        let (no, token) = filed_on(&app, day).await;
        cases.push((no, token, order));
    }
    let (refused121, refused121_token) = filed_on(&app, (2026, 5, 7)).await;
    cases.push((refused121, refused121_token, 121));
    let med = relogin(&app, "med@jm.gov.cn").await;
    let not_accept =
        json!({"action": "not_accept", "reason": "time_barred", "detail": "购买于四年前"});
    step(
        &app,
        &cases[0].0,
        Who::Bearer(&med),
        json!({"action": "accept"}),
    )
    .await;
    let terminate = json!({"action": "terminate", "reason": "party_absent"});
    step(&app, &cases[0].0, Who::Bearer(&med), terminate).await;
    step(&app, &cases[1].0, Who::Bearer(&med), not_accept.clone()).await;
    step(
        &app,
        &cases[2].0,
        Who::Bearer(&med),
        json!({"action": "accept"}),
    )
    .await;
    let settle = json!({"action": "settle", "agreement": "商家退款一百二十九元", "recovered_fen": 12900,
        "agreement_form": "written"});
    step(&app, &cases[2].0, Who::Bearer(&med), settle).await;
    step(&app, &cases[3].0, Who::Bearer(&med), not_accept).await;

    let mut docs = Vec::new();
    for (no, token, order) in &cases {
        for doc in list(&app, no, &med).await {
            assert!(
                doc["pdf_sha256"].is_null(),
                "printed inside the decision: {doc}"
            );
            docs.push((no.clone(), token.clone(), *order, doc));
        }
    }
    let kinds: Vec<(i32, &str)> = docs
        .iter()
        .map(|(_, _, order, d)| (*order, d["kind"].as_str().unwrap()))
        .collect();
    for want in [
        (20, "acceptance"),
        (20, "termination"),
        (20, "not_accepted"),
        (121, "acceptance"),
        (121, "mediation_agreement"),
        (121, "not_accepted"),
    ] {
        assert!(kinds.contains(&want), "{want:?} not issued: {kinds:?}");
    }

    // Not printed yet: the PDF asks to come back; the public page says so.
    let (no, token, _, first) = &docs[0];
    let pdf_path = format!("/api/v1/cases/{no}/documents/{}.pdf", first["id"]);
    let (s, headers, body) = fetch(&app, &pdf_path, Some(Who::Tracking(token))).await;
    assert_eq!(s, 503, "{}", String::from_utf8_lossy(&body));
    assert!(headers.contains_key("retry-after"));
    assert!(String::from_utf8_lossy(&body).contains("正在生成"));

    let (_, api) = app.get("/openapi.json").await;
    let op = &api["paths"]["/api/v1/cases/{case_no}/documents/{id}.pdf"]["get"];
    assert!(op["responses"]["503"].is_object(), "{op}");
    assert!(
        op["responses"]["200"]["content"]["application/pdf"].is_object(),
        "{op}"
    );

    // A printer that fails leaves every document waiting and logs nothing; the next run
    // prints them.
    let broken = tempfile::tempdir().unwrap();
    let fake = broken.path().join("chromium");
    std::fs::write(&fake, "#!/bin/sh\necho 'no display' >&2\nexit 3\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = print_documents(&app, &[("ODRDESK_CHROMIUM", fake.to_str().unwrap())]);
    assert!(!out.status.success(), "a failed print must say so");
    assert!(String::from_utf8_lossy(&out.stdout).contains("6 failed"));
    assert!(printed_events(&app, no, &med).await.is_empty());
    let (s, _, _) = fetch(&app, &pdf_path, Some(Who::Tracking(token))).await;
    assert_eq!(s, 503);

    let out = print_documents(&app, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("printed 6 document(s)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    let work = tempfile::tempdir().unwrap();
    let shots = shots_dir(&backend);
    let mut hashes = HashMap::new();
    for (no, token, order, issued) in &docs {
        let doc = list(&app, no, &med)
            .await
            .into_iter()
            .find(|d| d["id"] == issued["id"])
            .unwrap();
        let pdf_sha = doc["pdf_sha256"].as_str().expect("printed").to_owned();
        let path = format!("/api/v1/cases/{no}/documents/{}.pdf", doc["id"]);
        let (s, headers, pdf) = fetch(&app, &path, Some(Who::Tracking(token))).await;
        assert_eq!(s, 200, "{}", String::from_utf8_lossy(&pdf));
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(headers["etag"], format!("\"{pdf_sha}\"").as_str());
        assert_eq!(hex::encode(Sha256::digest(&pdf)), pdf_sha);
        let logged: Vec<Value> = printed_events(&app, no, &med)
            .await
            .into_iter()
            .filter(|e| e["payload"]["document_id"] == doc["id"])
            .collect();
        assert_eq!(logged.len(), 1, "{logged:?}");
        assert_eq!(logged[0]["payload"]["pdf_sha256"], pdf_sha.as_str());
        assert_eq!(logged[0]["payload"]["number"], doc["number"]);
        check_pdf(&pdf, &doc, work.path());
        // The blob store keeps it: a file no row references may be cleared, a PDF may not.
        assert!(app.attachment_files().iter().any(|f| f.ends_with(&pdf_sha)));
        let pool = odrdesk::store::connect(&app.settings.database, 1).unwrap();
        let mut conn = pool.get().unwrap();
        assert!(odrdesk::store::cases::blob_is_referenced(&mut conn, &pdf_sha).unwrap());
        hashes.insert(doc["id"].as_i64().unwrap(), pdf_sha);

        // The page as issued, photographed at A4 width.
        let html_path = format!("/api/v1/cases/{no}/documents/{}", doc["id"]);
        let (_, _, html) = fetch(&app, &html_path, Some(Who::Tracking(token))).await;
        let name = format!("order{order}-{}", doc["kind"].as_str().unwrap());
        let file = shots.join(format!("{name}.html"));
        std::fs::write(&file, &html).unwrap();
        screenshot_sized(
            file.to_str().unwrap(),
            794,
            1123,
            &shots.join(format!("{name}.png")),
        );
    }

    // The business reads the acceptance's PDF (addressed to both parties), never a refusal's.
    let for_both = |kind: &str| {
        docs.iter()
            .find(|(_, _, o, d)| *o == 121 && d["kind"] == kind)
            .unwrap()
    };
    let (no, _, _, acceptance) = for_both("acceptance");
    let path = format!("/api/v1/cases/{no}/documents/{}.pdf", acceptance["id"]);
    let (s, _, _) = fetch(&app, &path, Some(Who::Bearer(&shop))).await;
    assert_eq!(s, 200);
    let (no, _, _, refusal) = for_both("not_accepted");
    let path = format!("/api/v1/cases/{no}/documents/{}.pdf", refusal["id"]);
    let (s, _, _) = fetch(&app, &path, Some(Who::Bearer(&shop))).await;
    assert_eq!(s, 404);

    // A client holding the copy is told it has not changed.
    let (no, token, _, doc) = &docs[0];
    let path = format!("/api/v1/cases/{no}/documents/{}.pdf", doc["id"]);
    let etag = format!("\"{}\"", hashes[&doc["id"].as_i64().unwrap()]);
    let res = app
        .client
        .get(app.url(&path))
        .header("X-Tracking-Token", token.as_str())
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 304);

    // Printing again changes nothing: no second event, the same hashes.
    let out = print_documents(&app, &[]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("printed 0 document(s)"));
    for (no, _, _, doc) in &docs {
        let now = list(&app, no, &med).await;
        let again = now.iter().find(|d| d["id"] == doc["id"]).unwrap();
        assert_eq!(
            again["pdf_sha256"],
            hashes[&doc["id"].as_i64().unwrap()].as_str()
        );
        let logged = printed_events(&app, no, &med).await;
        assert_eq!(logged.len(), now.len(), "one document_printed per document");
    }

    // Two printers at once (a node and the command, or two commands): one prints, the lease
    // keeps the other off, and the log has one event.
    let (late, _) = filed_on(&app, (2026, 5, 8)).await;
    let med = relogin(&app, "med@jm.gov.cn").await;
    let refuse = json!({"action": "not_accept", "reason": "time_barred"});
    step(&app, &late, Who::Bearer(&med), refuse).await;
    let both = tokio::task::block_in_place(|| {
        let mut one = odrdesk_on(&app);
        let mut two = odrdesk_on(&app);
        let a = one.args(["documents", "print"]).spawn().unwrap();
        let b = two.args(["documents", "print"]).spawn().unwrap();
        [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()]
    });
    assert!(both.iter().all(|o| o.status.success()));
    assert_eq!(printed_events(&app, &late, &med).await.len(), 1);
    assert_eq!(
        app.attachment_files().len(),
        7,
        "one PDF per document, no stray copy"
    );
    let audit = run_on(&app, &["audit", "verify"]);
    assert!(
        audit.status.success(),
        "the printed events keep the chain: {}",
        String::from_utf8_lossy(&audit.stderr)
    );

    // The public page answers at the address printed on the document.
    let (no, token, _, doc) = &docs[3];
    let doc = list(&app, no, &med)
        .await
        .into_iter()
        .find(|d| d["id"] == doc["id"])
        .unwrap();
    let code = doc["verify_code"].as_str().unwrap();
    let html_path = format!("/api/v1/cases/{no}/documents/{}", doc["id"]);
    let (_, _, html) = fetch(&app, &html_path, Some(Who::Tracking(token))).await;
    let html = String::from_utf8(html).unwrap();
    let printed_path = format!("/verify/{code}");
    assert!(html.contains(&printed_path), "{html}");
    assert!(
        html.contains(NAME),
        "the document itself names the complainant"
    );
    let (s, headers, page) = fetch(&app, &printed_path, None).await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(s, 200, "{page}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(!page.contains("<script"), "{page}");
    for shown in [
        doc["number"].as_str().unwrap(),
        doc["title"].as_str().unwrap(),
        "江门市蓬江区市场监督管理局",
        doc["sha256"].as_str().unwrap(),
        doc["pdf_sha256"].as_str().unwrap(),
        "2026年5月7日",
        "未被更正",
    ] {
        assert!(page.contains(shown), "page lacks {shown}:\n{page}");
    }
    for secret in [
        NAME,
        PHONE,
        STREET,
        "面膜使用后皮肤过敏红肿",
        "补水面膜",
        no.as_str(),
    ] {
        assert!(
            !page.contains(secret),
            "public page shows {secret}:\n{page}"
        );
    }
    screenshot(&app.url(&printed_path), 360, &shots.join("verify-360.png"));
    // The form: typed in lower case, without dashes.
    let typed = code.replace('-', "").to_lowercase();
    let (s, _, page) = fetch(&app, &format!("/verify?code={typed}"), None).await;
    assert_eq!(s, 200);
    assert!(String::from_utf8_lossy(&page).contains(doc["number"].as_str().unwrap()));
    let (s, _, page) = fetch(&app, "/verify", None).await;
    assert_eq!(s, 200);
    assert!(String::from_utf8_lossy(&page).contains("name=\"code\""));

    // A forged or malformed code: 404, saying only that no document carries it.
    let forged = if code == "ZZZZ-ZZZZ-ZZZZ" {
        "YYYY-YYYY-YYYY"
    } else {
        "ZZZZ-ZZZZ-ZZZZ"
    };
    for bad in [format!("/verify/{forged}"), "/verify/not-a-code".into()] {
        let (s, _, page) = fetch(&app, &bad, None).await;
        let page = String::from_utf8(page).unwrap();
        assert_eq!(s, 404, "{bad}");
        assert!(page.contains("没有与核验码"), "{page}");
        assert!(!page.contains("市监"), "{page}");
    }
}

/// A serving node prints in the background, shortly after the decision.
async fn a_serving_node_prints_in_the_background(backend: Backend) {
    ensure_tools();
    let app = TestApp::spawn_with(&backend, |s| s.print_interval_secs = 1).await;
    mediator(&app).await;
    let (no, token) = filed_on(&app, (2026, 5, 6)).await;
    let med = relogin(&app, "med@jm.gov.cn").await;
    step(&app, &no, Who::Bearer(&med), json!({"action": "accept"})).await;
    let doc = list(&app, &no, &med).await.remove(0);
    let path = format!("/api/v1/cases/{no}/documents/{}.pdf", doc["id"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let (s, _, pdf) = fetch(&app, &path, Some(Who::Tracking(&token))).await;
        if s == 200 {
            assert!(pdf.starts_with(b"%PDF"));
            break;
        }
        assert_eq!(s, 503);
        assert!(std::time::Instant::now() < deadline, "never printed");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(printed_events(&app, &no, &med).await.len(), 1);
}

on_both_backends!(
    documents_are_printed_once_served_and_verified,
    a_serving_node_prints_in_the_background
);
