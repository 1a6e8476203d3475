//! Upgrading an installation whose event log the previous version wrote (chain format 1):
//! `odrdesk migrate` names a case whose old log does not verify and exits 1, every time it is
//! run, while the other cases are upgraded; `odrdesk serve` logs the case and starts.

use diesel::prelude::*;
use odrdesk::store::events::{FORMAT_SPLIT, FORMAT_WHOLE, GENESIS_HASH, event_hash_v1, list};
use odrdesk::store::schema::{case_events, cases, event_personal};
use odrdesk::store::{DatabaseUrl, Db};

use crate::common::binary::run_on;
use crate::common::node::{Node, NodeSpec};
use crate::common::numbering::case_id;
use crate::common::{self, Backend, TestApp};

/// Lets the test rewrite stored events, as a previous version's rows differ from today's.
fn lift_append_only(conn: &mut Db) {
    let lift = match conn {
        Db::Pg(_) => "ALTER TABLE case_events DISABLE TRIGGER case_events_no_change",
        Db::Sqlite(_) => "DROP TRIGGER case_events_no_update",
    };
    diesel::sql_query(lift).execute(conn).unwrap();
}

/// Turns the case's log back into what the previous version stored: whole payloads (the
/// personal part joined back in), no personal rows, each event hashed in format 1, and the
/// case's head hash to match.
fn rewrite_as_format_1(conn: &mut Db, case_id: i64) {
    let events = list(conn, case_id).unwrap();
    assert!(!events.is_empty(), "a filed case has a log");
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    diesel::delete(event_personal::table.filter(event_personal::event_id.eq_any(&ids)))
        .execute(conn)
        .unwrap();
    let mut prev = GENESIS_HASH.to_owned();
    for event in events {
        let mut row = event.data.clone();
        row.prev_hash = prev;
        row.personal_digest = None;
        row.chain_format = FORMAT_WHOLE;
        row.hash = event_hash_v1(case_id, row.case_seq, &row);
        diesel::update(case_events::table.find(event.id))
            .set((
                case_events::actor.eq(&row.actor),
                case_events::reason.eq(&row.reason),
                case_events::payload.eq(&row.payload),
                case_events::prev_hash.eq(&row.prev_hash),
                case_events::hash.eq(&row.hash),
                case_events::personal_digest.eq(None::<String>),
                case_events::chain_format.eq(FORMAT_WHOLE),
            ))
            .execute(conn)
            .unwrap();
        prev = row.hash;
    }
    diesel::update(cases::table.find(case_id))
        .set(cases::last_event_hash.eq(&prev))
        .execute(conn)
        .unwrap();
}

fn formats(conn: &mut Db, case_id: i64) -> Vec<i32> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::case_seq)
        .select(case_events::chain_format)
        .load(conn)
        .unwrap()
}

/// `odrdesk serve` on the app's database (its own data directory, so its own index), until it
/// answers `/healthz`; returns what it logged by then.
async fn serve_once(app: &TestApp) -> String {
    let other = tempfile::tempdir().unwrap();
    let mut spec = NodeSpec::new(other.path());
    spec.database_url = Some(match &app.settings.database {
        DatabaseUrl::Postgres(url) | DatabaseUrl::Sqlite(url) => url.clone(),
    });
    let node = Node::start(&spec, &app.client).await;
    node.log_text()
}

async fn a_case_whose_old_log_does_not_verify_is_named_and_left(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (tampered_no, _) = app.file_complaint().await;
    let mut other = common::sample_complaint();
    other["complainant"]["phone"] = "13711112222".into();
    let (fine_no, _) = app.file(&other).await;
    let (tampered, fine) = {
        let mut conn = app.db();
        let ids = (
            case_id(&mut conn, &tampered_no),
            case_id(&mut conn, &fine_no),
        );
        lift_append_only(&mut conn);
        rewrite_as_format_1(&mut conn, ids.0);
        rewrite_as_format_1(&mut conn, ids.1);
        // A figure changed behind the old chain's back.
        diesel::update(
            case_events::table
                .filter(case_events::case_id.eq(ids.0))
                .filter(case_events::case_seq.eq(1)),
        )
        .set(case_events::payload.eq(r#"{"recovered_fen":1}"#))
        .execute(&mut *conn)
        .unwrap();
        ids
    };

    for run in ["first", "second"] {
        let out = run_on(&app, &["migrate"]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{run} run: {said}");
        assert!(said.contains(&format!("{tampered_no}, event #1")), "{said}");
        assert!(said.contains("of 1 case(s)"), "{said}");
        assert!(!said.contains(&fine_no), "{said}");
        assert!(!said.contains("panicked"), "{said}");
    }
    let mut conn = app.db();
    assert!(
        formats(&mut conn, tampered)
            .iter()
            .all(|f| *f == FORMAT_WHOLE)
    );
    assert!(formats(&mut conn, fine).iter().all(|f| *f == FORMAT_SPLIT));

    let log = serve_once(&app).await;
    let refusal = log
        .lines()
        .find(|line| line.contains("chain upgrade refused"))
        .unwrap_or_else(|| panic!("no refusal logged: {log}"));
    assert!(refusal.contains(&tampered_no), "{refusal}");
    assert!(refusal.contains(r#""level":"ERROR""#), "{refusal}");
}

crate::on_both_backends!(a_case_whose_old_log_does_not_verify_is_named_and_left);
