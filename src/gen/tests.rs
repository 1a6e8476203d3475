use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use fastrand::Rng;

use super::*;
use crate::domain::Uscc;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap()
}

fn range() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2023, 11, 20).unwrap(),
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
    )
}

fn drafts(seed: u64, n: usize) -> Vec<(Slot, Draft)> {
    let (from, to) = range();
    let slots = plan(&mut Rng::with_seed(seed ^ PLAN_SALT), n, from, to, now());
    let mut generator = Generator::new(seed);
    slots
        .into_iter()
        .map(|s| {
            let d = generator.draft(&s);
            (s, d)
        })
        .collect()
}

fn json(d: &Draft) -> String {
    match d {
        Draft::Complaint(c) => serde_json::to_string(c).unwrap(),
        Draft::Report(r) => serde_json::to_string(r).unwrap(),
    }
}

#[test]
fn the_same_seed_gives_the_same_cases() {
    let a = drafts(7, 50);
    let b = drafts(7, 50);
    for ((sa, da), (sb, db)) in a.iter().zip(&b) {
        assert_eq!(sa, sb);
        assert_eq!(json(da), json(db));
    }
    let c = drafts(8, 50);
    assert_ne!(
        a.iter().map(|(_, d)| json(d)).collect::<Vec<_>>(),
        c.iter().map(|(_, d)| json(d)).collect::<Vec<_>>()
    );
    // Content does not depend on how many cases are asked for.
    let mut small = Generator::new(7);
    let mut large = Generator::new(7);
    let slot = a[0].0;
    for _ in 0..10 {
        assert_eq!(json(&small.draft(&slot)), json(&large.draft(&slot)));
    }
}

#[test]
fn every_generated_case_passes_intake() {
    let reference = ReferenceData::builtin().snapshot();
    let (from, to) = range();
    let mut complaints = 0;
    let mut categories = BTreeSet::new();
    let mut districts = BTreeSet::new();
    let mut adverse = 0;
    for (slot, draft) in drafts(11, 2000) {
        let case = parse(&draft, slot.at, now(), &reference)
            .unwrap_or_else(|e| panic!("{e}\n{}", json(&draft)));
        assert!(case.received_date >= from && case.received_date <= to);
        assert!(case.received_at <= now());
        for text in [&case.title, &case.description] {
            assert!(!text.contains(['{', '}', '[', ']']), "unfilled: {text}");
        }
        assert!(!case.claim.unwrap_or_default().contains(['{', '}']));
        if let Some(p) = &case.purchase {
            assert!(p.date.is_none_or(|d| d <= case.received_date));
        }
        if let Draft::Complaint(c) = &draft {
            complaints += 1;
            adverse += usize::from(c.adverse_reaction.is_some());
        }
        categories.insert(case.category.map(|c| c.as_str().to_owned()));
        districts.insert(case.district.as_str().to_owned());
    }
    assert!(
        (1600..=1800).contains(&complaints),
        "{complaints} complaints"
    );
    assert!(categories.len() >= 20, "{categories:?}");
    for d in [
        "440703", "440704", "440705", "440781", "440783", "440784", "440785",
    ] {
        assert!(districts.contains(d), "{d} missing: {districts:?}");
    }
    assert!((20..400).contains(&adverse), "{adverse} adverse reactions");
}

#[test]
fn about_half_are_cosmetics_and_texts_vary() {
    let all = drafts(3, 1000);
    let mut cosmetics = 0;
    let mut descriptions = BTreeSet::new();
    let mut text = String::new();
    for (_, d) in &all {
        if let Draft::Complaint(c) = d {
            cosmetics += usize::from(
                c.category
                    .as_deref()
                    .unwrap()
                    .starts_with("goods.cosmetics"),
            );
            descriptions.insert(c.description.clone().unwrap());
            text.push_str(c.description.as_deref().unwrap());
            text.push_str(c.title.as_deref().unwrap());
        }
    }
    let complaints = descriptions.len();
    assert!(cosmetics * 100 / complaints > 40 && cosmetics * 100 / complaints < 62);
    for word in [
        "烟酰胺",
        "过敏",
        "七天无理由",
        "预付卡",
        "霸王条款",
        "三无产品",
        "GlowLab",
        "Lumière",
    ] {
        assert!(text.contains(word), "no {word} in the corpus");
    }
    assert!(
        text.contains("过名") || text.contains("退欵") || text.contains("投述"),
        "no typos"
    );
}

#[test]
fn respondents_repeat_and_their_codes_are_valid() {
    let mut names = std::collections::BTreeMap::<String, usize>::new();
    for (_, d) in drafts(5, 600) {
        let r = match d {
            Draft::Complaint(c) => c.respondent.unwrap(),
            Draft::Report(r) => r.respondent.unwrap(),
        };
        if let Some(uscc) = &r.uscc {
            assert!(uscc.parse::<Uscc>().is_ok(), "{uscc}");
        }
        *names.entry(r.name.unwrap()).or_default() += 1;
    }
    assert!(names.len() < 220, "{} respondents", names.len());
    assert!(names.values().any(|n| *n >= 10), "no busy respondent");
}

#[test]
fn seasons_show_in_the_dates() {
    let (from, to) = range();
    let slots = plan(&mut Rng::with_seed(1), 20_000, from, to, now());
    let in_month = |y: i32, m: u32| {
        slots
            .iter()
            .filter(|s| {
                let d = china_date(s.at);
                d.year() == y && d.month() == m
            })
            .count()
    };
    assert!(in_month(2025, 3) > in_month(2025, 4));
    assert!(in_month(2025, 11) > in_month(2025, 10));
    assert!(in_month(2025, 6) > in_month(2025, 8));
    // Spring Festival 2026 falls on Feb 17: its week is quiet.
    let day = |m: u32, d: u32| {
        slots
            .iter()
            .filter(|s| china_date(s.at) == NaiveDate::from_ymd_opt(2026, m, d).unwrap())
            .count()
    };
    let holiday: usize = (17..=22).map(|d| day(2, d)).sum();
    let before: usize = (3..=8).map(|d| day(2, d)).sum();
    assert!(holiday * 2 < before, "{holiday} vs {before}");
    // Growth: the last year has more than the first.
    let first = slots
        .iter()
        .filter(|s| china_date(s.at) < NaiveDate::from_ymd_opt(2024, 11, 20).unwrap())
        .count();
    let last = slots
        .iter()
        .filter(|s| china_date(s.at) >= NaiveDate::from_ymd_opt(2025, 11, 20).unwrap())
        .count();
    assert!(last > first, "{first} → {last}");
    assert!(slots.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn dates_default_to_three_years_and_refuse_the_future() {
    let args = |from: Option<&str>, to: Option<&str>| GenArgs {
        cases: 1,
        seed: 1,
        from: from.map(|s| s.parse().unwrap()),
        to: to.map(|s| s.parse().unwrap()),
    };
    assert_eq!(date_range(&args(None, None), now()).unwrap(), range());
    assert!(date_range(&args(None, Some("2026-11-21")), now()).is_err());
    assert!(date_range(&args(Some("2026-01-02"), Some("2026-01-01")), now()).is_err());
}
