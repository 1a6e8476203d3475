//! A complaint's life through the pages: a consumer files it with a photo and tracks it, a
//! mediator signs in, accepts and settles it, and the consumer sees the outcome and rates it.
//! Also: the form shows its errors in place.

use chrono::TimeZone;
use odrdesk::clock::china_offset;

use super::World;

const MEDIATOR: &str = "med@jm.gov.cn";

fn china(y: i32, m: u32, d: u32) -> chrono::DateTime<chrono::Utc> {
    china_offset()
        .with_ymd_and_hms(y, m, d, 10, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// Fills the complaint form as a consumer would (respondent in 蓬江区).
pub async fn fill_complaint(w: &World, phone: &str) {
    let b = &w.browser;
    b.select("#f-category", "goods.cosmetics.skincare").await;
    b.select("#f-nature", "quality").await;
    b.fill("#f-title", "面膜使用后皮肤过敏红肿").await;
    b.fill(
        "#f-description",
        "十一月初在商场购买补水面膜，使用两次后面部红肿瘙痒。",
    )
    .await;
    b.fill("#f-claim", "退货退款").await;
    b.fill("#f-respondent-name", "江门市美颜化妆品有限公司")
        .await;
    b.fill("#f-respondent-address", "江门市蓬江区港口路8号")
        .await;
    b.select("#f-respondent-district", "440703").await;
    b.fill("#f-purchase-amount-yuan", "129.00").await;
    b.fill("#f-complainant-name", "张三").await;
    b.fill("#f-complainant-phone", phone).await;
    b.fill("#f-complainant-address", "江门市蓬江区建设路1号")
        .await;
}

pub(super) async fn submit_complaint(w: &World) {
    let b = &w.browser;
    b.follow(&b.find("form[action='/complain'] button[type=submit]").await)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_is_filed_tracked_accepted_and_settled() {
    let w = World::start().await;
    w.app.set_now(china(2026, 11, 20));
    w.app
        .add_user(MEDIATOR, "mediator", &["440703"], None)
        .await;
    let b = &w.browser;

    w.open("/").await;
    b.photograph("home").await;
    b.follow(&b.find("a[href='/complain']").await).await;
    b.wait_for_url("/complain").await;
    b.photograph("complain").await;
    fill_complaint(&w, "13800138000").await;
    // A real photo: the browser's own screenshot of the page.
    let photo = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    b.screenshot(photo.path()).await;
    b.type_into(&b.find("#f-evidence").await, photo.path().to_str().unwrap())
        .await;
    submit_complaint(&w).await;

    let filed = b.wait_for("已提交").await;
    assert!(filed.contains("已提交"), "{filed}");
    let case_no = b.text(&b.find("dd.mono").await).await;
    let token = b.text(&b.find("dd.token").await).await;
    assert!(case_no.starts_with("TS-2026-"), "{case_no}");
    assert!(filed.contains("受理期限"), "the deadline in plain words");
    assert!(
        filed.contains("data:image/png;base64,"),
        "a preview of the photo"
    );
    b.photograph("complaint-filed").await;

    assert_eq!(token.split('-').count(), 5, "read aloud in groups: {token}");

    // The consumer tracks it with the number and the 查询码, typed loosely.
    w.open("/track").await;
    b.fill("#f-case-no", &case_no).await;
    b.fill("#f-token", &token.to_lowercase().replace('-', " "))
        .await;
    b.follow(&b.find("form[action='/track'] button").await)
        .await;
    let page = b.wait_for("当前状态").await;
    let at = b.url().await;
    assert!(at.ends_with(&format!("/track/{case_no}")), "{at}");
    assert!(page.contains(&case_no) && page.contains("待受理"), "{page}");
    b.photograph("track").await;

    // The mediator signs in, finds it in the queue, accepts and settles it.
    w.sign_in(MEDIATOR, "/desk").await;
    w.open("/desk").await;
    b.photograph("desk-queue").await;
    b.follow(&b.find(&format!("a[href='/desk/cases/{case_no}']")).await)
        .await;
    b.wait_for_url(&format!("/desk/cases/{case_no}")).await;
    b.photograph("desk-case").await;
    b.follow(&b.find("#form-accept button").await).await;
    b.wait_for("调解中").await;
    b.fill("#settle-agreement", "商家退货退款 129 元").await;
    b.fill("#settle-amount", "129.00").await;
    b.follow(&b.find("#form-settle button").await).await;
    let settled = b.wait_for("调解成功").await;
    assert!(
        settled.contains("已达成调解协议") || settled.contains("调解成功"),
        "{settled}"
    );
    b.photograph("desk-case-settled").await;

    // The consumer confirms the 调解书 on line, then rates the outcome; this browser still
    // holds the code.
    w.open(&format!("/track/{case_no}")).await;
    let waiting = b.wait_for("待投诉人确认").await;
    assert!(waiting.contains("调解书"), "{waiting}");
    b.follow(&b.find("#form-confirm_agreement button").await)
        .await;
    b.wait_for_url("?done=agreement_confirmed").await;
    let confirmed = b.wait_for("待经营者确认").await;
    assert!(
        !confirmed.contains("我已阅读并确认调解书"),
        "confirmed once"
    );
    b.photograph("track-agreement-confirmed").await;
    b.click(&b.find("#f-score-5").await).await;
    b.fill("#f-comment", "处理及时").await;
    b.follow(&b.find("#form-rate button.primary").await).await;
    let rated = b.wait_for("您给出的评价").await;
    assert!(rated.contains("感谢您的评价"), "{rated}");
    assert!(
        !rated.contains("提交评价"),
        "the rating form is gone once rated"
    );
    b.wait_for_url("?done=rated").await;
    b.photograph("track-rated").await;
    // Back is the case page before the post, fetched again: no "resubmit form?".
    b.back().await;
    let before = b.wait_for("您给出的评价").await;
    assert!(!before.contains("提交评价"), "{before}");
    let at = b.url().await;
    // The page before the post: the one the confirmation was redirected to.
    assert!(
        at.ends_with(&format!("/track/{case_no}?done=agreement_confirmed")),
        "{at}"
    );
    w.browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_shows_errors_in_place() {
    let w = World::start().await;
    w.app.set_now(china(2026, 11, 20));
    let b = &w.browser;
    w.open("/complain").await;
    fill_complaint(&w, "1234").await;
    b.fill("#f-purchase-amount-yuan", "十二元").await;
    submit_complaint(&w).await;
    b.wait_for("请修改以下").await;
    let phone = b.find("#f-complainant-phone").await;
    assert_eq!(
        b.attr(&phone, "aria-invalid").await.as_deref(),
        Some("true")
    );
    assert_eq!(
        b.attr(&phone, "value").await.as_deref(),
        Some("1234"),
        "kept as typed"
    );
    let message = b.text(&b.find("#f-complainant-phone-err").await).await;
    assert!(message.contains("手机"), "{message}");
    assert!(b.try_find("#f-purchase-amount-yuan-err").await.is_some());
    let title = b.find("#f-title").await;
    assert_eq!(
        b.attr(&title, "value").await.as_deref(),
        Some("面膜使用后皮肤过敏红肿")
    );
    b.photograph("complain-errors").await;
    w.browser.quit().await;
}
