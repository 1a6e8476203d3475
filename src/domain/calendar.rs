//! Working-day calendar built from the State Council holiday notices, one file per year.
//!
//! A working day is Monday–Friday unless it is a statutory holiday, plus the make-up
//! working days (调休上班日) that fall on a Saturday or Sunday. Years that are not loaded
//! are counted Monday–Friday and every result touching them is flagged provisional.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("节假日日历格式错误：{0}")]
    Parse(String),
    #[error("节假日日历年份 {year} 超出支持范围")]
    YearOutOfRange { year: i32 },
    #[error("{year}年日历：节假日 {start} 至 {end} 不在该年内")]
    HolidayOutsideYear {
        year: i32,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error("{year}年日历：节假日区间 {start} 至 {end} 起止日期颠倒")]
    HolidayRangeReversed {
        year: i32,
        start: NaiveDate,
        end: NaiveDate,
    },
    #[error("{year}年日历：节假日 {date} 重复或未按时间顺序排列")]
    HolidayNotOrdered { year: i32, date: NaiveDate },
    #[error("{year}年日历：调休上班日 {date} 不在该年内")]
    MakeupOutsideYear { year: i32, date: NaiveDate },
    #[error("{year}年日历：调休上班日 {date} 不是周六或周日")]
    MakeupNotWeekend { year: i32, date: NaiveDate },
    #[error("{year}年日历：调休上班日 {date} 重复")]
    MakeupDuplicate { year: i32, date: NaiveDate },
    #[error("{year}年日历：{date} 同时被列为节假日和调休上班日")]
    MakeupIsHoliday { year: i32, date: NaiveDate },
}

/// A holiday entry in a calendar file: one date or an inclusive `[start, end]` range.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
enum HolidayEntry {
    Single(NaiveDate),
    Range([NaiveDate; 2]),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearCalendarFile {
    year: i32,
    #[serde(default)]
    source: String,
    #[serde(default)]
    holidays: Vec<HolidayEntry>,
    #[serde(default)]
    makeup_workdays: Vec<NaiveDate>,
}

/// One year of official holidays (expanded to single dates, ascending) and make-up days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "YearCalendarFile")]
pub struct YearCalendar {
    pub year: i32,
    /// Where the data comes from, e.g. the title of the State Council notice.
    pub source: String,
    pub holidays: Vec<NaiveDate>,
    pub makeup_workdays: Vec<NaiveDate>,
}

impl TryFrom<YearCalendarFile> for YearCalendar {
    type Error = CalendarError;

    fn try_from(file: YearCalendarFile) -> Result<Self, Self::Error> {
        let year = file.year;
        let (first, last) = year_bounds(year).ok_or(CalendarError::YearOutOfRange { year })?;
        let mut holidays = Vec::new();
        for entry in file.holidays {
            let (start, end) = match entry {
                HolidayEntry::Single(d) => (d, d),
                HolidayEntry::Range([s, e]) => (s, e),
            };
            if start > end {
                return Err(CalendarError::HolidayRangeReversed { year, start, end });
            }
            if start < first || end > last {
                return Err(CalendarError::HolidayOutsideYear { year, start, end });
            }
            holidays.extend(start.iter_days().take_while(|d| *d <= end));
        }
        let calendar = YearCalendar {
            year,
            source: file.source,
            holidays,
            makeup_workdays: file.makeup_workdays,
        };
        calendar.validate()?;
        Ok(calendar)
    }
}

fn year_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    if !(1900..=9999).contains(&year) {
        return None;
    }
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year, 12, 31)?,
    ))
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Number of Monday–Friday days from a fixed origin up to and including `d`.
fn weekdays_through(d: NaiveDate) -> i64 {
    // Day 1 of the common era (0001-01-01) is a Monday.
    let n = i64::from(d.num_days_from_ce());
    n.div_euclid(7) * 5 + n.rem_euclid(7).min(5)
}

impl YearCalendar {
    /// Parses a calendar file; see `reference/calendar/2026.toml` for the format.
    pub fn from_toml(text: &str) -> Result<YearCalendar, CalendarError> {
        let file: YearCalendarFile =
            toml::from_str(text).map_err(|e| CalendarError::Parse(e.message().to_string()))?;
        YearCalendar::try_from(file)
    }

    /// Checks the invariants: dates inside the year, holidays strictly ascending,
    /// make-up days on a Saturday or Sunday, unique and not holidays.
    pub fn validate(&self) -> Result<(), CalendarError> {
        let year = self.year;
        let (first, last) = year_bounds(year).ok_or(CalendarError::YearOutOfRange { year })?;
        let mut previous: Option<NaiveDate> = None;
        for &date in &self.holidays {
            if date < first || date > last {
                return Err(CalendarError::HolidayOutsideYear {
                    year,
                    start: date,
                    end: date,
                });
            }
            if previous.is_some_and(|p| p >= date) {
                return Err(CalendarError::HolidayNotOrdered { year, date });
            }
            previous = Some(date);
        }
        for (i, &date) in self.makeup_workdays.iter().enumerate() {
            if date < first || date > last {
                return Err(CalendarError::MakeupOutsideYear { year, date });
            }
            if !is_weekend(date) {
                return Err(CalendarError::MakeupNotWeekend { year, date });
            }
            if self.makeup_workdays[..i].contains(&date) {
                return Err(CalendarError::MakeupDuplicate { year, date });
            }
            if self.holidays.binary_search(&date).is_ok() {
                return Err(CalendarError::MakeupIsHoliday { year, date });
            }
        }
        Ok(())
    }

    fn is_holiday(&self, d: NaiveDate) -> bool {
        self.holidays.binary_search(&d).is_ok()
    }

    fn is_makeup(&self, d: NaiveDate) -> bool {
        self.makeup_workdays.binary_search(&d).is_ok()
    }
}

/// A computed deadline. `provisional` is true when any counted day lies in a year whose
/// official calendar is not loaded, so the date may still move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Due {
    pub date: NaiveDate,
    pub provisional: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    years: BTreeMap<i32, YearCalendar>,
}

const BUILTIN_2025: &str = include_str!("../../reference/calendar/2025.toml");
const BUILTIN_2026: &str = include_str!("../../reference/calendar/2026.toml");

impl WorkCalendar {
    /// The calendars shipped in `reference/calendar/`.
    #[expect(
        clippy::expect_used,
        reason = "the built-in files are compiled in and parsed by a unit test"
    )]
    pub fn builtin() -> WorkCalendar {
        let years = [BUILTIN_2025, BUILTIN_2026]
            .into_iter()
            .map(|text| YearCalendar::from_toml(text).expect("built-in calendar file is valid"))
            .collect();
        WorkCalendar::new(years).expect("built-in calendar files are valid")
    }

    pub fn new(years: Vec<YearCalendar>) -> Result<WorkCalendar, CalendarError> {
        let mut calendar = WorkCalendar::default();
        for year in years {
            calendar.add_year(year)?;
        }
        Ok(calendar)
    }

    /// Adds or replaces one year after validating it.
    pub fn add_year(&mut self, mut year: YearCalendar) -> Result<(), CalendarError> {
        year.validate()?;
        year.makeup_workdays.sort_unstable();
        self.years.insert(year.year, year);
        Ok(())
    }

    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    pub fn years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.values()
    }

    /// First to last loaded year (there may be gaps in between), `None` when empty.
    pub fn known_years(&self) -> Option<RangeInclusive<i32>> {
        let first = *self.years.keys().next()?;
        let last = *self.years.keys().next_back()?;
        Some(first..=last)
    }

    pub fn last_known_year(&self) -> Option<i32> {
        self.years.keys().next_back().copied()
    }

    /// `None` when the year of `d` is not loaded.
    pub fn is_working_day(&self, d: NaiveDate) -> Option<bool> {
        self.years
            .get(&d.year())
            .map(|y| y.is_makeup(d) || (!is_weekend(d) && !y.is_holiday(d)))
    }

    fn is_working_or_weekday(&self, d: NaiveDate) -> bool {
        self.is_working_day(d).unwrap_or(!is_weekend(d))
    }

    /// Whole weeks that can be skipped after `date` while staying inside years that are not
    /// loaded (starting with `unloaded_year`), keeping at least one day to count normally.
    fn skippable_weeks(&self, date: NaiveDate, unloaded_year: i32, remaining: u32) -> u64 {
        let by_count = u64::from(remaining.saturating_sub(1) / 5);
        let next_loaded = unloaded_year
            .checked_add(1)
            .and_then(|y| self.years.range(y..).next())
            .map(|(y, _)| NaiveDate::from_ymd_opt(*y, 1, 1));
        match next_loaded {
            None => by_count,
            Some(Some(limit)) => {
                let room = ((limit - date).num_days() - 1).max(0) / 7;
                by_count.min(u64::try_from(room).unwrap_or(0))
            }
            Some(None) => 0,
        }
    }

    /// Due date `n` working days after `received`; the day of receipt is not counted.
    pub fn add_working_days(&self, received: NaiveDate, n: u32) -> Due {
        let overflow = Due {
            date: NaiveDate::MAX,
            provisional: true,
        };
        let mut date = received;
        let mut remaining = n;
        let mut provisional = false;
        while remaining > 0 {
            let Some(next) = date.succ_opt() else {
                return overflow;
            };
            if !self.years.contains_key(&next.year()) {
                provisional = true;
                let weeks = self.skippable_weeks(date, next.year(), remaining);
                if weeks > 0 {
                    let Some(jumped) = date.checked_add_days(Days::new(weeks * 7)) else {
                        return overflow;
                    };
                    date = jumped;
                    remaining -= u32::try_from(weeks * 5).unwrap_or(remaining);
                    continue;
                }
            }
            date = next;
            if self.is_working_or_weekday(date) {
                remaining -= 1;
            }
        }
        Due { date, provisional }
    }

    /// `day` if it is a working day, else the first working day after it. Provisional when
    /// a day looked at lies in a year not loaded (there weekends are the only days off).
    pub fn next_working_day(&self, day: NaiveDate) -> Due {
        self.first_day_from(day, |d| self.is_working_or_weekday(d))
    }

    /// `day` if it is not a statutory holiday, else the first day after the holiday.
    pub fn next_non_holiday(&self, day: NaiveDate) -> Due {
        self.first_day_from(day, |d| {
            self.years.get(&d.year()).is_none_or(|y| !y.is_holiday(d))
        })
    }

    fn first_day_from(&self, day: NaiveDate, fits: impl Fn(NaiveDate) -> bool) -> Due {
        let mut date = day;
        let mut provisional = false;
        loop {
            provisional |= !self.years.contains_key(&date.year());
            if fits(date) {
                return Due { date, provisional };
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => {
                    return Due {
                        date: NaiveDate::MAX,
                        provisional: true,
                    };
                }
            }
        }
    }

    /// Working days after `from` up to and including `to`; negative when `to < from`.
    /// Days in years that are not loaded count Monday–Friday.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let mut total = weekdays_through(to) - weekdays_through(from);
        for year in self.years.range(from.year()..=to.year()).map(|(_, y)| y) {
            let inside = |d: &&NaiveDate| from < **d && **d <= to;
            let weekday_holidays = year
                .holidays
                .iter()
                .filter(inside)
                .filter(|d| !is_weekend(**d))
                .count();
            let makeup = year.makeup_workdays.iter().filter(inside).count();
            total += makeup as i64 - weekday_holidays as i64;
        }
        total
    }

    /// True when every day after `from` up to and including `to` lies in a loaded year.
    pub fn covers(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        match a.succ_opt() {
            Some(first) if a < b => (first.year()..=b.year()).all(|y| self.years.contains_key(&y)),
            _ => true,
        }
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
