use chrono::NaiveDate;

use super::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A period's counts from (term, cases) pairs, every case read.
fn counts(from: &str, to: &str, total: usize, terms: &[(&str, u64)]) -> PeriodCounts {
    let terms = terms
        .iter()
        .map(|(t, n)| (t.to_string(), (*n, vec![format!("C-{t}")])))
        .collect();
    PeriodCounts::new(day(from), day(to), total, total, terms)
}

fn find<'a>(terms: &'a [HotTerm], term: &str) -> Option<&'a HotTerm> {
    terms.iter().find(|t| t.term == term)
}

#[test]
fn lift_is_per_day_when_the_periods_differ_in_length() {
    // 30 days against 90: the same number of cases is three times as many per day.
    let fg = counts(
        "2026-07-01",
        "2026-07-30",
        300,
        &[("预付卡", 30), ("外卖", 10), ("直播带货", 5), ("偶然", 2)],
    );
    let bg = counts(
        "2026-04-01",
        "2026-06-29",
        900,
        &[("预付卡", 30), ("外卖", 60)],
    );
    let hot = rank(&fg, &bg, 3, 10);
    let prepaid = find(&hot, "预付卡").expect("same count over a third of the days is a rise");
    assert_eq!((prepaid.count, prepaid.baseline_count), (30, 30));
    assert_eq!((prepaid.per_day, prepaid.baseline_per_day), (1.0, 0.33));
    // Against the baseline smoothed by one case: 1.0 / (31 / 90).
    assert_eq!(prepaid.lift, Some(2.9));
    assert!(
        find(&hot, "外卖").is_none(),
        "fewer per day is no rise: {hot:?}"
    );
    assert!(
        find(&hot, "偶然").is_none(),
        "below the minimum support: {hot:?}"
    );
    let new = find(&hot, "直播带货").expect("a term new in the period");
    assert_eq!(new.lift, None);
    assert_eq!(
        hot[0].term, "直播带货",
        "5/30 a day against 1/90 ranks first: {hot:?}"
    );
}

#[test]
fn a_sampled_period_is_scaled_to_all_its_cases() {
    let mut fg = counts("2026-07-01", "2026-07-10", 100, &[("过敏", 10)]);
    fg.read = 50; // half the cases read: 10 of them stand for 20
    let bg = counts("2026-06-01", "2026-06-30", 60, &[("过敏", 5)]);
    let hot = rank(&fg, &bg, 3, 10);
    assert_eq!(hot[0].per_day, 2.0);
    assert_eq!(hot[0].lift, Some(10.0));
}

#[test]
fn a_part_of_a_better_word_in_as_many_cases_is_dropped() {
    let fg = counts(
        "2026-07-01",
        "2026-07-07",
        20,
        &[("荧光剂", 6), ("荧光", 6), ("面膜", 6)],
    );
    let bg = counts("2026-06-01", "2026-06-30", 20, &[]);
    let terms: Vec<String> = rank(&fg, &bg, 3, 10).into_iter().map(|t| t.term).collect();
    assert_eq!(terms, ["荧光剂", "面膜"]);
}

#[test]
fn a_word_that_only_rose_with_the_number_of_cases_is_not_hot() {
    // Ten times as many complaints a day; half of them ask for a refund, as before.
    let fg = counts(
        "2026-07-01",
        "2026-07-07",
        70,
        &[("退款", 35), ("荧光剂", 8)],
    );
    let bg = counts("2026-05-06", "2026-06-30", 56, &[("退款", 28)]);
    let terms: Vec<String> = rank(&fg, &bg, 3, 10).into_iter().map(|t| t.term).collect();
    assert_eq!(terms, ["荧光剂"]);
}
