//! The audit chain after a case's personal data is forgotten, through the real server and
//! the `odrdesk audit verify` command.

use diesel::RunQueryDsl;
use serde_json::json;

use super::common::numbering::case_id;
use super::common::{Backend, TestApp, sample_complaint};
use super::*;

const WORDS: &str = "请联系我的妻子李秀英 13912345678";

async fn the_chain_verifies_after_forgetting_and_still_catches_a_changed_figure(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let (case_no, _) = app.file(&sample_complaint()).await;
    step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "note", "text": WORDS}),
    )
    .await;
    step(
        &app,
        &case_no,
        Who::Bearer(&med),
        json!({"action": "accept"}),
    )
    .await;
    let events_path = format!("/api/v1/cases/{case_no}/events");
    let (_, events) = app.get_as(&events_path, &med).await;
    assert_eq!(events[1]["payload"]["text"], WORDS, "read back while kept");
    let ok = run_on(&app, &["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let mut conn = app.db();
    let id = case_id(&mut conn, &case_no);
    let forgotten = odrdesk::store::event_personal::forget(&mut conn, id).expect("forget");
    assert!(forgotten >= 1);
    let deleted = run_on(&app, &["audit", "verify"]);
    assert_eq!(
        deleted.status.code(),
        Some(1),
        "parts missing without an anonymisation were deleted"
    );
    // What the retention run logs after forgetting (it needs a closed case; this one is not).
    let anonymised = odrdesk::store::events::EventDraft {
        kind: "anonymised".into(),
        actor: "system".into(),
        actor_role: "system".into(),
        at: chrono::Utc::now().naive_utc(),
        from_state: None,
        to_state: None,
        reason: Some("retention".into()),
        payload: json!({"v": 1, "ground": "retention", "removed": {"event_parts": forgotten}}),
    };
    odrdesk::store::events::append(&mut conn, id, anonymised).expect("anonymised event");
    let ok = run_on(&app, &["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let (_, events) = app.get_as(&events_path, &med).await;
    assert_eq!(events[1]["payload"]["text"], "（已匿名化）");
    assert_eq!(
        events[2]["to_state"], "in_mediation",
        "figures and states stay"
    );
    let scan = "SELECT payload AS text FROM case_events UNION ALL SELECT actor FROM case_events \
         UNION ALL SELECT COALESCE(reason, '') FROM case_events \
         UNION ALL SELECT content FROM event_personal";
    let rows: Vec<Text> = diesel::sql_query(scan).load(&mut *conn).expect("scan");
    assert!(
        rows.iter()
            .all(|r| !r.text.contains("13912345678") && !r.text.contains("李秀英"))
    );

    let lift = match &mut *conn {
        odrdesk::store::Db::Pg(_) => {
            "ALTER TABLE case_events DISABLE TRIGGER case_events_no_change"
        }
        odrdesk::store::Db::Sqlite(_) => "DROP TRIGGER case_events_no_update",
    };
    diesel::sql_query(lift).execute(&mut *conn).expect("lift");
    diesel::sql_query("UPDATE case_events SET to_state = 'settled' WHERE case_seq = 3")
        .execute(&mut *conn)
        .expect("tamper");
    let broken = run_on(&app, &["audit", "verify"]);
    assert_eq!(broken.status.code(), Some(1));
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains(&case_no) && err.contains("event #3"), "{err}");
}

#[derive(diesel::QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

on_both_backends!(the_chain_verifies_after_forgetting_and_still_catches_a_changed_figure);
