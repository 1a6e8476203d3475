//! A quarter's scorecards: a pure function of its `Inputs`, the reference data and the
//! city's method.
//!
//! Who is scored: a business (by USCC, or by name as received when no USCC was given) with
//! at least one complaint received in the quarter in a cosmetics or beauty category, or a
//! report in such a category filed as a case (立案) in the quarter. Its sector is the one of
//! most of those cases (cosmetics on a tie). Its filed reports and referrals of the quarter
//! are counted whatever their category. Only reports whose handling ended in a decision to
//! open a case are ever read (Order 121 Art. 37: no open report, nothing of a reporter).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::gather::Inputs;
use crate::bulletin::outcome::{outcome, settlement};
use crate::domain::enterprise::Commitment;
use crate::domain::mask::mask_free_text;
use crate::domain::scorecard::{
    Grade, GradeInputs, Item, Method, Quarter, Sector, Share, assess, is_counterfeit_or_ip, median,
};
use crate::reference::Reference;
use crate::store::bulletin::CohortEvent;
use crate::store::scorecards::Business;

/// One business's scorecard of one quarter.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Scorecard {
    #[schema(value_type = String, example = "2026Q3")]
    pub quarter: Quarter,
    /// 统一社会信用代码; `null` for a business named without one.
    pub uscc: Option<String>,
    pub name: String,
    pub sector: Sector,
    /// Complaints received in the quarter in the sector's categories.
    pub complaints: u64,
    /// Median complaints of the sector's businesses with at least one complaint.
    pub sector_median: Option<f64>,
    /// ODR complaints answered in time, of those where the business had its chance.
    pub response: Share,
    /// Complaints settled, of those ended.
    pub settlement: Share,
    /// Reports filed as cases (立案) in the quarter.
    pub violations: u64,
    /// Of those, counterfeit or IP findings.
    pub counterfeit_ip: u64,
    /// Adverse-reaction referrals opened in the quarter from its complaints.
    pub adverse_referrals: u64,
    pub commitments: Vec<Commitment>,
    pub score: f64,
    pub grade: Grade,
    /// The points of each item of the method.
    pub items: Vec<Item>,
}

/// What is counted for one business before it is graded.
#[derive(Default)]
struct Tally {
    uscc: Option<String>,
    name: String,
    sectors: BTreeMap<Sector, u64>,
    complaints: u64,
    response: Share,
    settlement: Share,
    violations: u64,
    counterfeit_ip: u64,
    referrals: u64,
}

/// The key a business is counted under.
fn key(b: &Business) -> String {
    match &b.uscc {
        Some(u) => format!("uscc:{u}"),
        None => format!("name:{}", b.name.trim()),
    }
}

fn entry<'a>(tallies: &'a mut BTreeMap<String, Tally>, b: &Business) -> &'a mut Tally {
    tallies.entry(key(b)).or_insert_with(|| Tally {
        uscc: b.uscc.clone(),
        name: b.name.trim().to_owned(),
        ..Tally::default()
    })
}

fn by_case(events: &[CohortEvent]) -> HashMap<i64, &[CohortEvent]> {
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

pub fn compute(inputs: &Inputs, reference: &Reference, method: &Method) -> Vec<Scorecard> {
    let events = by_case(&inputs.events);
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for (case, business) in &inputs.complaints {
        let Some(sector) = Sector::of_category(case.category.as_deref()) else {
            continue;
        };
        let evs = events.get(&case.id).copied().unwrap_or(&[]);
        let o = outcome(case, evs, None, reference, inputs.as_of);
        let t = entry(&mut tallies, business);
        *t.sectors.entry(sector).or_default() += 1;
        t.complaints += 1;
        if let Some(answered) = o.business_response() {
            t.response.count(answered);
        }
        if let Some(settled) = settlement(case.state) {
            t.settlement.count(settled);
        }
    }
    for r in &inputs.filed {
        if let Some(sector) = Sector::of_category(r.category.as_deref()) {
            *entry(&mut tallies, &r.business)
                .sectors
                .entry(sector)
                .or_default() += 1;
        }
    }
    // Only businesses already in scope take filed reports and referrals of any category.
    for r in &inputs.filed {
        if let Some(t) = tallies.get_mut(&key(&r.business)) {
            t.violations += 1;
            t.counterfeit_ip += u64::from(is_counterfeit_or_ip(&r.nature));
        }
    }
    for (_, b) in &inputs.referrals {
        if let Some(t) = tallies.get_mut(&key(b)) {
            t.referrals += 1;
        }
    }
    let sector_of = |t: &Tally| {
        t.sectors
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map_or(Sector::Cosmetics, |(s, _)| *s)
    };
    let mut counts: BTreeMap<Sector, Vec<u64>> = BTreeMap::new();
    for t in tallies.values().filter(|t| t.complaints > 0) {
        counts.entry(sector_of(t)).or_default().push(t.complaints);
    }
    let medians: BTreeMap<Sector, Option<f64>> =
        counts.into_iter().map(|(s, v)| (s, median(v))).collect();
    let mut out: Vec<Scorecard> = tallies
        .into_values()
        .map(|t| {
            let sector = sector_of(&t);
            let (name, commitments) = match t.uscc.as_ref().and_then(|u| inputs.registered.get(u)) {
                Some((name, c)) => (name.clone(), c.clone()),
                None => (mask_free_text(&t.name, &[]), Vec::new()),
            };
            let grading = GradeInputs {
                complaints: t.complaints,
                sector_median: medians.get(&sector).copied().flatten(),
                response: t.response,
                settlement: t.settlement,
                violations: t.violations,
                counterfeit_ip: t.counterfeit_ip,
                adverse_referrals: t.referrals,
                commitment_unit: !commitments.is_empty(),
            };
            let a = assess(&grading, method);
            Scorecard {
                quarter: inputs.quarter,
                uscc: t.uscc,
                name,
                sector,
                complaints: grading.complaints,
                sector_median: grading.sector_median,
                response: grading.response,
                settlement: grading.settlement,
                violations: grading.violations,
                counterfeit_ip: grading.counterfeit_ip,
                adverse_referrals: grading.adverse_referrals,
                commitments,
                score: a.score,
                grade: a.grade,
                items: a.items,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.sector, &a.uscc, &a.name).cmp(&(b.sector, &b.uscc, &b.name)));
    out
}
