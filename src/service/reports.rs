//! Reports that touch other cases (Order 121): a repeated report names the earlier one and is
//! not handled again (Art. 35); a report adding new facts merges into the earlier open one,
//! whose verification restarts from this report's receipt (Art. 35); a lead found while
//! mediating a complaint opens a report of its own (Art. 27). Each runs inside the step's
//! transaction (`actions::apply`), after the workflow allowed the step.

use chrono::Datelike;
use serde_json::json;

use super::access::Caller;
use super::actions::actor_name;
use super::case_view::{clocks_of, find_visible, load_visible};
use super::{Ctx, ServiceError};
use crate::domain::case::{CaseKind, CaseNo, CaseState};
use crate::domain::clocks::{REPORT_MERGED, current_stage};
use crate::domain::mask_free_text;
use crate::domain::policy::Clock;
use crate::domain::reports::{Business, lead_title, same_business};
use crate::domain::routing::Flags;
use crate::domain::workflow::Actor;
use crate::intake::FieldIssue;
use crate::secrets::TrackingToken;
use crate::store::events::{self, EventDraft};
use crate::store::models::{CaseRow, NewCaseLink, NewParty, NewProduct};
use crate::store::{Db, cases, workflow};

/// The link from a report to the one it repeats.
pub const REPEAT_OF: &str = "repeat_of";
/// The link from a complaint to the report a lead found in its mediation opened.
pub const LEAD_REPORT: &str = "lead_report";

fn invalid(code: &str, message: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldIssue {
        field: "case_no".into(),
        code: code.into(),
        message: message.into(),
    }])
}

fn business(case: &CaseRow) -> Business<'_> {
    Business {
        uscc: case.respondent_uscc.as_deref(),
        name: &case.respondent_name,
    }
}

/// The earlier report `case_no` names: another report the caller may see, against the same
/// business as `case`. Otherwise 422 on `case_no`; a report out of the caller's reach
/// answers exactly like one that does not exist.
fn earlier_report(
    conn: &mut Db,
    caller: &Caller,
    case: &CaseRow,
    case_no: &str,
) -> Result<CaseRow, ServiceError> {
    let target = match case_no.trim().parse::<CaseNo>() {
        Ok(no) => find_visible(conn, &no.to_string(), caller)?.map(|(t, _, _)| t),
        Err(_) => None,
    }
    .filter(|t| t.id != case.id && t.kind == CaseKind::Report)
    .ok_or_else(|| invalid("unknown_case", "找不到该举报编号"))?;
    if !same_business(business(case), business(&target)) {
        return Err(invalid(
            "other_business",
            "该举报的被举报人与本举报不同，不能认定为同一事项",
        ));
    }
    Ok(target)
}

/// `mark_repeated`: links the report to the earlier one it repeats.
pub fn mark_repeated(
    conn: &mut Db,
    caller: &Caller,
    case: &CaseRow,
    case_no: &str,
) -> Result<(), ServiceError> {
    let earlier = earlier_report(conn, caller, case, case_no)?;
    cases::insert_link(
        conn,
        &NewCaseLink {
            case_id: case.id,
            linked_case_id: earlier.id,
            relation: REPEAT_OF.into(),
        },
    )?;
    Ok(())
}

/// `merge_report`: links the report into the earlier one, which must still be awaiting
/// verification, and records on that one a `report_merged` event: its verification starts
/// afresh from the later of the two reports' receipt, and its due date follows.
pub fn merge_report(
    conn: &mut Db,
    ctx: &Ctx,
    caller: &Caller,
    actor: Actor,
    case: &CaseRow,
    case_no: &str,
) -> Result<(), ServiceError> {
    let target = earlier_report(conn, caller, case, case_no)?;
    if target.state != CaseState::PendingVerification {
        return Err(invalid("not_pending", "只能并入正在核查的举报"));
    }
    cases::insert_link(
        conn,
        &NewCaseLink {
            case_id: case.id,
            linked_case_id: target.id,
            relation: "merged_into".into(),
        },
    )?;
    let restarts_on = case.received_date.max(target.received_date);
    cases::lock_case(conn, target.id)?;
    events::append(
        conn,
        target.id,
        EventDraft {
            kind: REPORT_MERGED.into(),
            actor: actor_name(caller),
            actor_role: actor.as_str().into(),
            at: ctx.now.naive_utc(),
            from_state: Some(CaseState::PendingVerification),
            to_state: Some(CaseState::PendingVerification),
            reason: Some(restarts_on.to_string()),
            payload: json!({"v": 1, "case_no": case.case_no, "restarts_on": restarts_on}),
        },
    )?;
    let (loaded, _) = load_visible(conn, &target.case_no, &Caller::System)?;
    let clocks = clocks_of(&loaded, &ctx.reference, ctx.today())?;
    if let Some(stage) = current_stage(&clocks) {
        workflow::set_projection(
            conn,
            target.id,
            &workflow::Projection {
                state: target.state,
                district: target.district.clone(),
                assignee_id: target.assignee_id,
                closed_on: target.closed_on,
                due_date: stage.due,
                due_provisional: stage.provisional,
            },
        )?;
    }
    Ok(())
}

/// `open_lead_report`: a new report against the complaint's business, received today (the
/// day the lead was found), its verification clock running from today. It has no reporter:
/// no one outside the bureau is told of it or holds its 查询码, and it names neither the
/// complainant nor their words (the title is the business, the description the lead).
/// Returns its number.
pub fn open_lead_report(
    conn: &mut Db,
    ctx: &Ctx,
    caller: &Caller,
    actor: Actor,
    complaint: &CaseRow,
    detail: &str,
) -> Result<String, ServiceError> {
    let today = ctx.today();
    let policy = ctx
        .reference
        .policy
        .select(today)
        .ok_or_else(|| ServiceError::Storage(format!("no policy version on {today}")))?;
    let due = policy.due(&ctx.reference.calendar, Clock::Verification, today);
    let seq = cases::next_case_seq(conn, CaseKind::Report.as_str(), today.year())?;
    let case_no = CaseNo::new(CaseKind::Report, today.year(), seq).to_string();
    let token = TrackingToken::generate().map_err(|e| ServiceError::Storage(e.to_string()))?;
    let at = events::truncate_to_micros(ctx.now.naive_utc());
    let mut row = complaint.data.clone();
    row.case_no = case_no.clone();
    row.kind = CaseKind::Report;
    row.state = CaseState::PendingVerification;
    row.tracking_token_hash = token.hash();
    row.received_at = at;
    row.received_date = today;
    row.policy_version = policy.id.clone();
    row.due_date = due.date;
    row.due_provisional = due.provisional;
    row.title = lead_title(&complaint.respondent_name);
    let parties = cases::parties_of(conn, complaint.id)?;
    // The lead is about the business: the complainant's name and numbers stay with the
    // complaint, so nobody who reads the report (analysts, exports, the index) meets them.
    let people: Vec<String> = parties
        .iter()
        .filter(|p| p.role != "respondent")
        .filter_map(|p| p.name.clone())
        .collect();
    row.description = mask_free_text(detail.trim(), &people);
    row.claim = None;
    row.prefer_odr = false;
    // The consumer's own purchase stays with the complaint.
    row.purchase_date = None;
    row.purchase_amount_fen = None;
    row.purchase_order_no = None;
    row.created_at = at;
    row.assignee_id = None;
    row.consumer_openid = None;
    row.flags = Flags::default();
    row.closed_on = None;
    row.event_count = 0;
    row.last_event_hash = String::new();
    let id = cases::insert_case(conn, &row)?;
    let respondent: Vec<NewParty> = parties
        .into_iter()
        .filter(|p| p.role == "respondent")
        .map(|p| NewParty {
            case_id: id,
            ..p.data
        })
        .collect();
    cases::insert_parties(conn, &respondent)?;
    let products: Vec<NewProduct> = cases::products_of(conn, complaint.id)?
        .into_iter()
        .map(|p| NewProduct {
            case_id: id,
            ..p.data
        })
        .collect();
    if !products.is_empty() {
        cases::insert_products(conn, &products)?;
    }
    events::append(
        conn,
        id,
        EventDraft {
            kind: "submitted".into(),
            actor: actor_name(caller),
            actor_role: actor.as_str().into(),
            at,
            from_state: None,
            to_state: Some(CaseState::PendingVerification),
            reason: None,
            payload: json!({
                "channel": row.channel.as_str(),
                "received_at": ctx.now,
                "policy_version": policy.id,
                "due": due.date,
                "due_provisional": due.provisional,
                "source": "mediation_lead",
                "complaint": complaint.case_no,
            }),
        },
    )?;
    cases::insert_link(
        conn,
        &NewCaseLink {
            case_id: complaint.id,
            linked_case_id: id,
            relation: LEAD_REPORT.into(),
        },
    )?;
    Ok(case_no)
}
