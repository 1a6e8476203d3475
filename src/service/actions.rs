//! Acting on a case: decide with the pure workflow, then in one transaction append the event,
//! update the case row's projection, and queue the mail the step calls for.

use chrono::{DateTime, NaiveDate, Utc};

use super::access::Caller;
use super::case_view::{
    CaseView, LoadedCase, clocks_of, find_visible, load_visible, policy_for, render,
};
use super::{Ctx, ServiceError};
use crate::clock::china_date;
use crate::domain::case::{CaseKind, CaseNo, CaseState};
use crate::domain::clocks::current_work;
use crate::domain::event_payload::EventPayload;
use crate::domain::policy::Clock;
use crate::domain::workflow::{Actor, Command, Facts, Refusal, decide, is_closed};
use crate::domain::{DistrictCode, Fen};
use crate::intake::FieldIssue;
use crate::store::events::{self, EventDraft};
use crate::store::models::NewCaseLink;
use crate::store::{Db, StoreError, accounts, cases, workflow, write_transaction};

use super::{
    agreement, document_corrections, documents, joint, mail, police_referral, reports, webhooks,
};
use crate::domain::action::ActionKind;
use crate::domain::grounds;

/// Who did it, for the audit log.
pub(crate) fn actor_name(caller: &Caller) -> String {
    match caller {
        Caller::Staff(u) => u.email.clone(),
        Caller::Consumer { openid } => format!("wechat:{openid}"),
        Caller::TokenHolder(_) => "tracking-token".into(),
        Caller::System => "system".into(),
    }
}

pub fn act(
    conn: &mut Db,
    ctx: &Ctx,
    case_no: &str,
    caller: &Caller,
    command: Command,
) -> Result<CaseView, ServiceError> {
    write_transaction(conn, |conn| {
        let (loaded, access) = load_visible(conn, case_no, caller)?;
        let actor = access.actor().ok_or(ServiceError::Forbidden)?;
        apply(conn, ctx, &loaded, caller, actor, &command)?;
        // Rendered with the access the caller had: a transfer may just have moved the case out
        // of their reach, and they still get the result of their own step.
        let (reloaded, _) = load_visible(conn, case_no, &Caller::System)?;
        render(conn, &ctx.reference, &reloaded, access, ctx.now)
    })
}

/// Applies one command, as `actor` on behalf of `caller`, inside the caller's transaction.
pub fn apply(
    conn: &mut Db,
    ctx: &Ctx,
    loaded: &LoadedCase,
    caller: &Caller,
    actor: Actor,
    command: &Command,
) -> Result<(), ServiceError> {
    if super::retention::was_anonymised(&loaded.events) {
        return Err(super::retention::anonymised_conflict());
    }
    let (reference, now, today) = (&ctx.reference, ctx.now, ctx.today());
    let case = &loaded.case;
    let (kind, state) = (loaded.kind(), loaded.state());
    let policy = policy_for(reference, case)?;
    let facts = Facts {
        today,
        rating_open_until: case
            .closed_on
            .map(|closed| policy.due(&reference.calendar, Clock::Rating, closed).date),
        already_rated: loaded.events.iter().any(|e| e.kind == "rate"),
        has_referral: loaded.referral.is_some(),
        referral_submitted: loaded
            .referral
            .as_ref()
            .is_some_and(|r| r.submitted_on.is_some()),
        party_messages_today: written_today(loaded, actor, today),
        odr_answered: loaded.odr_answered(),
        verification_extended: loaded.verification_extended(),
        unified_dispatch: policy.unified_dispatch,
    };
    let identity = loaded.identity_request();
    let refused = |r| match r {
        Refusal::NotAllowed { mut allowed } => ServiceError::NotAllowed {
            action: command.kind(),
            state,
            allowed: {
                // Giving identity proof is offered only while a request waits for it.
                let open = identity.is_some_and(|i| i.open());
                allowed.retain(|a| *a != ActionKind::ProvideIdentity || open);
                allowed
            },
        },
        Refusal::Invalid {
            field,
            code,
            message,
        } => ServiceError::Invalid(vec![FieldIssue {
            field: field.into(),
            code: code.into(),
            message,
        }]),
        Refusal::TooMany => ServiceError::TooManyRequests {
            retry_after_secs: until_tomorrow(now),
        },
    };
    let outcome = decide(kind, state, actor, command, &facts).map_err(refused)?;
    // The case's policy version's grounds, identity proof and the police referral.
    grounds::check(policy, command, identity.as_ref(), today).map_err(refused)?;
    let mut district = case.district.clone();
    let mut assignee_id = case.assignee_id;
    let mut lead = None;
    let mut facts_of_step = Vec::new();
    match command {
        Command::Transfer {
            bureau: Some(b), ..
        } => {
            district = b
                .parse::<DistrictCode>()
                .map_err(|e| invalid("bureau", e.code, e.message))?
                .as_str()
                .to_owned();
            if district == case.district {
                return Err(invalid(
                    "bureau",
                    "same_bureau",
                    "不能转办给本辖区局".into(),
                ));
            }
        }
        Command::Dispatch { bureau } => {
            district = bureau
                .parse::<DistrictCode>()
                .map_err(|e| invalid("bureau", e.code, e.message))?
                .as_str()
                .to_owned();
            // The receiving bureau assigns its own mediator.
            assignee_id = None;
        }
        Command::ReturnToDispatcher { .. } => assignee_id = None,
        Command::Assign { user } => {
            let target = accounts::find_user_by_email(conn, user)?
                .filter(|u| u.active && (u.role == "mediator" || u.role == "supervisor"))
                .ok_or_else(|| invalid("user", "unknown_user", "找不到该调解员".into()))?;
            let bureaus = accounts::bureaus_of(conn, target.id)?;
            if target.role == "mediator" && !bureaus.contains(&case.district) {
                return Err(invalid(
                    "user",
                    "wrong_bureau",
                    "该调解员不属于本案辖区局".into(),
                ));
            }
            assignee_id = Some(target.id);
        }
        Command::MergeInto { case_no } => {
            // A case the actor cannot see answers exactly like one that does not exist.
            let target = case_no
                .parse::<CaseNo>()
                .ok()
                .and_then(|n| find_visible(conn, &n.to_string(), caller).transpose())
                .transpose()?
                .map(|(target, _, _)| target)
                .filter(|t| t.id != case.id && t.kind == case.kind && t.state != CaseState::Merged)
                .ok_or_else(|| {
                    invalid("case_no", "unknown_case", "找不到可合并的同类案件".into())
                })?;
            cases::insert_link(
                conn,
                &NewCaseLink {
                    case_id: case.id,
                    linked_case_id: target.id,
                    relation: "merged_into".into(),
                },
            )?;
        }
        Command::Settle {
            recovered_fen,
            represented_consent,
            ..
        } => {
            Fen::new(*recovered_fen).map_err(|e| invalid("recovered_fen", e.code, e.message))?;
            joint::check_settlement(conn, case, *represented_consent)?;
        }
        Command::JoinInto { case_no, .. } => joint::join(conn, caller, loaded, case_no)?,
        Command::SetRepresentatives { first, second } => {
            joint::check_representatives(conn, case, first, second.as_deref())?;
        }
        Command::SubmitReferral => workflow::mark_referral_submitted(conn, case.id, today)?,
        Command::MarkRepeated { case_no, .. } => {
            reports::mark_repeated(conn, caller, case, case_no)?;
        }
        Command::MergeReport { case_no } => {
            reports::merge_report(conn, ctx, caller, actor, case, case_no)?;
        }
        Command::OpenLeadReport { detail } => {
            lead = Some(reports::open_lead_report(
                conn, ctx, caller, actor, case, detail,
            )?);
        }
        Command::ConfirmAgreement { .. } | Command::RecordSignedAgreement { .. } => {
            facts_of_step = agreement::check(conn, loaded, actor, command)?;
        }
        Command::CorrectDocument { .. } => document_corrections::check(conn, loaded, command)?,
        Command::RecordNotice { date, .. }
            if super::aftercare::terminated_on(&loaded.events).is_some_and(|t| *date < t) =>
        {
            return Err(invalid(
                "date",
                "before_termination",
                "告知日期不能早于终止调解之日".into(),
            ));
        }
        _ => {}
    }
    let to_state = outcome.to;
    let kind_name = command.kind().as_str();
    let (referral, stored) = police_referral::split(command);
    if let Some(referral) = referral {
        police_referral::record(conn, case.id, &actor_name(caller), actor, now, &referral)?;
    }
    let command = &stored;
    let mut payload = EventPayload::of_command(command)
        .map_err(|e| StoreError::Other(format!("event payload of {kind_name}: {e}")))?;
    if let (Command::Assign { .. }, Some(id)) = (command, assignee_id) {
        payload = payload.with_assignee(id);
    }
    if let Some(report_no) = &lead {
        payload = payload.with_linked_case(report_no);
    }
    for (key, value) in facts_of_step {
        payload = payload.with_fact(key, value);
    }
    events::append(
        conn,
        case.id,
        EventDraft {
            kind: kind_name.into(),
            actor: actor_name(caller),
            actor_role: actor.as_str().into(),
            at: now.naive_utc(),
            from_state: to_state.map(|_| state),
            to_state,
            reason: reason_code(command),
            payload: payload.into_json(),
        },
    )?;
    let new_state = to_state.unwrap_or(state);
    let document = documents::issue_for_step(conn, ctx, loaded, caller, actor, command, new_state)?;
    // Re-derive the clocks from the log now that it has the new event.
    let (refreshed, _) = load_visible(conn, &case.case_no, &Caller::System)?;
    let clocks = clocks_of(&refreshed, reference, today)?;
    // A terminated complaint's notice clock is its open work until both parties are told.
    let stage = current_work(&clocks);
    let closed_on = match (is_closed(state), is_closed(new_state)) {
        (false, true) => Some(today),
        (_, false) => None,
        (true, true) => case.closed_on,
    };
    if kind == CaseKind::Complaint && is_closed(state) && !is_closed(new_state) {
        // Reopened: no earlier approval may publish the next outcome (Order 121 Art. 38).
        super::disclosure::after_reopen(conn, case.id)?;
    }
    workflow::set_projection(
        conn,
        case.id,
        &workflow::Projection {
            state: new_state,
            district,
            assignee_id,
            closed_on,
            due_date: stage.map_or(case.due_date, |c| c.due),
            due_provisional: stage.map_or(case.due_provisional, |c| c.provisional),
        },
    )?;
    mail::after_action(
        conn,
        ctx,
        &refreshed,
        (actor, command),
        new_state,
        stage.map(|c| c.due),
        document.as_ref(),
    )?;
    let step_seq = refreshed
        .events
        .iter()
        .rev()
        .find(|e| e.kind == kind_name)
        .map_or(refreshed.case.event_count, |e| e.case_seq);
    webhooks::after_step(
        conn,
        &webhooks::About::of(&refreshed, new_state, now),
        (actor, command),
        to_state,
        step_seq,
    )?;
    Ok(())
}

/// Messages and ODR answers `actor` wrote on the case on China date `today`.
fn written_today(loaded: &LoadedCase, actor: Actor, today: NaiveDate) -> u32 {
    let count = loaded
        .events
        .iter()
        .filter(|e| e.kind == "message" || e.kind == "odr_answer")
        .filter(|e| e.actor_role == actor.as_str() && china_date(e.at.and_utc()) == today)
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Seconds until the next China midnight, when the daily message allowance renews.
fn until_tomorrow(now: DateTime<Utc>) -> u64 {
    let today = china_date(now);
    let midnight = today
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t - chrono::Duration::hours(8));
    midnight.map_or(3600, |m| {
        u64::try_from((m - now.naive_utc()).num_seconds()).unwrap_or(1)
    })
}

fn invalid(field: &str, code: &str, message: String) -> ServiceError {
    ServiceError::Invalid(vec![FieldIssue {
        field: field.into(),
        code: code.into(),
        message,
    }])
}

fn reason_code(command: &Command) -> Option<String> {
    match command {
        Command::NotAccept { reason, .. } => Some(reason.as_str().into()),
        Command::Terminate { reason, .. } => Some(reason.as_str().into()),
        Command::Pause { reason } => Some(reason.as_str().into()),
        Command::Transfer { reason, .. }
        | Command::NotOpen { reason }
        | Command::ExtendVerification { reason }
        | Command::ReturnToDispatcher { reason } => Some(reason.clone()),
        Command::ReferReporter { authority, .. } => Some(authority.clone()),
        _ => None,
    }
}

/// `act` without the view: one transaction that loads the case as the caller sees it and
/// applies the command as the caller's actor (`Caller::System` acts as the deadline sweep).
pub fn perform(
    conn: &mut Db,
    ctx: &Ctx,
    case_no: &str,
    caller: &Caller,
    command: &Command,
) -> Result<(), ServiceError> {
    write_transaction(conn, |conn| {
        let (loaded, access) = load_visible(conn, case_no, caller)?;
        let actor = access.actor().ok_or(ServiceError::Forbidden)?;
        apply(conn, ctx, &loaded, caller, actor, command)
    })
}
