//! The chain against a real database on both backends: forgetting the personal parts keeps
//! it verifiable, a changed figure or a changed personal part is caught, and format-1 logs
//! are upgraded (or refused when tampered, without stopping the others).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::json;

use super::verify;
use crate::domain::case::CaseState;
use crate::store::chain_upgrade::upgrade;
use crate::store::event_personal::{PersonalRow, forget};
use crate::store::events::{
    EventDraft, FORMAT_SPLIT, FORMAT_WHOLE, GENESIS_HASH, append, event_hash_v1, list,
};
use crate::store::models::{NewCaseRow, NewEventRow};
use crate::store::schema::{case_events, cases, event_personal};
use crate::store::{Db, cases as case_store, migrate};

const PHONE: &str = "13812345678";
const NAME: &str = "张三丰";

fn at(day: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 5, day)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .expect("a time")
}

/// The migration after which no format-1 event can be written.
pub(super) const GUARD: &str = "fixa1_chain_format_guard";

/// Runs `test` on a fresh SQLite file and, when `ODRDESK_TEST_POSTGRES_URL` is set, on a
/// fresh PostgreSQL database.
pub(super) fn on_both_backends(test: fn(&mut Db)) {
    on_both_backends_migrated(|conn| migrate(conn).map(|_| ()), test);
}

pub(super) use crate::store::test_db::on_both_backends_prepared as on_both_backends_migrated;

pub(super) fn new_case(conn: &mut Db, case_no: &str) -> i64 {
    let row = NewCaseRow {
        state: CaseState::InMediation,
        ..NewCaseRow::example(case_no, at(6))
    };
    case_store::insert_case(conn, &row).expect("case")
}

pub(super) fn draft(kind: &str, actor: &str, day: u32, payload: serde_json::Value) -> EventDraft {
    EventDraft {
        kind: kind.into(),
        actor: actor.into(),
        actor_role: "mediator".into(),
        at: at(day),
        from_state: None,
        to_state: None,
        reason: None,
        payload,
    }
}

/// A log with party text in a message, a settlement's agreement, a WeChat actor and a
/// transfer's reason typed by staff.
pub(super) fn personal_log() -> Vec<EventDraft> {
    vec![
        draft(
            "submitted",
            "public",
            6,
            json!({"channel": "web", "due": "2026-05-15"}),
        ),
        draft(
            "message",
            &format!("wechat:o6_{PHONE}"),
            7,
            json!({"v": 1, "action": "message", "to": "mediator", "text": format!("我是{NAME}，电话{PHONE}")}),
        ),
        EventDraft {
            to_state: Some(CaseState::Settled),
            from_state: Some(CaseState::InMediation),
            ..draft(
                "settle",
                "med@jm.gov.cn",
                8,
                json!({"v": 1, "action": "settle", "agreement": format!("退款给{NAME}"), "recovered_fen": 12900}),
            )
        },
        EventDraft {
            reason: Some(format!("{NAME}要求转交")),
            ..draft(
                "transfer",
                "med@jm.gov.cn",
                8,
                json!({"v": 1, "action": "transfer"}),
            )
        },
    ]
}

/// Forgets the case's personal parts as `service::retention` does: with the `anonymised`
/// event that tells the audit why they are missing.
pub(super) fn anonymise(conn: &mut Db, case_id: i64) -> usize {
    let forgotten = forget(conn, case_id).expect("forget");
    let payload = json!({"v": 1, "ground": "closed_3y", "removed": {"event_parts": forgotten}});
    let event = EventDraft {
        reason: Some("closed_3y".into()),
        ..draft("anonymised", "system", 20, payload)
    };
    append(conn, case_id, event).expect("the anonymised event");
    forgotten
}

/// The migrations after `GUARD`'s predecessors, without the chain upgrade `migrate` runs.
pub(super) fn finish_migrations(conn: &mut Db) {
    crate::store::migrate_before(conn, "(every migration)").expect("the other migrations");
}

/// Every stored text of the log's two tables, one string.
pub(super) fn stored_text(conn: &mut Db) -> String {
    type EventText = (
        String,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
    );
    let events: Vec<EventText> = case_events::table
        .select((
            case_events::kind,
            case_events::actor,
            case_events::reason,
            case_events::payload,
            case_events::hash,
            case_events::personal_digest,
        ))
        .load(conn)
        .expect("events");
    let personal: Vec<PersonalRow> = event_personal::table
        .select(PersonalRow::as_select())
        .load(conn)
        .expect("personal");
    format!("{events:?}{personal:?}")
}

pub(super) fn lift_append_only(conn: &mut Db) {
    let lift = match conn {
        Db::Pg(_) => "ALTER TABLE case_events DISABLE TRIGGER case_events_no_change",
        Db::Sqlite(_) => "DROP TRIGGER case_events_no_update",
    };
    diesel::sql_query(lift)
        .execute(conn)
        .expect("lift the trigger");
}

fn forgetting_keeps_the_chain_and_a_changed_figure_is_still_caught(conn: &mut Db) {
    let id = new_case(conn, "TS-2026-000101");
    for d in personal_log() {
        append(conn, id, d).expect("append");
    }
    assert!(
        stored_text(conn).contains(PHONE),
        "kept while its purpose lasts"
    );
    let read = list(conn, id).expect("list");
    assert_eq!(read[1].actor, format!("wechat:o6_{PHONE}"));
    assert!(read[2].payload.contains(&format!("退款给{NAME}")));
    assert_eq!(
        read[3].reason,
        Some(format!("{NAME}要求转交")),
        "read as written"
    );
    assert_eq!(verify(conn).expect("verify").map(|r| r.events), Ok(4));

    assert_eq!(anonymise(conn, id), 3);
    let text = stored_text(conn);
    assert!(!text.contains(PHONE) && !text.contains(NAME), "{text}");
    assert_eq!(verify(conn).expect("verify").map(|r| r.events), Ok(5));
    let read = list(conn, id).expect("list");
    assert_eq!(read[1].actor, "wechat:");
    assert_eq!(read[3].reason, None, "the transfer's reason went");
    assert_eq!(read[4].reason.as_deref(), Some("closed_3y"), "a code stays");
    let settle: serde_json::Value = serde_json::from_str(&read[2].payload).expect("json");
    assert_eq!(settle["recovered_fen"], 12900, "the figure stays");
    assert_eq!(settle["agreement"], "（已匿名化）");

    lift_append_only(conn);
    let raised = json!({"v": 1, "action": "settle", "recovered_fen": 99900}).to_string();
    diesel::update(case_events::table.filter(case_events::case_seq.eq(3)))
        .set(case_events::payload.eq(raised))
        .execute(conn)
        .expect("tamper");
    let broken = verify(conn).expect("verify").expect_err("a changed figure");
    assert_eq!((broken.case_no.as_str(), broken.seq), ("TS-2026-000101", 3));
}

fn a_changed_personal_part_is_caught_while_kept(conn: &mut Db) {
    let id = new_case(conn, "TS-2026-000102");
    for d in personal_log() {
        append(conn, id, d).expect("append");
    }
    let (event_id, mut row): (i64, PersonalRow) = event_personal::table
        .inner_join(case_events::table)
        .filter(case_events::case_seq.eq(2))
        .select((case_events::id, PersonalRow::as_select()))
        .first(conn)
        .expect("the message's personal part");
    assert_eq!(row.event_id, event_id);
    // Rows cannot be changed in place; someone replaces one with other words.
    diesel::delete(event_personal::table.find(event_id))
        .execute(conn)
        .expect("delete");
    row.content = row.content.replace("电话", "手机");
    diesel::insert_into(event_personal::table)
        .values(&row)
        .execute(conn)
        .expect("insert");
    let broken = verify(conn)
        .expect("verify")
        .expect_err("changed party text");
    assert_eq!((broken.case_no.as_str(), broken.seq), ("TS-2026-000102", 2));
    assert!(broken.problem.contains("personal part"), "{broken}");
}

/// Writes the log as the previous version did: whole payloads, `event_hash_v1`.
pub(super) fn append_v1(conn: &mut Db, case_id: i64, drafts: Vec<EventDraft>) -> Vec<NewEventRow> {
    let mut prev = GENESIS_HASH.to_owned();
    let mut written = Vec::new();
    for (i, d) in drafts.into_iter().enumerate() {
        let seq = i as i32 + 1;
        let mut row = NewEventRow {
            case_id,
            case_seq: seq,
            kind: d.kind,
            actor: d.actor,
            actor_role: d.actor_role,
            at: d.at,
            from_state: d.from_state,
            to_state: d.to_state,
            reason: d.reason,
            payload: d.payload.to_string(),
            prev_hash: prev.clone(),
            hash: String::new(),
            personal_digest: None,
            chain_format: FORMAT_WHOLE,
        };
        row.hash = event_hash_v1(case_id, seq, &row);
        // The columns the previous version had, so this also runs before the migration.
        diesel::insert_into(case_events::table)
            .values((
                case_events::case_id.eq(row.case_id),
                case_events::case_seq.eq(row.case_seq),
                case_events::kind.eq(&row.kind),
                case_events::actor.eq(&row.actor),
                case_events::actor_role.eq(&row.actor_role),
                case_events::at.eq(row.at),
                case_events::from_state.eq(row.from_state),
                case_events::to_state.eq(row.to_state),
                case_events::reason.eq(&row.reason),
                case_events::payload.eq(&row.payload),
                case_events::prev_hash.eq(&row.prev_hash),
                case_events::hash.eq(&row.hash),
            ))
            .execute(conn)
            .expect("a format-1 event");
        prev = row.hash.clone();
        written.push(row);
    }
    diesel::update(cases::table.find(case_id))
        .set((
            cases::event_count.eq(written.len() as i32),
            cases::last_event_hash.eq(&prev),
        ))
        .execute(conn)
        .expect("case row");
    written
}

fn format_1_logs_are_upgraded_and_read_the_same(conn: &mut Db) {
    let id = new_case(conn, "TS-2026-000103");
    let before = append_v1(conn, id, personal_log());
    finish_migrations(conn);
    assert_eq!(
        verify(conn).expect("verify").map(|r| r.events),
        Ok(4),
        "format 1 verifies"
    );
    let mut calls = Vec::new();
    let done = upgrade(conn, &mut |d, t| calls.push((d, t))).expect("upgrade");
    assert_eq!((done.cases, done.events, calls), (1, 4, vec![(1, 1)]));
    let formats: Vec<i32> = case_events::table
        .select(case_events::chain_format)
        .load(conn)
        .expect("formats");
    assert_eq!(formats, [FORMAT_SPLIT; 4]);
    let reasons: Vec<Option<String>> = case_events::table
        .select(case_events::reason)
        .load(conn)
        .expect("reasons");
    assert_eq!(
        reasons,
        [None, None, None, None],
        "the reason moved out too"
    );
    let payloads: Vec<String> = case_events::table
        .select(case_events::payload)
        .load(conn)
        .expect("payloads");
    assert!(
        payloads.iter().all(|p| !p.contains("我是")),
        "the text moved out of case_events: {payloads:?}"
    );
    assert_eq!(verify(conn).expect("verify").map(|r| r.events), Ok(4));
    let after = list(conn, id).expect("list");
    for (old, new) in before.iter().zip(&after) {
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).expect("json");
        assert_eq!((&old.kind, &old.actor), (&new.kind, &new.actor));
        assert_eq!(parse(&old.payload), parse(&new.payload));
        assert_eq!((old.at, old.to_state), (new.at, new.to_state));
        assert_eq!(old.reason, new.reason);
    }
    // Run again: nothing left to do.
    assert_eq!(upgrade(conn, &mut |_, _| {}).expect("again").cases, 0);
    anonymise(conn, id);
    assert!(!stored_text(conn).contains(NAME));
    assert_eq!(verify(conn).expect("verify").map(|r| r.events), Ok(5));
}

fn a_tampered_format_1_log_is_refused_by_the_upgrade(conn: &mut Db) {
    let id = new_case(conn, "TS-2026-000104");
    append_v1(conn, id, personal_log());
    let fine = new_case(conn, "TS-2026-000107");
    append_v1(conn, fine, personal_log());
    finish_migrations(conn);
    lift_append_only(conn);
    diesel::update(
        case_events::table
            .filter(case_events::case_id.eq(id))
            .filter(case_events::case_seq.eq(3)),
    )
    .set(case_events::payload.eq(json!({"recovered_fen": 1}).to_string()))
    .execute(conn)
    .expect("tamper");
    // As the server starts: the refused case does not stop it, the other one is upgraded.
    migrate(conn).expect("the start goes on");
    let done = upgrade(conn, &mut |_, _| {}).expect("upgrade");
    assert_eq!((done.cases, done.refused.len()), (0, 1), "{done:?}");
    let refused = done.refused[0].to_string();
    assert!(refused.contains("TS-2026-000104, event #3"), "{refused}");
    assert!(!refused.contains(NAME) && !refused.contains(PHONE));
    let mut formats = |case_id: i64| -> Vec<i32> {
        case_events::table
            .filter(case_events::case_id.eq(case_id))
            .select(case_events::chain_format)
            .load(conn)
            .expect("formats")
    };
    assert_eq!(formats(id), [FORMAT_WHOLE; 4], "left as it was");
    assert_eq!(formats(fine), [FORMAT_SPLIT; 4]);
}

#[test]
fn forgetting_keeps_the_chain_and_catches_a_changed_figure() {
    on_both_backends(forgetting_keeps_the_chain_and_a_changed_figure_is_still_caught);
}

#[test]
fn changed_personal_text_is_caught() {
    on_both_backends(a_changed_personal_part_is_caught_while_kept);
}

#[test]
fn format_1_upgrade_rehashes_and_reads_the_same() {
    on_both_backends_migrated(
        |conn| crate::store::migrate_before(conn, GUARD),
        format_1_logs_are_upgraded_and_read_the_same,
    );
}

/// Format-1 rows written before the migration existed: migrating adds the columns and the
/// table, and the upgrade that follows it rehashes them.
fn the_migration_upgrades_what_the_previous_version_wrote(conn: &mut Db) {
    assert!(
        crate::store::chain_upgrade::pending(conn).is_err(),
        "the chain format's column is not there yet"
    );
    let id = new_case(conn, "TS-2026-000106");
    append_v1(conn, id, personal_log());
    migrate(conn).expect("the rest of the migrations and the upgrade");
    let formats: Vec<i32> = case_events::table
        .select(case_events::chain_format)
        .load(conn)
        .expect("formats");
    assert_eq!(formats, [FORMAT_SPLIT; 4]);
    assert_eq!(verify(conn).expect("verify").map(|r| r.events), Ok(4));
    let read = list(conn, id).expect("list");
    assert_eq!(read[1].actor, format!("wechat:o6_{PHONE}"));
    assert_eq!(read[3].reason, Some(format!("{NAME}要求转交")));
    anonymise(conn, id);
    let text = stored_text(conn);
    assert!(!text.contains(PHONE) && !text.contains(NAME), "{text}");
    assert_eq!(verify(conn).expect("verify").map(|r| r.events), Ok(5));
}

#[test]
fn migrating_a_previous_database_upgrades_its_chain() {
    on_both_backends_migrated(
        |conn| crate::store::migrate_before(conn, "chain1_event_personal"),
        the_migration_upgrades_what_the_previous_version_wrote,
    );
}

#[test]
fn format_1_upgrade_refuses_a_tampered_log() {
    on_both_backends_migrated(
        |conn| crate::store::migrate_before(conn, GUARD),
        a_tampered_format_1_log_is_refused_by_the_upgrade,
    );
}

#[test]
fn the_trigger_lets_only_the_upgrade_through() {
    on_both_backends(|conn| {
        let id = new_case(conn, "TS-2026-000105");
        append(conn, id, personal_log().remove(0)).expect("append");
        let edit = diesel::update(case_events::table)
            .set(case_events::payload.eq("{}"))
            .execute(conn);
        assert!(edit.is_err(), "a format-2 event cannot be changed");
        let back = diesel::update(case_events::table)
            .set(case_events::chain_format.eq(FORMAT_WHOLE))
            .execute(conn);
        assert!(back.is_err(), "nor taken back to format 1");
        let kind = diesel::update(case_events::table)
            .set((
                case_events::chain_format.eq(FORMAT_SPLIT),
                case_events::kind.eq("x"),
            ))
            .execute(conn);
        assert!(kind.is_err());
    });
}
