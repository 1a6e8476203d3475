//! What happened to one case, as the bulletin's rates need it: derived from its events and
//! clocks exactly as the case page derives them.

use chrono::NaiveDate;

use crate::domain::case::CaseState;
use crate::domain::clocks::{ClockCase, ClockEvent, ClockView, Verdict, clocks_for};
use crate::domain::policy::Clock;
use crate::domain::severity::Severity;
use crate::reference::Reference;
use crate::store::bulletin::{CohortCase, CohortEvent};

/// Whether a clock met its limit, judged as of the bulletin date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// Did not run, or is running and not yet overdue: in no denominator.
    Open,
    Timely,
    Late,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub acceptance: Judged,
    pub mediation: Judged,
    pub verification: Judged,
    /// Went through mediation and ended settled (`Some(true)`) or terminated (`Some(false)`).
    pub mediation_result: Option<bool>,
    /// Was sent to the business first (ODR).
    pub odr: bool,
    /// The ODR negotiation ended: on which date, and whether settled.
    pub odr_end: Option<(NaiveDate, bool)>,
    /// The business answered through ODR.
    pub odr_answered: bool,
}

impl Outcome {
    /// The business's response as every rate counts it: once it had its chance (it answered,
    /// or its ODR negotiation ended), whether it answered within the ODR negotiation
    /// (an answer is taken only while the negotiation runs); `None` before that.
    pub fn business_response(&self) -> Option<bool> {
        (self.odr && (self.odr_answered || self.odr_end.is_some())).then_some(self.odr_answered)
    }
}

/// Settlement as every rate counts it: a settled case is a hit, one terminated or not
/// accepted (or a report not opened) a miss, any other state is not counted.
pub fn settlement(state: CaseState) -> Option<bool> {
    match state {
        CaseState::Settled => Some(true),
        CaseState::MediationTerminated | CaseState::NotAccepted | CaseState::NotOpened => {
            Some(false)
        }
        _ => None,
    }
}

fn judge(clocks: &[ClockView], which: Clock) -> Judged {
    let mut judged = Judged::Open;
    for c in clocks.iter().filter(|c| c.name == which) {
        let late = c.verdict == Some(Verdict::Late) || (c.verdict.is_none() && c.overdue);
        if late {
            return Judged::Late;
        }
        if c.verdict == Some(Verdict::Timely) {
            judged = Judged::Timely;
        }
    }
    judged
}

/// The case's logged events as the clocks see them.
pub fn clock_events_of(case: &CohortCase, events: &[CohortEvent]) -> Vec<ClockEvent> {
    events
        .iter()
        .map(|e| {
            ClockEvent::logged(&e.kind, e.at, e.to_state, case.received_date)
                .with_reason(e.reason.as_deref())
        })
        .collect()
}

/// The case's clock events and clocks as of `as_of`, derived as the case page derives them;
/// `referral_severity` is that of the adverse-reaction referral the case opened, if any.
fn cohort_clocks(
    case: &CohortCase,
    events: &[CohortEvent],
    referral_severity: Option<Severity>,
    reference: &Reference,
    as_of: NaiveDate,
) -> (Vec<ClockEvent>, Vec<ClockView>) {
    let kind = case.kind;
    let clock_events = clock_events_of(case, events);
    let subject = ClockCase {
        kind,
        received_date: case.received_date,
        policy_version: &case.policy_version,
        referral_severity,
    };
    let clocks = clocks_for(
        &subject,
        &clock_events,
        &reference.policy,
        &reference.calendar,
        as_of,
    )
    .unwrap_or_default();
    (clock_events, clocks)
}

pub fn outcome(
    case: &CohortCase,
    events: &[CohortEvent],
    referral_severity: Option<Severity>,
    reference: &Reference,
    as_of: NaiveDate,
) -> Outcome {
    let (clock_events, clocks) = cohort_clocks(case, events, referral_severity, reference, as_of);
    let mut state: Option<CaseState> = None;
    let mut mediated = false;
    let mut odr_end = None;
    for e in &clock_events {
        let Some(to) = e.to_state else { continue };
        if state == Some(CaseState::OdrNegotiation) && to != CaseState::OdrNegotiation {
            odr_end = Some((e.on, to == CaseState::Settled));
        }
        mediated |= matches!(to, CaseState::InMediation | CaseState::MediationPaused);
        state = Some(to);
    }
    let mediation_result = match state {
        Some(CaseState::Settled) if mediated => Some(true),
        Some(CaseState::MediationTerminated) => Some(false),
        _ => None,
    };
    Outcome {
        acceptance: judge(&clocks, Clock::Acceptance),
        mediation: judge(&clocks, Clock::Mediation),
        verification: judge(&clocks, Clock::Verification),
        mediation_result,
        odr: clocks.iter().any(|c| c.name == Clock::OdrNegotiation),
        odr_end,
        odr_answered: events.iter().any(|e| e.kind == "odr_answer"),
    }
}

#[cfg(test)]
#[path = "outcome_tests.rs"]
mod tests;
