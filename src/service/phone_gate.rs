//! The per-address limits of the phone sign-in (`service::phone_access`): codes asked for and
//! wrong codes typed, per client address. In memory per node, like the other address limits
//! (`ratelimit`); the per-number limits are counted in the database, so they hold across nodes.

use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime};

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

    /// Seconds to wait before `ip` may do it again at `now`.
    fn wait(&self, ip: IpAddr, now: NaiveDateTime) -> Option<i64> {
        let table = self.times.lock().unwrap_or_else(|p| p.into_inner());
        let times = table.get(&ip)?;
        wait_before_sending(&[self.limit], times, now)
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

/// Per node: codes asked for and wrong codes typed, per client address.
pub struct PhoneGate {
    codes: Table,
    wrong: Table,
}

impl PhoneGate {
    pub fn new(codes: SendLimit, wrong: SendLimit) -> PhoneGate {
        PhoneGate {
            codes: Table::new(codes),
            wrong: Table::new(wrong),
        }
    }

    /// Counts one code asked for by `ip`; `Err(seconds)` to wait when over the limit.
    pub fn code_asked(&self, ip: IpAddr, now: NaiveDateTime) -> Result<(), i64> {
        self.codes.count(ip, now)
    }

    /// Seconds `ip` must wait before typing a code again, after too many wrong ones.
    pub fn wrong_wait(&self, ip: IpAddr, now: NaiveDateTime) -> Option<i64> {
        self.wrong.wait(ip, now)
    }

    /// Counts one wrong code typed at `ip`.
    pub fn wrong_typed(&self, ip: IpAddr, now: NaiveDateTime) {
        self.wrong.count(ip, now).unwrap_or_default();
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
        assert_eq!(gate.wrong_wait(ip, t0), None);
        gate.wrong_typed(ip, t0);
        gate.wrong_typed(ip, t0);
        assert_eq!(gate.wrong_wait(ip, t0), Some(3600));
        assert_eq!(gate.wrong_wait(other, t0), None);
    }
}
