//! Sign-in back-off, keyed by the caller on (client address, account): failures from one
//! address slow that address's attempts on that account and nobody else's.

use chrono::{DateTime, Duration, Utc};

/// Failures of one address on one account before its attempts there are refused for a while.
pub const FREE_FAILURES: u32 = 5;
/// The longest refusal window.
pub const MAX_WAIT_MINUTES: i64 = 60;
/// Failures older than this are forgotten (and their entry may be dropped).
pub const FORGET_AFTER_HOURS: i64 = 24;

/// The failures of one (address, account) since its last success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub failures: u32,
    pub last_failure: DateTime<Utc>,
    /// Attempts before this instant are refused.
    pub refused_until: Option<DateTime<Utc>>,
}

/// The refusal window after `failures` consecutive failures: 2^(failures−5) minutes from the
/// fifth on, at most an hour.
pub fn wait_minutes(failures: u32) -> Option<i64> {
    (failures >= FREE_FAILURES)
        .then(|| (1_i64 << (failures - FREE_FAILURES).min(6)).min(MAX_WAIT_MINUTES))
}

impl Backoff {
    /// Seconds until an attempt is allowed again, if it is refused at `now`.
    pub fn wait(&self, now: DateTime<Utc>) -> Option<u64> {
        let secs = (self.refused_until? - now).num_seconds();
        u64::try_from(secs).ok().filter(|s| *s > 0)
    }

    /// Whether the entry no longer matters at `now`: no refusal left, and old.
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        self.wait(now).is_none() && now - self.last_failure >= Duration::hours(FORGET_AFTER_HOURS)
    }

    /// After one more failure at `now` (`previous` is the entry so far, if any).
    pub fn after_failure(previous: Option<Backoff>, now: DateTime<Utc>) -> Backoff {
        let failures = previous
            .filter(|b| !b.is_stale(now))
            .map_or(0, |b| b.failures)
            .saturating_add(1);
        Backoff {
            failures,
            last_failure: now,
            refused_until: wait_minutes(failures).map(|m| now + Duration::minutes(m)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn the_window_doubles_from_the_fifth_failure_up_to_an_hour() {
        assert_eq!(wait_minutes(4), None);
        assert_eq!(wait_minutes(5), Some(1));
        assert_eq!(wait_minutes(6), Some(2));
        assert_eq!(wait_minutes(10), Some(32));
        assert_eq!(wait_minutes(11), Some(60));
        assert_eq!(wait_minutes(u32::MAX), Some(60));
    }

    #[test]
    fn failures_count_up_refuse_then_are_forgotten() {
        let mut b = None;
        for _ in 0..4 {
            b = Some(Backoff::after_failure(b, at(0)));
        }
        assert_eq!(b.unwrap().wait(at(0)), None);
        let fifth = Backoff::after_failure(b, at(0));
        assert_eq!(fifth.wait(at(0)), Some(60));
        assert_eq!(fifth.wait(at(59)), Some(1));
        assert_eq!(fifth.wait(at(60)), None);
        let sixth = Backoff::after_failure(Some(fifth), at(61));
        assert_eq!(sixth.failures, 6);
        assert_eq!(sixth.wait(at(61)), Some(120));
        assert!(!sixth.is_stale(at(3600)));
        let day = FORGET_AFTER_HOURS * 3600;
        assert!(sixth.is_stale(at(61 + day)));
        assert_eq!(
            Backoff::after_failure(Some(sixth), at(61 + day)).failures,
            1,
            "a day later the count starts again"
        );
    }
}
