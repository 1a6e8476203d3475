//! Verifying the hash-chained event log: every event must hash to what it stores, link to its
//! predecessor, and the newest must be the one the case row remembers. A format-2 event's
//! personal part, while kept, must match the digest the hash covers; once forgotten, the kept
//! part and the digest still prove every figure. Only anonymisation forgets: a part missing
//! from an event no later `anonymised` event covers was deleted, and is reported.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::ServiceError;
use super::documents::DOCUMENT_ISSUED;
use super::retention::ANONYMISED;
use crate::store::event_personal::PersonalRow;
use crate::store::events::{GENESIS_HASH, event_hash};
use crate::store::models::EventRow;
use crate::store::{Db, documents, events, workflow};

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct AuditReport {
    pub cases: usize,
    pub events: usize,
    pub documents: usize,
}

/// The first broken link found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("case {case_no}, event #{seq}: {problem}")]
pub struct BrokenLink {
    pub case_no: String,
    pub seq: i32,
    pub problem: String,
}

pub fn verify(conn: &mut Db) -> Result<Result<AuditReport, BrokenLink>, ServiceError> {
    let mut report = AuditReport {
        cases: 0,
        events: 0,
        documents: 0,
    };
    for case in workflow::all_cases(conn)? {
        let stored = events::list_stored(conn, case.id)?;
        let broken = |seq: i32, problem: &str| BrokenLink {
            case_no: case.case_no.clone(),
            seq,
            problem: problem.into(),
        };
        let anonymised_at = stored
            .iter()
            .filter(|(e, _)| e.kind == ANONYMISED)
            .map(|(e, _)| e.case_seq)
            .max();
        let mut prev = GENESIS_HASH.to_owned();
        for (i, (e, personal)) in stored.iter().enumerate() {
            let expected_seq = i as i32 + 1;
            if e.case_seq != expected_seq {
                return Ok(Err(broken(expected_seq, "event missing")));
            }
            if e.prev_hash != prev {
                return Ok(Err(broken(
                    e.case_seq,
                    "does not link to the previous event",
                )));
            }
            if event_hash(case.id, e.case_seq, &e.data) != e.hash {
                return Ok(Err(broken(e.case_seq, "content altered (hash mismatch)")));
            }
            let forgotten = anonymised_at.is_some_and(|seq| seq > e.case_seq);
            if let Some(problem) = personal_problem(e, personal.as_ref(), forgotten) {
                return Ok(Err(broken(e.case_seq, problem)));
            }
            prev = e.hash.clone();
        }
        let list: Vec<EventRow> = stored.into_iter().map(|(e, _)| e).collect();
        let count = list.len() as i32;
        if count != case.event_count || prev != case.last_event_hash && count > 0 {
            return Ok(Err(broken(case.event_count, "newest events removed")));
        }
        if let Some((seq, problem)) = documents_unlike_their_log(conn, case.id, &list)? {
            return Ok(Err(broken(seq, &problem)));
        }
        report.cases += 1;
        report.events += list.len();
        report.documents += list.iter().filter(|e| e.kind == DOCUMENT_ISSUED).count();
    }
    Ok(Ok(report))
}

/// A kept personal part must be the one the event's digest committed to; a missing one must
/// have been `forgotten` by the case's anonymisation.
fn personal_problem(
    e: &EventRow,
    personal: Option<&PersonalRow>,
    forgotten: bool,
) -> Option<&'static str> {
    let Some(part) = personal else {
        return (e.personal_digest.is_some() && !forgotten)
            .then_some("personal part deleted (the case was not anonymised)");
    };
    match &e.personal_digest {
        Some(digest) if part.matches(digest) => None,
        Some(_) => Some("personal part altered (digest mismatch)"),
        None => Some("personal part not committed to by the event"),
    }
}

/// Every stored document must be the page its `document_issued` event hashed, and every such
/// event must have its document: an edited or swapped document is caught like an edited event.
fn documents_unlike_their_log(
    conn: &mut Db,
    case_id: i64,
    log: &[EventRow],
) -> Result<Option<(i32, String)>, ServiceError> {
    let stored = documents::of_case(conn, case_id)?;
    for e in log.iter().filter(|e| e.kind == DOCUMENT_ISSUED) {
        let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
        let id = payload["document_id"].as_i64();
        let Some(row) = stored.iter().find(|d| Some(d.id) == id) else {
            return Ok(Some((e.case_seq, "issued document missing".into())));
        };
        let html = documents::html_of(conn, row.id)?.unwrap_or_default();
        // An anonymised case keeps the hash of what was issued, not the page itself.
        let erased = html.is_empty()
            && log
                .iter()
                .any(|later| later.case_seq > e.case_seq && later.kind == ANONYMISED);
        let actual = if erased {
            row.sha256.clone()
        } else {
            hex::encode(Sha256::digest(html.as_bytes()))
        };
        if payload["sha256"].as_str() != Some(actual.as_str()) || row.sha256 != actual {
            return Ok(Some((
                e.case_seq,
                format!("document {} altered (hash mismatch)", row.number),
            )));
        }
    }
    let logged = |id: i64| {
        log.iter().any(|e| {
            e.kind == DOCUMENT_ISSUED
                && serde_json::from_str::<serde_json::Value>(&e.payload)
                    .is_ok_and(|p| p["document_id"].as_i64() == Some(id))
        })
    };
    Ok(stored
        .iter()
        .find(|d| !logged(d.id))
        .map(|d| (0, format!("document {} not in the log", d.number))))
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "audit_chain_tests.rs"]
mod chain_tests;
