//! A consumer files a complaint with a photo and asks to settle with the business first
//! (ODR), tracks it with the number and 查询码 the page gave, leaves a message and adds
//! evidence; once the business has proposed a remedy, comes back from the home page,
//! accepts it and rates the outcome.

use serde_json::json;

use super::Journey;
use crate::common::china_morning;
use crate::e2e::complaint::fill_complaint;

pub const USCC: &str = "91440703MA4UJ5QX2U";
const BUSINESS: &str = "江门市美颜化妆品有限公司";
const PROPOSAL: &str = "全额退款129元并承担运费";

/// A real photo to upload: the browser's own screenshot of the page.
pub async fn photo(j: &Journey) -> tempfile::NamedTempFile {
    let photo = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    j.browser().screenshot(photo.path()).await;
    photo
}

/// From the home page through 查询进度 to the case's tracking page.
pub async fn track_from_home(j: &Journey, case_no: &str, token: &str) -> String {
    let b = j.browser();
    j.home().await;
    j.go("main a[href='/track']").await;
    b.fill("#f-case-no", case_no).await;
    b.fill("#f-token", token).await;
    j.go("form[action='/track'] button").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_files_tracks_supplements_accepts_and_rates() {
    let j = Journey::start("consumer").await;
    let app = &j.w.app;
    app.set_now(china_morning(2026, 11, 20));
    app.add_enterprise(USCC, BUSINESS, "440703", true);
    let business = app
        .add_user("desk@meiyan.cn", "enterprise", &[], Some(USCC))
        .await;
    let b = j.browser();

    j.home().await;
    let form = j.go("main a[href='/complain']").await;
    assert!(form.contains("提交投诉"), "the complaint form");
    j.step("complaint-form").await;
    fill_complaint(&j.w, "13800138000").await;
    b.fill("#f-respondent-uscc", USCC).await;
    b.click(&b.find("#f-prefer-odr").await).await;
    let evidence = photo(&j).await;
    b.type_into(
        &b.find("#f-evidence").await,
        evidence.path().to_str().unwrap(),
    )
    .await;
    let filed = j.go("form[action='/complain'] button[type=submit]").await;
    assert!(filed.contains("您的投诉已提交"), "{filed}");
    assert!(filed.contains("data:image/png;base64,"), "the photo");
    // The number and 查询码 as the page shows them, whatever their format.
    let case_no = j.text("dd.mono").await;
    let token = j.text("dd.token").await;
    j.step("filed").await;

    // The browser that filed holds the code for a while: the link opens the case itself.
    let tracked = j.go("main a.button[href^='/track/']").await;
    assert!(tracked.contains(&case_no), "{tracked}");
    assert!(tracked.contains("当前状态"), "{tracked}");
    assert!(tracked.contains(BUSINESS), "{tracked}");
    j.step("tracked").await;

    // A message, a written supplement, then more evidence: what a consumer can add while
    // the case runs.
    let action = format!("/track/{case_no}/action");
    b.fill("#f-text", "请商家尽快联系我，电话全天可接。").await;
    let sent = j
        .go(&format!("form[action='{action}'] textarea#f-text ~ button"))
        .await;
    assert!(sent.contains("请商家尽快联系我"), "the message is listed");
    j.step("messaged").await;
    b.fill("#f-supplement", "补充：使用第三天起脸部泛红，已停用。")
        .await;
    let written = j
        .go(&format!(
            "form[action='/track/{case_no}/supplement'] button"
        ))
        .await;
    assert!(written.contains("已停用"), "the supplement is listed");
    j.step("supplement-written").await;
    let receipt = photo(&j).await;
    b.type_into(
        &b.find(&format!(
            "form[action='/track/{case_no}/evidence'] #f-evidence"
        ))
        .await,
        receipt.path().to_str().unwrap(),
    )
    .await;
    let supplemented = j
        .go(&format!("form[action='/track/{case_no}/evidence'] button"))
        .await;
    assert_eq!(
        supplemented.matches("data:image/png;base64,").count(),
        2,
        "both photos are listed"
    );
    j.step("supplemented").await;

    // The business proposes a remedy from its own desk (its journey is elsewhere).
    let (s, v) = app
        .post_as(
            &format!("/api/v1/cases/{case_no}/actions"),
            &business,
            &json!({"action": "odr_answer", "proposal": PROPOSAL}),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    let proposed = track_from_home(&j, &case_no, &token).await;
    assert!(proposed.contains(PROPOSAL), "{proposed}");
    j.step("proposal").await;
    let accepted = j
        .go(&format!(
            "form[action='{action}'] input[value='consumer_accept'] ~ button"
        ))
        .await;
    assert!(!accepted.contains("接受商家方案</button>"), "accepted once");
    j.step("accepted").await;

    b.click(&b.find("#f-score-5").await).await;
    b.fill("#f-comment", "商家处理及时").await;
    let rated = j
        .go(&format!("form[action='{action}'] fieldset ~ button"))
        .await;
    assert!(rated.contains("感谢您的评价"), "{rated}");
    assert!(
        !rated.contains("提交评价") && !rated.contains("进行评价"),
        "rated once, and not invited again: {rated}"
    );
    j.step("rated").await;
    j.finish().await;
}
