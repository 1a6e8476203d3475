//! Outcomes on every page that may see them, in words rather than codes: a mediator settles
//! with an agreement and an amount, and the page after, the case page and the consumer's
//! tracking page all say so, the timeline naming the state once; a business answers an ODR
//! complaint and then sees its proposal instead of a second answer form; actors and channels
//! read as 公众, 查询码, 网页; a bad search query is explained in Chinese.

use crate::common;
use crate::e2e::World;
use crate::on_both_backends;

use common::browser::Browser;
use common::{Backend, TestApp, china_morning, sample_complaint};
use serde_json::json;

const MEDIATOR: &str = "med@jm.gov.cn";
const SHOP: &str = "shop@example.com";
const RESPONDENT_USCC: &str = "91440703MA4UJ5QX2U";
const AGREEMENT: &str = "商家退货并退款1200元";
const RECOVERED: &str = "挽回经济损失 ¥1,200.00";

/// Codes a page for people must never show: actors, channels and states as stored.
const CODES: [&str; 6] = [
    "tracking-token",
    ">public",
    "· public",
    "（web）",
    "mini_program",
    "→ 调解成功",
];

fn assert_no_codes(page: &str, which: &str) {
    for code in CODES {
        assert!(!page.contains(code), "{code} on the {which}: {page}");
    }
}

/// Opens the consumer's tracking page with the case number and 查询码.
async fn track(w: &World, case_no: &str, token: &str) -> String {
    let b = &w.browser;
    w.open("/track").await;
    b.fill("#f-case-no", case_no).await;
    b.fill("#f-token", token).await;
    b.follow(&b.find("form[action='/track'] button").await)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settlement_shows_its_agreement_and_amount_everywhere() {
    let w = World::start().await;
    w.app.set_now(china_morning(2026, 11, 20));
    w.app
        .add_user(MEDIATOR, "mediator", &["440703"], None)
        .await;
    let (case_no, token) = w.app.file_complaint().await;
    let b = &w.browser;

    w.sign_in(MEDIATOR, "/desk").await;
    w.open(&format!("/desk/cases/{case_no}")).await;
    let accepted = b.follow(&b.find("#form-accept button").await).await;
    assert!(accepted.contains("已记录：已受理"), "{accepted}");
    b.fill("#settle-agreement", AGREEMENT).await;
    b.fill("#settle-amount", "1200.00").await;
    // The page the mediator lands on says what was recorded, with its substance.
    let landed = b.follow(&b.find("#form-settle button").await).await;
    assert!(landed.contains("已记录：调解成功"), "{landed}");
    let notice = b.text(&b.find("p.notice[role=status]").await).await;
    assert!(
        notice.contains(AGREEMENT) && notice.contains(RECOVERED),
        "{notice}"
    );
    let timeline = b.text(&b.find("ol.timeline").await).await;
    assert!(
        timeline.contains(&format!("调解成功，达成协议：{AGREEMENT}；{RECOVERED}")),
        "{timeline}"
    );
    assert_eq!(timeline.matches("调解成功").count(), 1, "{timeline}");
    assert!(
        timeline.contains("公众") && timeline.contains(MEDIATOR),
        "{timeline}"
    );
    assert!(landed.contains("（网页）"), "the channel in words");
    assert_no_codes(&landed, "desk case page");
    b.photograph("outcome-desk-settled").await;

    // The consumer's tracking page shows the same outcome.
    let tracked = track(&w, &case_no, &token).await;
    let timeline = b.text(&b.find("ol.timeline").await).await;
    assert!(
        timeline.contains(AGREEMENT) && timeline.contains(RECOVERED),
        "{timeline}"
    );
    assert_eq!(timeline.matches("调解成功").count(), 1, "{timeline}");
    assert_no_codes(&tracked, "tracking page");
    b.photograph("outcome-track-settled").await;
    w.browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_sees_its_proposal_and_is_not_asked_again() {
    let w = World::start().await;
    w.app.set_now(china_morning(2026, 11, 20));
    w.app
        .add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    w.app
        .add_user(SHOP, "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    w.app
        .add_user(MEDIATOR, "mediator", &["440703"], None)
        .await;
    let mut complaint = sample_complaint();
    complaint["prefer_odr"] = json!(true);
    complaint["channel"] = json!("mini_program");
    let (case_no, token) = w.app.file(&complaint).await;
    let b = &w.browser;

    w.sign_in(SHOP, "/enterprise").await;
    w.open(&format!("/enterprise/cases/{case_no}")).await;
    let asked = b.wait_for("form-odr_answer").await;
    assert!(asked.contains("前答复"), "asked to answer before it has");
    b.fill("#odr_answer-proposal", "全额退款129元并承担运费")
        .await;
    let landed = b.follow(&b.find("#form-odr_answer button").await).await;
    assert!(landed.contains("已记录：企业已答复"), "{landed}");
    let notice = b.text(&b.find("p.notice[role=status]").await).await;
    assert!(
        notice.contains("处理方案：全额退款129元并承担运费"),
        "{notice}"
    );
    let proposal = b.text(&b.find("section.proposal").await).await;
    assert!(proposal.contains("全额退款129元并承担运费"), "{proposal}");
    assert!(
        b.try_find("#form-odr_answer").await.is_none(),
        "no second answer form"
    );
    assert!(!landed.contains("前答复"), "no longer asked to answer");
    assert_no_codes(&landed, "enterprise case page");
    b.photograph("outcome-enterprise-answered").await;

    // The consumer does not accept it; the business reads why, the desk reads who.
    track(&w, &case_no, &token).await;
    b.fill("#f-reason", "运费不是主要问题，要求赔偿").await;
    // The page before says 转由市场监管部门处理 too: wait for the next page, not the words.
    let rejected = b
        .follow(
            &b.find(&format!(
                "form[action='/track/{case_no}/action'] textarea#f-reason ~ button"
            ))
            .await,
        )
        .await;
    assert!(rejected.contains("转由市场监管部门处理"), "{rejected}");
    assert!(rejected.contains("运费不是主要问题"), "{rejected}");
    assert_no_codes(&rejected, "tracking page");

    w.open(&format!("/enterprise/cases/{case_no}")).await;
    let seen = b.wait_for("办理记录").await;
    assert!(seen.contains("原因：运费不是主要问题"), "{seen}");

    w.sign_in(MEDIATOR, "/desk").await;
    w.open(&format!("/desk/cases/{case_no}")).await;
    let desk = b.wait_for("办理记录").await;
    assert!(
        desk.contains("· 查询码") && desk.contains("（微信小程序）"),
        "{desk}"
    );
    assert!(desk.contains("处理方案：全额退款129元并承担运费"), "{desk}");
    assert_no_codes(&desk, "desk case page");
    w.browser.quit().await;
}

/// A query the parser refuses is explained in Chinese, with what to fix.
async fn a_bad_query_is_explained_in_chinese(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 11, 20));
    app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let mut web = Browser::signed_in(&app, "ana@jm.gov.cn", "/analyst/search").await;
    let unclosed = web.get("/analyst/search?q=%E9%9D%A2%E8%86%9C+AND+(").await;
    assert_eq!(unclosed.status, 422, "{}", unclosed.body);
    assert!(
        unclosed.body.contains("查询语句格式有误") && unclosed.body.contains("括号是否成对"),
        "{}",
        unclosed.body
    );
    let field = web.get("/analyst/search?q=shop%3A%E9%9D%A2%E8%86%9C").await;
    assert!(
        field.body.contains("没有名为“shop”的检索字段"),
        "{}",
        field.body
    );
    for page in [&unclosed.body, &field.body] {
        assert!(!page.contains("Syntax Error") && !page.contains("does not exist"));
        assert!(
            page.contains("aria-describedby=\"q-error\""),
            "the message sits by the query field"
        );
    }
}

on_both_backends!(a_bad_query_is_explained_in_chinese);
