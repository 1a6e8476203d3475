//! Dispatch by the city's unified intake unit (Order 121 Art. 13, 14, 41): a bureau without
//! competence returns a case instead of sending it sideways, the unit dispatches it again,
//! and the acceptance clock starts afresh at the receiving bureau on the day of dispatch.

use serde_json::json;

use super::common::{Backend, TestApp, china_morning, sample_complaint};
use super::*;

/// The city's unified intake unit (统一接收机构).
async fn dispatcher(app: &TestApp) -> String {
    app.add_user("dispatch@jm.gov.cn", "dispatcher", &[], None)
        .await
}

async fn a_bureau_returns_and_the_unit_dispatches_again(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    app.add_user("xh@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    let unit = dispatcher(&app).await;
    let (case_no, token) = app.file(&sample_complaint()).await;
    // Received 2026-11-20 under Order 121: routed to 蓬江 at receipt; the unit does not see
    // how a bureau handles it.
    assert_eq!(view(&app, &case_no, Who::Bearer(&unit)).await.0, 404);
    let (s, q) = app.get_as("/api/v1/queue", &unit).await;
    assert_eq!((s, &q["items"]), (200, &json!([])));

    // No sideways transfer ("不得自行移送"): the refusal points to the return.
    let (s, v) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "transfer", "bureau": "440705", "reason": "实际经营地在新会区"}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "bureau");
    assert_eq!(v["fields"][0]["code"], "return_to_dispatcher");
    let (_, v) = view(&app, &case_no, Who::Bearer(&med)).await;
    let offered = v["allowed_actions"].as_array().unwrap();
    assert!(offered.contains(&json!("return_to_dispatcher")), "{v}");
    assert!(!offered.contains(&json!("dispatch")), "{v}");
    // A mediator may not dispatch, and a return needs its reason.
    let (s, _) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "dispatch", "bureau": "440705"}),
    )
    .await;
    assert_eq!(s, 409);
    let (s, v) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "return_to_dispatcher", "reason": " "}),
    )
    .await;
    assert_eq!((s, v["fields"][0]["field"].as_str()), (422, Some("reason")));

    app.set_now(china_morning(2026, 11, 23));
    // Staff sessions last a working day.
    let med = relogin(&app, "med@jm.gov.cn").await;
    let state = step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "return_to_dispatcher", "reason": "经营者实际经营地在新会区"}),
    )
    .await;
    assert_eq!(state, "awaiting_dispatch");
    // The returning bureau's acceptance clock stopped on the day it returned the case.
    let (_, v) = view(&app, &case_no, Who::Bearer(&med)).await;
    assert_eq!(clock(&v, "acceptance")["ended"], "2026-11-23");
    assert_eq!(clock(&v, "acceptance")["verdict"], "timely");
    let (s, _) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "accept"}),
    )
    .await;
    assert_eq!(s, 409, "a returned case waits for the unit");

    // The unit's queue holds the case; it sees it and may dispatch it.
    let unit = relogin(&app, "dispatch@jm.gov.cn").await;
    let (s, q) = app.get_as("/api/v1/queue", &unit).await;
    assert_eq!(s, 200);
    assert_eq!(q["items"][0]["case_no"], case_no.as_str());
    assert_eq!(q["items"][0]["state"], "awaiting_dispatch");
    let (s, v) = view(&app, &case_no, Who::Bearer(&unit)).await;
    assert_eq!(s, 200);
    assert_eq!(v["allowed_actions"], json!(["dispatch", "note"]));
    let (s, v) = act(
        &app,
        &case_no,
        Who::Bearer(&unit),
        json!({"action": "dispatch", "bureau": "nowhere"}),
    )
    .await;
    assert_eq!((s, v["fields"][0]["field"].as_str()), (422, Some("bureau")));

    app.set_now(china_morning(2026, 11, 24));
    let unit = relogin(&app, "dispatch@jm.gov.cn").await;
    let state = step(
        &app,
        &case_no,
        Who::Bearer(&unit),
        json!({"action": "dispatch", "bureau": "440705"}),
    )
    .await;
    assert_eq!(state, "pending_acceptance");
    // Out of the unit's sight again; now 新会's, not 蓬江's.
    assert_eq!(view(&app, &case_no, Who::Bearer(&unit)).await.0, 404);
    let med = relogin(&app, "med@jm.gov.cn").await;
    assert_eq!(view(&app, &case_no, Who::Bearer(&med)).await.0, 404);
    let xinhui = relogin(&app, "xh@jm.gov.cn").await;
    let (s, v) = view(&app, &case_no, Who::Bearer(&xinhui)).await;
    assert_eq!(s, 200);
    assert_eq!(v["district"], "440705");
    // The acceptance clock starts at the receiving bureau on the day of dispatch:
    // 2026-11-24 + 7 working days.
    let acceptance = clock(&v, "acceptance");
    assert_eq!(acceptance["started"], "2026-11-24");
    assert_eq!(acceptance["due"], "2026-12-03");
    assert_eq!(acceptance["ended"], serde_json::Value::Null);
    // The desk timeline names the steps; the complainant's does not show the routing
    // between the unit and the bureaus.
    let page = app
        .get_text_as(&format!("/desk/cases/{case_no}"), &xinhui)
        .await;
    assert!(page.contains("已退回统一接收机构"), "{page}");
    assert!(page.contains("分送至新会区"), "{page}");
    let (_, v) = view(&app, &case_no, Who::Tracking(&token)).await;
    let text = v["timeline"].to_string();
    assert!(!text.contains("dispatch"), "{text}");
    assert_eq!(v["state"], "pending_acceptance");
    // Transfers out of the city's jurisdiction remain.
    let state = step(
        &app,
        &case_no,
        Who::Bearer(&xinhui),
        json!({"action": "transfer", "outside": true, "reason": "经营者在佛山"}),
    )
    .await;
    assert_eq!(state, "transferred_out");
}

/// Before Order 121 (received before 2026-04-15) a bureau still transfers to another bureau
/// itself, and no return to the unit is offered.
async fn order_20_cases_keep_the_sideways_transfer(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 3, 2));
    let med = mediator(&app).await;
    let mut complaint = sample_complaint();
    complaint["purchase"]["date"] = json!("2026-02-20");
    let (case_no, _) = app.file(&complaint).await;
    let (_, v) = view(&app, &case_no, Who::Bearer(&med)).await;
    let offered = v["allowed_actions"].as_array().unwrap();
    assert!(!offered.contains(&json!("return_to_dispatcher")), "{v}");
    let (s, _) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "return_to_dispatcher", "reason": "无管辖权"}),
    )
    .await;
    assert_eq!(s, 409);
    let state = step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "transfer", "bureau": "440705", "reason": "实际经营地在新会区"}),
    )
    .await;
    assert_eq!(state, "pending_acceptance");
}

/// The unit is bound to the city: an account for it names no bureau.
async fn the_unit_is_bound_to_the_city(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let (s, v) = app
        .post_as(
            "/api/v1/admin/users",
            &admin,
            &json!({"email": "d2@jm.gov.cn", "password": common::accounts::PASSWORD,
                    "role": "dispatcher", "bureaus": ["440703"]}),
        )
        .await;
    assert_eq!(
        (s, v["fields"][0]["field"].as_str()),
        (422, Some("bureaus")),
        "{v}"
    );
    let (s, v) = app
        .post_as(
            "/api/v1/admin/users",
            &admin,
            &json!({"email": "d2@jm.gov.cn", "password": common::accounts::PASSWORD,
                    "role": "dispatcher"}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
}

on_both_backends!(
    a_bureau_returns_and_the_unit_dispatches_again,
    order_20_cases_keep_the_sideways_transfer,
    the_unit_is_bound_to_the_city,
);
