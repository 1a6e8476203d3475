//! Someone reports a shop without giving a name, keeps the number and 查询码 the page shows,
//! and tracks the report with them.

use super::Journey;
use super::consumer::track_from_home;
use crate::common::china_morning;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_report_is_filed_and_tracked() {
    let j = Journey::start("anonymous").await;
    j.w.app.set_now(china_morning(2026, 11, 20));
    let b = j.browser();

    j.home().await;
    let form = j.go("main a[href='/report']").await;
    assert!(form.contains("提交举报"), "the report form");
    j.step("report-form").await;
    b.select("#f-nature", "counterfeit").await;
    b.fill("#f-description", "该店销售疑似假冒品牌精华液，无中文标签。")
        .await;
    b.fill("#f-respondent-name", "江门市某美容院").await;
    b.select("#f-place-district", "440705").await;
    let filed = j.go("form[action='/report'] button[type=submit]").await;
    assert!(filed.contains("您的举报已提交"), "{filed}");
    assert!(!filed.contains("姓名"), "nobody was named");
    let case_no = j.text("dd.mono").await;
    let token = j.text("dd.token").await;
    j.step("filed").await;

    let tracked = track_from_home(&j, &case_no, &token).await;
    assert!(
        tracked.contains(&case_no) && tracked.contains("当前状态"),
        "{tracked}"
    );
    assert!(tracked.contains("举报"), "{tracked}");
    j.step("tracked").await;
    j.finish().await;
}
