//! A supervisor signs in, ticks cases in the work list and assigns them to a mediator in one
//! go; the list then names the mediator beside each.

use super::Journey;
use crate::common::china_morning;

const MEDIATOR: &str = "med@jm.gov.cn";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_assigns_cases_in_bulk() {
    let j = Journey::start("supervisor").await;
    let app = &j.w.app;
    app.set_now(china_morning(2026, 11, 20));
    app.add_user("chief@jm.gov.cn", "supervisor", &["440703"], None)
        .await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let (first, _) = app.file_complaint().await;
    let (second, _) = app.file_complaint().await;
    let b = j.browser();

    j.sign_in("chief@jm.gov.cn", "/desk", "案件工作台").await;
    for case_no in [&first, &second] {
        b.click(&b.find(&format!("#pick-{case_no}")).await).await;
    }
    b.select("#assign-user", MEDIATOR).await;
    j.step("picked").await;
    let assigned = j
        .go("form[action='/desk/assign'] fieldset button[type=submit]")
        .await;
    assert!(assigned.contains("role=\"status\""), "{assigned}");
    let assignees = b.find_all("td.assignee").await;
    assert_eq!(assignees.len(), 2);
    for cell in &assignees {
        assert_eq!(b.text(cell).await, MEDIATOR);
    }
    j.step("assigned").await;
    j.sign_out().await;
    j.finish().await;
}
