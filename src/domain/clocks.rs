//! Deadlines derived from the event log: which clocks ran, when each started and is due,
//! pauses, and a verdict frozen when the clock's goal was reached. Pure: the same events,
//! calendar, policy and `today` always give the same clocks.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::aftercare::{TOLD_BUSINESS, TOLD_CONSUMER};
use super::calendar::WorkCalendar;
use super::case::{CaseKind, CaseState};
use super::policy::{Clock, DayUnit, DaysLeft, PolicyTable, PolicyVersion};
use super::severity::Severity;
use super::workflow::is_closed;

/// One entry of the event log, as the clocks see it.
#[derive(Debug, Clone)]
pub struct ClockEvent {
    /// `submitted`, or a command name such as `accept`.
    pub kind: String,
    /// China-time date the event happened (for `submitted`: the date received).
    pub on: NaiveDate,
    pub to_state: Option<CaseState>,
}

impl ClockEvent {
    /// An event as stored (`at` in UTC). `submitted` counts from the date received, since
    /// staff key cases in after receiving them.
    pub fn logged(
        kind: &str,
        at: NaiveDateTime,
        to_state: Option<CaseState>,
        received: NaiveDate,
    ) -> Self {
        ClockEvent {
            kind: kind.to_owned(),
            on: if kind == "submitted" {
                received
            } else {
                // China time is UTC+8 all year round.
                (at + chrono::Duration::hours(8)).date()
            },
            to_state,
        }
    }
}

/// The event a report gets when a later report with new facts is merged into it (Order 121
/// Art. 35): it leads back to `pending_verification`, so a fresh verification period runs,
/// counted from the day the later report was received, which the event's `reason` holds
/// (`YYYY-MM-DD`).
pub const REPORT_MERGED: &str = "report_merged";

impl ClockEvent {
    /// Reads what the stored `reason` says about the clocks: the restart date of a
    /// [`REPORT_MERGED`] event. Other events keep their date.
    #[must_use]
    pub fn with_reason(mut self, reason: Option<&str>) -> Self {
        if self.kind == REPORT_MERGED
            && let Some(on) = reason.and_then(|r| r.parse::<NaiveDate>().ok())
        {
            self.on = on;
        }
        self
    }
}

/// What the clocks need of a case besides its events.
#[derive(Debug, Clone, Copy)]
pub struct ClockCase<'a> {
    pub kind: CaseKind,
    pub received_date: NaiveDate,
    pub policy_version: &'a str,
    /// Severity of the adverse-reaction referral the complaint opened, if it opened one.
    pub referral_severity: Option<Severity>,
}

/// A case's clocks as of `as_of`, the one derivation behind the case pages, the sweep and the
/// bulletin. `None` when no policy version applies to the case.
pub fn clocks_for(
    case: &ClockCase,
    events: &[ClockEvent],
    policy: &PolicyTable,
    calendar: &WorkCalendar,
    as_of: NaiveDate,
) -> Option<Vec<ClockView>> {
    let policy = policy.of_case(case.policy_version, case.received_date)?;
    Some(derive(&ClockInputs {
        kind: case.kind,
        events,
        referral: case.referral_severity.map(Severity::referral_clock),
        policy,
        calendar,
        today: as_of,
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Timely,
    Late,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    pub name: Clock,
    pub label: String,
    #[schema(value_type = String, format = Date)]
    pub started: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    /// Working days from today to the due date; negative once overdue.
    pub remaining_working_days: i64,
    /// The unit the clock counts in (Order 121's mediation counts calendar days).
    pub unit: DayUnit,
    /// Days from today to the due date in the clock's unit; negative once overdue.
    pub remaining_days: i64,
    pub paused: bool,
    pub overdue: bool,
    /// The due date lies past the last loaded holiday calendar.
    pub provisional: bool,
    /// Frozen when the clock's goal was met: on time or late. `None` while running.
    pub verdict: Option<Verdict>,
    #[schema(value_type = Option<String>, format = Date)]
    pub ended: Option<NaiveDate>,
}

impl ClockView {
    pub fn is_running(&self) -> bool {
        self.ended.is_none()
    }

    pub fn days_left(&self) -> DaysLeft {
        DaysLeft {
            days: self.remaining_days,
            unit: self.unit,
        }
    }
}

struct Running {
    clock: Clock,
    started: NaiveDate,
    /// Working days granted on top of the limit (a verification extension).
    extended_days: u32,
    paused_days: u32,
    paused_since: Option<NaiveDate>,
    ended: Option<NaiveDate>,
    /// Termination notice: the consumer and the business were told.
    told: [bool; 2],
}

/// The stage clock a state starts, if any.
fn stage_clock(state: CaseState) -> Option<Clock> {
    match state {
        CaseState::PendingAcceptance => Some(Clock::Acceptance),
        CaseState::OdrNegotiation => Some(Clock::OdrNegotiation),
        CaseState::InMediation => Some(Clock::Mediation),
        CaseState::PendingVerification => Some(Clock::Verification),
        _ => None,
    }
}

/// The states in which a stage clock runs, so that a case can be overdue (a paused
/// mediation's clock stands still and is not).
pub const CLOCKED_STATES: [CaseState; 4] = [
    CaseState::PendingAcceptance,
    CaseState::OdrNegotiation,
    CaseState::InMediation,
    CaseState::PendingVerification,
];

/// Whether an open case is overdue by its stored due date, as the queue's overdue filter
/// selects it: only a running stage clock can be, and while it runs the stored due date is
/// the derived one.
pub fn stored_due_is_overdue(state: CaseState, due: NaiveDate, today: NaiveDate) -> bool {
    CLOCKED_STATES.contains(&state) && due < today
}

fn is_stage(clock: Clock) -> bool {
    matches!(
        clock,
        Clock::Acceptance | Clock::OdrNegotiation | Clock::Mediation | Clock::Verification
    )
}

/// Testing and appraisal stop mediation; they and rights-holder identification stop a
/// report's verification.
fn is_pausable(clock: Clock) -> bool {
    matches!(clock, Clock::Mediation | Clock::Verification)
}

pub struct ClockInputs<'a> {
    pub kind: CaseKind,
    pub events: &'a [ClockEvent],
    /// The adverse-reaction referral clock, if the complaint opened one.
    pub referral: Option<Clock>,
    pub policy: &'a PolicyVersion,
    pub calendar: &'a WorkCalendar,
    pub today: NaiveDate,
}

pub fn derive(input: &ClockInputs) -> Vec<ClockView> {
    let mut clocks: Vec<Running> = Vec::new();
    let start = |clocks: &mut Vec<Running>, clock, on| {
        clocks.push(Running {
            clock,
            started: on,
            extended_days: 0,
            paused_days: 0,
            paused_since: None,
            ended: None,
            told: [false; 2],
        })
    };
    for event in input.events {
        let on = event.on;
        let running = |clocks: &mut Vec<Running>, pred: &dyn Fn(Clock) -> bool| {
            clocks
                .iter_mut()
                .filter(|c| c.ended.is_none() && pred(c.clock))
                .for_each(|c| c.ended = Some(on));
        };
        match event.kind.as_str() {
            "submitted" => {
                if let Some(clock) = input.referral {
                    start(&mut clocks, clock, on);
                }
            }
            "pause" => {
                for c in clocks
                    .iter_mut()
                    .filter(|c| is_pausable(c.clock) && c.ended.is_none())
                {
                    c.paused_since.get_or_insert(on);
                }
                continue;
            }
            "resume" => {
                for c in clocks
                    .iter_mut()
                    .filter(|c| is_pausable(c.clock) && c.ended.is_none())
                {
                    if let Some(since) = c.paused_since.take() {
                        c.paused_days += days_paused(input, c.clock, since, on);
                    }
                }
                continue;
            }
            "extend_verification" => {
                for c in clocks
                    .iter_mut()
                    .filter(|c| c.clock == Clock::Verification && c.ended.is_none())
                {
                    c.extended_days += input.policy.verification_extension.days;
                }
                continue;
            }
            TOLD_CONSUMER | TOLD_BUSINESS => {
                let party = usize::from(event.kind == TOLD_BUSINESS);
                for c in clocks
                    .iter_mut()
                    .filter(|c| c.clock == Clock::TerminationNotice && c.ended.is_none())
                {
                    c.told[party] = true;
                    if c.told == [true; 2] {
                        c.ended = Some(on);
                    }
                }
                continue;
            }
            "rate" => running(&mut clocks, &|c| c == Clock::Rating),
            "reopen" => {
                running(&mut clocks, &|c| c == Clock::Rating);
                // A reopened complaint is no longer terminated: nobody need be told.
                clocks.retain(|c| !(c.clock == Clock::TerminationNotice && c.ended.is_none()));
            }
            "submit_referral" => running(&mut clocks, &|c| {
                matches!(
                    c,
                    Clock::AdverseGeneral | Clock::AdverseSerious | Clock::AdversePublicConcern
                )
            }),
            _ => {}
        }
        let Some(to) = event.to_state else { continue };
        running(&mut clocks, &is_stage);
        if let Some(clock) = stage_clock(to) {
            start(&mut clocks, clock, on);
        } else if input.kind == CaseKind::Complaint
            && is_closed(to)
            && !matches!(to, CaseState::Merged | CaseState::TransferredOut)
        {
            start(&mut clocks, Clock::Rating, on);
        }
        // Order 121 Art. 23: both parties are told of a termination within the limit.
        if input.kind == CaseKind::Complaint && to == CaseState::MediationTerminated {
            start(&mut clocks, Clock::TerminationNotice, on);
        }
    }
    clocks.iter().map(|c| view(c, input)).collect()
}

/// Days from `since` to `until` that a pause adds to `clock`, counted in the clock's unit.
fn days_paused(input: &ClockInputs, clock: Clock, since: NaiveDate, until: NaiveDate) -> u32 {
    let days = match input.policy.limit(clock).unit {
        DayUnit::Working => input.calendar.working_days_between(since, until),
        DayUnit::Calendar => (until - since).num_days(),
    };
    u32::try_from(days.max(0)).unwrap_or(0)
}

fn view(c: &Running, input: &ClockInputs) -> ClockView {
    let cal = input.calendar;
    let limit = input.policy.limit(c.clock);
    // While paused, every day of the pause so far (in the clock's unit) pushes the due date out.
    let paused_now = match (c.paused_since, c.ended) {
        (Some(since), None) => days_paused(input, c.clock, since, input.today),
        _ => 0,
    };
    // An approved extension pushes the due date out like days paused, in the clock's unit
    // (working days: only verification is extended).
    let due = input.policy.due_after_pauses(
        cal,
        c.clock,
        c.started,
        c.extended_days + c.paused_days + paused_now,
    );
    let verdict = c.ended.map(|end| {
        if end <= due.date {
            Verdict::Timely
        } else {
            Verdict::Late
        }
    });
    // A rating window just closes; it is nobody's deadline to miss. A paused clock stands
    // still (its due date moves out day by day), so it is not overdue until it runs again.
    let paused = c.paused_since.is_some();
    let overdue =
        c.ended.is_none() && !paused && c.clock != Clock::Rating && input.today > due.date;
    ClockView {
        name: c.clock,
        label: c.clock.label_zh().to_owned(),
        started: c.started,
        due: due.date,
        remaining_working_days: cal.working_days_between(input.today, due.date),
        unit: limit.unit,
        remaining_days: match limit.unit {
            DayUnit::Working => cal.working_days_between(input.today, due.date),
            DayUnit::Calendar => (due.date - input.today).num_days(),
        },
        paused: c.paused_since.is_some() && c.ended.is_none(),
        overdue,
        provisional: due.provisional,
        verdict,
        ended: c.ended,
    }
}

/// The clock a queue shows: the running stage clock, or else a terminated complaint's
/// running termination notice.
pub fn current_work(clocks: &[ClockView]) -> Option<&ClockView> {
    current_stage(clocks).or_else(|| {
        clocks
            .iter()
            .rev()
            .find(|c| c.is_running() && c.name == Clock::TerminationNotice)
    })
}

/// The running stage clock (acceptance, ODR, mediation or verification), for queues.
pub fn current_stage(clocks: &[ClockView]) -> Option<&ClockView> {
    clocks
        .iter()
        .rev()
        .find(|c| c.is_running() && is_stage(c.name))
}

#[cfg(test)]
#[path = "clocks_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "clocks_report_tests.rs"]
mod report_tests;
