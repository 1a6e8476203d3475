//! Upgrades format-1 events (whole payload in `case_events`) to format 2 (kept part there,
//! personal part in `event_personal`, `events::event_hash_v2`). SQLite has no SHA-256, so
//! this runs in Rust right after the migrations, wherever they run.
//!
//! Each case's log is first verified as it stands; a broken one is refused with its case
//! number and left as it is (never rehashed over tampering). A case is upgraded in one
//! transaction (its events, their personal parts and `cases.last_event_hash`), so the
//! upgrade can be interrupted and run again. The append-only triggers let exactly this
//! change through: format 1 to 2, with every hashed figure unchanged (migration
//! `chain1_event_personal`).

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::events::{FORMAT_SPLIT, FORMAT_WHOLE, GENESIS_HASH, event_hash, event_hash_v2};
use super::models::{EventRow, NewEventRow};
use super::schema::{case_events, cases};
use super::{Db, StoreError, event_personal, write_transaction};
use crate::domain::event_personal::split;

/// Cases read per query while looking for format-1 events.
const CHUNK: i64 = 500;

/// What an upgrade did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Upgraded {
    pub cases: usize,
    pub events: usize,
}

/// How many cases still have format-1 events.
pub fn pending(conn: &mut Db) -> Result<i64, DieselError> {
    case_events::table
        .filter(case_events::chain_format.eq(FORMAT_WHOLE))
        .select(diesel::dsl::count(case_events::case_id).aggregate_distinct())
        .first(conn)
}

/// Upgrades every case with format-1 events, `progress(done, total)` after each case.
pub fn upgrade(
    conn: &mut Db,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Upgraded, StoreError> {
    let total = usize::try_from(pending(conn)?).unwrap_or(0);
    let mut done = Upgraded::default();
    if total == 0 {
        return Ok(done);
    }
    loop {
        let ids: Vec<i64> = case_events::table
            .filter(case_events::chain_format.eq(FORMAT_WHOLE))
            .select(case_events::case_id)
            .distinct()
            .order(case_events::case_id)
            .limit(CHUNK)
            .load(conn)?;
        if ids.is_empty() {
            return Ok(done);
        }
        for id in ids {
            done.events += write_transaction(conn, |c| upgrade_case(c, id))?;
            done.cases += 1;
            progress(done.cases, total);
        }
    }
}

/// Verifies the case's log and rewrites its format-1 events as format 2; returns how many.
fn upgrade_case(conn: &mut Db, case_id: i64) -> Result<usize, StoreError> {
    let (case_no, event_count, last_hash): (String, i32, String) = cases::table
        .find(case_id)
        .select((cases::case_no, cases::event_count, cases::last_event_hash))
        .first(conn)?;
    let rows: Vec<EventRow> = case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::case_seq)
        .select(EventRow::as_select())
        .load(conn)?;
    let refuse = |seq: i32, problem: &str| {
        StoreError::Other(format!(
            "case {case_no}, event #{seq}: {problem}; its log was not upgraded"
        ))
    };
    let mut prev = GENESIS_HASH.to_owned();
    for (i, e) in rows.iter().enumerate() {
        if e.case_seq != i as i32 + 1 {
            return Err(refuse(i as i32 + 1, "event missing"));
        }
        if e.prev_hash != prev || event_hash(case_id, e.case_seq, &e.data) != e.hash {
            return Err(refuse(e.case_seq, "content altered (hash mismatch)"));
        }
        prev = e.hash.clone();
    }
    if rows.len() as i32 != event_count || rows.last().is_some_and(|e| e.hash != last_hash) {
        return Err(refuse(event_count, "newest events removed"));
    }
    let Some(first) = rows.iter().position(|e| e.chain_format == FORMAT_WHOLE) else {
        return Ok(0);
    };
    if let Some(later) = rows[first..]
        .iter()
        .find(|e| e.chain_format != FORMAT_WHOLE)
    {
        return Err(refuse(
            later.case_seq,
            "a format-2 event follows a format-1 one (stop every node running the old version first)",
        ));
    }
    let mut prev = rows[first].prev_hash.clone();
    for e in &rows[first..] {
        prev = rewrite(conn, case_id, e, prev)?;
    }
    diesel::update(cases::table.find(case_id))
        .set(cases::last_event_hash.eq(&prev))
        .execute(conn)?;
    Ok(rows.len() - first)
}

/// Rewrites one format-1 event as format 2 after `prev_hash`; returns its new hash.
fn rewrite(
    conn: &mut Db,
    case_id: i64,
    e: &EventRow,
    prev_hash: String,
) -> Result<String, StoreError> {
    let payload = serde_json::from_str(&e.payload)
        .unwrap_or_else(|_| serde_json::Value::String(e.payload.clone()));
    let parts = split(&e.kind, &e.actor, payload);
    let sealed = parts
        .personal
        .map(|p| event_personal::seal(p.to_string()))
        .transpose()?;
    let mut row = NewEventRow {
        actor: parts.actor,
        payload: parts.kept.to_string(),
        prev_hash,
        hash: String::new(),
        personal_digest: sealed.as_ref().map(|s| s.digest.clone()),
        chain_format: FORMAT_SPLIT,
        ..e.data.clone()
    };
    row.hash = event_hash_v2(case_id, e.case_seq, &row);
    diesel::update(case_events::table.find(e.id))
        .set((
            case_events::actor.eq(&row.actor),
            case_events::payload.eq(&row.payload),
            case_events::prev_hash.eq(&row.prev_hash),
            case_events::hash.eq(&row.hash),
            case_events::personal_digest.eq(&row.personal_digest),
            case_events::chain_format.eq(FORMAT_SPLIT),
        ))
        .execute(conn)?;
    if let Some(sealed) = sealed {
        event_personal::insert(conn, &sealed.row(e.id))?;
    }
    Ok(row.hash)
}
