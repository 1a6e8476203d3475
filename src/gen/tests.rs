use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use fastrand::Rng;

use super::lifecycle::{By, Facts, Rules, Step, plan as plan_life};
use super::*;
use crate::domain::Uscc;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::clocks::{ClockEvent, ClockInputs, ClockView, Verdict, derive};
use crate::domain::policy::Clock;
use crate::domain::workflow::{self, Actor, Command, is_closed};
use crate::reference::ReferenceData;

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
        received_only: false,
    };
    assert_eq!(date_range(&args(None, None), now()).unwrap(), range());
    assert!(date_range(&args(None, Some("2026-11-21")), now()).is_err());
    assert!(date_range(&args(Some("2026-01-02"), Some("2026-01-01")), now()).is_err());
}

/// Far enough ahead for every planned step to happen.
fn far_future() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
}

/// A planned life, walked through the workflow as the service would.
struct Lived {
    facts: Facts,
    steps: Vec<Step>,
    end: CaseState,
    clocks: Vec<ClockView>,
}

/// Plans the lives of `n` generated cases, counting complaints that prefer ODR as routed to
/// it and every 40th complaint as a repeat of an earlier one.
fn lives(seed: u64, n: usize, horizon: DateTime<Utc>) -> Vec<Lived> {
    let reference = ReferenceData::builtin().snapshot();
    drafts(seed, n)
        .into_iter()
        .enumerate()
        .map(|(i, (slot, draft))| {
            let case = parse(&draft, slot.at, now(), &reference).unwrap();
            let state = match case.kind {
                CaseKind::Report => CaseState::PendingVerification,
                CaseKind::Complaint if case.prefer_odr => CaseState::OdrNegotiation,
                CaseKind::Complaint => CaseState::PendingAcceptance,
            };
            let repeat = (i % 40 == 39).then(|| "TS-2025-000001".to_owned());
            let facts = facts(&case, state, repeat);
            let policy = reference.policy.get(&case.policy_version).unwrap();
            let rules = Rules {
                calendar: &reference.calendar,
                policy,
            };
            let steps = plan_life(&mut life_rng(seed, i), &facts, rules, horizon);
            let (end, events) = walk(&facts, &steps, rules);
            let clocks = derive(&ClockInputs {
                kind: facts.kind,
                events: &events,
                referral: facts.referral,
                policy,
                calendar: &reference.calendar,
                today: china_date(horizon),
            });
            Lived {
                facts,
                steps,
                end,
                clocks,
            }
        })
        .collect()
}

/// Decides every step as `service::actions` would; panics on a step the workflow refuses.
fn walk(facts: &Facts, steps: &[Step], rules: Rules) -> (CaseState, Vec<ClockEvent>) {
    let mut state = facts.state;
    let mut closed_on = None;
    let (mut rated, mut referral_submitted) = (false, false);
    let mut events = vec![ClockEvent {
        kind: "submitted".into(),
        on: china_date(facts.received_at),
        to_state: Some(state),
    }];
    for step in steps {
        let today = china_date(step.at);
        let actor = match step.by {
            By::Staff => Actor::Mediator,
            By::Enterprise => Actor::Enterprise,
            By::Consumer => Actor::Consumer,
            By::System => Actor::System,
            By::Dispatcher => Actor::Dispatcher,
        };
        let rules = workflow::Facts {
            today,
            rating_open_until: closed_on
                .map(|closed| rules.policy.due(rules.calendar, Clock::Rating, closed).date),
            already_rated: rated,
            has_referral: facts.referral.is_some(),
            referral_submitted,
            party_messages_today: 0,
            odr_answered: false,
            verification_extended: false,
            unified_dispatch: rules.policy.unified_dispatch,
        };
        let outcome = workflow::decide(facts.kind, state, actor, &step.command, &rules)
            .unwrap_or_else(|r| panic!("{:?} refused in {state:?}: {r:?}", step.command));
        if let Some(to) = outcome.to {
            match (is_closed(state), is_closed(to)) {
                (false, true) => closed_on = Some(today),
                (_, false) => closed_on = None,
                (true, true) => {}
            }
            state = to;
        }
        rated |= matches!(step.command, Command::Rate { .. });
        referral_submitted |= step.command == Command::SubmitReferral;
        events.push(ClockEvent {
            kind: step.command.kind().as_str().into(),
            on: today,
            to_state: outcome.to,
        });
    }
    (state, events)
}

fn percent(part: usize, whole: usize) -> usize {
    part * 100 / whole.max(1)
}

#[test]
fn lives_follow_the_workflow_with_realistic_outcomes() {
    let all = lives(21, 3000, far_future());
    let mut ends = std::collections::BTreeMap::<&str, usize>::new();
    let (mut queued, mut odr, mut odr_settled) = (0, 0, 0);
    for lived in &all {
        let mut at = lived.facts.received_at;
        for step in &lived.steps {
            assert!(
                step.at > at,
                "{:?} at {} before {at}",
                step.command,
                step.at
            );
            at = step.at;
            if let (Command::Settle { recovered_fen, .. }, Some(paid)) =
                (&step.command, lived.facts.paid_fen)
            {
                assert!(
                    (0..=paid).contains(recovered_fen),
                    "{recovered_fen} of {paid}"
                );
            }
        }
        match (lived.facts.kind, lived.facts.state) {
            (CaseKind::Complaint, CaseState::OdrNegotiation) => {
                odr += 1;
                odr_settled += usize::from(
                    lived
                        .steps
                        .iter()
                        .any(|s| s.command == Command::ConsumerAccept),
                );
            }
            (CaseKind::Complaint, _) if lived.facts.duplicate_of.is_none() => {
                queued += 1;
                *ends.entry(lived.end.as_str()).or_default() += 1;
            }
            _ => {}
        }
    }
    let share = |s: CaseState| percent(ends.get(s.as_str()).copied().unwrap_or(0), queued);
    assert!((52..=68).contains(&share(CaseState::Settled)), "{ends:?}");
    assert!(
        (18..=34).contains(&share(CaseState::MediationTerminated)),
        "{ends:?}"
    );
    assert!((2..=9).contains(&share(CaseState::Withdrawn)), "{ends:?}");
    assert!(
        (4..=13).contains(&share(CaseState::NotAccepted)),
        "{ends:?}"
    );
    assert!(ends.contains_key("in_mediation"), "{ends:?}");
    assert!(odr >= 100, "{odr} ODR complaints");
    assert!(
        (45..=65).contains(&percent(odr_settled, odr)),
        "{odr_settled}/{odr}"
    );
    let ended = |s: CaseState| all.iter().filter(|l| l.end == s).count();
    assert!(ended(CaseState::Merged) > 30);
    assert!(ended(CaseState::CaseOpened) > 50 && ended(CaseState::NotOpened) > 50);
    assert_eq!(ended(CaseState::PendingVerification), 0);
    assert!(
        all.iter()
            .any(|l| l.steps.iter().any(|s| s.by == By::System))
    );
    assert!(all.iter().any(|l| {
        l.steps.iter().any(|s| {
            matches!(
                s.command,
                Command::Transfer { .. } | Command::Dispatch { .. }
            )
        })
    }));
}

#[test]
fn no_step_is_dated_after_now_and_recent_cases_stay_open() {
    let all = lives(22, 2000, now());
    let (mut recent, mut recent_open, mut old, mut old_open) = (0, 0, 0, 0);
    for lived in &all {
        assert!(lived.steps.iter().all(|s| s.at <= now()));
        let age = now() - lived.facts.received_at;
        let open = !is_closed(lived.end);
        if age < chrono::Duration::days(5) {
            recent += 1;
            recent_open += usize::from(open);
        } else if age > chrono::Duration::days(200) {
            old += 1;
            old_open += usize::from(open);
        }
    }
    assert!(
        recent > 5 && recent_open * 2 > recent,
        "{recent_open}/{recent}"
    );
    assert!(percent(old_open, old) < 5, "{old_open}/{old}");
}

#[test]
fn deadlines_are_met_about_as_often_as_in_practice() {
    let all = lives(23, 3000, far_future());
    let reference = ReferenceData::builtin().snapshot();
    let verdicts = |clock: Clock| {
        let ended: Vec<Verdict> = all
            .iter()
            .flat_map(|l| &l.clocks)
            .filter(|c| c.name == clock)
            .filter_map(|c| c.verdict)
            .collect();
        let timely = ended.iter().filter(|v| **v == Verdict::Timely).count();
        (timely, ended.len())
    };
    for (clock, range) in [
        (Clock::Acceptance, 86..=97),
        (Clock::Verification, 85..=98),
        (Clock::Mediation, 90..=99),
    ] {
        let (timely, all) = verdicts(clock);
        assert!(all > 100, "{clock:?}: {all}");
        assert!(
            range.contains(&percent(timely, all)),
            "{clock:?}: {timely}/{all}"
        );
    }
    let (mut on_time, mut referrals) = (0, 0);
    for lived in &all {
        let Some(clock) = lived.facts.referral else {
            continue;
        };
        let received = china_date(lived.facts.received_at);
        let policy = reference.policy.select(received).unwrap();
        let due = policy.due(&reference.calendar, clock, received).date;
        let filed = lived
            .steps
            .iter()
            .find(|s| s.command == Command::SubmitReferral)
            .map(|s| china_date(s.at))
            .unwrap();
        referrals += 1;
        on_time += usize::from(filed <= due);
    }
    assert!(referrals > 50, "{referrals} referrals");
    assert!(
        (82..=97).contains(&percent(on_time, referrals)),
        "{on_time}/{referrals}"
    );
}

#[test]
fn horizon_is_the_end_of_the_last_day_and_never_after_now() {
    let to = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let later = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    assert_eq!(
        horizon(to, later),
        Utc.with_ymd_and_hms(2026, 11, 20, 15, 59, 59).unwrap()
    );
    assert_eq!(horizon(to, now()), now());
}
