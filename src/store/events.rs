//! The append-only, hash-chained event log of every case.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use sha2::{Digest, Sha256};

use super::Db;
use super::models::{EventRow, NewEventRow};
use super::schema::{case_events, cases};
use crate::domain::case::CaseState;

/// The hash that links the first event of a case.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event as the service layer describes it; sequence and hashes are added on append.
#[derive(Debug, Clone)]
pub struct EventDraft {
    pub kind: String,
    pub actor: String,
    pub actor_role: String,
    pub at: NaiveDateTime,
    pub from_state: Option<CaseState>,
    pub to_state: Option<CaseState>,
    pub reason: Option<String>,
    pub payload: serde_json::Value,
}

/// Hash of one event over every stored field and its predecessor's hash. Fields are
/// length-prefixed so that no two different events serialise to the same bytes.
pub fn event_hash(case_id: i64, case_seq: i32, e: &NewEventRow) -> String {
    let mut h = Sha256::new();
    let at = e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let fields: [&str; 9] = [
        &e.kind,
        &e.actor,
        &e.actor_role,
        &at,
        e.from_state.map_or("\u{0}", CaseState::as_str),
        e.to_state.map_or("\u{0}", CaseState::as_str),
        e.reason.as_deref().unwrap_or("\u{0}"),
        &e.payload,
        &e.prev_hash,
    ];
    h.update(case_id.to_le_bytes());
    h.update(case_seq.to_le_bytes());
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an event after the case's last one. Returns the stored row's sequence.
pub fn append(conn: &mut Db, case_id: i64, draft: EventDraft) -> Result<i32, DieselError> {
    let last: Option<(i32, String)> = case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::case_seq.desc())
        .select((case_events::case_seq, case_events::hash))
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut row = NewEventRow {
        case_id,
        case_seq: seq,
        kind: draft.kind,
        actor: draft.actor,
        actor_role: draft.actor_role,
        at: truncate_to_micros(draft.at),
        from_state: draft.from_state,
        to_state: draft.to_state,
        reason: draft.reason,
        payload: draft.payload.to_string(),
        prev_hash,
        hash: String::new(),
    };
    row.hash = event_hash(case_id, seq, &row);
    diesel::insert_into(case_events::table)
        .values(&row)
        .execute(conn)?;
    diesel::update(cases::table.find(case_id))
        .set((
            cases::event_count.eq(seq),
            cases::last_event_hash.eq(&row.hash),
        ))
        .execute(conn)?;
    Ok(seq)
}

pub fn list(conn: &mut Db, case_id: i64) -> Result<Vec<EventRow>, DieselError> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::case_seq)
        .select(EventRow::as_select())
        .load(conn)
}

/// When events of `kind` were logged on case `case_id` since `since`, at most `limit`.
pub fn times_of(
    conn: &mut Db,
    (case_id, kind): (i64, &str),
    since: NaiveDateTime,
    limit: i64,
) -> Result<Vec<NaiveDateTime>, DieselError> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .filter(case_events::kind.eq(kind))
        .filter(case_events::at.gt(since))
        .order(case_events::at.desc())
        .select(case_events::at)
        .limit(limit)
        .load(conn)
}

/// Both backends keep microseconds; hashing the truncated value keeps re-reads verifiable.
pub fn truncate_to_micros(t: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike;
    let nanos = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(nanos).unwrap_or(t)
}
