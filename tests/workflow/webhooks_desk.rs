//! The enterprise desk's 系统对接 page: the business registers its endpoint and makes a key
//! there (each secret shown once), sees its deliveries and resends one; an API key cannot
//! open the page.

use sha2::{Digest, Sha256};

use super::common::hook_receiver::Receiver;
use super::common::{Backend, TestApp};
use super::odr_complaint;
use super::webhooks::{odr_business, spawn};
use crate::on_both_backends;

/// The CSRF token a page derives from the session token (`web::csrf`).
fn csrf_for(session: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"odrdesk csrf v1\0");
    h.update(session.as_bytes());
    hex::encode(h.finalize())
}

async fn post_form(app: &TestApp, session: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let csrf = csrf_for(session);
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend_from_slice(fields);
    let res = app
        .client
        .post(app.url("/enterprise/integration"))
        .bearer_auth(session)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(&form).unwrap())
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The value shown once on the page.
fn shown_once(page: &str) -> String {
    let start = page.find("id=\"shown-once\">").expect("a value shown once") + 16;
    page[start..].split('<').next().unwrap().to_owned()
}

async fn the_desk_page_registers_makes_keys_and_resends(backend: Backend) {
    let receiver = Receiver::start();
    let app = spawn(&backend).await;
    let firm = odr_business(&app).await;
    let page = app.get_text_as("/enterprise/integration", &firm).await;
    assert!(page.contains("尚未设置推送地址"), "{page}");

    let (s, page) = post_form(
        &app,
        &firm,
        &[("do", "register"), ("url", "http://example.com/h")],
    )
    .await;
    assert_eq!(s, 422);
    assert!(page.contains("https://"), "{page}");
    let (s, page) = post_form(&app, &firm, &[("do", "register"), ("url", &receiver.url)]).await;
    assert_eq!(s, 200, "{page}");
    let secret = shown_once(&page);
    assert!(secret.starts_with("whsec_"), "{secret}");
    receiver.trust(&secret);
    let again = app.get_text_as("/enterprise/integration", &firm).await;
    assert!(!again.contains(&secret), "a secret is shown once");

    let (s, page) = post_form(&app, &firm, &[("do", "create_key"), ("label", "客服系统")]).await;
    assert_eq!(s, 200, "{page}");
    let key = shown_once(&page);
    assert!(key.starts_with("odk_"), "{key}");
    let (s, _) = app.get_as("/api/v1/enterprise/cases", &key).await;
    assert_eq!(s, 200);
    let res = app
        .client
        .get(app.url("/enterprise/integration"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403, "a key does not manage keys");

    let (case_no, _) = app.file(&odr_complaint()).await;
    let first = receiver.wait_accepted(1).await;
    assert!(first[0].signed);
    let page = app.get_text_as("/enterprise/integration", &firm).await;
    assert!(
        page.contains(&case_no) && page.contains("新案件") && page.contains("已送达"),
        "{page}"
    );

    let (s, log) = app
        .get_as("/api/v1/enterprise/webhook/deliveries", &firm)
        .await;
    assert_eq!(s, 200);
    let id = log[0]["id"].to_string();
    let (s, page) = post_form(&app, &firm, &[("do", "resend"), ("id", &id)]).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("已重新排队发送"));
    let got = receiver.wait_accepted(2).await;
    assert_eq!(got[1].event_id, got[0].event_id, "resent under the same id");

    let (s, page) = post_form(&app, &firm, &[("do", "disable")]).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("已停用"));
    app.file(&odr_complaint()).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(
        receiver.received().len(),
        2,
        "nothing is queued while switched off"
    );
}

on_both_backends!(the_desk_page_registers_makes_keys_and_resends);
