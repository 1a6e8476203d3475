//! The per-case limit on wrong 查询码 (`domain::tracking_code::WrongCodes`): every way a code
//! reaches a case (the tracking page, its cookie, the API's `X-Tracking-Token`) passes here
//! first. In memory per node, like the sign-in back-off: with `n` nodes a case takes at most
//! `n` times the budget, which the arithmetic in the README allows for; a restart forgets at
//! most one window.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::ServiceError;
use crate::domain::tracking_code::WrongCodes;
use crate::ratelimit::PrunedTable;
use crate::secrets::TrackingToken;
use crate::store::{DbPool, cases};

/// Below this many cases with wrong codes in their window, nothing is pruned.
const PRUNE_AT: usize = 10_000;
/// The most cases tracked. Only cases that exist are tracked, so filling the table takes wrong
/// codes on this many real cases within an hour; until it empties, a case not in it has its
/// codes refused, so a full table never means unlimited guesses.
const MAX_TRACKED: usize = 200_000;

/// Per node: the wrong codes of each case in its current window.
pub struct TrackingGate {
    cases: Mutex<PrunedTable<i64, WrongCodes>>,
}

impl Default for TrackingGate {
    fn default() -> Self {
        TrackingGate {
            cases: Mutex::new(PrunedTable::new(PRUNE_AT, MAX_TRACKED)),
        }
    }
}

impl TrackingGate {
    fn table(&self) -> std::sync::MutexGuard<'_, PrunedTable<i64, WrongCodes>> {
        self.cases.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seconds to wait before `case` takes a code again, if it is refused at `now`.
    fn refused(&self, case: i64, now: DateTime<Utc>) -> Option<u64> {
        self.table().get(&case).and_then(|w| w.wait(now))
    }

    /// Counts one wrong code on `case`; `false` when the table is full and it was not counted.
    fn failed(&self, case: i64, now: DateTime<Utc>) -> bool {
        let mut table = self.table();
        let mut first = false;
        let new = || {
            first = true;
            WrongCodes::after_failure(None, now)
        };
        let Some(entry) = table.entry(case, |w| w.is_stale(now), new) else {
            return false;
        };
        if !first {
            *entry = WrongCodes::after_failure(Some(*entry), now);
        }
        true
    }
}

/// How long to wait when the table is full and a case is not in it.
const FULL_WAIT_SECS: u64 = 60;

/// Whether `token` is the code of case `case_no`, under the per-case limit. `NotFound` for a
/// wrong code as for a missing case; `TooManyRequests` while the case refuses codes, the
/// right one too (otherwise the limit would not bound guessing).
pub async fn check(
    pool: &DbPool,
    gate: &TrackingGate,
    case_no: &str,
    token: &TrackingToken,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let number = case_no.to_owned();
    let case = super::on_pool(pool, move |conn| Ok(cases::find_by_case_no(conn, &number)?))
        .await?
        .ok_or(ServiceError::NotFound)?;
    if let Some(retry_after_secs) = gate.refused(case.id, now) {
        return Err(ServiceError::TooManyRequests { retry_after_secs });
    }
    if token.matches(&case.tracking_token_hash) {
        return Ok(());
    }
    if !gate.failed(case.id, now) {
        return Err(ServiceError::TooManyRequests {
            retry_after_secs: FULL_WAIT_SECS,
        });
    }
    Err(ServiceError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tracking_code::FAILURES_PER_WINDOW;
    use chrono::{Duration, TimeZone};

    #[test]
    fn wrong_codes_count_per_case_and_the_table_stays_bounded() {
        let gate = TrackingGate::default();
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        for _ in 0..FAILURES_PER_WINDOW {
            assert_eq!(gate.refused(1, now), None);
            assert!(gate.failed(1, now));
        }
        assert_eq!(gate.refused(1, now), Some(3600));
        assert_eq!(gate.refused(2, now), None, "other cases are not affected");
        for case in 2..MAX_TRACKED as i64 + 10 {
            gate.failed(case, now);
        }
        assert_eq!(gate.table().len(), MAX_TRACKED);
        assert!(
            !gate.failed(MAX_TRACKED as i64 + 20, now),
            "full: not counted"
        );
        let later = now + Duration::minutes(61);
        assert_eq!(gate.refused(1, later), None);
        for case in 0..MAX_TRACKED / 4 {
            gate.failed(-(case as i64), later);
        }
        assert!(
            gate.table().len() < MAX_TRACKED / 2,
            "stale windows dropped"
        );
    }
}
