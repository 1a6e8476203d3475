//! Authorization matrix: every API endpoint and page route against every kind of caller,
//! checked against the documented role rules. A failure prints the whole matrix.

use crate::common;
use crate::on_both_backends;
mod messages;
mod table;

use common::{Backend, PNG, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::redirect::Policy;
use serde_json::json;
use sha2::{Digest, Sha256};

use table::{Body, CALLERS, Row};

pub const OWN_USCC: &str = "91440703MA4UJ5QX2U";
pub const OTHER_USCC: &str = "91440705MA51XK7Q3K";

/// One caller: a bearer token, a tracking token, or neither.
pub struct Caller {
    pub bearer: Option<String>,
    pub tracking: Option<String>,
    /// The secret behind the form cookie of an anonymous browser.
    pub form_secret: String,
}

/// What the matrix writes down for a cell. A 400, 409, 413, 415 or 422 comes from past the
/// role check (page posts carry the right CSRF token; `hostile` checks forged ones).
fn class(status: u16, location: Option<&str>) -> char {
    match status {
        401 => 'U',
        303 if location.is_some_and(|l| l.starts_with("/login")) => 'U',
        403 => 'F',
        404 => 'N',
        500..=599 => '!',
        200..=399 | 400 | 409 | 413 | 415 | 422 => 'A',
        _ => '?',
    }
}

/// The token a page derives from the session or form-cookie secret (`web::csrf`).
fn csrf_for(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"odrdesk csrf v1\0");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

/// The ids the rows need: the case, a report against the same business, the case's
/// attachment, an export and a bulletin draft.
pub struct Fixture {
    pub case_no: String,
    pub report_no: String,
    pub attachment: i64,
    pub export: i64,
    pub bulletin: i64,
}

async fn request(
    app: &TestApp,
    client: &reqwest::Client,
    caller: &Caller,
    row: &Row,
    fx: &Fixture,
) -> (u16, Option<String>) {
    let path = row
        .path
        .replace("{case}", &fx.case_no)
        .replace("{report}", &fx.report_no)
        .replace("{att}", &fx.attachment.to_string());
    let path = path
        .replace("{export}", &fx.export.to_string())
        .replace("{bulletin}", &fx.bulletin.to_string());
    let method = reqwest::Method::from_bytes(row.method.as_bytes()).unwrap();
    let mut req = client.request(method, app.url(&path));
    if let Some(b) = &caller.bearer {
        req = req.bearer_auth(b);
    } else {
        req = req.header("Cookie", format!("odrdesk_form={}", caller.form_secret));
    }
    if let Some(t) = &caller.tracking {
        req = req.header("X-Tracking-Token", t);
    }
    let secret = caller.bearer.as_deref().unwrap_or(&caller.form_secret);
    req = match (row.body)(fx) {
        Body::None => req,
        Body::Json(v) => req.json(&v),
        Body::Form(mut fields) => {
            fields.push(("csrf".into(), csrf_for(secret)));
            req.header("Content-Type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(&fields).unwrap())
        }
        Body::Png => req.multipart(
            Form::new()
                .text("csrf", csrf_for(secret))
                .part("file", Part::bytes(PNG.to_vec()).file_name("a.png")),
        ),
    };
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location)
}

async fn setup(app: &TestApp) -> (Vec<Caller>, Fixture) {
    app.add_enterprise(OWN_USCC, "江门市美颜化妆品有限公司", "440703", true);
    app.add_enterprise(OTHER_USCC, "江门市新会某公司", "440705", true);
    let mut complaint = common::sample_complaint();
    complaint["adverse_reaction"] = json!({
        "onset_date": "2026-10-04", "symptoms": "面部红肿", "body_site": "面部", "severity": "general", "started_use": "2026-10-03"
    });
    let (status, body) = app.post_json("/api/v1/complaints", &complaint).await;
    assert_eq!(status, 201, "{body}");
    let case_no = body["case_no"].as_str().unwrap().to_owned();
    let tracking = body["tracking_token"].as_str().unwrap().to_owned();
    let mut report = common::sample_report();
    report["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": OWN_USCC, "district": "440703"});
    report["place"] = json!({"district": "440703"});
    let (status, body) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(status, 201, "{body}");
    let report_no = body["case_no"].as_str().unwrap().to_owned();
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let sup = app
        .add_user("sup@example.gov.cn", "supervisor", &["440703"], None)
        .await;
    let med_in = app
        .add_user("med-in@example.gov.cn", "mediator", &["440703"], None)
        .await;
    let med_out = app
        .add_user("med-out@example.gov.cn", "mediator", &["440705"], None)
        .await;
    let analyst = app
        .add_user("analyst@example.gov.cn", "analyst", &[], None)
        .await;
    let ent_own = app
        .add_user("own@example.com", "enterprise", &[], Some(OWN_USCC))
        .await;
    let ent_other = app
        .add_user("other@example.com", "enterprise", &[], Some(OTHER_USCC))
        .await;
    let dispatcher = app
        .add_user("dispatch@example.gov.cn", "dispatcher", &[], None)
        .await;

    let (s, att) = app
        .upload_evidence(&case_no, &tracking, vec![("a.png", PNG.to_vec())])
        .await;
    assert_eq!(s, 201, "{att}");
    let attachment = att[0]["id"].as_i64().expect("attachment id");

    let (s, export) = app.post_as("/api/v1/exports", &analyst, &json!({})).await;
    assert!(s == 201 || s == 202 || s == 200, "{s} {export}");
    let export = export["id"].as_i64().expect("export id");
    let (s, draft) = app
        .post_as(
            "/api/v1/admin/bulletins",
            &admin,
            &json!({"period": "2026-Q3"}),
        )
        .await;
    assert!(s == 201 || s == 200, "{s} {draft}");
    let bulletin = draft["id"].as_i64().expect("bulletin id");

    let staff = [admin, sup, med_in, med_out, analyst, ent_own, ent_other];
    let mut callers = vec![caller(None, None)];
    callers.extend(staff.into_iter().map(|t| caller(Some(t), None)));
    callers.push(caller(None, Some(tracking)));
    callers.push(caller(Some(dispatcher), None));
    assert_eq!(callers.len(), CALLERS.len());
    let fx = Fixture {
        case_no,
        report_no,
        attachment,
        export,
        bulletin,
    };
    (callers, fx)
}

fn caller(bearer: Option<String>, tracking: Option<String>) -> Caller {
    // A form cookie holds 256 random bits in hex, like a session token.
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    Caller {
        bearer,
        tracking,
        form_secret: secret,
    }
}

async fn matrix(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (callers, fx) = setup(&app).await;
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let mut lines = vec![format!(
        "{:<52} {}   (actual / expected)",
        "",
        CALLERS.join(" ")
    )];
    let mut wrong = 0;
    for row in table::rows() {
        let mut got = String::new();
        for (caller, expected) in callers.iter().zip(row.expect.chars()) {
            let (status, location) = request(&app, &client, caller, &row, &fx).await;
            let c = class(status, location.as_deref());
            if c != expected {
                wrong += 1;
            }
            got.push_str(&format!("{c}{status:<3} "));
        }
        let ok = got
            .split_whitespace()
            .zip(row.expect.chars())
            .all(|(cell, e)| cell.starts_with(e));
        let mark = if ok { " " } else { "✗" };
        lines.push(format!(
            "{mark} {:<6} {:<44} {got}  {}",
            row.method, row.path, row.expect
        ));
    }
    let report = lines.join("\n");
    assert_eq!(
        wrong, 0,
        "authorization matrix (A allowed, U sign in, F 403, N 404, ! 5xx):\n{report}"
    );
    println!("{report}");
}

on_both_backends!(matrix);
