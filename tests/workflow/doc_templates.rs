//! A bureau adjusts its documents without a rebuild: the administrator loads changed
//! templates, the next document uses them, those already issued stay as they were, and a set
//! that would leave a decision without its document is refused with the reason.

use serde_json::{Value, json};

use super::common::{Backend, TestApp};
use super::documents::{document_html, documents};
use super::*;

const BUILTIN: &str = include_str!("../../reference/documents.toml");
const POLICY: &str = include_str!("../../reference/policy.toml");
const FORMAT: &str = "format = \"{bureau}市监{code}〔{year}〕第{n}号\"";

/// PUT `body` as TOML to `path` as `token`: (status, JSON answer).
async fn put(
    app: &TestApp,
    path: &str,
    token: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(token)
        .header("Content-Type", "application/toml")
        .body(body)
        .send()
        .await
        .expect("request");
    super::common::read(res).await
}

/// The built-in file without the Order 121 acceptance template.
fn without_order_121_acceptance() -> String {
    let start = BUILTIN
        .find("policy = \"samr-order-121\"\nkind = \"acceptance\"")
        .expect("the Order 121 acceptance template");
    let block_start = BUILTIN[..start].rfind("[[templates]]").unwrap();
    let block_end = start + BUILTIN[start..].find("[[templates]]").unwrap();
    format!("{}{}", &BUILTIN[..block_start], &BUILTIN[block_end..])
}

async fn an_administrator_adjusts_the_documents_without_a_rebuild(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let admin = app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let mut cases = Vec::new();
    for _ in 0..3 {
        cases.push(app.file_complaint().await.0);
    }
    let accept = json!({"action": "accept"});
    step(&app, &cases[0], Who::Bearer(&med), accept.clone()).await;
    let first = documents(&app, &cases[0], Who::Bearer(&med)).await[0].clone();
    let (_, first_html) = document_html(&app, &cases[0], &first["id"], Who::Bearer(&med)).await;
    assert_eq!(first["number"], "江蓬市监投受〔2026〕第1号");

    // The bureau's style: another number format, another title, a line of its own.
    assert!(BUILTIN.contains(FORMAT));
    let adjusted = BUILTIN
        .replace(FORMAT, "format = \"{bureau}市监{code}字〔{year}〕{n}号\"")
        .replace("title = \"投诉受理决定书\"", "title = \"受理投诉决定书\"")
        .replace(
            "\"抄送：{business}\",",
            "\"抄送：{business}\",\n  \"联系电话：0750-12315\",",
        );
    let (s, v) = put(&app, "/api/v1/admin/documents", &med, adjusted.clone()).await;
    assert_eq!(s, 403, "only an administrator loads templates: {v}");
    let (s, v) = put(&app, "/api/v1/admin/documents", &admin, adjusted.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["templates"], 18);
    let (_, loaded) = app.get_as("/api/v1/admin/documents", &admin).await;
    assert_eq!(
        loaded["numbering"]["format"],
        "{bureau}市监{code}字〔{year}〕{n}号"
    );

    step(&app, &cases[1], Who::Bearer(&med), accept.clone()).await;
    let second = documents(&app, &cases[1], Who::Bearer(&med)).await[0].clone();
    assert_eq!(second["number"], "江蓬市监投受字〔2026〕2号");
    let (_, html) = document_html(&app, &cases[1], &second["id"], Who::Bearer(&med)).await;
    assert!(html.contains("<h1>受理投诉决定书</h1>"), "{html}");
    assert!(html.contains("联系电话：0750-12315"), "{html}");
    // What was issued stays as issued.
    let (_, again) = document_html(&app, &cases[0], &first["id"], Who::Bearer(&med)).await;
    assert_eq!(again, first_html);
    assert!(again.contains("<h1>投诉受理决定书</h1>"));

    // Refused, each with its reason; nothing of a refused set is used.
    let missing = without_order_121_acceptance();
    let (s, v) = put(&app, "/api/v1/admin/documents", &admin, missing).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (400, Some("invalid_documents")),
        "{v}"
    );
    assert_eq!(
        v["message"], "政策版本「samr-order-121」缺少「acceptance」文书模板",
        "{v}"
    );
    let unknown = adjusted.replacen(
        "\"抄送：{business}\"",
        "\"抄送：{business}，金额{amount}\"",
        1,
    );
    let (s, v) = put(&app, "/api/v1/admin/documents", &admin, unknown).await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(
        v["message"], "「samr-order-20 / acceptance」使用了不允许的占位符「{amount}」",
        "{v}"
    );
    let (s, v) = put(&app, "/api/v1/admin/documents", &admin, "version = ").await;
    assert_eq!(
        (s, v["error"].as_str()),
        (400, Some("invalid_documents")),
        "{v}"
    );
    let (s, _) = put(&app, "/api/v1/admin/documents", &admin, vec![0xff_u8, 0xfe]).await;
    assert_eq!(s, 400);

    // A policy version without templates would decide without documents: refused too.
    let next = &POLICY[POLICY.rfind("[[versions]]").unwrap()..]
        .replace("id = \"samr-order-121\"", "id = \"jiangmen-2027\"")
        .replace(
            "effective_from = \"2026-04-15\"",
            "effective_from = \"2027-01-01\"",
        );
    let (s, v) = put(
        &app,
        "/api/v1/admin/policy",
        &admin,
        format!("{POLICY}\n{next}"),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    let message = v["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("jiangmen-2027") && message.contains("缺少"),
        "{v}"
    );
    assert!(message.contains("请先载入该版本的文书模板"), "{v}");

    step(&app, &cases[2], Who::Bearer(&med), accept).await;
    let third = documents(&app, &cases[2], Who::Bearer(&med)).await[0].clone();
    assert_eq!(third["number"], "江蓬市监投受字〔2026〕3号");
}

on_both_backends!(an_administrator_adjusts_the_documents_without_a_rebuild);
