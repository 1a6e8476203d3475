//! Every path through the procedure.

use serde_json::json;

use super::common::{Backend, TestApp, china_morning, has_flag, sample_complaint, sample_report};
use super::*;

async fn odr_settled_by_consumer_acceptance(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    let firm = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let (case_no, token) = app.file(&odr_complaint()).await;
    let (_, v) = view(&app, &case_no, Who::Tracking(&token)).await;
    assert_eq!(v["state"], "odr_negotiation");
    // 2026-11-20 + 10 working days.
    assert_eq!(clock(&v, "odr_negotiation")["due"], "2026-12-04");
    let (s, list) = app.get_as("/api/v1/enterprise/cases", &firm).await;
    assert_eq!(s, 200);
    assert_eq!(list["items"][0]["case_no"], case_no.as_str());
    // The business may not accept on the bureau's behalf.
    let (s, refusal) = act(
        &app,
        &case_no,
        Who::Bearer(&firm),
        json!({"action": "accept"}),
    )
    .await;
    assert_eq!(s, 409);
    assert_eq!(refusal["allowed"], json!(["odr_answer", "message"]));
    step(
        &app,
        &case_no,
        Who::Bearer(&firm),
        json!({"action": "odr_answer", "proposal": "全额退款129元"}),
    )
    .await;
    app.set_now(china_morning(2026, 11, 24));
    let state = step(
        &app,
        &case_no,
        Who::Tracking(&token),
        json!({"action": "consumer_accept"}),
    )
    .await;
    assert_eq!(state, "settled");
    let (_, v) = view(&app, &case_no, Who::Tracking(&token)).await;
    assert_eq!(clock(&v, "odr_negotiation")["verdict"], "timely");
    assert_eq!(v["messages"][0]["text"], "全额退款129元");
    step(
        &app,
        &case_no,
        Who::Tracking(&token),
        json!({"action": "rate", "score": 5, "comment": "很快"}),
    )
    .await;
    let (s, again) = act(
        &app,
        &case_no,
        Who::Tracking(&token),
        json!({"action": "rate", "score": 4}),
    )
    .await;
    assert_eq!(
        (s, again["fields"][0]["code"].as_str()),
        (422, Some("already_rated"))
    );
}

async fn odr_rejected_then_mediation_settled(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    mediator(&app).await;
    let (case_no, token) = app.file(&odr_complaint()).await;
    app.set_now(china_morning(2026, 11, 25));
    let med = relogin(&app, "med@jm.gov.cn").await;
    let state = step(
        &app,
        &case_no,
        Who::Tracking(&token),
        json!({"action": "consumer_reject", "reason": "只同意退一半"}),
    )
    .await;
    assert_eq!(state, "pending_acceptance");
    let (_, v) = view(&app, &case_no, Who::Bearer(&med)).await;
    let acceptance = clock(&v, "acceptance");
    assert_eq!(
        (acceptance["started"].as_str(), acceptance["due"].as_str()),
        (Some("2026-11-25"), Some("2026-12-04"))
    );
    assert_eq!(
        step(
            &app,
            &case_no,
            Who::Bearer(&med),
            json!({"action": "accept"})
        )
        .await,
        "in_mediation"
    );
    let (_, v) = view(&app, &case_no, Who::Bearer(&med)).await;
    assert_eq!(clock(&v, "acceptance")["verdict"], "timely");
    // Order 121: 60 calendar days from 25 November; day 60 is Sunday 24 January 2027.
    let mediation = clock(&v, "mediation");
    assert_eq!(mediation["due"], "2027-01-25");
    assert_eq!(
        (
            mediation["remaining_days"].as_i64(),
            mediation["unit"].as_str()
        ),
        (Some(61), Some("calendar"))
    );
    assert_eq!(mediation["provisional"], true, "2027 has no calendar yet");
    let (s, bad) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "settle", "agreement": "退款", "recovered_fen": -1}),
    )
    .await;
    assert_eq!(
        (s, bad["fields"][0]["code"].as_str()),
        (422, Some("amount_negative"))
    );
    let state = step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "settle", "agreement": "退款并赔偿", "recovered_fen": 25800}),
    )
    .await;
    assert_eq!(state, "settled");
    let (_, v) = view(&app, &case_no, Who::Bearer(&med)).await;
    assert_eq!(clock(&v, "mediation")["verdict"], "timely");
    assert_eq!(clock(&v, "rating")["due"], "2026-12-15");
}

async fn not_accepted_with_a_reason_code(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let (case_no, token) = app.file(&sample_complaint()).await;
    let (s, v) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "not_accept", "reason": "because"}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "resume"}),
    )
    .await;
    assert_eq!(s, 409);
    assert!(
        v["allowed"].as_array().unwrap().contains(&json!("accept")),
        "{v}"
    );
    let (s, _) = act(&app, &case_no, Who::Bearer(&med), json!({"action": "fly"})).await;
    assert_eq!(s, 422);
    let state = step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "not_accept", "reason": "time_barred"}),
    )
    .await;
    assert_eq!(state, "not_accepted");
    let (_, mine) = view(&app, &case_no, Who::Tracking(&token)).await;
    assert_eq!(mine["state_label"], "不予受理");
    // Only a supervisor can reopen.
    assert_eq!(
        act(
            &app,
            &case_no,
            Who::Bearer(&med),
            json!({"action": "reopen"})
        )
        .await
        .0,
        409
    );
    let sup = app
        .add_user("sup@jm.gov.cn", "supervisor", &["440703"], None)
        .await;
    assert_eq!(
        step(
            &app,
            &case_no,
            Who::Bearer(&sup),
            json!({"action": "reopen", "reason": "复核"})
        )
        .await,
        "pending_acceptance"
    );
}

/// A case received under Order 20 (Order 121 cases go back to the city's unified intake
/// unit instead: `dispatch.rs`).
async fn transfer_moves_jurisdiction(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 3, 2));
    let med = mediator(&app).await;
    let xinhui = app
        .add_user("xh@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    let mut complaint = sample_complaint();
    complaint["purchase"]["date"] = json!("2026-02-20");
    let (case_no, _) = app.file(&complaint).await;
    // Another bureau's mediator cannot see it, in the queue or directly.
    assert_eq!(view(&app, &case_no, Who::Bearer(&xinhui)).await.0, 404);
    let (_, q) = app.get_as("/api/v1/queue", &xinhui).await;
    assert_eq!(q["items"], json!([]));
    let (s, _) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "transfer", "bureau": "440705"}),
    )
    .await;
    assert_eq!(s, 422, "a transfer needs a reason");
    let state = step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "transfer", "bureau": "440705", "reason": "实际经营地在新会区"}),
    )
    .await;
    assert_eq!(state, "pending_acceptance");
    assert_eq!(view(&app, &case_no, Who::Bearer(&med)).await.0, 404);
    let (_, q) = app.get_as("/api/v1/queue", &xinhui).await;
    assert_eq!(q["items"][0]["case_no"], case_no.as_str());
    let state = step(
        &app,
        &case_no,
        Who::Bearer(&xinhui),
        json!({"action": "transfer", "outside": true, "reason": "经营者在佛山"}),
    )
    .await;
    assert_eq!(state, "transferred_out");
}

async fn pause_stops_the_mediation_clock_and_terminate_ends_it(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let (case_no, _) = app.file(&sample_complaint()).await;
    step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "accept"}),
    )
    .await;
    let (_, v) = view(&app, &case_no, Who::Bearer(&med)).await;
    let due_before = clock(&v, "mediation")["due"].clone();
    // Mon 2026-11-23: testing starts; resumed Mon 2026-11-30 (7 calendar days later).
    app.set_now(china_morning(2026, 11, 23));
    let med = relogin(&app, "med@jm.gov.cn").await;
    assert_eq!(
        step(
            &app,
            &case_no,
            Who::Bearer(&med),
            json!({"action": "pause", "reason": "testing"})
        )
        .await,
        "mediation_paused"
    );
    app.set_now(china_morning(2026, 11, 30));
    let med = relogin(&app, "med@jm.gov.cn").await;
    let (_, v) = view(&app, &case_no, Who::Bearer(&med)).await;
    assert_eq!(clock(&v, "mediation")["paused"], true);
    step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "resume"}),
    )
    .await;
    let (_, v) = view(&app, &case_no, Who::Bearer(&med)).await;
    let m = clock(&v, "mediation");
    assert_eq!(m["paused"], false);
    assert_eq!(
        due_before, "2027-01-19",
        "Order 121: 60 calendar days from 2026-11-20, provisional"
    );
    assert_eq!(m["due"], "2027-01-26", "seven paused calendar days added");
    assert_eq!(m["provisional"], true);
    let (s, _) = act(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "terminate", "reason": "nonsense"}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        step(
            &app,
            &case_no,
            Who::Bearer(&med),
            json!({"action": "terminate", "reason": "party_absent"})
        )
        .await,
        "mediation_terminated"
    );
}

async fn merge_and_withdraw(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let (first, _) = app.file(&sample_complaint()).await;
    let (second, token) = app.file(&sample_complaint()).await;
    let (_, v) = view(&app, &second, Who::Bearer(&med)).await;
    assert!(has_flag(&v, "likely_duplicate"), "{v}");
    assert_eq!(v["links"][0]["case_no"], first.as_str());
    let (s, _) = act(
        &app,
        &second,
        Who::Bearer(&med),
        json!({"action": "merge_into", "case_no": second}),
    )
    .await;
    assert_eq!(s, 422, "a case cannot merge into itself");
    assert_eq!(
        step(
            &app,
            &second,
            Who::Bearer(&med),
            json!({"action": "merge_into", "case_no": first})
        )
        .await,
        "merged"
    );
    let (_, t3) = app
        .post_json("/api/v1/complaints", &sample_complaint())
        .await;
    let token3 = t3["tracking_token"].as_str().unwrap();
    let no3 = t3["case_no"].as_str().unwrap();
    assert_eq!(
        step(
            &app,
            no3,
            Who::Tracking(token3),
            json!({"action": "withdraw"})
        )
        .await,
        "withdrawn"
    );
    // A consumer cannot act on someone else's case.
    assert_eq!(
        act(
            &app,
            &first,
            Who::Tracking(&token),
            json!({"action": "withdraw"})
        )
        .await
        .0,
        404
    );
}

async fn report_opened_and_not_opened(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let xinhui = app
        .add_user("xh@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    let mut report = sample_report();
    report["reporter"] = json!({"name": "李四", "phone": "13912345678", "email": "li@example.com"});
    let (s, r) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(s, 201);
    let no = r["case_no"].as_str().unwrap();
    let (_, v) = view(&app, no, Who::Bearer(&xinhui)).await;
    assert_eq!(clock(&v, "verification")["due"], "2026-12-11");
    assert_eq!(
        act(&app, no, Who::Bearer(&xinhui), json!({"action": "accept"}))
            .await
            .0,
        409
    );
    assert_eq!(
        step(
            &app,
            no,
            Who::Bearer(&xinhui),
            json!({"action": "open_case"})
        )
        .await,
        "case_opened"
    );
    step(
        &app,
        no,
        Who::Bearer(&xinhui),
        json!({"action": "notify_reporter", "text": "已立案调查"}),
    )
    .await;
    let (_, r2) = app.post_json("/api/v1/reports", &sample_report()).await;
    let no2 = r2["case_no"].as_str().unwrap();
    let (s, _) = act(
        &app,
        no2,
        Who::Bearer(&xinhui),
        json!({"action": "not_open", "reason": ""}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        step(
            &app,
            no2,
            Who::Bearer(&xinhui),
            json!({"action": "not_open", "reason": "证据不足"})
        )
        .await,
        "not_opened"
    );
}

async fn staff_intake_counts_from_the_day_received(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let mut c = sample_complaint();
    c["channel"] = json!("phone");
    c["purchase"]["date"] = json!("2026-09-01");
    c["received_at"] = json!("2026-09-30");
    let (s, v) = app.post_as("/api/v1/staff/complaints", &med, &c).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["due"], "2026-10-15");
    let no = v["case_no"].as_str().unwrap();
    let (_, q) = app.get_as("/api/v1/queue?overdue=true", &med).await;
    assert_eq!(q["items"][0]["case_no"], no);
    assert_eq!(q["items"][0]["overdue"], true);
    c["received_at"] = json!("2026-12-25");
    let (s, v) = app.post_as("/api/v1/staff/complaints", &med, &c).await;
    assert_eq!(
        (s, v["fields"][0]["code"].as_str()),
        (422, Some("date_in_future"))
    );
    c.as_object_mut().unwrap().remove("received_at");
    let (s, _) = app.post_as("/api/v1/staff/complaints", &med, &c).await;
    assert_eq!(s, 422);
    // The public cannot use staff intake.
    assert_eq!(app.post_json("/api/v1/staff/complaints", &c).await.0, 401);
}

on_both_backends!(
    odr_settled_by_consumer_acceptance,
    odr_rejected_then_mediation_settled,
    not_accepted_with_a_reason_code,
    transfer_moves_jurisdiction,
    pause_stops_the_mediation_clock_and_terminate_ends_it,
    merge_and_withdraw,
    report_opened_and_not_opened,
    staff_intake_counts_from_the_day_received,
);
