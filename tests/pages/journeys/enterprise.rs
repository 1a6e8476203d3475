//! A business signs in, finds the complaint that asks it to settle directly (ODR), answers
//! with a proposal and then sees its answer instead of a second form, on the case and in
//! its list.

use serde_json::json;

use super::Journey;
use super::consumer::USCC;
use super::mediator::take_step;
use crate::common::{china_morning, sample_complaint};

const PROPOSAL: &str = "全额退款129元并承担运费";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_answers_an_odr_complaint_and_sees_its_answer() {
    let j = Journey::start("enterprise").await;
    let app = &j.w.app;
    app.set_now(china_morning(2026, 11, 20));
    app.add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", true);
    app.add_user("desk@meiyan.cn", "enterprise", &[], Some(USCC))
        .await;
    let mut complaint = sample_complaint();
    complaint["prefer_odr"] = json!(true);
    let (case_no, _) = app.file(&complaint).await;
    let b = j.browser();

    j.sign_in("desk@meiyan.cn", "/enterprise", "涉及本企业的投诉")
        .await;
    let case = j
        .go(&format!("main a[href='/enterprise/cases/{case_no}']"))
        .await;
    assert!(case.contains("前答复"), "asked to answer by a date");
    j.step("case").await;
    b.fill("#odr_answer-proposal", PROPOSAL).await;
    take_step(&j, "odr_answer", "企业已答复").await;
    let proposal = j.text("section.proposal").await;
    assert!(proposal.contains(PROPOSAL), "{proposal}");
    assert!(
        b.try_find("#form-odr_answer").await.is_none(),
        "answered once"
    );
    assert!(!j.text("main").await.contains("前答复"), "not asked again");
    j.step("answered").await;

    // The list no longer asks for an answer either.
    let list = j.go("header a[href='/enterprise']").await;
    assert!(list.contains(&case_no), "{list}");
    let row = j.text("ul.cards-list li").await;
    assert!(row.contains("已答复，等待消费者决定"), "{row}");
    assert!(!row.contains("前答复"), "{row}");
    j.step("list").await;
    j.sign_out().await;
    j.finish().await;
}
