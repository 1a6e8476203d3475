//! What happens to a case after intake, planned as dated workflow steps: who acts, when, and
//! with which outcome. Timing counts working days on the reference calendar, so a step meant
//! to be on time is within its legal limit and a late one is really late. Pure: `playback`
//! carries the steps out through `service::actions`.

use chrono::{DateTime, Days, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use fastrand::Rng;

use super::corpus::{DISTRICTS, District};
use super::{pick, weighted, wording};
use crate::clock::{china_date, china_offset};
use crate::domain::calendar::WorkCalendar;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::codes::{PauseReason, TerminationReason};
use crate::domain::policy::{Clock, PolicyVersion};
use crate::domain::workflow::Command;

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// A mediator of the bureau the case is with at the time.
    Staff,
    /// The respondent business, answering through ODR.
    Enterprise,
    /// The complainant, with the case's tracking token.
    Consumer,
    /// The deadline sweep.
    System,
    /// The city's unified intake unit, dispatching a returned case (Order 121 Art. 41).
    Dispatcher,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub at: DateTime<Utc>,
    pub by: By,
    pub command: Command,
}

/// What a case's plan depends on, known once intake has stored it.
#[derive(Debug, Clone)]
pub struct Facts {
    pub kind: CaseKind,
    /// The state routing gave it.
    pub state: CaseState,
    pub received_at: DateTime<Utc>,
    /// The competent bureau at intake.
    pub district: String,
    pub paid_fen: Option<i64>,
    /// The adverse-reaction referral clock, when intake opened a referral.
    pub referral: Option<Clock>,
    /// A report whose reporter can be told the outcome.
    pub reporter: bool,
    pub counterfeit: bool,
    /// An earlier complaint by the same consumer about the same business, to merge into.
    pub duplicate_of: Option<String>,
}

/// The calendar and the deadline policy of the case.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    pub calendar: &'a WorkCalendar,
    pub policy: &'a PolicyVersion,
}

/// Percent of acceptance and verification decisions taken after the limit.
pub const LATE_DECISION: u32 = 8;
/// Percent of mediations closed after the limit.
const LATE_MEDIATION: u32 = 5;
/// Percent of adverse-reaction referrals filed after the limit.
pub const LATE_REFERRAL: u32 = 10;
/// Percent of complaints not accepted.
const NOT_ACCEPTED: u32 = 8;
/// Percent of cases handed to another county bureau before the decision.
const TRANSFERRED: u32 = 3;
/// Percent of likely duplicates that staff merge into the earlier complaint.
const MERGED: u32 = 85;
/// Percent of closed complaints the complainant rates.
const RATED: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mediation {
    Settle,
    Terminate,
    Withdraw,
    /// Paused for testing or appraisal; some are still open at the end.
    Protracted,
}

const MEDIATION: &[(Mediation, u32)] = &[
    (Mediation::Settle, 60),
    (Mediation::Terminate, 25),
    (Mediation::Withdraw, 5),
    (Mediation::Protracted, 10),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Odr {
    /// The business answers and the consumer accepts: settled.
    Agreed,
    Rejected,
    /// No answer within the ODR period: the sweep hands it to the bureau.
    Unanswered,
    /// Answered, but the consumer lets the period run out.
    Ignored,
}

const ODR: &[(Odr, u32)] = &[
    (Odr::Agreed, 55),
    (Odr::Rejected, 18),
    (Odr::Unanswered, 17),
    (Odr::Ignored, 10),
];

/// Office hours for staff; waking hours for consumers and businesses (China time).
const OFFICE: (u32, u32) = (9, 18);
const WAKING: (u32, u32) = (8, 23);

/// The steps of one case's life, oldest first, none after `horizon`.
pub fn plan(rng: &mut Rng, facts: &Facts, rules: Rules, horizon: DateTime<Utc>) -> Vec<Step> {
    let mut life = Life {
        rng,
        rules,
        steps: Vec::new(),
        at: facts.received_at,
        district: facts.district.clone(),
    };
    match (facts.kind, facts.state) {
        (CaseKind::Report, CaseState::PendingVerification) => life.verification(facts),
        (CaseKind::Complaint, CaseState::OdrNegotiation) => life.odr(facts.paid_fen),
        (CaseKind::Complaint, CaseState::PendingAcceptance) => {
            life.acceptance(facts.paid_fen, facts.duplicate_of.as_deref())
        }
        _ => {}
    }
    let Life { rng, steps, .. } = life;
    let mut steps = steps;
    if let Some(clock) = facts.referral {
        steps.push(referral(rng, facts, rules, clock));
        steps.sort_by_key(|s| s.at);
    }
    steps.retain(|s| s.at <= horizon);
    steps
}

/// Filing the adverse-reaction referral: a staff step that no state blocks.
fn referral(rng: &mut Rng, facts: &Facts, rules: Rules, clock: Clock) -> Step {
    let received = china_date(facts.received_at);
    let due = rules.policy.due(rules.calendar, clock, received).date;
    let span = u64::try_from((due - received).num_days()).unwrap_or(0);
    let days = if rng.u32(0..100) < LATE_REFERRAL {
        span + rng.u64(1..15)
    } else {
        skewed(rng, span)
    };
    let on = received.checked_add_days(Days::new(days)).unwrap_or(due);
    Step {
        at: moment(rng, on, OFFICE, facts.received_at),
        by: By::Staff,
        command: Command::SubmitReferral,
    }
}

/// `0..=max`, mostly small: most work is done well before the limit.
fn skewed(rng: &mut Rng, max: u64) -> u64 {
    let r = rng.f64();
    ((max + 1) as f64 * r * r) as u64
}

/// A moment on China date `on` within `hours`, after `after` (pushed a little later when the
/// hours are already over, as someone working late would).
fn moment(rng: &mut Rng, on: NaiveDate, hours: (u32, u32), after: DateTime<Utc>) -> DateTime<Utc> {
    let secs = rng.u32(hours.0 * 3600..hours.1 * 3600);
    let local = on.and_time(NaiveTime::MIN) + Duration::seconds(i64::from(secs));
    match china_offset().from_local_datetime(&local).single() {
        Some(at) if at.with_timezone(&Utc) > after => at.with_timezone(&Utc),
        _ => after + Duration::minutes(rng.i64(5..120)),
    }
}

struct Life<'a, 'r> {
    rng: &'a mut Rng,
    rules: Rules<'r>,
    steps: Vec<Step>,
    /// When the last step happened (at first: when the case was received).
    at: DateTime<Utc>,
    district: String,
}

impl Life<'_, '_> {
    fn limit(&self, clock: Clock) -> u32 {
        self.rules.policy.limit(clock).days
    }

    /// `n` working days after the day of the last step.
    fn working_days_on(&self, n: u32) -> NaiveDate {
        self.rules
            .calendar
            .add_working_days(china_date(self.at), n)
            .date
    }

    /// Some working days (drawn from `range`) after the day of the last step.
    fn working_days_in(&mut self, range: std::ops::Range<u32>) -> NaiveDate {
        let n = self.rng.u32(range);
        self.working_days_on(n)
    }

    /// The day something due within `limit` working days is done: mostly early, and
    /// `late_percent` of the time after the limit.
    fn day_within(&mut self, limit: u32, late_percent: u32) -> NaiveDate {
        let n = if self.rng.u32(0..100) < late_percent {
            self.rng.u32(limit + 1..limit + limit / 2 + 2)
        } else {
            1 + skewed(self.rng, u64::from(limit.saturating_sub(1))) as u32
        };
        self.working_days_on(n)
    }

    fn step(&mut self, on: NaiveDate, by: By, command: Command) {
        let hours = if matches!(by, By::Staff | By::Dispatcher) {
            OFFICE
        } else {
            WAKING
        };
        self.at = moment(self.rng, on, hours, self.at);
        self.steps.push(Step {
            at: self.at,
            by,
            command,
        });
    }

    fn staff_soon(&mut self, command: Command) {
        let on = self.working_days_in(1..4);
        self.step(on, By::Staff, command);
    }

    /// Now and then the case belongs to another county bureau.
    fn maybe_transfer(&mut self) {
        if self.rng.u32(0..100) >= TRANSFERRED {
            return;
        }
        let others: Vec<&District> = DISTRICTS
            .iter()
            .filter(|d| d.code != self.district)
            .collect();
        if others.is_empty() {
            return;
        }
        let to = pick(self.rng, &others);
        if self.rules.policy.unified_dispatch {
            // Order 121: returned to the city's intake unit, which dispatches it again.
            self.staff_soon(Command::ReturnToDispatcher {
                reason: wording::transfer_reason(to.name),
            });
            let on = self.working_days_in(1..3);
            self.step(
                on,
                By::Dispatcher,
                Command::Dispatch {
                    bureau: to.code.to_owned(),
                },
            );
        } else {
            self.staff_soon(Command::Transfer {
                bureau: Some(to.code.to_owned()),
                outside: None,
                reason: wording::transfer_reason(to.name),
            });
        }
        self.district = to.code.to_owned();
    }

    fn acceptance(&mut self, paid_fen: Option<i64>, duplicate_of: Option<&str>) {
        if let Some(earlier) = duplicate_of
            && self.rng.u32(0..100) < MERGED
        {
            self.staff_soon(Command::MergeInto {
                case_no: earlier.to_owned(),
            });
            return;
        }
        self.maybe_transfer();
        let on = self.day_within(self.limit(Clock::Acceptance), LATE_DECISION);
        if self.rng.u32(0..100) < NOT_ACCEPTED {
            let (reason, detail) = wording::not_accept(self.rng);
            let reason = wording::fit_not_accept(reason, self.rules.policy);
            self.step(on, By::Staff, Command::NotAccept { reason, detail });
            self.maybe_rate(false);
            return;
        }
        self.step(on, By::Staff, Command::Accept);
        self.mediation(paid_fen);
    }

    fn mediation(&mut self, paid_fen: Option<i64>) {
        let limit = self.limit(Clock::Mediation);
        match weighted(self.rng, MEDIATION) {
            Mediation::Settle => {
                let on = self.day_within(limit, LATE_MEDIATION);
                self.settle(on, paid_fen);
            }
            Mediation::Terminate => {
                let reason = wording::termination(self.rng);
                let on = match reason {
                    TerminationReason::TimeLimit => self.working_days_on(limit),
                    _ => self.day_within(limit, LATE_MEDIATION),
                };
                self.terminate(on, reason);
            }
            Mediation::Withdraw => {
                let on = self.working_days_in(1..21);
                self.step(on, By::Consumer, Command::Withdraw);
            }
            Mediation::Protracted => self.protracted(paid_fen),
        }
    }

    /// Paused for testing or appraisal; the paused days do not count against the limit.
    fn protracted(&mut self, paid_fen: Option<i64>) {
        let reason = match self.rng.u32(0..100) {
            0..70 => PauseReason::Testing,
            _ => PauseReason::Appraisal,
        };
        let on = self.working_days_in(3..16);
        self.step(on, By::Staff, Command::Pause { reason });
        let on = self.working_days_in(10..31);
        self.step(on, By::Staff, Command::Resume);
        let on = self.working_days_in(5..26);
        match self.rng.u32(0..100) {
            0..50 => self.settle(on, paid_fen),
            50..80 => {
                let reason = wording::termination_after_testing(self.rng);
                self.terminate(on, reason);
            }
            _ => {}
        }
    }

    fn settle(&mut self, on: NaiveDate, paid_fen: Option<i64>) {
        let (agreement, recovered_fen) = wording::settlement(self.rng, paid_fen);
        self.step(
            on,
            By::Staff,
            Command::Settle {
                agreement,
                recovered_fen,
                represented_consent: false,
                agreement_form: Default::default(),
                performance_due: None,
            },
        );
        self.maybe_rate(true);
    }

    fn terminate(&mut self, on: NaiveDate, reason: TerminationReason) {
        let reason = wording::fit_termination(reason, self.rules.policy);
        let referred = reason == TerminationReason::FraudulentClaim;
        self.step(
            on,
            By::Staff,
            Command::Terminate {
                reason,
                detail: None,
                police_unit: referred.then(|| "江门市公安局".to_owned()),
                referred_on: referred.then_some(on),
            },
        );
        self.maybe_rate(false);
    }

    /// Within the rating window after the case closed.
    fn maybe_rate(&mut self, settled: bool) {
        if self.rng.u32(0..100) >= RATED {
            return;
        }
        let closed = china_date(self.at);
        let on = closed
            .checked_add_days(Days::new(self.rng.u64(0..11)))
            .unwrap_or(closed);
        let (score, comment) = wording::rating(self.rng, settled);
        self.step(on, By::Consumer, Command::Rate { score, comment });
    }

    /// The business answers (or not), the consumer accepts or rejects; what is not settled
    /// goes to the bureau's acceptance queue.
    fn odr(&mut self, paid_fen: Option<i64>) {
        let due = self.working_days_on(self.limit(Clock::OdrNegotiation));
        let outcome = weighted(self.rng, ODR);
        if outcome != Odr::Unanswered {
            let on = self.working_days_in(1..5);
            let proposal = wording::proposal(self.rng, paid_fen);
            self.step(on, By::Enterprise, Command::OdrAnswer { proposal });
        }
        match outcome {
            Odr::Agreed => {
                let on = self.working_days_in(0..3).min(due);
                self.step(on, By::Consumer, Command::ConsumerAccept);
                self.maybe_rate(true);
                return;
            }
            Odr::Rejected => {
                let on = self.working_days_in(0..3).min(due);
                let reason = wording::odr_reject(self.rng);
                self.step(on, By::Consumer, Command::ConsumerReject { reason });
            }
            Odr::Unanswered | Odr::Ignored => {
                // The sweep runs every minute: just after midnight once the period is over.
                let after = due.succ_opt().unwrap_or(due);
                let at = china_offset()
                    .from_local_datetime(&after.and_time(NaiveTime::MIN))
                    .single()
                    .map_or(self.at, |t| t.with_timezone(&Utc))
                    + Duration::seconds(self.rng.i64(20..600));
                self.at = at.max(self.at);
                self.steps.push(Step {
                    at: self.at,
                    by: By::System,
                    command: Command::OdrExpire,
                });
            }
        }
        self.acceptance(paid_fen, None);
    }

    fn verification(&mut self, facts: &Facts) {
        self.maybe_transfer();
        let on = self.day_within(self.limit(Clock::Verification), LATE_DECISION);
        let open_percent = if facts.counterfeit { 70 } else { 35 };
        let command = if self.rng.u32(0..100) < open_percent {
            Command::OpenCase {
                detail: wording::case_opened(self.rng),
            }
        } else {
            Command::NotOpen {
                reason: wording::not_opened(self.rng),
            }
        };
        self.step(on, By::Staff, command);
        if facts.reporter && self.rng.u32(0..100) < 70 {
            self.staff_soon(Command::NotifyReporter { text: None });
        }
    }
}
