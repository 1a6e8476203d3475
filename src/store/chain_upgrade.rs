//! Upgrades format-1 events (whole payload in `case_events`) to format 2 (kept part there,
//! personal part in `event_personal`, `events::event_hash_v2`). SQLite has no SHA-256, so
//! this runs in Rust right after the migrations, wherever they run.
//!
//! Each case's log is first verified as it stands; a broken one is refused with its case
//! number and left as it is (never rehashed over tampering), and the other cases are still
//! upgraded: the refusals are returned for the caller to report. A case is upgraded in one
//! transaction (its events, their personal parts and `cases.last_event_hash`), so the
//! upgrade can be interrupted and run again. The append-only triggers let exactly this
//! change through: format 1 to 2, with every hashed figure unchanged but a free-text reason
//! moved to the personal part (migrations `chain1_event_personal`, `fixa1_chain_format_guard`,
//! which also refuses any new format-1 event and indexes the format-1 ones).

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::events::{FORMAT_SPLIT, FORMAT_WHOLE, GENESIS_HASH, event_hash, event_hash_v2};
use super::models::{EventRow, NewEventRow};
use super::schema::{case_events, cases};
use super::{Db, StoreError, event_personal, write_transaction};
use crate::domain::event_personal::{split, split_reason};

/// Cases read per query while looking for format-1 events.
const CHUNK: i64 = 500;

/// What an upgrade did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Upgraded {
    pub cases: usize,
    pub events: usize,
    /// Cases whose log did not verify, left in format 1.
    pub refused: Vec<Refused>,
}

/// A case the upgrade left as it was: its number and what is wrong (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("case {case_no}, event #{seq}: {problem}; its log was not upgraded")]
pub struct Refused {
    pub case_no: String,
    pub seq: i32,
    pub problem: String,
}

/// The format-1 events, as the partial index `case_events_format1` is defined: a literal
/// (not a bound parameter), so the planners can prove the query matches the index.
const FORMAT_1_ROWS: &str = "chain_format = 1";

fn format_1_rows() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
    diesel::dsl::sql(FORMAT_1_ROWS)
}

/// `pending`'s query as SQL, for a test to ask the planner which index it reads.
#[cfg(test)]
pub(crate) fn pending_query_sql() -> String {
    format!("SELECT COUNT(DISTINCT case_id) FROM case_events WHERE {FORMAT_1_ROWS}")
}

/// How many cases still have format-1 events (read from the `case_events_format1` index,
/// so a start with nothing to upgrade does not read the whole log).
pub fn pending(conn: &mut Db) -> Result<i64, DieselError> {
    case_events::table
        .filter(format_1_rows())
        .select(diesel::dsl::count(case_events::case_id).aggregate_distinct())
        .first(conn)
}

/// Upgrades every case with format-1 events, `progress(done, total)` after each case
/// (refused ones included); a refused case is listed in `Upgraded::refused`.
pub fn upgrade(
    conn: &mut Db,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Upgraded, StoreError> {
    let total = usize::try_from(pending(conn)?).unwrap_or(0);
    let mut done = Upgraded::default();
    if total == 0 {
        return Ok(done);
    }
    let mut after = i64::MIN;
    loop {
        let ids: Vec<i64> = case_events::table
            .filter(format_1_rows())
            .filter(case_events::case_id.gt(after))
            .select(case_events::case_id)
            .distinct()
            .order(case_events::case_id)
            .limit(CHUNK)
            .load(conn)?;
        if ids.is_empty() {
            return Ok(done);
        }
        for id in ids {
            after = id;
            match write_transaction(conn, |c| upgrade_case(c, id))? {
                Ok(events) => {
                    done.events += events;
                    done.cases += 1;
                }
                Err(refused) => done.refused.push(refused),
            }
            progress(done.cases + done.refused.len(), total);
        }
    }
}

/// Verifies the case's log and rewrites its format-1 events as format 2; returns how many,
/// or why the case was refused (nothing written then).
fn upgrade_case(conn: &mut Db, case_id: i64) -> Result<Result<usize, Refused>, StoreError> {
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
        Ok(Err(Refused {
            case_no: case_no.clone(),
            seq,
            problem: problem.into(),
        }))
    };
    let mut prev = GENESIS_HASH.to_owned();
    for (i, e) in rows.iter().enumerate() {
        if e.case_seq != i as i32 + 1 {
            return refuse(i as i32 + 1, "event missing");
        }
        if e.prev_hash != prev || event_hash(case_id, e.case_seq, &e.data) != e.hash {
            return refuse(e.case_seq, "content altered (hash mismatch)");
        }
        prev = e.hash.clone();
    }
    if rows.len() as i32 != event_count || rows.last().is_some_and(|e| e.hash != last_hash) {
        return refuse(event_count, "newest events removed");
    }
    let Some(first) = rows.iter().position(|e| e.chain_format == FORMAT_WHOLE) else {
        return Ok(Ok(0));
    };
    if let Some(later) = rows[first..]
        .iter()
        .find(|e| e.chain_format != FORMAT_WHOLE)
    {
        return refuse(
            later.case_seq,
            "a format-2 event follows a format-1 one (stop every node running the old version first)",
        );
    }
    let mut prev = rows[first].prev_hash.clone();
    for e in &rows[first..] {
        prev = rewrite(conn, case_id, e, prev)?;
    }
    diesel::update(cases::table.find(case_id))
        .set(cases::last_event_hash.eq(&prev))
        .execute(conn)?;
    Ok(Ok(rows.len() - first))
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
    let (reason, personal) = split_reason(&e.kind, e.reason.clone(), parts.personal);
    let sealed = personal
        .map(|p| event_personal::seal(p.to_string()))
        .transpose()?;
    let mut row = NewEventRow {
        actor: parts.actor,
        reason,
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
            case_events::reason.eq(&row.reason),
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
