//! A registered business's public complaint figures (Order 121 Art. 38, 依法公示消费投诉信息):
//! complaints per quarter with their change, the share the business settled itself within
//! the ODR period, the mediation success rate and the on-time ODR response rate.
//!
//! Pure: a function of the loaded complaints, their events, the quarter counts, the reference
//! data and `as_of`. Each case's clocks come from `domain::clocks` exactly as the bulletin's
//! `outcome` derives them, so "on time" has one definition. Reports never reach this module
//! (the store reads complaints only).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::model::{Indicator, Rate, change};
use super::outcome::{clock_events_of, outcome};
use super::period::Period;
use crate::domain::clocks::{ClockCase, ClockView, Verdict, clocks_for};
use crate::domain::policy::Clock;
use crate::reference::Reference;
use crate::store::bulletin::{CohortCase, CohortEvent};

/// Full quarters shown besides the current one.
pub const SHOWN_QUARTERS: usize = 4;
/// Complaints whose outcomes are read at most; the counts per quarter stay exact beyond it.
pub const MAX_CASES: i64 = 2000;

/// The quarter `d` falls in.
pub fn quarter_of(d: NaiveDate) -> Period {
    let q = d.month0() / 3 + 1;
    Period::quarter(d.year(), q).unwrap_or(Period {
        label: d.to_string(),
        from: d,
        to: d,
    })
}

/// The quarters to count, oldest first: the four full quarters shown, the four before them
/// (the year-before figure of each), and the current quarter up to `as_of`, last.
pub fn counted_quarters(as_of: NaiveDate) -> Vec<Period> {
    let current = quarter_of(as_of);
    let mut back = vec![current.clone()];
    for _ in 0..2 * SHOWN_QUARTERS {
        let before = back
            .last()
            .map_or_else(|| current.clone(), Period::previous);
        back.push(before);
    }
    back.reverse();
    if let Some(last) = back.last_mut() {
        last.to = as_of;
    }
    back
}

/// The span whose complaints the rates are computed over: the shown quarters up to `as_of`.
pub fn rate_window(as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    let quarters = counted_quarters(as_of);
    let from = quarters
        .get(SHOWN_QUARTERS)
        .map_or(as_of, |first_shown| first_shown.from);
    (from, as_of)
}

/// Everything the figures are computed from, read in one transaction.
#[derive(Debug, Clone)]
pub struct BusinessInputs {
    pub as_of: NaiveDate,
    /// Counted complaints of each of `counted_quarters(as_of)`, in that order.
    pub quarter_counts: Vec<u64>,
    /// The newest counted complaints received in `rate_window(as_of)` (at most `MAX_CASES`).
    pub cases: Vec<CohortCase>,
    pub events: Vec<CohortEvent>,
}

/// One quarter's line: its count and its change against the quarter before and the same
/// quarter a year before (a fraction: 0.25 is +25 %; `null` when the earlier count is 0).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuarterLine {
    /// `2026-Q3`.
    pub label: String,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// The last day counted: `as_of` for the current quarter.
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// The current quarter, counted so far; it has no change figures.
    pub so_far: bool,
    pub complaints: u64,
    pub previous_quarter: Option<u64>,
    pub qoq: Option<f64>,
    pub previous_year: Option<u64>,
    pub yoy: Option<f64>,
}

/// A business's published figures.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BusinessFigures {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// The four full quarters, oldest first, then the current quarter so far.
    pub quarters: Vec<QuarterLine>,
    /// First and last day of the complaints the rates are computed over.
    #[schema(value_type = String, format = Date)]
    pub window_from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub window_to: NaiveDate,
    /// Counted complaints received in the window.
    pub complaints: u64,
    /// Settled by the business itself in ODR negotiation before the ODR clock ran out.
    pub settled_in_odr_period: Rate,
    /// Mediations that ended in settlement.
    pub mediation_success: Rate,
    /// ODR complaints the business answered within its ODR period.
    pub odr_response_on_time: Rate,
    /// More complaints than `MAX_CASES` in the window: the rates cover the newest ones.
    pub rates_cover_newest_only: bool,
    /// How each figure is counted.
    pub methodology: Vec<Indicator>,
}

const DEFINITIONS: [(&str, &str, &str, &str); 4] = [
    (
        "quarters",
        "季度投诉量",
        "收到日期（北京时间）在该季度内、被投诉经营者统一社会信用代码为本企业的投诉件数；举报不计入；已合并的重复投诉和并入共同投诉的投诉不重复计算；不予受理（非本企业、不属于市场监管部门职责等，《市场监督管理投诉举报处理暂行办法》第十七条）、移送其他部门和告知向其他部门反映的投诉不是针对本企业处理纠纷的投诉，不计入。本季度为截至统计日的件数。环比与上一季度比较，同比与上年同一季度比较，上期为 0 时不计算",
        "—",
    ),
    (
        "settled_in_odr_period",
        "企业自行和解率",
        "统计范围内经在线消费纠纷解决（ODR）由企业与消费者自行协商和解、且在 ODR 协商期限（收到投诉次日起 10 个工作日，遇法定节假日顺延）届满前和解的件数",
        "统计范围内经 ODR 协商的投诉件数，不含 ODR 协商仍在期限内进行的；未经 ODR 协商的投诉不计入，没有时显示「不适用」",
    ),
    (
        "mediation_success",
        "调解成功率",
        "统计范围内经市场监管部门调解达成协议的件数",
        "统计范围内调解已结束（达成协议或终止调解）的件数；撤回的不计入",
    ),
    (
        "odr_response_on_time",
        "ODR 按时响应率",
        "统计范围内企业在 ODR 协商期限届满前（含当日）作出答复的件数",
        "统计范围内进入 ODR、企业已答复或协商期限已届满的件数",
    ),
];

/// The published definitions, with the window and the ODR limit the business page uses.
pub fn methodology() -> Vec<Indicator> {
    DEFINITIONS
        .iter()
        .map(|(key, label, numerator, denominator)| Indicator {
            key: (*key).to_owned(),
            label: (*label).to_owned(),
            numerator: (*numerator).to_owned(),
            denominator: (*denominator).to_owned(),
        })
        .collect()
}

#[derive(Debug, Default, Clone, Copy)]
struct Tick {
    yes: u64,
    of: u64,
}

impl Tick {
    fn count(&mut self, yes: bool) {
        self.of += 1;
        self.yes += u64::from(yes);
    }
    fn rate(self) -> Rate {
        Rate::of(self.yes, self.of)
    }
}

/// What one complaint adds to the rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Judged {
    /// `None` when it never went to ODR negotiation, or while that negotiation runs within the
    /// period (in no denominator).
    settled_in_odr_period: Option<bool>,
    mediation_settled: Option<bool>,
    /// `None` unless it went to ODR and the business answered or the period is over.
    answered_on_time: Option<bool>,
}

fn judge(
    case: &CohortCase,
    events: &[CohortEvent],
    reference: &Reference,
    as_of: NaiveDate,
) -> Judged {
    let o = outcome(case, events, None, reference, as_of);
    let clock_events = clock_events_of(case, events);
    let subject = ClockCase {
        kind: case.kind,
        received_date: case.received_date,
        policy_version: &case.policy_version,
        referral_severity: None,
    };
    let clocks = clocks_for(
        &subject,
        &clock_events,
        &reference.policy,
        &reference.calendar,
        as_of,
    )
    .unwrap_or_default();
    let odr: Option<&ClockView> = clocks.iter().find(|c| c.name == Clock::OdrNegotiation);
    let Some(odr) = odr else {
        // Never in ODR negotiation: not in the self-settlement denominator.
        return Judged {
            settled_in_odr_period: None,
            mediation_settled: o.mediation_result,
            answered_on_time: None,
        };
    };
    let still_open = odr.verdict.is_none() && !odr.overdue;
    let settled_in_odr_period = match o.odr_end {
        Some((_, true)) => Some(odr.verdict == Some(Verdict::Timely)),
        _ if still_open => None,
        _ => Some(false),
    };
    let answered = clock_events
        .iter()
        .find(|e| e.kind == "odr_answer")
        .map(|e| e.on);
    let answered_on_time = match answered {
        // The ODR clock's own rule: on or before its due date.
        Some(on) => Some(on <= odr.due),
        None if still_open => None,
        None => Some(false),
    };
    Judged {
        settled_in_odr_period,
        mediation_settled: o.mediation_result,
        answered_on_time,
    }
}

/// The figures of one business as of `inputs.as_of`.
pub fn compute(inputs: &BusinessInputs, reference: &Reference) -> BusinessFigures {
    let as_of = inputs.as_of;
    let periods = counted_quarters(as_of);
    let count = |i: usize| inputs.quarter_counts.get(i).copied().unwrap_or(0);
    let first_shown = periods.len().saturating_sub(SHOWN_QUARTERS + 1);
    let quarters = periods
        .iter()
        .enumerate()
        .skip(first_shown)
        .map(|(i, p)| {
            let so_far = i + 1 == periods.len();
            let now = count(i);
            let before = |back: usize| (!so_far).then(|| count(i.saturating_sub(back)));
            let (previous_quarter, previous_year) = (before(1), before(SHOWN_QUARTERS));
            QuarterLine {
                label: p.label.clone(),
                from: p.from,
                to: p.to,
                so_far,
                complaints: now,
                previous_quarter,
                qoq: change(now as i64, previous_quarter.map(|n| n as i64)),
                previous_year,
                yoy: change(now as i64, previous_year.map(|n| n as i64)),
            }
        })
        .collect();

    let (window_from, window_to) = rate_window(as_of);
    let mut settled = Tick::default();
    let mut mediation = Tick::default();
    let mut response = Tick::default();
    let mut by_case: BTreeMap<i64, Vec<CohortEvent>> = BTreeMap::new();
    for e in &inputs.events {
        by_case.entry(e.case_id).or_default().push(e.clone());
    }
    let mut complaints = 0;
    for case in &inputs.cases {
        complaints += 1;
        let events = by_case.get(&case.id).map_or(&[][..], Vec::as_slice);
        let j = judge(case, events, reference, as_of);
        if let Some(yes) = j.settled_in_odr_period {
            settled.count(yes);
        }
        if let Some(yes) = j.mediation_settled {
            mediation.count(yes);
        }
        if let Some(yes) = j.answered_on_time {
            response.count(yes);
        }
    }
    let in_window: u64 = periods
        .iter()
        .enumerate()
        .filter(|(_, p)| p.from >= window_from)
        .map(|(i, _)| count(i))
        .sum();
    BusinessFigures {
        as_of,
        quarters,
        window_from,
        window_to,
        complaints: in_window,
        settled_in_odr_period: settled.rate(),
        mediation_success: mediation.rate(),
        odr_response_on_time: response.rate(),
        rates_cover_newest_only: complaints < in_window,
        methodology: methodology(),
    }
}

#[cfg(test)]
#[path = "business_tests.rs"]
mod tests;
