//! A mediator signs in, finds a case by its number, accepts it, messages the consumer, pauses
//! mediation for a test and resumes it, settles, and sees the outcome on the case page and in
//! the list of closed cases.

use super::Journey;
use crate::common::china_morning;

const MEDIATOR: &str = "med@jm.gov.cn";
const AGREEMENT: &str = "商家退货并退款129元";

/// Takes the desk step `name` with what has been filled in, ticking its confirmation when it
/// asks for one; returns the page after, which must say what was recorded.
pub async fn take_step(j: &Journey, name: &str, recorded: &str) -> String {
    let b = j.browser();
    if let Some(confirm) = b.try_find(&format!("#{name}-confirm")).await {
        b.click(&confirm).await;
    }
    let page = j.go(&format!("#form-{name} button[type=submit]")).await;
    assert!(page.contains(&format!("已记录：{recorded}")), "{page}");
    page
}

/// Chooses the first real option of a `<select>` (the one after 请选择).
pub async fn choose_first(j: &Journey, select_css: &str) {
    let b = j.browser();
    b.click(
        &b.find(&format!("{select_css} option:not([value=''])"))
            .await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mediator_finds_accepts_messages_pauses_resumes_and_settles() {
    let j = Journey::start("mediator").await;
    let app = &j.w.app;
    app.set_now(china_morning(2026, 11, 20));
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let (case_no, _) = app.file_complaint().await;
    app.file_complaint().await;
    let b = j.browser();

    j.sign_in(MEDIATOR, "/desk", "案件工作台").await;
    b.fill("#f-no", &case_no).await;
    let found = j.go("form.filters button[type=submit]").await;
    assert!(found.contains("共 1 件"), "only the case asked for");
    j.step("found").await;
    let case = j.go(&format!("a[href='/desk/cases/{case_no}']")).await;
    assert!(case.contains("待受理"), "{case}");
    j.step("case").await;

    take_step(&j, "accept", "已受理").await;
    j.step("accepted").await;
    choose_first(&j, "#message-to").await;
    b.fill("#message-text", "已联系商家，请保留好商品和包装。")
        .await;
    let sent = take_step(&j, "message", "发送消息").await;
    assert!(sent.contains("已联系商家"), "the message is in the record");
    j.step("messaged").await;
    choose_first(&j, "#pause-reason").await;
    take_step(&j, "pause", "调解中止").await;
    j.step("paused").await;
    take_step(&j, "resume", "恢复调解").await;
    j.step("resumed").await;

    b.fill("#settle-agreement", AGREEMENT).await;
    b.fill("#settle-amount", "129.00").await;
    take_step(&j, "settle", "调解成功").await;
    let timeline = j.text("ol.timeline").await;
    assert!(timeline.contains(AGREEMENT), "{timeline}");
    j.step("settled").await;

    // The closed list shows the outcome too.
    j.go("header a[href='/desk']").await;
    b.click(&b.find("#f-closed").await).await;
    let closed = j.go("form.filters button[type=submit]").await;
    assert!(
        closed.contains(&case_no) && closed.contains("调解成功"),
        "{closed}"
    );
    j.step("closed-list").await;
    j.sign_out().await;
    j.finish().await;
}
