//! The pages on a 360-px phone: a refused step comes back with its messages in view, naming
//! the field; no page is wider than the screen (the desk list keeps its due column); every
//! input has a label tied to it; large text keeps the complaint form usable.

use serde_json::{Value, json};

use super::World;
use super::complaint::{fill_complaint, submit_complaint};
use crate::common::webdriver::Browser;
use crate::common::{china_morning, sample_complaint};

const USCC: &str = "91440703MA4UJ5QX2U";
const ADMIN: &str = "admin@jm.gov.cn";
const MEDIATOR: &str = "med@jm.gov.cn";
const SHOP: &str = "desk@meiyan.cn";
const PHONE: (u32, u32) = (360, 640);

/// How far the page reaches past the window, in CSS pixels (0 when it fits).
async fn overflow(b: &Browser) -> i64 {
    b.execute(
        "return document.documentElement.scrollWidth - window.innerWidth;",
        json!([]),
    )
    .await
    .as_i64()
    .unwrap_or(i64::MAX)
}

/// The inputs of the page a person fills in that no label names.
async fn unlabelled(b: &Browser) -> Value {
    b.execute(
        "return [...document.querySelectorAll('input, select, textarea')]
           .filter(e => e.type !== 'hidden')
           .filter(e => ![...e.labels].some(l => l.textContent.trim() !== ''))
           .map(e => e.id || e.name);",
        json!([]),
    )
    .await
}

/// The element's top edge and height, and the window's height.
async fn placement(b: &Browser, css: &str) -> (f64, f64, f64) {
    let v = b
        .execute(
            &format!(
                "const r = document.querySelector({css:?}).getBoundingClientRect();
             return [r.top, r.height, window.innerHeight];"
            ),
            json!([]),
        )
        .await;
    let n = |i: usize| v[i].as_f64().unwrap_or(f64::NAN);
    (n(0), n(1), n(2))
}

/// A complaint with a long unbroken title, filed and accepted by the mediator.
async fn a_case_in_mediation(w: &World) -> String {
    let mut c = sample_complaint();
    c["title"] = json!(format!(
        "网购面膜过敏{}",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".repeat(2)
    ));
    c["prefer_odr"] = json!(false);
    let (s, v) = w.app.post_json("/api/v1/complaints", &c).await;
    assert_eq!(s, 201, "{v}");
    let case_no = v["case_no"].as_str().unwrap().to_owned();
    let token = w
        .app
        .login_token(MEDIATOR, crate::common::accounts::PASSWORD)
        .await;
    let (s, v) = w
        .app
        .post_as(
            &format!("/api/v1/cases/{case_no}/actions"),
            &token,
            &json!({"action": "accept"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    case_no
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_step_comes_back_in_view_naming_the_field() {
    let w = World::start().await;
    w.app.set_now(china_morning(2026, 11, 20));
    w.app
        .add_user(MEDIATOR, "mediator", &["440703"], None)
        .await;
    let case_no = a_case_in_mediation(&w).await;
    let b = &w.browser;
    w.sign_in(MEDIATOR, "/desk").await;
    b.resize(PHONE.0, PHONE.1).await;
    w.open(&format!("/desk/cases/{case_no}")).await;
    let marker = b.find("label[for='settle-agreement'] .need").await;
    assert_eq!(b.text(&marker).await, "（必填）");
    let marker = b.find("label[for='settle-amount'] .need").await;
    assert_eq!(b.text(&marker).await, "（可选）");

    // Settling without the agreement, from the bottom of a long page.
    b.click(&b.find("#form-settle button[type=submit]").await)
        .await;
    b.wait_for("form-settle-problems").await;
    assert!(b.url().await.ends_with("#form-settle"), "{}", b.url().await);
    let summary = b.find("#form-settle-problems").await;
    let words = b.text(&summary).await;
    assert!(words.contains("请填写「调解协议内容」"), "{words}");
    let (top, height, window) = placement(b, "#form-settle-problems").await;
    assert!(
        top >= 0.0 && top + height <= window,
        "the messages are in view: top {top}, height {height}, window {window}"
    );
    let field = b.find("#settle-agreement").await;
    assert_eq!(
        b.attr(&field, "aria-invalid").await.as_deref(),
        Some("true")
    );
    assert_eq!(
        b.attr(&field, "aria-describedby").await.as_deref(),
        Some("settle-agreement-err")
    );
    b.photograph("desk-step-refused").await;

    // Done right, the page lands on what was recorded, not on the form.
    b.resize(PHONE.0, PHONE.1).await;
    b.fill("#settle-agreement", "商家退款 129 元").await;
    b.click(&b.find("#form-settle button[type=submit]").await)
        .await;
    b.wait_for("已记录").await;
    let (top, _, window) = placement(b, ".notice").await;
    assert!((0.0..window).contains(&top), "notice at {top}");
    w.browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_uscc_check_digit_error_says_what_to_do() {
    let w = World::start().await;
    w.app.set_now(china_morning(2026, 11, 20));
    let b = &w.browser;
    b.resize(PHONE.0, PHONE.1).await;
    w.open("/complain").await;
    fill_complaint(&w, "13800138000").await;
    b.fill("#f-respondent-uscc", "91440703MA4UJ5QX2A").await;
    submit_complaint(&w).await;
    let page = b.wait_for("error-summary").await;
    assert!(
        page.contains("统一社会信用代码第 18 位（校验位）与前 17 位不符，请对照营业执照重新输入"),
        "{page}"
    );
    let (top, _, window) = placement(b, ".error-summary").await;
    assert!((0.0..window).contains(&top), "summary at {top}");
    // Fields needed only when an adverse reaction is reported say so beside their labels.
    let hint = b
        .execute(
            "return document.getElementById('f-adverse-reaction-symptoms-hint').textContent;",
            json!([]),
        )
        .await;
    assert!(
        hint.as_str()
            .is_some_and(|h| h.contains("填写不良反应时必填")),
        "{hint}"
    );
    w.browser.quit().await;
}

/// Opens each page at 360 px: it fits, and every input has a label.
async fn check_pages(w: &World, paths: &[String]) {
    let b = &w.browser;
    for path in paths {
        w.open(path).await;
        b.resize(PHONE.0, PHONE.1).await;
        assert_eq!(overflow(b).await, 0, "{path} is wider than a 360-px phone");
        assert_eq!(
            unlabelled(b).await,
            json!([]),
            "{path} has inputs without a label"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone_and_labels_its_inputs() {
    let w = World::start().await;
    w.app.set_now(china_morning(2026, 11, 20));
    w.app
        .add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", true);
    w.app.add_user(SHOP, "enterprise", &[], Some(USCC)).await;
    w.app
        .add_user(MEDIATOR, "mediator", &["440703"], None)
        .await;
    w.app.add_user(ADMIN, "admin", &[], None).await;
    let case_no = a_case_in_mediation(&w).await;
    let mut odr = sample_complaint();
    odr["prefer_odr"] = json!(true);
    let (_, v) = w.app.post_json("/api/v1/complaints", &odr).await;
    let odr_no = v["case_no"].as_str().unwrap().to_owned();
    // A bulletin for the public pages, published through the API.
    let token = w
        .app
        .login_token(ADMIN, crate::common::accounts::PASSWORD)
        .await;
    let (s, draft) = w
        .app
        .post_as(
            "/api/v1/admin/bulletins",
            &token,
            &json!({"period": "2026-Q3"}),
        )
        .await;
    assert_eq!(s, 201, "{draft}");
    let id = draft["id"].as_i64().unwrap();
    let (s, v) = w
        .app
        .post_as(
            &format!("/api/v1/admin/bulletins/{id}/publish"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    let public = [
        "/",
        "/complain",
        "/report",
        "/track",
        "/login",
        "/bulletins",
    ];
    let mut paths: Vec<String> = public.iter().map(|p| (*p).to_owned()).collect();
    paths.push(format!("/bulletins/{id}"));
    check_pages(&w, &paths).await;

    w.sign_in(ADMIN, "/admin").await;
    let staff = [
        "/admin",
        "/admin/bulletins",
        "/desk",
        "/analyst",
        "/analyst/trends",
        "/analyst/hot",
        "/analyst/alerts",
    ];
    let mut paths: Vec<String> = staff.iter().map(|p| (*p).to_owned()).collect();
    paths.push(format!("/desk/cases/{case_no}"));
    paths.push(format!("/admin/bulletins/{id}"));
    check_pages(&w, &paths).await;
    // The desk list's due column stays on the screen.
    w.open("/desk").await;
    let b = &w.browser;
    let right = b
        .execute(
            "return Math.max(...[...document.querySelectorAll('table.queue td.due')]
               .map(e => e.getBoundingClientRect().right));",
            json!([]),
        )
        .await;
    assert!(
        right
            .as_f64()
            .is_some_and(|r| r > 0.0 && r <= f64::from(PHONE.0)),
        "due column at {right}"
    );

    w.sign_in(SHOP, "/enterprise").await;
    check_pages(
        &w,
        &[
            "/enterprise".to_owned(),
            format!("/enterprise/cases/{odr_no}"),
        ],
    )
    .await;
    w.browser.quit().await;
}

/// Waits up to 10 s for the page's root font size to become `size` (after the toggle's
/// redirect has loaded the page again).
async fn wait_for_root_size(b: &Browser, size: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let now = b
            .execute(
                "return getComputedStyle(document.documentElement).fontSize;",
                json!([]),
            )
            .await;
        if now == size {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "root font size stayed {now}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_text_keeps_the_complaint_form_usable_on_a_phone() {
    let w = World::start().await;
    let b = &w.browser;
    w.open("/complain").await;
    b.resize(PHONE.0, PHONE.1).await;
    let root_size = "return getComputedStyle(document.documentElement).fontSize;";
    assert_eq!(b.execute(root_size, json!([])).await, "16px");
    b.click(&b.find("a.text-size-large").await).await;
    wait_for_root_size(b, "20px").await;
    assert!(b.url().await.ends_with("/complain"), "back on the form");
    assert_eq!(overflow(b).await, 0, "no sideways scrolling in large text");
    // Each label sits above its input, not over it.
    let overlaps = b
        .execute(
            "return [...document.querySelectorAll('label[for]')].filter(l => {
               const e = document.getElementById(l.htmlFor);
               if (!e || e.type === 'checkbox' || e.type === 'radio') return false;
               return l.getBoundingClientRect().bottom > e.getBoundingClientRect().top + 1;
             }).map(l => l.htmlFor);",
            json!([]),
        )
        .await;
    assert_eq!(overlaps, json!([]));
    b.photograph("complaint-large-text").await;
    // The choice lasts across pages, and the toggle takes it back.
    w.open("/track").await;
    assert_eq!(b.execute(root_size, json!([])).await, "20px");
    b.click(&b.find("a.text-size-normal").await).await;
    wait_for_root_size(b, "16px").await;
    assert!(b.url().await.ends_with("/track"), "back on the page");
    w.browser.quit().await;
}
