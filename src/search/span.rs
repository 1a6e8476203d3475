//! The dates an analyst question may name, checked before any index work: every date lies
//! in `EARLIEST ..= a year from today`, a range runs forwards, and a trends range has at most
//! `MAX_BUCKETS` buckets. Inside these bounds no date arithmetic of the questions can leave
//! chrono's range, and no answer grows past what one aggregation may hold.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::trends::Interval;

/// The earliest date a question may name: the service holds no case received before it.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The most buckets one trends answer may have. A leap year of days (366) fits, so do eight
/// years of weeks and every month since `EARLIEST`; with the largest split (`MAX_TOP` values
/// each) an answer holds at most 400 × 101 = 40,400 buckets, well under the 65,000 that
/// tantivy refuses to build in one aggregation.
pub const MAX_BUCKETS: u64 = 400;

/// The most values of the trends split listed per bucket.
pub const MAX_TOP: u32 = 100;

/// The latest date a question may name: a year from today (plans and provisional deadlines
/// look ahead; nothing is received later).
pub fn latest(today: NaiveDate) -> NaiveDate {
    today.checked_add_months(Months::new(12)).unwrap_or(today)
}

/// Why a date or range was refused: the query-string field, a code and a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

/// `day` itself, if it lies within the bounds; otherwise an error naming `field`.
pub fn check_day(
    field: &'static str,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<NaiveDate, SpanError> {
    let last = latest(today);
    if (EARLIEST..=last).contains(&day) {
        return Ok(day);
    }
    Err(SpanError {
        field,
        code: "date_range",
        message: format!("日期应在{EARLIEST}至{last}之间"),
    })
}

/// Monday of the week containing `day`, if chrono can represent it.
pub fn week_start(day: NaiveDate) -> Option<NaiveDate> {
    day.checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
}

/// A checked range of days `[from, to]`: both within the bounds, `from <= to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    from: NaiveDate,
    to: NaiveDate,
}

impl DateSpan {
    pub fn new(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<DateSpan, SpanError> {
        let from = check_day("from", from, today)?;
        let to = check_day("to", to, today)?;
        if from > to {
            return Err(SpanError {
                field: "from",
                code: "date_order",
                message: "开始日期不能晚于结束日期".into(),
            });
        }
        Ok(DateSpan { from, to })
    }

    /// The range of optional `from` and `to`, each checked; a missing end is taken from
    /// `default_to` (for `to`) or `default_from(to)` (for `from`).
    pub fn with_defaults(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
        default_to: NaiveDate,
        default_from: impl FnOnce(NaiveDate) -> Option<NaiveDate>,
    ) -> Result<DateSpan, SpanError> {
        let to = check_day("to", to.unwrap_or(default_to), today)?;
        let from = match from {
            Some(from) => from,
            None => default_from(to).unwrap_or(EARLIEST).max(EARLIEST),
        };
        DateSpan::new(from, to, today)
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// How many calendar buckets of `interval` the range touches (partial ones included).
    pub fn bucket_count(&self, interval: Interval) -> u64 {
        let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
        let count = match interval {
            Interval::Day => (self.to - self.from).num_days() + 1,
            Interval::Week => match (week_start(self.from), week_start(self.to)) {
                (Some(first), Some(last)) => (last - first).num_days() / 7 + 1,
                _ => i64::MAX,
            },
            Interval::Month => months(self.to) - months(self.from) + 1,
            Interval::Quarter => months(self.to) / 3 - months(self.from) / 3 + 1,
        };
        u64::try_from(count).unwrap_or(u64::MAX)
    }

    /// The range itself, if it has at most `MAX_BUCKETS` buckets of `interval`.
    pub fn for_interval(self, interval: Interval) -> Result<DateSpan, SpanError> {
        if self.bucket_count(interval) <= MAX_BUCKETS {
            return Ok(self);
        }
        let unit = match interval {
            Interval::Day => "按日",
            Interval::Week => "按周",
            Interval::Month => "按月",
            Interval::Quarter => "按季度",
        };
        Err(SpanError {
            field: "interval",
            code: "too_many_buckets",
            message: format!(
                "时间段过多：{unit}统计最多{MAX_BUCKETS}个时间段，请缩短日期范围或选择更长的时间粒度"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2026, 11, 20)
    }

    #[test]
    fn the_bounds_themselves_are_accepted_and_one_day_past_them_is_not() {
        let span = DateSpan::new(d(2000, 1, 1), d(2027, 11, 20), today()).unwrap();
        assert_eq!((span.from(), span.to()), (d(2000, 1, 1), d(2027, 11, 20)));
        let early = DateSpan::new(d(1999, 12, 31), d(2000, 1, 1), today()).unwrap_err();
        assert_eq!((early.field, early.code), ("from", "date_range"));
        assert_eq!(early.message, "日期应在2000-01-01至2027-11-20之间");
        let late = DateSpan::new(d(2026, 1, 1), d(2027, 11, 21), today()).unwrap_err();
        assert_eq!(late.field, "to");
        let backwards = DateSpan::new(d(2026, 2, 1), d(2026, 1, 31), today()).unwrap_err();
        assert_eq!(backwards.code, "date_order");
    }

    #[test]
    fn chronos_extremes_are_refused_without_arithmetic_overflowing() {
        for extreme in [NaiveDate::MIN, NaiveDate::MAX] {
            assert!(check_day("to", extreme, today()).is_err());
            assert!(DateSpan::new(extreme, extreme, today()).is_err());
            assert!(
                DateSpan::with_defaults(None, Some(extreme), today(), today(), |to| {
                    to.checked_sub_days(Days::new(6))
                })
                .is_err()
            );
        }
        // A clock at the end of chrono's range still has bounds.
        assert_eq!(latest(NaiveDate::MAX), NaiveDate::MAX);
        let trends =
            crate::search::trends::buckets(Interval::Month, NaiveDate::MAX, NaiveDate::MAX);
        assert_eq!(trends.len(), 1);
    }

    #[test]
    fn defaults_fill_missing_ends_and_stop_at_the_earliest_day() {
        let span = DateSpan::with_defaults(None, None, today(), today(), |to| {
            to.checked_sub_months(Months::new(12))
        })
        .unwrap();
        assert_eq!((span.from(), span.to()), (d(2025, 11, 20), today()));
        let early = DateSpan::with_defaults(None, Some(d(2000, 1, 3)), today(), today(), |to| {
            to.checked_sub_days(Days::new(6))
        })
        .unwrap();
        assert_eq!(early.from(), EARLIEST);
    }

    #[test]
    fn bucket_counts_at_the_limit() {
        let year = DateSpan::new(d(2024, 1, 1), d(2024, 12, 31), today()).unwrap();
        assert_eq!(year.bucket_count(Interval::Day), 366);
        assert_eq!(year.bucket_count(Interval::Week), 53);
        assert_eq!(year.bucket_count(Interval::Month), 12);
        assert_eq!(year.bucket_count(Interval::Quarter), 4);
        let just = DateSpan::new(d(2026, 1, 1), d(2027, 2, 4), today()).unwrap();
        assert_eq!(just.bucket_count(Interval::Day), MAX_BUCKETS);
        assert!(just.for_interval(Interval::Day).is_ok());
        let over = DateSpan::new(d(2026, 1, 1), d(2027, 2, 5), today()).unwrap();
        let refused = over.for_interval(Interval::Day).unwrap_err();
        assert_eq!(
            (refused.field, refused.code),
            ("interval", "too_many_buckets")
        );
        let all = DateSpan::new(EARLIEST, latest(today()), today()).unwrap();
        assert!(all.for_interval(Interval::Month).is_ok());
        assert!(all.for_interval(Interval::Quarter).is_ok());
        assert!(all.for_interval(Interval::Week).is_err());
    }
}
