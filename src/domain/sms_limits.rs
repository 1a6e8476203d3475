//! Per-number SMS limits (per minute, hour and day), enforced by us before the provider does.

use chrono::{Duration, NaiveDateTime};
use serde::Deserialize;

/// Most messages one phone number may receive in each window; 0 = no limit in that window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsLimits {
    pub per_minute: u32,
    pub per_hour: u32,
    pub per_day: u32,
}

impl Default for SmsLimits {
    fn default() -> Self {
        SmsLimits {
            per_minute: 1,
            per_hour: 5,
            per_day: 10,
        }
    }
}

impl SmsLimits {
    /// The longest window, i.e. how far back `next_allowed` needs the sends.
    pub const HORIZON: Duration = Duration::days(1);

    /// When one more message may go to a number that received messages at `sent` (any order):
    /// `None` when it may go now.
    pub fn next_allowed(
        &self,
        sent: &[NaiveDateTime],
        now: NaiveDateTime,
    ) -> Option<NaiveDateTime> {
        let mut recent: Vec<NaiveDateTime> = sent
            .iter()
            .copied()
            .filter(|at| *at > now - Self::HORIZON && *at <= now)
            .collect();
        recent.sort_unstable_by(|a, b| b.cmp(a));
        [
            (self.per_minute, Duration::minutes(1)),
            (self.per_hour, Duration::hours(1)),
            (self.per_day, Duration::days(1)),
        ]
        .into_iter()
        .filter(|(limit, _)| *limit > 0)
        .filter_map(|(limit, window)| {
            let index = usize::try_from(limit).ok()? - 1;
            // The `limit`-th most recent send inside the window blocks until it leaves it.
            let blocking = recent.get(index).filter(|at| **at > now - window)?;
            Some(*blocking + window)
        })
        .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .unwrap()
    }

    #[test]
    fn each_window_defers_until_its_oldest_counted_send_leaves_it() {
        let limits = SmsLimits::default();
        assert_eq!(limits.next_allowed(&[], at(10, 0, 0)), None);
        // One a minute.
        let sent = [at(10, 0, 0)];
        assert_eq!(
            limits.next_allowed(&sent, at(10, 0, 30)),
            Some(at(10, 1, 0))
        );
        assert_eq!(limits.next_allowed(&sent, at(10, 1, 0)), None);
        // Five an hour: the fifth most recent send blocks for the rest of its hour.
        let sent = [
            at(9, 10, 0),
            at(9, 20, 0),
            at(9, 30, 0),
            at(9, 40, 0),
            at(9, 50, 0),
        ];
        assert_eq!(
            limits.next_allowed(&sent, at(10, 0, 0)),
            Some(at(10, 10, 0))
        );
        // Ten a day.
        let sent: Vec<_> = (0..10).map(|h| at(h, 0, 0)).collect();
        assert_eq!(
            limits.next_allowed(&sent, at(12, 0, 0)),
            Some(at(0, 0, 0) + Duration::days(1))
        );
        // Zero means no limit in that window; sends in the future of `now` do not count.
        let off = SmsLimits {
            per_minute: 0,
            per_hour: 0,
            per_day: 0,
        };
        assert_eq!(off.next_allowed(&sent, at(12, 0, 0)), None);
        assert_eq!(limits.next_allowed(&[at(11, 0, 0)], at(10, 0, 0)), None);
    }
}
