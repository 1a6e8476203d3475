use super::*;

fn date(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

fn due(cal: &WorkCalendar, received: &str, n: u32) -> (String, bool) {
    let d = cal.add_working_days(date(received), n);
    (d.date.to_string(), d.provisional)
}

#[test]
fn builtin_years() {
    let cal = WorkCalendar::builtin();
    assert_eq!(cal.known_years(), Some(2025..=2026));
    assert_eq!(cal.last_known_year(), Some(2026));
    assert_eq!(cal.year(2026).map(|y| y.holidays.len()), Some(33));
    assert_eq!(cal.year(2025).map(|y| y.holidays.len()), Some(28));
}

#[test]
fn pinned_deadlines() {
    let cal = WorkCalendar::builtin();
    let fixed = |d: &str| (d.to_string(), false);
    assert_eq!(due(&cal, "2026-09-30", 7), fixed("2026-10-15"));
    assert_eq!(due(&cal, "2026-02-13", 7), fixed("2026-03-02"));
    assert_eq!(due(&cal, "2025-09-26", 7), fixed("2025-10-13"));
    assert_eq!(due(&cal, "2025-01-24", 15), fixed("2025-02-20"));
    assert_eq!(due(&cal, "2025-12-31", 1), fixed("2026-01-04"));
    assert_eq!(due(&cal, "2026-09-30", 0), fixed("2026-09-30"));
}

#[test]
fn unknown_years_are_provisional() {
    let cal = WorkCalendar::builtin();
    assert_eq!(due(&cal, "2027-03-01", 5), ("2027-03-08".into(), true));
    assert_eq!(due(&cal, "2026-12-20", 15), ("2027-01-08".into(), true));
    assert_eq!(due(&cal, "2024-12-30", 3), ("2025-01-03".into(), true));
    assert_eq!(due(&cal, "2026-12-20", 5), ("2026-12-25".into(), false));
    let far = cal.add_working_days(date("2026-01-01"), u32::MAX);
    assert!(far.provisional);
    let empty = WorkCalendar::default();
    assert_eq!(due(&empty, "2026-09-30", 7), ("2026-10-09".into(), true));
}

#[test]
fn week_skipping_matches_day_by_day_counting() {
    let cal = WorkCalendar::builtin();
    for (start, n) in [
        ("2026-12-01", 300),
        ("2020-06-03", 1500),
        ("2023-01-01", 600),
    ] {
        let start = date(start);
        let d = cal.add_working_days(start, n);
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().expect("in range");
            if cal.is_working_or_weekday(day) {
                left -= 1;
            }
        }
        assert_eq!(d.date, day);
        assert!(d.provisional);
    }
}

#[test]
fn working_day_flags() {
    let cal = WorkCalendar::builtin();
    assert_eq!(cal.is_working_day(date("2026-10-10")), Some(true));
    assert_eq!(cal.is_working_day(date("2026-10-05")), Some(false));
    assert_eq!(cal.is_working_day(date("2026-10-11")), Some(false));
    assert_eq!(cal.is_working_day(date("2026-10-12")), Some(true));
    assert_eq!(cal.is_working_day(date("2027-01-04")), None);
}

#[test]
fn working_days_between_agrees_with_add() {
    let cal = WorkCalendar::builtin();
    assert_eq!(
        cal.working_days_between(date("2026-09-30"), date("2026-10-15")),
        7
    );
    assert_eq!(
        cal.working_days_between(date("2026-10-15"), date("2026-09-30")),
        -7
    );
    assert_eq!(
        cal.working_days_between(date("2026-10-15"), date("2026-10-15")),
        0
    );
    let mut start = date("2024-11-01");
    while start < date("2027-03-01") {
        for n in [0, 1, 7, 15, 45] {
            let d = cal.add_working_days(start, n);
            assert_eq!(
                cal.working_days_between(start, d.date),
                i64::from(n),
                "{start}+{n}"
            );
            assert_eq!(d.provisional, !cal.covers(start, d.date), "{start}+{n}");
        }
        start = start.succ_opt().expect("in range");
    }
}

#[test]
fn rejects_bad_files() {
    let weekday_makeup = "year = 2026\nholidays = [[\"2026-10-01\", \"2026-10-07\"]]\nmakeup_workdays = [\"2026-10-09\"]";
    assert!(matches!(
        YearCalendar::from_toml(weekday_makeup),
        Err(CalendarError::MakeupNotWeekend { .. })
    ));
    let unordered = "year = 2026\nholidays = [[\"2026-10-01\", \"2026-10-07\"], [\"2026-05-01\", \"2026-05-05\"]]";
    assert!(matches!(
        YearCalendar::from_toml(unordered),
        Err(CalendarError::HolidayNotOrdered { .. })
    ));
    let outside = "year = 2026\nholidays = [[\"2025-12-31\", \"2026-01-02\"]]";
    assert!(matches!(
        YearCalendar::from_toml(outside),
        Err(CalendarError::HolidayOutsideYear { .. })
    ));
    let reversed = "year = 2026\nholidays = [[\"2026-01-03\", \"2026-01-01\"]]";
    assert!(matches!(
        YearCalendar::from_toml(reversed),
        Err(CalendarError::HolidayRangeReversed { .. })
    ));
    let clash = "year = 2026\nholidays = [\"2026-10-03\"]\nmakeup_workdays = [\"2026-10-03\"]";
    assert!(matches!(
        YearCalendar::from_toml(clash),
        Err(CalendarError::MakeupIsHoliday { .. })
    ));
    assert!(matches!(
        YearCalendar::from_toml("year = "),
        Err(CalendarError::Parse(_))
    ));
    let mut cal = WorkCalendar::builtin();
    let bad = YearCalendar {
        year: 2027,
        source: String::new(),
        holidays: vec![],
        makeup_workdays: vec![date("2027-01-04")],
    };
    assert!(cal.add_year(bad).is_err());
    assert_eq!(cal.known_years(), Some(2025..=2026));
}

#[test]
fn add_and_replace_year() {
    let mut cal = WorkCalendar::builtin();
    let y2027 = YearCalendar::from_toml(
        "year = 2027\nsource = \"test\"\nholidays = [\"2027-01-01\"]\nmakeup_workdays = []",
    )
    .expect("valid");
    cal.add_year(y2027.clone()).expect("valid");
    assert_eq!(cal.known_years(), Some(2025..=2027));
    assert_eq!(due(&cal, "2026-12-31", 1), ("2027-01-04".into(), false));
    let json = serde_json::to_string(&y2027).expect("serialise");
    let back: YearCalendar = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back, y2027);
    cal.add_year(YearCalendar {
        holidays: vec![],
        ..y2027
    })
    .expect("replace");
    assert_eq!(cal.is_working_day(date("2027-01-01")), Some(true));
}
