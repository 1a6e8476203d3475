//! The case workflow as a pure state machine: who may do what in which state, and where it
//! leads. `decide` never touches storage or the clock; the service layer applies its outcome.

use chrono::NaiveDate;

use super::action::ActionKind;
use super::case::{CaseKind, CaseState};
use super::dispatch;

#[path = "workflow_aftercare.rs"]
mod aftercare;
#[path = "workflow_command.rs"]
mod command;
pub use command::Command;
#[path = "workflow_messages.rs"]
mod messages;
pub use messages::{
    PARTY_MESSAGES_PER_DAY, Recipient, SUPPLEMENT_MAX_CHARS, recipient_refusal, supplement,
};
use messages::{check_text, within_daily_limit};

#[path = "workflow_reports.rs"]
mod reports;

/// Who acts on a case, as far as the workflow cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Admin,
    Supervisor,
    Mediator,
    Enterprise,
    Consumer,
    /// The deadline sweep.
    System,
    /// The city's unified intake unit (统一接收机构), which dispatches cases to bureaus.
    Dispatcher,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Admin => "admin",
            Actor::Supervisor => "supervisor",
            Actor::Mediator => "mediator",
            Actor::Enterprise => "enterprise",
            Actor::Consumer => "consumer",
            Actor::System => "system",
            Actor::Dispatcher => "dispatcher",
        }
    }
    pub fn parse(s: &str) -> Option<Actor> {
        [
            Actor::Admin,
            Actor::Supervisor,
            Actor::Mediator,
            Actor::Enterprise,
            Actor::Consumer,
            Actor::System,
            Actor::Dispatcher,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Actor::Admin => "管理员",
            Actor::Supervisor => "科长",
            Actor::Mediator => "调解员",
            Actor::Enterprise => "企业",
            Actor::Consumer => "消费者",
            Actor::System => "系统",
            Actor::Dispatcher => "统一接收机构",
        }
    }
    fn is_staff(self) -> bool {
        matches!(self, Actor::Admin | Actor::Supervisor | Actor::Mediator)
    }
}

/// Facts beyond the state that some rules need.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    pub today: NaiveDate,
    /// Last day the consumer may rate: the rating clock's due date from the day the case
    /// reached a final state. `None` while the case is open.
    pub rating_open_until: Option<NaiveDate>,
    pub already_rated: bool,
    pub has_referral: bool,
    pub referral_submitted: bool,
    /// Messages and ODR answers the acting party has already written on this case today
    /// (China date).
    pub party_messages_today: u32,
    /// The business has answered this case's ODR negotiation already.
    pub odr_answered: bool,
    /// The running verification period was extended already (Order 121 allows it once).
    pub verification_extended: bool,
    /// The case's rules have a unified intake unit that dispatches (Order 121 Art. 41).
    pub unified_dispatch: bool,
}

/// What an allowed command does to the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub to: Option<CaseState>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not in this state or not for this actor: 409 listing what is allowed.
    NotAllowed { allowed: Vec<ActionKind> },
    /// Allowed here, but the details are wrong: 422.
    Invalid {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    /// The party has written `PARTY_MESSAGES_PER_DAY` messages on this case today: 429.
    TooMany,
}

use ActionKind as A;
use CaseState as S;

/// Is the case finished (no open clock but rating)?
pub fn is_closed(state: CaseState) -> bool {
    matches!(
        state,
        S::NotAccepted
            | S::Settled
            | S::MediationTerminated
            | S::Withdrawn
            | S::TransferredOut
            | S::Merged
            | S::CaseOpened
            | S::NotOpened
            | S::Repeated
            | S::ReferredElsewhere
    )
}

/// The actions `actor` may take on a case of `kind` in `state`.
pub fn allowed(kind: CaseKind, state: CaseState, actor: Actor) -> Vec<ActionKind> {
    let mut out: Vec<ActionKind> = Vec::new();
    let staff = actor.is_staff();
    let supervisor = matches!(actor, Actor::Admin | Actor::Supervisor);
    match (kind, state) {
        (CaseKind::Complaint, S::OdrNegotiation) => {
            if actor == Actor::Enterprise {
                out.push(A::OdrAnswer);
            }
            if actor == Actor::Consumer {
                out.extend([A::ConsumerAccept, A::ConsumerReject, A::Withdraw]);
            }
            if actor == Actor::System {
                out.push(A::OdrExpire);
            }
        }
        (CaseKind::Complaint, S::PendingAcceptance) => {
            if staff {
                out.extend([
                    A::Accept,
                    A::NotAccept,
                    A::Transfer,
                    A::MergeInto,
                    A::JoinInto,
                    A::SetRepresentatives,
                ]);
            }
            if actor == Actor::Consumer {
                out.push(A::Withdraw);
            }
        }
        (CaseKind::Complaint, S::InMediation) => {
            if staff {
                out.extend([
                    A::Pause,
                    A::Settle,
                    A::Terminate,
                    A::Transfer,
                    A::JoinInto,
                    A::SetRepresentatives,
                ]);
                out.push(A::OpenLeadReport);
            }
            if actor == Actor::Consumer {
                out.push(A::Withdraw);
            }
        }
        (CaseKind::Complaint, S::MediationPaused) => {
            if staff {
                out.extend([A::Resume, A::Terminate]);
                out.push(A::OpenLeadReport);
            }
            if actor == Actor::Consumer {
                out.push(A::Withdraw);
            }
        }
        (CaseKind::Report, S::PendingVerification) if staff => {
            out.extend([A::OpenCase, A::NotOpen, A::Transfer, A::Pause]);
            // Order 121 Art. 34, 35: a report's own ways of ending besides a decision.
            out.extend([A::MarkRepeated, A::MergeReport, A::ReferReporter]);
            if supervisor {
                out.push(A::ExtendVerification);
            }
        }
        (CaseKind::Report, S::VerificationPaused) if staff => out.push(A::Resume),
        (CaseKind::Complaint, S::AwaitingDispatch) if actor == Actor::Consumer => {
            out.push(A::Withdraw);
        }
        _ => {}
    }
    if is_closed(state) {
        if supervisor {
            out.push(A::Reopen);
        }
        if actor == Actor::Consumer && kind == CaseKind::Complaint && state != S::Merged {
            out.push(A::Rate);
        }
    }
    aftercare::offer(kind, state, staff, &mut out);
    aftercare::offer_confirmation(kind, state, actor, &mut out);
    if kind == CaseKind::Report && staff && matches!(state, S::CaseOpened | S::NotOpened) {
        out.push(A::NotifyReporter);
    }
    if staff {
        out.extend([A::Assign, A::Note, A::Message]);
        if kind == CaseKind::Complaint {
            out.push(A::SubmitReferral);
        }
    }
    if actor == Actor::Enterprise && !is_closed(state) {
        out.push(A::Message);
    }
    // Identity proof (Order 121 Art. 10): asked while deciding or mediating a complaint;
    // `grounds::check` refuses giving it with no request open.
    if kind == CaseKind::Complaint && matches!(state, S::PendingAcceptance | S::InMediation) {
        if staff {
            out.push(A::RequestIdentity);
        }
        if staff || actor == Actor::Consumer {
            out.push(A::ProvideIdentity);
        }
    }
    if actor == Actor::Consumer && !is_closed(state) {
        out.push(A::Message);
    }
    out.dedup();
    out
}

/// `allowed`, less what the case has used up: a business answers an ODR negotiation once
/// (the consumer then accepts or rejects that proposal; a second one would go unanswered).
pub fn allowed_after(
    kind: CaseKind,
    state: CaseState,
    actor: Actor,
    odr_answered: bool,
    unified_dispatch: bool,
) -> Vec<ActionKind> {
    let mut out = allowed(kind, state, actor);
    out.extend(dispatch::dispatch_steps(state, actor, unified_dispatch));
    if odr_answered {
        out.retain(|a| *a != A::OdrAnswer);
    }
    out
}

/// An empty required input of the step, named as the step's form labels it.
fn missing_field<T>(command: &Command, field: &'static str) -> Result<T, Refusal> {
    let message = command
        .kind()
        .fields()
        .iter()
        .find(|f| f.name == field)
        .map_or_else(
            || "此项为必填项".to_owned(),
            crate::domain::action::FieldSpec::missing_message,
        );
    Err(Refusal::Invalid {
        field,
        code: "required",
        message,
    })
}

/// Decides a command against the current state.
pub fn decide(
    kind: CaseKind,
    state: CaseState,
    actor: Actor,
    command: &Command,
    facts: &Facts,
) -> Result<Outcome, Refusal> {
    let allowed_now = allowed_after(
        kind,
        state,
        actor,
        facts.odr_answered,
        facts.unified_dispatch,
    );
    if !allowed_now.contains(&command.kind()) {
        return Err(Refusal::NotAllowed {
            allowed: allowed_now,
        });
    }
    let missing = |field: &'static str| missing_field(command, field);
    let invalid = |field, code, message: &str| {
        Err(Refusal::Invalid {
            field,
            code,
            message: message.to_owned(),
        })
    };
    let to = match command {
        Command::Accept => Some(S::InMediation),
        Command::NotAccept { .. } => Some(S::NotAccepted),
        Command::Transfer {
            bureau,
            outside,
            reason,
        } => {
            if reason.trim().is_empty() {
                return missing("reason");
            }
            if let Some(refusal) =
                dispatch::sideways_transfer_refusal(facts.unified_dispatch, bureau.as_deref())
            {
                return Err(refusal);
            }
            match (bureau, outside) {
                (None, Some(true)) => Some(S::TransferredOut),
                // Another county bureau in the city receives it afresh.
                (Some(_), None | Some(false)) => Some(S::initial(kind)),
                _ => {
                    return invalid(
                        "bureau",
                        "required",
                        "请指定转办的辖区局（bureau）或辖区外（outside: true）",
                    );
                }
            }
        }
        Command::Pause { reason } if !reason.applies_to(kind) => {
            return match kind {
                CaseKind::Report => invalid("reason", "not_for_report", "申请回避仅适用于调解"),
                CaseKind::Complaint => invalid(
                    "reason",
                    "not_for_complaint",
                    "权利人辨认鉴别仅适用于举报核查",
                ),
            };
        }
        Command::Pause { .. } => Some(match kind {
            CaseKind::Report => S::VerificationPaused,
            CaseKind::Complaint => S::MediationPaused,
        }),
        Command::Resume => Some(match kind {
            CaseKind::Report => S::PendingVerification,
            CaseKind::Complaint => S::InMediation,
        }),
        Command::Settle {
            agreement,
            recovered_fen,
            ..
        } => {
            if agreement.trim().is_empty() {
                return missing("agreement");
            }
            if *recovered_fen < 0 {
                return invalid("recovered_fen", "amount_negative", "挽回金额不能为负数");
            }
            Some(S::Settled)
        }
        Command::Terminate { .. } => Some(S::MediationTerminated),
        Command::Withdraw => Some(S::Withdrawn),
        Command::Reopen { .. } => Some(S::initial(kind)),
        Command::MergeInto { .. } => Some(S::Merged),
        Command::JoinInto { consent, .. } => {
            super::joint::check_consent(*consent)?;
            Some(S::Merged)
        }
        Command::SetRepresentatives { .. } => None,
        Command::ConsumerAccept => Some(S::Settled),
        Command::ConsumerReject { .. } | Command::OdrExpire => Some(S::PendingAcceptance),
        Command::OpenCase { .. } => Some(S::CaseOpened),
        Command::NotOpen { reason } => {
            if reason.trim().is_empty() {
                return missing("reason");
            }
            Some(S::NotOpened)
        }
        Command::Rate { score, .. } => {
            if !(1..=5).contains(score) {
                return invalid("score", "score_range", "评分应为1至5分");
            }
            if facts.already_rated {
                return invalid("score", "already_rated", "该案件已评价");
            }
            if facts
                .rating_open_until
                .is_none_or(|until| facts.today > until)
            {
                return invalid("score", "rating_closed", "评价期限已过");
            }
            None
        }
        Command::SubmitReferral => {
            if !facts.has_referral || facts.referral_submitted {
                return invalid(
                    "action",
                    "no_open_referral",
                    "该案件没有待报送的不良反应监测信息",
                );
            }
            None
        }
        Command::Message { to, text } => {
            if let Some((code, message)) = recipient_refusal(kind, state, actor, *to) {
                return invalid("to", code, message);
            }
            check_text(text)?;
            within_daily_limit(actor, facts)?;
            None
        }
        Command::Note { text } => {
            check_text(text)?;
            None
        }
        Command::OdrAnswer { proposal } => {
            if proposal.trim().is_empty() {
                return missing("proposal");
            }
            within_daily_limit(actor, facts)?;
            None
        }
        Command::ExtendVerification { reason } => {
            if reason.trim().is_empty() {
                return missing("reason");
            }
            if facts.verification_extended {
                return invalid(
                    "action",
                    "already_extended",
                    "核查期限已延长过一次，不能再次延长",
                );
            }
            None
        }
        Command::Dispatch { bureau } => {
            if bureau.trim().is_empty() {
                return missing("bureau");
            }
            Some(dispatch::dispatched_state(kind))
        }
        Command::ReturnToDispatcher { reason } => {
            if reason.trim().is_empty() {
                return missing("reason");
            }
            Some(S::AwaitingDispatch)
        }
        Command::MarkRepeated { .. }
        | Command::MergeReport { .. }
        | Command::OpenLeadReport { .. }
        | Command::ReferReporter { .. } => reports::decide_step(command)?,
        Command::Assign { .. }
        | Command::NotifyReporter { .. }
        | Command::RequestIdentity { .. }
        | Command::ProvideIdentity { .. } => None,
        Command::RecordNotice { date, .. } => aftercare::check_notice(*date, facts.today)?,
        Command::FollowUp { .. }
        | Command::ConfirmAgreement { .. }
        | Command::RecordSignedAgreement { .. } => None,
        Command::CorrectDocument { reason, .. } => {
            if reason.trim().is_empty() {
                return missing("reason");
            }
            None
        }
    };
    Ok(Outcome { to })
}

#[cfg(test)]
#[path = "workflow_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "workflow_reports_tests.rs"]
mod reports_tests;
