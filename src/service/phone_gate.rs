//! The per-address limits of the phone sign-in (`service::phone_access`): codes asked for and
//! codes typed, per client address, and the argon2 slots. In memory per node, like the other
//! address limits (`ratelimit`); the per-number limits are counted in the database, so they
//! hold across nodes.
//!
//! A typed code is counted against its address before any argon2 work and given back when it
//! opens a session (or was never checked), so a burst of concurrent tries cannot slip past the
//! limit; and only one argon2 check per core runs at a time, as for staff sign-in
//! (`service::login`): when every slot is busy the request is refused at once (503).

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::domain::phone_code::{SendLimit, wait_before_sending};
use crate::ratelimit::PrunedTable;

/// Below this many addresses, nothing is pruned.
const PRUNE_AT: usize = 10_000;
/// The most addresses tracked; a new one while full is refused for `FULL_WAIT_SECS`.
const MAX_TRACKED: usize = 200_000;
const FULL_WAIT_SECS: i64 = 60;

/// Wrong codes per address: thirty an hour.
pub const WRONG_PER_ADDRESS: SendLimit = SendLimit {
    window_secs: 3600,
    max: 30,
};

/// One limit over the times each address did something.
struct Table {
    limit: SendLimit,
    times: Mutex<PrunedTable<IpAddr, Vec<NaiveDateTime>>>,
}

impl Table {
    fn new(limit: SendLimit) -> Table {
        Table {
            limit,
            times: Mutex::new(PrunedTable::new(PRUNE_AT, MAX_TRACKED)),
        }
    }

    /// Gives back the one counted for `ip` at `at`.
    fn refund(&self, ip: IpAddr, at: NaiveDateTime) {
        let mut table = self.times.lock().unwrap_or_else(|p| p.into_inner());
        let Some(times) = table.get_mut(&ip) else {
            return;
        };
        if let Some(i) = times.iter().rposition(|t| *t == at) {
            times.swap_remove(i);
        }
    }

    /// Counts one at `now`; `Err(seconds)` when it is over the limit (then not counted).
    fn count(&self, ip: IpAddr, now: NaiveDateTime) -> Result<(), i64> {
        let since = now - Duration::seconds(self.limit.window_secs);
        let mut table = self.times.lock().unwrap_or_else(|p| p.into_inner());
        let stale = |times: &Vec<NaiveDateTime>| times.iter().all(|t| *t <= since);
        let Some(times) = table.entry(ip, stale, Vec::new) else {
            return Err(FULL_WAIT_SECS);
        };
        times.retain(|t| *t > since);
        if let Some(wait) = wait_before_sending(&[self.limit], times, now) {
            return Err(wait);
        }
        times.push(now);
        Ok(())
    }
}

/// Per node: codes asked for and codes typed per client address, and the argon2 slots.
pub struct PhoneGate {
    codes: Table,
    wrong: Table,
    slots: Arc<Semaphore>,
}

/// Every argon2 slot is taken: the caller answers 503 "busy, try again".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl PhoneGate {
    /// One argon2 slot per core.
    pub fn new(codes: SendLimit, wrong: SendLimit) -> PhoneGate {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        PhoneGate::with_slots(codes, wrong, cores)
    }

    /// `slots` argon2 checks may run at once (at least one).
    pub fn with_slots(codes: SendLimit, wrong: SendLimit, slots: usize) -> PhoneGate {
        PhoneGate {
            codes: Table::new(codes),
            wrong: Table::new(wrong),
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// An argon2 slot, held until dropped; `Busy` at once when none is free.
    pub fn slot(&self) -> Result<OwnedSemaphorePermit, Busy> {
        self.slots.clone().try_acquire_owned().map_err(|_| Busy)
    }

    /// Counts one code asked for by `ip`; `Err(seconds)` to wait when over the limit.
    pub fn code_asked(&self, ip: IpAddr, now: NaiveDateTime) -> Result<(), i64> {
        self.codes.count(ip, now)
    }

    /// Counts one code typed at `ip` at `now`, before it is checked, as if it were wrong;
    /// `Err(seconds)` to wait (and nothing counted) after too many wrong ones.
    pub fn code_typed(&self, ip: IpAddr, now: NaiveDateTime) -> Result<(), i64> {
        self.wrong.count(ip, now)
    }

    /// Gives back the try counted at `now` by [`PhoneGate::code_typed`]: the code was right,
    /// or it was never checked.
    pub fn not_wrong(&self, ip: IpAddr, now: NaiveDateTime) {
        self.wrong.refund(ip, now);
    }
}

impl Default for PhoneGate {
    fn default() -> Self {
        PhoneGate::new(crate::domain::phone_code::PER_ADDRESS, WRONG_PER_ADDRESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn an_address_asks_for_its_quota_of_codes_then_waits() {
        let gate = PhoneGate::new(
            SendLimit {
                window_secs: 3600,
                max: 3,
            },
            SendLimit {
                window_secs: 3600,
                max: 2,
            },
        );
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let t0 = NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        for i in 0..3 {
            assert_eq!(gate.code_asked(ip, t0 + Duration::minutes(i)), Ok(()));
        }
        assert_eq!(
            gate.code_asked(ip, t0 + Duration::minutes(10)),
            Err(50 * 60)
        );
        assert_eq!(gate.code_asked(other, t0 + Duration::minutes(10)), Ok(()));
        assert_eq!(gate.code_asked(ip, t0 + Duration::minutes(60)), Ok(()));
        assert_eq!(gate.code_typed(ip, t0), Ok(()));
        assert_eq!(gate.code_typed(ip, t0), Ok(()));
        assert_eq!(gate.code_typed(ip, t0), Err(3600));
        // A right code gives its try back.
        gate.not_wrong(ip, t0);
        assert_eq!(gate.code_typed(ip, t0), Ok(()));
        assert_eq!(gate.code_typed(other, t0), Ok(()));
    }

    #[test]
    fn argon2_slots_are_bounded() {
        let limit = SendLimit {
            window_secs: 60,
            max: 1,
        };
        let gate = PhoneGate::with_slots(limit, limit, 2);
        let (a, b) = (gate.slot().unwrap(), gate.slot().unwrap());
        assert_eq!(gate.slot().err(), Some(Busy));
        drop(a);
        assert!(gate.slot().is_ok());
        drop(b);
    }
}
