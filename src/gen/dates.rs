//! When cases arrive: more around 3·15, 618, Double 11 and the weeks before Spring
//! Festival, fewer in the Spring Festival holiday and at weekends, a little more each year;
//! phone, letter and visit cases only in office hours on weekdays.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use fastrand::Rng;

use super::weighted;
use crate::clock::china_offset;

/// Intake channels and their shares; the last three are keyed in by staff.
pub const CHANNELS: &[(&str, u32)] = &[
    ("web", 28),
    ("mini_program", 36),
    ("app", 8),
    ("phone", 20),
    ("letter", 2),
    ("visit", 6),
];

fn staff_keyed(channel: &str) -> bool {
    matches!(channel, "phone" | "letter" | "visit")
}

/// The first day of the Spring Festival (lunar new year) for the years we may need.
fn spring_festival(year: i32) -> Option<NaiveDate> {
    let (m, d) = match year {
        2019 => (2, 5),
        2020 => (1, 25),
        2021 => (2, 12),
        2022 => (2, 1),
        2023 => (1, 22),
        2024 => (2, 10),
        2025 => (1, 29),
        2026 => (2, 17),
        2027 => (2, 6),
        2028 => (1, 26),
        2029 => (2, 13),
        2030 => (2, 3),
        2031 => (1, 23),
        2032 => (2, 11),
        2033 => (1, 31),
        2034 => (2, 19),
        2035 => (2, 8),
        _ => (2, 5),
    };
    NaiveDate::from_ymd_opt(year, m, d)
}

/// How many cases a day draws, relative to an ordinary weekday at the start of the range.
pub fn day_weight(day: NaiveDate, from: NaiveDate) -> f64 {
    let years = (day - from).num_days() as f64 / 365.25;
    let mut w = 1.0 + 0.12 * years;
    let (m, d) = (day.month(), day.day());
    w *= match m {
        3 => 1.15,
        5 | 7 => 1.05,
        6 => 1.2,
        9 => 0.95,
        11 => 1.25,
        12 => 1.1,
        _ => 1.0,
    };
    // Consumer-rights day: campaigns and media bring complaints in.
    if m == 3 && (8..=20).contains(&d) {
        w *= match d.abs_diff(15) {
            0 => 2.6,
            1 | 2 => 1.9,
            _ => 1.4,
        };
    }
    // 618 and Double 11: orders arrive, then disputes about them.
    if m == 6 && (1..=25).contains(&d) {
        w *= if (18..=22).contains(&d) { 1.8 } else { 1.35 };
    }
    if m == 11 && (1..=20).contains(&d) {
        w *= if (11..=16).contains(&d) { 1.9 } else { 1.4 };
    }
    // Days from the nearest Spring Festival (this year's or, in December, next year's).
    let offset = [day.year(), day.year() + 1]
        .into_iter()
        .filter_map(spring_festival)
        .map(|f| (day - f).num_days())
        .min_by_key(|o| o.abs())
        .unwrap_or(i64::MAX);
    w *= match offset {
        -21..=-2 => 1.3, // new-year shopping
        -1..=6 => 0.35,  // the holiday week
        7..=13 => 1.15,  // the backlog after it
        _ => 1.0,
    };
    // National Day golden week: offices shut.
    if m == 10 && d <= 7 {
        w *= 0.8;
    }
    if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        w *= 0.7;
    }
    w
}

/// When one case was received and through which channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub at: DateTime<Utc>,
    pub channel: &'static str,
}

/// `n` arrival times between `from` and `to` (China dates, inclusive), oldest first, none
/// after `now`.
pub fn plan(
    rng: &mut Rng,
    n: usize,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Slot> {
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let mut cumulative = Vec::with_capacity(days.len());
    let mut total = 0.0;
    for day in &days {
        total += day_weight(*day, from);
        cumulative.push(total);
    }
    let mut slots: Vec<Slot> = (0..n)
        .map(|_| {
            let x = rng.f64() * total;
            let i = cumulative.partition_point(|c| *c <= x).min(days.len() - 1);
            slot(rng, days[i], now)
        })
        .collect();
    slots.sort_by_key(|s| s.at);
    slots
}

fn slot(rng: &mut Rng, day: NaiveDate, now: DateTime<Utc>) -> Slot {
    let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
    let mut channel = weighted(rng, CHANNELS);
    while weekend && staff_keyed(channel) {
        channel = weighted(rng, CHANNELS);
    }
    // Office hours for staff-keyed cases; online ones peak in the evening.
    let hour = if staff_keyed(channel) {
        weighted(
            rng,
            &[(9, 3), (10, 4), (11, 3), (14, 2), (15, 4), (16, 3), (17, 1)],
        )
    } else {
        weighted(
            rng,
            &[
                (0, 2),
                (1, 1),
                (6, 1),
                (7, 2),
                (8, 4),
                (9, 6),
                (10, 7),
                (11, 6),
                (12, 4),
                (13, 4),
                (14, 6),
                (15, 6),
                (16, 6),
                (17, 5),
                (18, 4),
                (19, 6),
                (20, 8),
                (21, 9),
                (22, 8),
                (23, 5),
            ],
        )
    };
    let local = day
        .and_hms_opt(hour, rng.u32(0..60), rng.u32(0..60))
        .and_then(|t| china_offset().from_local_datetime(&t).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    // Today: nothing from the future.
    let at = if local > now {
        now - chrono::Duration::seconds(i64::from(rng.u32(0..600)))
    } else {
        local
    };
    Slot { at, channel }
}
