//! The bulletin's figures: a pure function of its `Inputs`, the reference data and the
//! taxonomy. Every rate keeps its numerator and denominator.

use std::collections::{BTreeMap, HashMap};

use super::inputs::{Earlier, Inputs};
use super::methodology::indicators;
use super::model::*;
use super::outcome::{Judged, Outcome, outcome};
use super::tally::{NO_CATEGORY, Tally, category_group, counted};
use crate::domain::case::CaseKind;
use crate::domain::routing::Flag;
use crate::domain::severity::Severity;
use crate::domain::taxonomy::Taxonomy;
use crate::reference::Reference;
use crate::store::bulletin::{CohortCase, CohortEvent};

const TOP_BUSINESSES: usize = 10;
const TOP_COSMETICS_ISSUES: usize = 5;
const COSMETICS: &str = "goods.cosmetics";

/// Counts a Judged outcome into a rate's numerator and denominator.
#[derive(Default)]
struct Tick(u64, u64);

impl Tick {
    fn judged(&mut self, j: Judged) {
        match j {
            Judged::Open => {}
            Judged::Timely => (self.0, self.1) = (self.0 + 1, self.1 + 1),
            Judged::Late => self.1 += 1,
        }
    }
    fn count(&mut self, hit: bool) {
        self.0 += u64::from(hit);
        self.1 += 1;
    }
    fn rate(&self) -> Rate {
        Rate::of(self.0, self.1)
    }
}

fn group_events(events: &[CohortEvent]) -> HashMap<i64, &[CohortEvent]> {
    let mut out = HashMap::new();
    let mut start = 0;
    for i in 1..=events.len() {
        if i == events.len() || events[i].case_id != events[start].case_id {
            out.insert(events[start].case_id, &events[start..i]);
            start = i;
        }
    }
    out
}

fn label_of(table: &str, code: &str, taxonomy: &Taxonomy) -> String {
    let found = match table {
        "district" => taxonomy.district(code).map(|d| d.name.clone()),
        "category" if code == NO_CATEGORY => Some("未注明".to_owned()),
        "category" => taxonomy.category(code).map(|c| c.label.clone()),
        "nature" => taxonomy.nature(code).map(|n| n.label.clone()),
        "channel" => taxonomy.channel(code).map(|c| c.label.clone()),
        "severity" => code
            .parse::<Severity>()
            .ok()
            .map(|s| s.label_zh().to_owned()),
        _ => None,
    };
    found.unwrap_or_else(|| code.to_owned())
}

/// A breakdown table, largest first (code breaks ties), with shares and year-on-year change.
fn rows<'a>(
    table: &str,
    counts: impl IntoIterator<Item = (&'a String, &'a u64)>,
    earlier: Option<&Tally>,
    taxonomy: &Taxonomy,
) -> Vec<Row> {
    let counts: Vec<(&String, u64)> = counts.into_iter().map(|(c, n)| (c, *n)).collect();
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let mut out: Vec<Row> = counts
        .into_iter()
        .map(|(code, count)| {
            let previous = earlier.map(|t| t.count(table, code));
            Row {
                code: code.clone(),
                label: label_of(table, code, taxonomy),
                count,
                share: ratio(count as f64, total as f64),
                yoy: change(count as i64, previous.map(|p| p as i64)),
                previous_year: previous,
            }
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    out
}

fn headline(now: i64, year: &Earlier, period: &Earlier, pick: fn(&Tally) -> i64) -> Change {
    let previous_year = year.tally().map(pick);
    let previous_period = period.tally().map(pick);
    Change {
        previous_year,
        previous_period,
        yoy: change(now, previous_year),
        qoq: change(now, previous_period),
    }
}

fn median(mut values: Vec<i64>) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    }
}

struct Business {
    complaints: u64,
    response: Tick,
    settlement: Tick,
}

pub fn compute(inputs: &Inputs, reference: &Reference, taxonomy: &Taxonomy) -> Figures {
    let cases: Vec<&CohortCase> = inputs.cases.iter().filter(|c| counted(c)).collect();
    let events = group_events(&inputs.events);
    let referrals: HashMap<i64, Severity> = inputs
        .referrals
        .iter()
        .map(|r| (r.case_id, r.severity))
        .collect();
    let outcomes: HashMap<i64, Outcome> = cases
        .iter()
        .map(|c| {
            let evs = events.get(&c.id).copied().unwrap_or(&[]);
            let referral = referrals.get(&c.id).copied();
            let o = outcome(c, evs, referral, reference, inputs.as_of);
            (c.id, o)
        })
        .collect();
    let tally = Tally::of_cases(&inputs.cases, inputs.recovered_fen);
    let (_, year) = &inputs.previous_year;
    let (_, prev) = &inputs.previous_period;

    let mut acceptance = Tick::default();
    let mut closure = Tick::default();
    let mut verification = Tick::default();
    let mut mediation = Tick::default();
    let mut online = Tick::default();
    let mut odr_settled = Tick::default();
    let mut odr_cases = 0;
    let mut odr_days = Vec::new();
    let mut cosmetics = CosmeticsSection::default();
    let mut cosmetics_natures: BTreeMap<String, u64> = BTreeMap::new();
    for case in &cases {
        let o = &outcomes[&case.id];
        let is_complaint = case.kind == CaseKind::Complaint;
        if is_complaint {
            acceptance.judged(o.acceptance);
            closure.judged(o.mediation);
            online.count(case.purchase_online == Some(true));
            if let Some(settled) = o.mediation_result {
                mediation.count(settled);
            }
        } else {
            verification.judged(o.verification);
        }
        if o.odr {
            odr_cases += 1;
            if let Some((ended, settled)) = o.odr_end {
                odr_settled.count(settled);
                odr_days.push(
                    reference
                        .calendar
                        .working_days_between(case.received_date, ended),
                );
            }
        }
        if category_group(case.category.as_deref()) == COSMETICS {
            if is_complaint {
                cosmetics.complaints += 1;
            } else {
                cosmetics.reports += 1;
            }
            *cosmetics_natures.entry(case.nature.clone()).or_default() += 1;
        }
        if is_complaint && case.flags.contains(Flag::CommitmentUnit) {
            cosmetics.commitment_unit_complaints += 1;
        }
    }

    let mut severities: BTreeMap<String, u64> = BTreeMap::new();
    let mut referral_tick = Tick::default();
    for r in &inputs.referrals {
        *severities
            .entry(r.severity.as_str().to_owned())
            .or_default() += 1;
        referral_tick.judged(match r.submitted_on {
            Some(on) if on <= r.due_date => Judged::Timely,
            Some(_) => Judged::Late,
            None if inputs.as_of > r.due_date => Judged::Late,
            None => Judged::Open,
        });
    }
    cosmetics.referrals_by_severity = rows("severity", &severities, None, taxonomy);
    cosmetics.referrals_on_time = referral_tick.rate();
    cosmetics.top_issues = rows("nature", &cosmetics_natures, None, taxonomy);
    cosmetics.top_issues.truncate(TOP_COSMETICS_ISSUES);

    Figures {
        schema_version: SCHEMA_VERSION,
        region: inputs.region.clone(),
        period: PeriodInfo {
            label: inputs.period.label.clone(),
            from: inputs.period.from,
            to: inputs.period.to,
            as_of: inputs.as_of,
            previous_year: inputs.previous_year.0.clone(),
            previous_period: inputs.previous_period.0.clone(),
        },
        totals: Totals {
            complaints: tally.complaints,
            reports: tally.reports,
            recovered_fen: tally.recovered_fen,
        },
        change: TotalsChange {
            complaints: headline(tally.complaints as i64, year, prev, |t| t.complaints as i64),
            reports: headline(tally.reports as i64, year, prev, |t| t.reports as i64),
            recovered_fen: headline(tally.recovered_fen, year, prev, |t| t.recovered_fen),
        },
        rates: Rates {
            acceptance_on_time: acceptance.rate(),
            closure_on_time: closure.rate(),
            verification_on_time: verification.rate(),
            mediation_success: mediation.rate(),
            online_shopping: online.rate(),
        },
        odr: OdrStats {
            enterprises_enrolled: inputs.odr_enterprises,
            cases: odr_cases,
            settled: odr_settled.rate(),
            median_working_days: median(odr_days),
        },
        by_channel: rows("channel", tally.table("channel"), year.tally(), taxonomy),
        by_district: rows("district", tally.table("district"), year.tally(), taxonomy),
        by_category: rows("category", tally.table("category"), year.tally(), taxonomy),
        by_nature: rows("nature", tally.table("nature"), year.tally(), taxonomy),
        hot_issues: inputs.hot.clone(),
        cosmetics,
        top_businesses: top_businesses(inputs, &cases, &outcomes),
        methodology: indicators(),
        aftercare: super::aftercare::section(
            &cases,
            &events,
            &inputs.notices,
            &inputs.follow_ups,
            reference,
            inputs.as_of,
        ),
        counterfeit_ip: Some(super::counterfeit::section(&cases, &events, inputs.as_of)),
        history_periods: [&inputs.previous_year, &inputs.previous_period]
            .into_iter()
            .filter(|(_, e)| matches!(e, Earlier::History { .. }))
            .map(|(p, _)| p.label.clone())
            .collect(),
    }
}

/// Businesses (identified by USCC) with the most complaints in the period.
fn top_businesses(
    inputs: &Inputs,
    cases: &[&CohortCase],
    outcomes: &HashMap<i64, Outcome>,
) -> Vec<BusinessRow> {
    let by_case: HashMap<i64, &CohortCase> = cases.iter().map(|c| (c.id, *c)).collect();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut stats: BTreeMap<String, Business> = BTreeMap::new();
    for r in &inputs.respondents {
        let (Some(uscc), Some(case)) = (r.uscc.as_ref(), by_case.get(&r.case_id)) else {
            continue;
        };
        if case.kind != CaseKind::Complaint {
            continue;
        }
        if let Some(name) = &r.name {
            names.entry(uscc.clone()).or_insert_with(|| name.clone());
        }
        let o = &outcomes[&case.id];
        let b = stats.entry(uscc.clone()).or_insert(Business {
            complaints: 0,
            response: Tick::default(),
            settlement: Tick::default(),
        });
        b.complaints += 1;
        // Only once the business had its chance: it answered or its ODR period ended.
        if let Some(answered) = o.business_response() {
            b.response.count(answered);
        }
        if let Some(settled) = super::outcome::settlement(case.state) {
            b.settlement.count(settled);
        }
    }
    let mut out: Vec<BusinessRow> = stats
        .into_iter()
        .map(|(uscc, b)| BusinessRow {
            name: inputs
                .enterprise_names
                .get(&uscc)
                .or_else(|| names.get(&uscc))
                .cloned()
                .unwrap_or_else(|| uscc.clone()),
            uscc: Some(uscc),
            complaints: b.complaints,
            response: b.response.rate(),
            settlement: b.settlement.rate(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.complaints
            .cmp(&a.complaints)
            .then_with(|| a.uscc.cmp(&b.uscc))
    });
    out.truncate(TOP_BUSINESSES);
    out
}
