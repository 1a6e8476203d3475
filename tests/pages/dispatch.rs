//! The unified intake unit's pages: a mediator returns a case from the desk, the unit signs
//! in to its dispatch queue (待分送), opens the case and dispatches it to a county bureau.

use crate::common;
use crate::on_both_backends;

use common::browser::{Browser, hidden};
use common::{Backend, TestApp};

async fn a_returned_case_is_dispatched_from_the_unit_s_desk(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    app.add_user("dispatch@jm.gov.cn", "dispatcher", &[], None)
        .await;
    let (case_no, _) = app.file_complaint().await;
    let here = format!("/desk/cases/{case_no}");

    let mut med = Browser::signed_in(&app, "med@jm.gov.cn", "/desk").await;
    let page = med.get(&here).await;
    assert!(page.body.contains("退回统一接收机构"), "{}", page.body);
    // Under Order 121 the transfer form offers no other county bureau of the city.
    assert!(!page.body.contains("value=\"440705\""), "{}", page.body);
    let token = hidden(&page.body, "csrf");
    let returned = med
        .post(
            &format!("{here}/actions"),
            &[
                ("csrf", token.as_str()),
                ("action", "return_to_dispatcher"),
                ("reason", "经营者实际经营地在新会区"),
            ],
        )
        .await;
    assert_eq!(returned.status, 303, "{}", returned.body);

    let mut unit = Browser::signed_in(&app, "dispatch@jm.gov.cn", "/desk").await;
    let queue = unit.get("/desk").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains(&case_no), "{}", queue.body);
    assert!(queue.body.contains("待分送"), "{}", queue.body);
    let page = unit.get(&here).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("分送至辖区局"), "{}", page.body);
    assert!(page.body.contains("value=\"440705\""), "{}", page.body);
    let token = hidden(&page.body, "csrf");
    let done = unit
        .post(
            &format!("{here}/actions"),
            &[
                ("csrf", token.as_str()),
                ("action", "dispatch"),
                ("bureau", "440705"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/desk"));
    // Dispatched: out of the unit's queue and sight.
    assert!(!unit.get("/desk").await.body.contains(&case_no));
    assert_eq!(unit.get(&here).await.status, 404);
}

on_both_backends!(a_returned_case_is_dispatched_from_the_unit_s_desk);
