//! The append-only, hash-chained event log of every case.
//!
//! Format 2 (every event written now) stores the kept part of an event in `case_events` and
//! its personal part in `event_personal` (`domain::event_personal`); the hash covers the kept
//! part and the personal part's salted digest. Format 1 rows (whole payload, older hash) are
//! upgraded by `store::chain_upgrade` when the database is migrated.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use sha2::{Digest, Sha256};

use super::Db;
use super::event_personal::{self, PersonalRow};
use super::models::{EventRow, NewEventRow};
use super::schema::{case_events, cases};
use crate::domain::case::CaseState;
use crate::domain::event_personal::{forgotten, join, joined_reason, split, split_reason};

/// The hash that links the first event of a case.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The whole payload in `case_events`, hashed by `event_hash_v1`.
pub const FORMAT_WHOLE: i32 = 1;
/// The kept payload in `case_events`, the personal part apart, hashed by `event_hash_v2`.
pub const FORMAT_SPLIT: i32 = 2;

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

/// Hash of a format-1 event: every stored field, the whole payload included, and its
/// predecessor's hash. Fields are length-prefixed so that no two different events serialise
/// to the same bytes. Kept to verify logs written before format 2 and to upgrade them.
pub fn event_hash_v1(case_id: i64, case_seq: i32, e: &NewEventRow) -> String {
    hash_of(case_id, case_seq, e, None)
}

/// Hash of a format-2 event: the format-1 field list over the kept payload, then the digest
/// of the personal part ("\0" when there is none). The part can be deleted and the chain
/// still verifies; a changed figure, state, date or reason does not.
pub fn event_hash_v2(case_id: i64, case_seq: i32, e: &NewEventRow) -> String {
    hash_of(
        case_id,
        case_seq,
        e,
        Some(e.personal_digest.as_deref().unwrap_or("\u{0}")),
    )
}

/// The hash the event's own format prescribes.
pub fn event_hash(case_id: i64, case_seq: i32, e: &NewEventRow) -> String {
    match e.chain_format {
        FORMAT_WHOLE => event_hash_v1(case_id, case_seq, e),
        _ => event_hash_v2(case_id, case_seq, e),
    }
}

fn hash_of(case_id: i64, case_seq: i32, e: &NewEventRow, digest: Option<&str>) -> String {
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
    for f in fields.into_iter().chain(digest) {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an event after the case's last one, split into its kept row and its personal
/// part (written right after it). Returns the stored row's sequence.
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
    let parts = split(&draft.kind, &draft.actor, draft.payload);
    let (reason, personal) = split_reason(&draft.kind, draft.reason, parts.personal);
    let personal = personal
        .map(|p| event_personal::seal(p.to_string()))
        .transpose()?;
    let mut row = NewEventRow {
        case_id,
        case_seq: seq,
        kind: draft.kind,
        actor: parts.actor,
        actor_role: draft.actor_role,
        at: truncate_to_micros(draft.at),
        from_state: draft.from_state,
        to_state: draft.to_state,
        reason,
        payload: parts.kept.to_string(),
        prev_hash,
        hash: String::new(),
        personal_digest: personal.as_ref().map(|p| p.digest.clone()),
        chain_format: FORMAT_SPLIT,
    };
    row.hash = event_hash(case_id, seq, &row);
    diesel::insert_into(case_events::table)
        .values(&row)
        .execute(conn)?;
    if let Some(sealed) = personal {
        let event_id = case_events::table
            .filter(case_events::case_id.eq(case_id))
            .filter(case_events::case_seq.eq(seq))
            .select(case_events::id)
            .first(conn)?;
        event_personal::insert(conn, &sealed.row(event_id))?;
    }
    diesel::update(cases::table.find(case_id))
        .set((
            cases::event_count.eq(seq),
            cases::last_event_hash.eq(&row.hash),
        ))
        .execute(conn)?;
    Ok(seq)
}

/// The case's events as they were written: the personal part joined back where it is
/// still kept. A forgotten part leaves the kept keys (and 「（已匿名化）」 where a timeline
/// shows the text).
pub fn list(conn: &mut Db, case_id: i64) -> Result<Vec<EventRow>, DieselError> {
    Ok(list_stored(conn, case_id)?
        .into_iter()
        .map(|(row, personal)| joined(row, personal.as_ref()))
        .collect())
}

/// The case's events as stored, each with its personal part if still kept: what the audit
/// and the upgrade read.
pub fn list_stored(
    conn: &mut Db,
    case_id: i64,
) -> Result<Vec<(EventRow, Option<PersonalRow>)>, DieselError> {
    let rows: Vec<EventRow> = case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::case_seq)
        .select(EventRow::as_select())
        .load(conn)?;
    let mut personal = event_personal::of_case(conn, case_id)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let part = personal
                .iter()
                .position(|p| p.event_id == row.id)
                .map(|i| personal.swap_remove(i));
            (row, part)
        })
        .collect())
}

/// One stored event as written (a free-text `reason` back from the personal part).
pub fn joined(mut row: EventRow, personal: Option<&PersonalRow>) -> EventRow {
    if row.chain_format == FORMAT_WHOLE {
        return row;
    }
    let kept = serde_json::from_str(&row.payload).unwrap_or_default();
    let part: Option<serde_json::Value> =
        personal.and_then(|p| serde_json::from_str(&p.content).ok());
    let (actor, payload) = match (part.clone(), &row.personal_digest) {
        (Some(p), _) => join(&row.actor, kept, Some(p)),
        (None, Some(_)) => (row.actor.clone(), forgotten(&row.kind, kept)),
        (None, None) => (row.actor.clone(), kept),
    };
    row.data.reason = joined_reason(row.data.reason.take(), part.as_ref());
    row.data.actor = actor;
    row.data.payload = payload.to_string();
    row
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
