//! Views per role, the audit chain, the sweep, referrals and reference data.

use std::time::Duration;

use diesel::RunQueryDsl;
use serde_json::json;

use super::common::{Backend, TestApp, china_morning, sample_complaint, sample_report};
use super::*;

async fn enterprise_view_of_a_report_has_no_reporter_data(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    let firm = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let mut report = sample_report();
    report["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": RESPONDENT_USCC, "district": "440703"});
    report["place"] = json!({"district": "440703"});
    report["reporter"] = json!({"name": "王五", "phone": "13700001111", "email": "wang@example.com", "address": "蓬江区某小区"});
    report["description"] = json!("该店销售假冒化妆品。");
    let (_, r) = app.post_json("/api/v1/reports", &report).await;
    let no = r["case_no"].as_str().unwrap();
    // Not even that the report exists (Order 121 Art. 37): the answer of a missing number.
    let (s, v) = view(&app, no, Who::Bearer(&firm)).await;
    assert_eq!(s, 404, "{v}");
    assert_eq!(
        (s, v.clone()),
        view(&app, "JB-2026-999999", Who::Bearer(&firm)).await
    );
    let text = v.to_string();
    for secret in [
        "王五",
        "13700001111",
        "wang@example.com",
        "某小区",
        "假冒化妆品",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} reached the business: {text}"
        );
    }
    assert!(
        v.get("parties").is_none() && v.get("reporter").is_none() && v.get("submitter").is_none()
    );
    // Reports never appear in the business's list.
    let (_, list) = app.get_as("/api/v1/enterprise/cases", &firm).await;
    assert_eq!(list["items"], json!([]));
    // A business sees only complaints against itself.
    let (complaint, _) = app.file(&sample_complaint()).await;
    let (s, cv) = view(&app, &complaint, Who::Bearer(&firm)).await;
    assert_eq!(s, 200);
    assert_eq!(
        cv["complainant_phone"], "13800138000",
        "the business must be able to call back"
    );
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let (_, av) = view(&app, &complaint, Who::Bearer(&analyst)).await;
    assert!(
        !av.to_string().contains("13800138000"),
        "analysts see masked data: {av}"
    );
    assert_eq!(
        act(
            &app,
            &complaint,
            Who::Bearer(&analyst),
            json!({"action": "accept"})
        )
        .await
        .0,
        403
    );
}

async fn audit_chain_detects_an_edited_event(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let (case_no, _) = app.file(&sample_complaint()).await;
    step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "note", "text": "已电话联系"}),
    )
    .await;
    step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "accept"}),
    )
    .await;
    let (s, events) = app
        .get_as(&format!("/api/v1/cases/{case_no}/events"), &med)
        .await;
    assert_eq!(s, 200);
    let events = events.as_array().unwrap().clone();
    // Received, the note, the acceptance and the 受理决定书 it issued.
    assert_eq!(events.len(), 4);
    assert_eq!(events[1]["prev_hash"], events[0]["hash"]);
    assert_eq!(events[2]["from_state"], "pending_acceptance");
    assert_eq!(events[2]["actor"], "med@jm.gov.cn");
    assert_eq!(events[3]["kind"], "document_issued");
    assert_eq!(events[3]["prev_hash"], events[2]["hash"]);
    let ok = run_on(&app, &["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // The log refuses updates; someone with database access disables that and edits a note.
    let mut conn = app.db();
    let lift = match &mut *conn {
        odrdesk::store::Db::Pg(_) => {
            "ALTER TABLE case_events DISABLE TRIGGER case_events_no_change"
        }
        odrdesk::store::Db::Sqlite(_) => "DROP TRIGGER case_events_no_update",
    };
    let edit = "UPDATE case_events SET payload = '{\"action\":\"note\",\"text\":\"未联系\"}' WHERE case_seq = 2";
    assert!(
        diesel::sql_query(edit).execute(&mut *conn).is_err(),
        "the append-only trigger must refuse"
    );
    diesel::sql_query(lift).execute(&mut *conn).unwrap();
    diesel::sql_query(edit).execute(&mut *conn).unwrap();
    let broken = run_on(&app, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains(&case_no) && err.contains("event #2"), "{err}");
}

async fn sweep_moves_unanswered_odr_and_marks_overdue(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    mediator(&app).await;
    let (odr, token) = app.file(&odr_complaint()).await;
    let (plain, _) = app.file(&sample_complaint()).await;
    // Before the ODR deadline (2026-12-04) nothing moves.
    let out = run_on(&app, &["sweep", "--as-of", "2026-12-04"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        view(&app, &odr, Who::Tracking(&token)).await.1["state"],
        "odr_negotiation"
    );
    let out = run_on(&app, &["sweep", "--as-of", "2026-12-07"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("1 ODR case(s) moved"), "{said}");
    app.set_now(china_morning(2026, 12, 7));
    let med = relogin(&app, "med@jm.gov.cn").await;
    let (_, v) = view(&app, &odr, Who::Bearer(&med)).await;
    assert_eq!(v["state"], "pending_acceptance");
    assert_eq!(clock(&v, "odr_negotiation")["verdict"], "late");
    assert_eq!(clock(&v, "acceptance")["started"], "2026-12-07");
    assert_eq!(clock(&v, "acceptance")["due"], "2026-12-16");
    // The plain complaint's acceptance was due 2026-12-01: overdue, marked once.
    let (_, p) = view(&app, &plain, Who::Bearer(&med)).await;
    assert_eq!(clock(&p, "acceptance")["overdue"], true);
    run_on(&app, &["sweep", "--as-of", "2026-12-08"]);
    let (_, events) = app
        .get_as(&format!("/api/v1/cases/{plain}/events"), &med)
        .await;
    let marks = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "clock_overdue")
        .count();
    assert_eq!(marks, 1);
}

async fn referral_counterfeit_and_commitment_side_tracks(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let (s, e) = app
        .post_as(
            "/api/v1/admin/enterprises",
            &admin,
            &json!({"uscc": RESPONDENT_USCC, "name": "江门市美颜化妆品有限公司", "district": "440703", "odr": false, "commitments": ["no_reason_return"]}),
        )
        .await;
    assert!(s == 200 || s == 201, "{e}");
    let med = mediator(&app).await;
    let mut c = sample_complaint();
    c["nature"] = json!("counterfeit");
    c["product"] = json!({"name": "美白精华", "brand": "GlowLab", "cosmetics_id": "国妆特字G20220001", "batch": "A1"});
    c["adverse_reaction"] = json!({"onset_date": "2026-11-18", "symptoms": "面部灼痛、红斑", "body_site": "面部", "severity": "serious", "treatment": "门诊治疗"});
    let (no, _) = app.file(&c).await;
    let (_, v) = view(&app, &no, Who::Bearer(&med)).await;
    let flags = v["flags"].as_array().unwrap();
    for f in ["adverse_reaction", "commitment_unit", "counterfeit"] {
        assert!(flags.contains(&json!(f)), "{f} missing: {v}");
    }
    assert_eq!(clock(&v, "adverse_serious")["due"], "2026-12-05");
    let report = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["relation"] == "linked_report")
        .expect("linked report");
    let report_no = report["case_no"].as_str().unwrap();
    assert!(report_no.starts_with("JB-2026-"));
    let (_, rv) = view(&app, report_no, Who::Bearer(&med)).await;
    assert_eq!(rv["state"], "pending_verification");
    let (s, form) = app
        .get_as(&format!("/api/v1/cases/{no}/referral"), &med)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (form["severity"].as_str(), form["filing_no"].as_str()),
        (Some("serious"), Some("国妆特字G20220001"))
    );
    let csv = app
        .get_text_as(&format!("/api/v1/cases/{no}/referral?format=csv"), &med)
        .await;
    assert!(
        csv.lines().count() == 2 && csv.contains("面部灼痛、红斑"),
        "{csv}"
    );
    step(
        &app,
        &no,
        Who::Bearer(&med),
        json!({"action": "submit_referral"}),
    )
    .await;
    let (_, v) = view(&app, &no, Who::Bearer(&med)).await;
    assert_eq!(clock(&v, "adverse_serious")["verdict"], "timely");
}

async fn loading_a_calendar_year_ends_provisional_deadlines(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 12, 30));
    let admin = app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let med = mediator(&app).await;
    let (no, _) = app.file(&sample_complaint()).await;
    let (_, v) = view(&app, &no, Who::Bearer(&med)).await;
    assert_eq!(clock(&v, "acceptance")["provisional"], true);
    assert_eq!(clock(&v, "acceptance")["due"], "2027-01-08");
    // A 2027 calendar in which 1–3 January are off.
    let year = "year = 2027\nsource = \"test\"\nholidays = [[\"2027-01-01\", \"2027-01-03\"]]\nmakeup_workdays = []\n";
    let res = app
        .client
        .put(app.url("/api/v1/admin/calendar"))
        .bearer_auth(&med)
        .body(year)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
    let res = app
        .client
        .put(app.url("/api/v1/admin/calendar"))
        .bearer_auth(&admin)
        .body("year = 'x'")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let res = app
        .client
        .put(app.url("/api/v1/admin/calendar"))
        .bearer_auth(&admin)
        .body(year)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let (_, v) = view(&app, &no, Who::Bearer(&med)).await;
    assert_eq!(clock(&v, "acceptance")["provisional"], false);
    assert_eq!(clock(&v, "acceptance")["due"], "2027-01-11");
}

async fn parties_are_told_by_mail(backend: Backend) {
    let (app, smtp) = TestApp::spawn_with_smtp(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    let med = mediator(&app).await;
    let (odr, token) = app.file(&odr_complaint()).await;
    let first = smtp.wait_for(2, Duration::from_secs(20)).await;
    let mut to: Vec<String> = first.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        ["service@example.com", "zhang@example.com"],
        "acknowledgement and ODR notice"
    );
    assert!(first.iter().all(|m| m.subject().contains(&odr)));
    assert!(
        first.iter().all(|m| !m.body_text().contains(&token)),
        "the tracking token is never mailed"
    );
    // Further mail goes only to an address its owner has confirmed.
    let ack = first
        .iter()
        .find(|m| m.to == ["zhang@example.com"])
        .unwrap();
    crate::mail::confirm_address(&app, &ack.body_text()).await;
    step(
        &app,
        &odr,
        Who::Tracking(&token),
        json!({"action": "consumer_reject"}),
    )
    .await;
    step(&app, &odr, Who::Bearer(&med), json!({"action": "accept"})).await;
    // The complainant's notice, and the acceptance's copy served on the business.
    let all = smtp.wait_for(4, Duration::from_secs(20)).await;
    let copy = all
        .iter()
        .find(|m| m.to == ["service@example.com"] && m.subject().contains("文书送达"))
        .expect("the business's copy of the acceptance");
    assert!(copy.body_text().contains("投诉受理决定书"));
    let accepted = all
        .iter()
        .find(|m| m.subject().contains("已受理"))
        .expect("acceptance notice");
    assert!(accepted.subject().contains(&odr));
    assert_eq!(accepted.to, ["zhang@example.com"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 4, "nothing sent twice");
}

async fn calendar_loaded_from_the_command_line(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 12, 30));
    let (no, token) = app.file(&sample_complaint()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2027.toml");
    std::fs::write(&path, "year = 2027\nsource = \"test\"\nholidays = [[\"2027-01-01\", \"2027-01-03\"]]\nmakeup_workdays = []\n").unwrap();
    let out = run_on(&app, &["calendar", "load", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&path, "year = 2027\nholidays = [[\"2027-01-05\", \"2027-01-01\"]]\nmakeup_workdays = [\"2027-01-06\"]\n").unwrap();
    let bad = run_on(&app, &["calendar", "load", path.to_str().unwrap()]);
    assert_eq!(
        bad.status.code(),
        Some(1),
        "a malformed calendar is refused"
    );
    // A server picks the stored year up when it (re)loads reference data.
    let app = app.restart().await;
    let (_, v) = view(&app, &no, Who::Tracking(&token)).await;
    assert_eq!(clock(&v, "acceptance")["provisional"], false);
    assert_eq!(clock(&v, "acceptance")["due"], "2027-01-11");
}

on_both_backends!(
    calendar_loaded_from_the_command_line,
    parties_are_told_by_mail,
    enterprise_view_of_a_report_has_no_reporter_data,
    audit_chain_detects_an_edited_event,
    sweep_moves_unanswered_odr_and_marks_overdue,
    referral_counterfeit_and_commitment_side_tracks,
    loading_a_calendar_year_ends_provisional_deadlines,
);
