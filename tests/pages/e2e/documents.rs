//! Documents in Chromium: the consumer opens the 受理决定书 from the tracking page, the
//! mediator prints it from the case page, the business reads it from its desk; each page
//! fits a phone, and the document's own styles apply (its page allows them, and only them).
//! Screenshots at 360 and 1280 px under `target/screenshots/pages/documents-*`.

use serde_json::json;

use super::World;
use crate::common::webdriver::Browser;
use crate::common::{china_morning, sample_complaint};

const USCC: &str = "91440703MA4UJ5QX2U";
const MEDIATOR: &str = "med@jm.gov.cn";
const SHOP: &str = "desk@meiyan.cn";

/// How far the page reaches past a 360 px window, in CSS pixels (0 when it fits).
async fn overflow_on_a_phone(b: &Browser) -> i64 {
    b.resize(360, 800).await;
    let v = b
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            json!([]),
        )
        .await;
    b.resize(1280, 1000).await;
    v.as_i64().unwrap_or(i64::MAX)
}

/// The open document's title is centred: its inline styles were applied.
async fn styled_as_issued(b: &Browser, title: &str) {
    let h1 = b.find("h1").await;
    assert_eq!(b.text(&h1).await, title);
    let align = b
        .execute(
            "return getComputedStyle(document.querySelector('h1')).textAlign;",
            json!([]),
        )
        .await;
    assert_eq!(align, "center", "the document's own styles apply");
    assert_eq!(overflow_on_a_phone(b).await, 0, "{}", b.url().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_opened_from_the_tracking_page_and_the_desks() {
    let w = World::start().await;
    w.app.set_now(china_morning(2026, 11, 20));
    w.app
        .add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", false);
    w.app.add_user(SHOP, "enterprise", &[], Some(USCC)).await;
    let med = w
        .app
        .add_user(MEDIATOR, "mediator", &["440703"], None)
        .await;
    let (no, code) = w.app.file(&sample_complaint()).await;
    let path = format!("/api/v1/cases/{no}/actions");
    let (s, v) = w
        .app
        .post_as(&path, &med, &json!({"action": "accept"}))
        .await;
    assert_eq!(s, 200, "{v}");
    let b = &w.browser;

    // The consumer: the tracking page lists it; the link opens it as issued.
    w.open("/track").await;
    b.fill("#f-case-no", &no).await;
    b.fill("#f-token", &code).await;
    b.follow(&b.find("main form button[type=submit]").await)
        .await;
    let heading = b.find("#documents-h").await;
    assert_eq!(b.text(&heading).await, "文书");
    assert_eq!(overflow_on_a_phone(b).await, 0);
    b.photograph("documents-tracking").await;
    let link = format!("a[href^='/track/{no}/documents/']");
    b.follow(&b.find(&link).await).await;
    styled_as_issued(b, "投诉受理决定书").await;
    b.photograph("documents-consumer-view").await;

    // The mediator: 送达对象, date, SHA-256 and 打印 on the case page.
    w.sign_in(MEDIATOR, "/desk").await;
    w.open(&format!("/desk/cases/{no}")).await;
    let list = b.text(&b.find("ul.documents").await).await;
    assert!(list.contains("送达对象：投诉人、被投诉人"), "{list}");
    assert!(list.contains("SHA-256"), "{list}");
    assert_eq!(overflow_on_a_phone(b).await, 0);
    b.photograph("documents-desk-case").await;
    let print = format!("a[href^='/desk/cases/{no}/documents/']");
    let button = b.find(&print).await;
    assert_eq!(b.text(&button).await, "打印");
    b.follow(&button).await;
    styled_as_issued(b, "投诉受理决定书").await;
    b.photograph("documents-desk-print").await;

    // The business, from its own desk.
    w.open(&format!("/desk/cases/{no}")).await;
    b.follow(&b.find("header form[action='/logout'] button").await)
        .await;
    w.sign_in(SHOP, "/enterprise").await;
    w.open(&format!("/enterprise/cases/{no}")).await;
    assert_eq!(overflow_on_a_phone(b).await, 0);
    b.photograph("documents-enterprise-case").await;
    let link = format!("a[href^='/enterprise/cases/{no}/documents/']");
    b.follow(&b.find(&link).await).await;
    styled_as_issued(b, "投诉受理决定书").await;
    w.browser.quit().await;
}
