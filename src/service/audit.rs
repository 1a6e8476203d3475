//! Verifying the hash-chained event log: every event must hash to what it stores, link to its
//! predecessor, and the newest must be the one the case row remembers.

use serde::Serialize;

use super::ServiceError;
use crate::store::events::{GENESIS_HASH, event_hash};
use crate::store::{Db, events, workflow};

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct AuditReport {
    pub cases: usize,
    pub events: usize,
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
    };
    for case in workflow::all_cases(conn)? {
        let list = events::list(conn, case.id)?;
        let broken = |seq: i32, problem: &str| BrokenLink {
            case_no: case.case_no.clone(),
            seq,
            problem: problem.into(),
        };
        let mut prev = GENESIS_HASH.to_owned();
        for (i, e) in list.iter().enumerate() {
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
            prev = e.hash.clone();
        }
        let count = list.len() as i32;
        if count != case.event_count || prev != case.last_event_hash && count > 0 {
            return Ok(Err(broken(case.event_count, "newest events removed")));
        }
        report.cases += 1;
        report.events += list.len();
    }
    Ok(Ok(report))
}
