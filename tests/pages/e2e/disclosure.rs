//! Publication of complaint information in Chromium (Order 121 Art. 38): the consumer says
//! yes to 是否同意公示投诉信息 on the form (no is chosen to start with), the business writes
//! its public reply on its case page, a supervisor approves the entry on `/desk/disclosures`,
//! the public reads it on `/businesses/{uscc}/entries` without anything personal, and the
//! consumer's withdrawal on the tracking page takes it off at once. Screenshots at 360 and
//! 1280 px under `target/screenshots/pages/<backend>/`.

use serde_json::json;

use super::World;
use super::complaint::{fill_complaint, submit_complaint};
use crate::common::Backend;
use crate::on_both_backends;

const USCC: &str = "91440703MA4UJ5QX2U";
const ENTRIES: &str = "/businesses/91440703MA4UJ5QX2U/entries";

fn shot(backend: &Backend, name: &str) -> String {
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    format!("{dir}/{name}")
}

async fn consent_reply_approval_and_withdrawal_in_the_browser(backend: Backend) {
    let w = World::on(&backend).await;
    let app = &w.app;
    app.add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", false);
    let med = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    app.add_user("sup@jm.gov.cn", "supervisor", &["440703"], None)
        .await;
    app.add_user("shop@example.com", "enterprise", &[], Some(USCC))
        .await;
    let b = &w.browser;

    // The form asks, with no chosen to start with.
    w.open("/complain").await;
    let no = b.find("#f-consent-no").await;
    assert_eq!(b.attr(&no, "checked").await.as_deref(), Some("true"));
    fill_complaint(&w, "13912345678").await;
    b.fill("#f-respondent-uscc", USCC).await;
    b.fill(
        "#f-description",
        "本人张三，电话13912345678，邮箱zhang@example.com，住江门市蓬江区建设路1号。面膜使用后过敏。",
    )
    .await;
    b.click(&b.find("#f-consent-yes").await).await;
    b.photograph(&shot(&backend, "complain-consent")).await;
    submit_complaint(&w).await;
    b.wait_for("已提交").await;
    let case_no = b.text(&b.find("dd.mono").await).await;

    // The tracking page says consent was given and offers to withdraw it.
    w.open(&format!("/track/{case_no}")).await;
    let page = b.wait_for("公示投诉信息").await;
    assert!(page.contains("已同意"), "{page}");
    b.photograph(&shot(&backend, "track-consent")).await;

    // Settled by the mediator; the business replies on its case page.
    let actions = format!("/api/v1/cases/{case_no}/actions");
    for body in [
        json!({"action": "accept"}),
        json!({"action": "settle", "agreement": "退款", "recovered_fen": 12900}),
    ] {
        let (s, v) = app.post_as(&actions, &med, &body).await;
        assert_eq!(s, 200, "{v}");
    }
    w.sign_in("shop@example.com", "/enterprise").await;
    w.open(&format!("/enterprise/cases/{case_no}")).await;
    b.fill("#f-public-reply", "已与张三（13912345678）协商全额退款。")
        .await;
    b.follow(&b.find("#public-reply button[type=submit]").await)
        .await;
    let page = b.wait_for("公开回复已保存").await;
    assert!(page.contains("待审核"), "{page}");
    b.photograph(&shot(&backend, "enterprise-public-reply"))
        .await;

    // The supervisor sees the entry as it will be published and approves it.
    w.sign_in("sup@jm.gov.cn", "/desk").await;
    w.open("/desk/disclosures").await;
    let queue = b.wait_for("投诉公示审核").await;
    for planted in ["张三", "13912345678", "zhang@example.com", "建设路1号"] {
        let entry = queue.split("disclosure-queue").nth(1).unwrap_or_default();
        assert!(!entry.contains(planted), "{planted} in the queue");
    }
    assert!(queue.contains("全额退款"), "{queue}");
    b.photograph(&shot(&backend, "desk-disclosures")).await;
    b.follow(&b.find(&format!("#approve-{case_no}")).await)
        .await;
    let done = b.wait_for("已同意公示").await;
    assert!(done.contains("暂无待审核"), "{done}");

    // The public reads it, masked, without the case number.
    w.open(ENTRIES).await;
    let public = b.wait_for("投诉公示信息").await;
    assert!(
        public.contains("调解成功") && public.contains("全额退款"),
        "{public}"
    );
    for planted in [
        "张三",
        "13912345678",
        "zhang@example.com",
        "建设路1号",
        case_no.as_str(),
    ] {
        assert!(!public.contains(planted), "{planted} on the public page");
    }
    b.photograph(&shot(&backend, "business-entries")).await;

    // The consumer withdraws on the tracking page: off the public page at once.
    w.open(&format!("/track/{case_no}")).await;
    b.follow(&b.find("#withdraw-consent").await).await;
    let page = b.wait_for("您已撤回公示同意").await;
    assert!(page.contains("未同意"), "{page}");
    b.photograph(&shot(&backend, "track-consent-withdrawn"))
        .await;
    w.open(ENTRIES).await;
    let public = b.wait_for("投诉公示信息").await;
    assert!(public.contains("暂无公示"), "{public}");
    b.photograph(&shot(&backend, "business-entries-empty"))
        .await;
}

on_both_backends!(consent_reply_approval_and_withdrawal_in_the_browser);
