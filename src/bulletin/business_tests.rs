use chrono::NaiveDate;

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn quarters_run_two_years_back_and_end_on_the_day() {
    let q = counted_quarters(day(2026, 11, 20));
    let labels: Vec<&str> = q.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3",
            "2026-Q4"
        ]
    );
    assert_eq!(q[8].from, day(2026, 10, 1));
    assert_eq!(q[8].to, day(2026, 11, 20));
    assert_eq!(
        rate_window(day(2026, 11, 20)),
        (day(2025, 10, 1), day(2026, 11, 20))
    );
    // On a quarter's first day the current quarter is that one day.
    let first = counted_quarters(day(2027, 1, 1));
    assert_eq!(first[8].label, "2027-Q1");
    assert_eq!(
        (first[8].from, first[8].to),
        (day(2027, 1, 1), day(2027, 1, 1))
    );
}

#[test]
fn quarter_lines_compare_with_the_quarter_before_and_the_year_before() {
    let reference = crate::reference::ReferenceData::builtin().snapshot();
    let inputs = BusinessInputs {
        as_of: day(2026, 11, 20),
        quarter_counts: vec![2, 0, 0, 0, 4, 0, 1, 5, 3],
        cases: vec![],
        events: vec![],
    };
    let f = compute(&inputs, &reference);
    assert_eq!(f.quarters.len(), 5);
    let q4 = &f.quarters[0];
    assert_eq!((q4.label.as_str(), q4.complaints), ("2025-Q4", 4));
    assert_eq!((q4.previous_quarter, q4.previous_year), (Some(0), Some(2)));
    assert_eq!((q4.qoq, q4.yoy), (None, Some(1.0)));
    let q3 = &f.quarters[3];
    assert_eq!(
        (q3.complaints, q3.previous_quarter, q3.qoq),
        (5, Some(1), Some(4.0))
    );
    let now = &f.quarters[4];
    assert!(now.so_far);
    assert_eq!((now.complaints, now.qoq, now.yoy), (3, None, None));
    assert_eq!(f.complaints, 4 + 1 + 5 + 3);
    assert_eq!(f.mediation_success.denominator, 0);
    assert!(
        f.rates_cover_newest_only,
        "no case rows loaded for 13 counted"
    );
}
