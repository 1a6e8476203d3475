use super::*;

fn date(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

fn version_toml(id: &str, from: &str, acceptance: u32) -> String {
    format!(
        "[[versions]]\nid = \"{id}\"\neffective_from = \"{from}\"\n[versions.clocks]\n\
         acceptance = {{ days = {acceptance}, unit = \"working\" }}\n\
         mediation = {{ days = 45, unit = \"working\" }}\n\
         termination_notice = {{ days = 7, unit = \"working\" }}\n\
         verification = {{ days = 15, unit = \"working\" }}\n\
         odr_negotiation = {{ days = 10, unit = \"working\" }}\n\
         rating = {{ days = 20, unit = \"calendar\" }}\n\
         adverse_general = {{ days = 30, unit = \"calendar\" }}\n\
         adverse_serious = {{ days = 15, unit = \"calendar\" }}\n\
         adverse_public_concern = {{ days = 3, unit = \"calendar\" }}\n"
    )
}

fn acceptance_days(v: &PolicyVersion) -> u32 {
    v.limit(Clock::Acceptance).days
}

#[test]
fn builtin_versions_state_each_clock_with_its_unit_and_basis() {
    let table = PolicyTable::builtin();
    let ids: Vec<&str> = table.versions.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["samr-order-20", "samr-order-121"]);
    let days =
        |v: &PolicyVersion| -> Vec<u32> { Clock::ALL.iter().map(|c| v.limit(*c).days).collect() };
    assert_eq!(days(&table.versions[0]), [7, 45, 7, 15, 10, 20, 30, 15, 3]);
    assert_eq!(days(&table.versions[1]), [7, 60, 7, 15, 10, 20, 30, 15, 3]);
    let order_20 = &table.versions[0];
    let order_121 = &table.versions[1];
    assert_eq!(order_20.limit(Clock::Mediation).unit, DayUnit::Working);
    assert_eq!(order_121.limit(Clock::Mediation).unit, DayUnit::Calendar);
    assert_eq!(order_20.last_day_off, LastDayOff::Kept);
    assert_eq!(order_121.last_day_off, LastDayOff::HolidaysAndWeekends);
    for v in &table.versions {
        assert!(v.testing_pauses_mediation);
        assert!(!v.notes.contains("尚待核实"), "{}", v.id);
        for clock in Clock::ALL {
            assert!(!v.clocks.rule(clock).basis.is_empty(), "{} {clock:?}", v.id);
        }
    }
    assert!(order_121.clocks.mediation.basis.contains("第二十三条"));
    // Adverse-reaction reports follow their own rule, not Art. 45.
    assert_eq!(
        order_121.clocks.adverse_serious.last_day_off,
        Some(LastDayOff::Kept)
    );
}

#[test]
fn a_clock_without_days_or_with_a_bad_unit_is_refused_naming_it() {
    let zero = version_toml("z", "2024-01-01", 7).replace("days = 45", "days = 0");
    assert_eq!(
        PolicyTable::from_toml(&zero).map_err(|e| e.to_string()),
        Err("期限策略版本 z 的期限 mediation 的天数必须大于0".to_owned())
    );
    let unit = version_toml("u", "2024-01-01", 7)
        .replace("\"working\" }\nmediation", "\"weeks\" }\nmediation");
    let Err(PolicyError::Parse(message)) = PolicyTable::from_toml(&unit) else {
        panic!("an unknown unit is refused");
    };
    assert!(message.contains("weeks"), "{message}");
    let missing = version_toml("m", "2024-01-01", 7)
        .replace("rating = { days = 20, unit = \"calendar\" }\n", "");
    let Err(PolicyError::Parse(message)) = PolicyTable::from_toml(&missing) else {
        panic!("a missing clock is refused");
    };
    assert!(message.contains("rating"), "{message}");
}

#[test]
fn selection_by_received_date() {
    let table = PolicyTable::builtin();
    let id = |d: &str| table.select(date(d)).map(|v| v.id.as_str());
    assert_eq!(id("2019-12-31"), None);
    assert_eq!(id("2020-01-01"), Some("samr-order-20"));
    assert_eq!(id("2026-04-14"), Some("samr-order-20"));
    assert_eq!(id("2026-04-15"), Some("samr-order-121"));
    assert_eq!(id("2030-01-01"), Some("samr-order-121"));
    assert_eq!(
        table.get("samr-order-20").map(|v| v.effective_from),
        Some(date("2020-01-01"))
    );
}

#[test]
fn versions_are_sorted_and_checked() {
    let text = format!(
        "{}\n{}",
        version_toml("b", "2024-01-01", 5),
        version_toml("a", "2021-01-01", 7)
    );
    let table = PolicyTable::from_toml(&text).expect("valid");
    assert_eq!(table.versions[0].id, "a");
    assert_eq!(
        table.select(date("2023-06-01")).map(acceptance_days),
        Some(7)
    );
    assert_eq!(
        table.select(date("2024-06-01")).map(acceptance_days),
        Some(5)
    );

    let dup = format!(
        "{}\n{}",
        version_toml("a", "2024-01-01", 5),
        version_toml("a", "2021-01-01", 7)
    );
    assert_eq!(
        PolicyTable::from_toml(&dup),
        Err(PolicyError::DuplicateId("a".into()))
    );
    let same_day = format!(
        "{}\n{}",
        version_toml("a", "2024-01-01", 5),
        version_toml("b", "2024-01-01", 7)
    );
    assert!(matches!(
        PolicyTable::from_toml(&same_day),
        Err(PolicyError::DuplicateEffectiveFrom { .. })
    ));
    let zero = version_toml("z", "2024-01-01", 0);
    assert!(matches!(
        PolicyTable::from_toml(&zero),
        Err(PolicyError::ZeroDays {
            field: "acceptance",
            ..
        })
    ));
    assert_eq!(
        PolicyTable::from_toml("versions = []"),
        Err(PolicyError::Empty)
    );
    let typo = version_toml("t", "2024-01-01", 7).replace("mediation =", "mediaton =");
    assert!(matches!(
        PolicyTable::from_toml(&typo),
        Err(PolicyError::Parse(_))
    ));
    let empty_id = version_toml(" ", "2024-01-01", 7);
    assert_eq!(PolicyTable::from_toml(&empty_id), Err(PolicyError::EmptyId));
}

#[test]
fn due_dates_per_clock() {
    let table = PolicyTable::builtin();
    let calendar = WorkCalendar::builtin();
    let received = date("2026-09-30");
    let Some(v) = table.select(received) else {
        panic!("a version applies");
    };
    let acceptance = v.due(&calendar, Clock::Acceptance, received);
    assert_eq!(
        (acceptance.date, acceptance.provisional),
        (date("2026-10-15"), false)
    );
    let rating = v.due(&calendar, Clock::Rating, received);
    assert_eq!(
        (rating.date, rating.provisional),
        (date("2026-10-20"), false)
    );
    let serious = v.due(&calendar, Clock::AdverseSerious, received);
    assert_eq!(serious.date, date("2026-10-15"));
    let mediation = v.due(&calendar, Clock::Mediation, date("2026-12-01"));
    assert!(mediation.provisional);
}

fn due(received: &str, clock: Clock, start: &str) -> Due {
    let table = PolicyTable::builtin();
    let Some(v) = table.select(date(received)) else {
        panic!("a version applies");
    };
    v.due(&WorkCalendar::builtin(), clock, date(start))
}

#[test]
fn order_121_mediation_is_sixty_calendar_days_ending_on_a_working_day() {
    // Day 60 after Tue 2026-09-15 is Sat 2026-11-14: the period ends on Monday.
    let d = due("2026-09-15", Clock::Mediation, "2026-09-15");
    assert_eq!((d.date, d.provisional), (date("2026-11-16"), false));
    // Day 60 after 2026-08-04 is Sat 2026-10-03, inside National Day: Thu 2026-10-08.
    assert_eq!(
        due("2026-08-04", Clock::Mediation, "2026-08-04").date,
        date("2026-10-08")
    );
    // Day 60 after 2026-08-11 is Sat 2026-10-10, a make-up working day: it stays.
    assert_eq!(
        due("2026-08-11", Clock::Mediation, "2026-08-11").date,
        date("2026-10-10")
    );
    // A last day on a working day is kept: 2026-08-31 + 60 = Fri 2026-10-30.
    assert_eq!(
        due("2026-08-31", Clock::Mediation, "2026-08-31").date,
        date("2026-10-30")
    );
}

#[test]
fn order_20_mediation_stays_forty_five_working_days() {
    let d = due("2026-03-02", Clock::Mediation, "2026-03-02");
    assert_eq!((d.date, d.provisional), (date("2026-05-08"), false));
    // Its calendar-day clocks end on their last day, weekend or not.
    assert_eq!(
        due("2026-03-02", Clock::Rating, "2026-09-18").date,
        date("2026-10-08")
    );
    assert_eq!(
        due("2026-03-02", Clock::Rating, "2026-10-04").date,
        date("2026-10-24")
    );
}

#[test]
fn the_weekend_switch_and_unknown_years() {
    let table = PolicyTable::builtin();
    let calendar = WorkCalendar::builtin();
    let Some(order_121) = table.get("samr-order-121") else {
        panic!("Order 121 is built in");
    };
    let holidays_only = PolicyVersion {
        last_day_off: LastDayOff::HolidaysOnly,
        ..order_121.clone()
    };
    let start = date("2026-09-15");
    // Sat 2026-11-14 is no holiday: with weekends not read as rest days it stays.
    assert_eq!(
        holidays_only.due(&calendar, Clock::Mediation, start).date,
        date("2026-11-14")
    );
    // A National Day last day still moves past the holiday, to Thu 2026-10-08.
    assert_eq!(
        holidays_only
            .due(&calendar, Clock::Mediation, date("2026-08-04"))
            .date,
        date("2026-10-08")
    );
    // Past the last loaded year the date is computed on weekends alone and flagged.
    let late = order_121.due(&calendar, Clock::Mediation, date("2026-12-01"));
    assert_eq!((late.date, late.provisional), (date("2027-02-01"), true));
}

#[test]
fn a_clock_under_another_rule_keeps_its_last_day() {
    // 2026-11-20 + 15 is Sat 2026-12-05: the report is due that day, not on Monday.
    assert_eq!(
        due("2026-11-20", Clock::AdverseSerious, "2026-11-20").date,
        date("2026-12-05")
    );
}

#[test]
fn the_verification_extension_is_stated_per_version_and_defaults_to_fifteen_working_days() {
    let table = PolicyTable::builtin();
    for v in &table.versions {
        assert_eq!(v.verification_extension.days, 15, "{}", v.id);
        assert_eq!(v.verification_extension.unit, DayUnit::Working);
        assert!(!v.verification_extension.basis.is_empty(), "{}", v.id);
    }
    // A table stored before the field existed still parses, with the rules' 15 working days.
    let stored = PolicyTable::from_toml(&version_toml("old", "2020-01-01", 7)).expect("parses");
    let extension = &stored.versions[0].verification_extension;
    assert_eq!((extension.days, extension.unit), (15, DayUnit::Working));
    // A version may grant another length, but not none, and in the clock's own unit.
    let stated = |rule: &str| {
        version_toml("v", "2020-01-01", 7).replace(
            "[versions.clocks]",
            &format!("verification_extension = {rule}\n[versions.clocks]"),
        )
    };
    let ten = PolicyTable::from_toml(&stated("{ days = 10, unit = \"working\" }")).expect("ok");
    assert_eq!(ten.versions[0].verification_extension.days, 10);
    assert_eq!(
        PolicyTable::from_toml(&stated("{ days = 0, unit = \"working\" }")),
        Err(PolicyError::ZeroDays {
            id: "v".into(),
            field: "verification_extension"
        })
    );
    assert_eq!(
        PolicyTable::from_toml(&stated("{ days = 15, unit = \"calendar\" }")),
        Err(PolicyError::ExtensionUnit { id: "v".into() })
    );
}
