//! The report form with 「我是权利人（企业）」 in Chromium: the section opened and filled,
//! a bad USCC refused at its field, photographed at 360 and 1280 px.

use super::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rights_holder_option_of_the_report_form() {
    let w = World::start().await;
    let b = &w.browser;
    w.open("/report").await;
    b.wait_for("我是权利人（企业）").await;
    b.select("#f-nature", "ip_trademark").await;
    b.fill("#f-description", "该店销售假冒本公司注册商标的精华液。")
        .await;
    b.fill("#f-respondent-name", "江门市某美容院").await;
    b.select("#f-place-district", "440705").await;
    b.click(&b.find("#rights-holder > summary").await).await;
    b.click(&b.find("#f-rights-holder").await).await;
    b.fill("#f-rights-holder-name", "上海某化妆品品牌管理有限公司")
        .await;
    b.fill("#f-rights-holder-uscc", "91310000MA1FL8TQ37").await;
    b.fill("#f-rights-holder-contact-name", "林法务").await;
    b.fill("#f-rights-holder-contact-phone", "13916881234")
        .await;
    b.photograph("report-rights-holder").await;
    b.follow(&b.find("form[action='/report'] button[type=submit]").await)
        .await;
    let refused = b.wait_for("请修改以下").await;
    assert!(refused.contains("f-rights-holder-uscc-err"), "{refused}");
    b.photograph("report-rights-holder-refused").await;
    b.fill("#f-rights-holder-uscc", "91310000MA1FL8TQ36").await;
    b.follow(&b.find("form[action='/report'] button[type=submit]").await)
        .await;
    let filed = b.wait_for("已提交").await;
    assert!(filed.contains("JB-2026-"), "{filed}");
}
