//! Receiving a complaint or report: number it, store it with its parties and first event, and
//! remember the idempotency key, all in one transaction.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use serde::Serialize;
use serde_json::json;

use super::{Ctx, ServiceError, mail};
use crate::domain::Due;
use crate::domain::case::{CaseKind, CaseNo, CaseState};
use crate::domain::dispatch;
use crate::domain::policy::Clock;
use crate::domain::routing::{COLLECTIVE_MIN, Flag, Flags, RespondentFacts, Submission, route};
use crate::domain::severity::Severity;
use crate::intake::NewCase;
use crate::secrets::{IdempotencyKey, TrackingToken};
use crate::store::events::{self, EventDraft};
use crate::store::models::{
    AdverseReactionRow, CaseRow, IdempotencyRow, NewCaseLink, NewCaseRow, NewParty, NewProduct,
};
use crate::store::workflow::{self, ReferralRow};
use crate::store::{Db, cases, enterprises, is_unique_violation, write_transaction};

/// The answer to a submission: `201 {case_no, tracking_token, state, received_at, due}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Submitted {
    #[schema(example = "TS-2026-000001")]
    pub case_no: String,
    /// Shown once; needed with the case number to track the case.
    pub tracking_token: String,
    pub state: CaseState,
    pub received_at: DateTime<Utc>,
    /// Acceptance (complaint) or verification (report) due date, YYYY-MM-DD, China time.
    #[schema(value_type = String, format = Date, example = "2026-10-15")]
    pub due: NaiveDate,
    /// True when the due date lies past the last loaded holiday calendar.
    pub due_provisional: bool,
    #[serde(skip)]
    pub replayed: bool,
}

/// A client's retry protection: the key, which endpoint, and the body it came with.
#[derive(Clone)]
pub struct Idempotency {
    pub scope: &'static str,
    pub key: IdempotencyKey,
    pub request_hash: String,
}

pub fn submit(
    conn: &mut Db,
    ctx: &Ctx,
    case: NewCase,
    idem: Option<Idempotency>,
    consumer_openid: Option<String>,
) -> Result<Submitted, ServiceError> {
    let now = ctx.now;
    if let Some(idem) = &idem
        && let Some(done) = replay(conn, idem)?
    {
        return Ok(done);
    }
    let token = TrackingToken::generate().map_err(|e| ServiceError::Storage(e.to_string()))?;
    let stored = write_transaction(conn, |conn| {
        let submitted = receive(conn, ctx, &case, &token, consumer_openid.as_deref())?;
        if let Some(idem) = &idem {
            let row = IdempotencyRow {
                scope: idem.scope.into(),
                key_hash: idem.key.hash(),
                request_hash: idem.request_hash.clone(),
                case_id: submitted.1,
                sealed_token: idem.key.seal(&token),
                created_at: now.naive_utc(),
            };
            match cases::insert_idempotency(conn, &row) {
                Err(e) if is_unique_violation(&e) => {
                    return Err(ServiceError::Conflict {
                        code: RACE,
                        message: String::new(),
                    });
                }
                other => other?,
            }
        }
        Ok(submitted.0)
    });
    match (stored, &idem) {
        // A concurrent request with the same key committed first: answer as it did.
        (Err(ServiceError::Conflict { code: RACE, .. }), Some(idem)) => {
            replay(conn, idem)?.ok_or(ServiceError::Conflict {
                code: "idempotency_key_reused",
                message: "请稍后重试".into(),
            })
        }
        (result, _) => result,
    }
}

const RACE: &str = "idempotency_race";

/// Routes, numbers and stores a new case with its side tracks and first mail.
fn receive(
    conn: &mut Db,
    ctx: &Ctx,
    case: &NewCase,
    token: &TrackingToken,
    consumer_openid: Option<&str>,
) -> Result<(Submitted, i64), ServiceError> {
    let respondent = match &case.respondent.uscc {
        Some(uscc) => enterprises::find(conn, uscc.as_str())?.map(|e| RespondentFacts {
            enrolled_in_odr: e.odr,
            commitments: e
                .commitment_list()
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        }),
        None => None,
    };
    let duplicate = match case.person.as_ref().and_then(|p| p.phone.as_ref()) {
        Some(phone) if case.kind == CaseKind::Complaint => workflow::duplicate_of(
            conn,
            phone.as_str(),
            case.respondent.uscc.as_ref().map(|u| u.as_str()),
            &case.respondent.name,
            (case.received_at - chrono::Duration::days(DUPLICATE_WINDOW_DAYS)).naive_utc(),
        )?,
        _ => None,
    };
    // Order 121 Art. 35: the desk is shown the earlier report this one may repeat.
    let repeat = match case.person.as_ref().and_then(|p| p.phone.as_ref()) {
        Some(phone) if case.kind == CaseKind::Report => crate::store::reports::possible_repeat_of(
            conn,
            phone.as_str(),
            case.respondent.uscc.as_ref().map(|u| u.as_str()),
            &case.respondent.name,
            (case.received_at - chrono::Duration::days(REPEAT_WINDOW_DAYS)).naive_utc(),
        )?,
        _ => None,
    };
    let route = route(
        &Submission {
            kind: case.kind,
            prefer_odr: case.prefer_odr,
            nature: case.nature.as_str(),
            adverse_severity: case.adverse_reaction.as_ref().map(|a| a.severity),
            duplicates_found: duplicate.is_some(),
            similar_recent: workflow::recent_same_issue(
                conn,
                case.respondent.uscc.as_ref().map(|u| u.as_str()),
                &case.respondent.name,
                case.nature.as_str(),
                (case.received_at - chrono::Duration::days(COLLECTIVE_WINDOW_DAYS)).naive_utc(),
                // Enough to tell whether the threshold is reached.
                COLLECTIVE_MIN as i64,
            )?,
        },
        respondent.as_ref(),
    );
    let policy = ctx
        .reference
        .policy
        .get(&case.policy_version)
        .ok_or_else(|| ServiceError::Storage(format!("policy {} missing", case.policy_version)))?;
    // Order 121 Art. 17: read against the complaints received before this one.
    let screened = super::screening::screen_new(conn, ctx, case)?;
    // A case waiting for the unified intake unit runs no clock until it is dispatched; its
    // due date is only a placeholder, replaced on dispatch.
    let (state, first_clock) = if case.awaiting_dispatch {
        (
            CaseState::AwaitingDispatch,
            dispatch::first_clock(case.kind),
        )
    } else {
        (route.state, route.first_clock)
    };
    let opening = Opening {
        state,
        due: policy.due(&ctx.reference.calendar, first_clock, case.received_date),
        flags: route.flags,
    };
    let (submitted, mut stored) = insert_new_case(conn, case, &opening, token, ctx.now)?;
    let case_id = stored.id;
    // Order 121 Art. 38: the answer to 是否同意公示投诉信息, kept on every complaint.
    if case.kind == CaseKind::Complaint {
        super::disclosure::record_intake(conn, case_id, case.disclosure_consent, ctx.now)?;
    }
    if let Some(found) = &screened {
        super::screening::record(conn, case_id, found)?;
    }
    if let Some(openid) = consumer_openid {
        workflow::set_consumer(conn, case_id, openid)?;
        stored.data.consumer_openid = Some(openid.to_owned());
    }
    // One link to one earlier case: linking to every earlier one grows with the square of a
    // consumer's repeated complaints.
    if let Some(earlier) = duplicate {
        cases::insert_link(
            conn,
            &NewCaseLink {
                case_id,
                linked_case_id: earlier,
                relation: "possible_duplicate".into(),
            },
        )?;
    }
    if let Some(earlier) = repeat {
        cases::insert_link(
            conn,
            &NewCaseLink {
                case_id,
                linked_case_id: earlier,
                relation: "possible_repeat".into(),
            },
        )?;
    }
    if let Some(clock) = route.referral {
        let due = policy.due(&ctx.reference.calendar, clock, case.received_date);
        let severity = case
            .adverse_reaction
            .as_ref()
            .map_or(Severity::General, |a| a.severity);
        workflow::insert_referral(
            conn,
            &ReferralRow {
                case_id,
                severity,
                opened_on: case.received_date,
                due_date: due.date,
                submitted_on: None,
            },
        )?;
    }
    if route.linked_report {
        let mut report = case.clone();
        report.kind = CaseKind::Report;
        report.title = format!("【假冒线索】{}", case.title);
        report.claim = None;
        report.prefer_odr = false;
        report.adverse_reaction = None;
        // Its own token; the complainant follows the report through the complaint.
        let report_token =
            TrackingToken::generate().map_err(|e| ServiceError::Storage(e.to_string()))?;
        let opening = Opening {
            state: if case.awaiting_dispatch {
                CaseState::AwaitingDispatch
            } else {
                CaseState::initial(CaseKind::Report)
            },
            due: policy.due(
                &ctx.reference.calendar,
                Clock::Verification,
                case.received_date,
            ),
            flags: Flags::from_iter([Flag::Counterfeit]),
        };
        let (_, linked) = insert_new_case(conn, &report, &opening, &report_token, ctx.now)?;
        cases::insert_link(
            conn,
            &NewCaseLink {
                case_id,
                linked_case_id: linked.id,
                relation: "linked_report".into(),
            },
        )?;
    }
    let email = case.person.as_ref().and_then(|p| p.email.as_ref());
    mail::after_intake(conn, ctx, &stored, email.map(|e| e.as_str().to_owned()))?;
    super::webhooks::after_intake(
        conn,
        &super::webhooks::About {
            case_id,
            case_no: &stored.case_no,
            kind: case.kind,
            respondent_uscc: case.respondent.uscc.as_ref().map(|u| u.as_str()),
            state: opening.state,
            now: ctx.now,
        },
    )?;
    Ok((submitted, case_id))
}

/// Complaints against one business about one kind of issue this recent count together.
const COLLECTIVE_WINDOW_DAYS: i64 = 7;

/// Complaints by the same consumer against the same business this recent are flagged.
const DUPLICATE_WINDOW_DAYS: i64 = 30;

/// Reports by the same phone against the same business this recent are linked as possible
/// repeats, for the desk to judge (Order 121 Art. 35).
const REPEAT_WINDOW_DAYS: i64 = 90;

fn replay(conn: &mut Db, idem: &Idempotency) -> Result<Option<Submitted>, ServiceError> {
    let Some(row) = cases::find_idempotency(conn, idem.scope, &idem.key.hash())? else {
        return Ok(None);
    };
    if row.request_hash != idem.request_hash {
        return Err(ServiceError::Conflict {
            code: "idempotency_key_reused",
            message: "该幂等键已用于另一份不同的提交".into(),
        });
    }
    let case = cases::find_by_id(conn, row.case_id)?;
    let token = idem
        .key
        .unseal(&row.sealed_token)
        .ok_or_else(|| ServiceError::Storage("sealed token unreadable".into()))?;
    Ok(Some(answer(&case, token, true)))
}

fn answer(case: &CaseRow, token: TrackingToken, replayed: bool) -> Submitted {
    Submitted {
        case_no: case.case_no.clone(),
        tracking_token: token.grouped(),
        state: case.state,
        received_at: case.received_at.and_utc(),
        due: case.due_date,
        due_provisional: case.due_provisional,
        replayed,
    }
}

/// What routing decided for a new case: the one place its state and first due date are set.
struct Opening {
    state: CaseState,
    due: Due,
    flags: Flags,
}

fn insert_new_case(
    conn: &mut Db,
    case: &NewCase,
    opening: &Opening,
    token: &TrackingToken,
    now: DateTime<Utc>,
) -> Result<(Submitted, CaseRow), diesel::result::Error> {
    // The counter update is the first statement: the transaction takes the write lock at once.
    let year = case.received_date.year();
    let seq = cases::next_case_seq(conn, case.kind.as_str(), year)?;
    let case_no = CaseNo::new(case.kind, year, seq).to_string();
    let row = case_row(case, opening, &case_no, token, now);
    let case_id = cases::insert_case(conn, &row)?;
    cases::insert_parties(conn, &party_rows(case, case_id))?;
    if let Some(p) = &case.product {
        cases::insert_products(
            conn,
            &[NewProduct {
                case_id,
                name: p.name.clone(),
                brand: p.brand.clone(),
                cosmetics_id: p.cosmetics_id.as_ref().map(|c| c.as_str().to_owned()),
                cosmetics_id_kind: p.cosmetics_id.as_ref().map(|c| kind_name(c.kind())),
                batch: p.batch.clone(),
            }],
        )?;
    }
    if let Some(r) = &case.rights_holder {
        crate::store::rights_holders::insert(
            conn,
            &crate::store::rights_holders::RightsHolderRow {
                case_id,
                uscc: r.uscc.as_str().to_owned(),
                name: r.name.clone(),
                contact_name: r.contact_name.clone(),
                contact_phone: r.contact_phone.as_str().to_owned(),
            },
        )?;
    }
    if let Some(a) = &case.adverse_reaction {
        cases::insert_adverse_reaction(
            conn,
            &AdverseReactionRow {
                case_id,
                onset_date: a.onset_date,
                symptoms: a.symptoms.clone(),
                body_site: a.body_site.clone(),
                severity: a.severity,
                started_use: a.started_use,
                stopped_use: a.stopped_use,
                treatment: a.treatment.clone(),
                allergy_history: a.allergy_history.clone(),
            },
        )?;
    }
    events::append(
        conn,
        case_id,
        EventDraft {
            kind: "submitted".into(),
            actor: "public".into(),
            actor_role: submitter_role(case.kind).into(),
            at: now.naive_utc(),
            from_state: None,
            to_state: Some(opening.state),
            reason: None,
            payload: json!({
                "channel": case.channel.as_str(),
                "received_at": case.received_at,
                "policy_version": case.policy_version,
                "due": opening.due.date,
                "due_provisional": opening.due.provisional,
            }),
        },
    )?;
    let stored = cases::find_by_id(conn, case_id)?;
    Ok((answer(&stored, token.clone(), false), stored))
}

fn submitter_role(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Complaint => "complainant",
        CaseKind::Report => "reporter",
    }
}

fn kind_name(kind: crate::domain::CosmeticsIdKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

fn case_row(
    case: &NewCase,
    opening: &Opening,
    case_no: &str,
    token: &TrackingToken,
    now: DateTime<Utc>,
) -> NewCaseRow {
    let purchase = case.purchase.as_ref();
    NewCaseRow {
        case_no: case_no.to_owned(),
        kind: case.kind,
        state: opening.state,
        tracking_token_hash: token.hash(),
        channel: case.channel,
        received_at: events::truncate_to_micros(case.received_at.naive_utc()),
        received_date: case.received_date,
        policy_version: case.policy_version.clone(),
        due_date: opening.due.date,
        due_provisional: opening.due.provisional,
        district: case.district.as_str().into(),
        category: case.category.as_ref().map(|c| c.as_str().to_owned()),
        nature: case.nature.as_str().into(),
        title: case.title.clone(),
        description: case.description.clone(),
        claim: case.claim.clone(),
        prefer_odr: case.prefer_odr,
        purchase_date: purchase.and_then(|p| p.date),
        purchase_amount_fen: purchase.and_then(|p| p.amount.map(|a| a.value())),
        purchase_online: purchase.map(|p| p.online),
        purchase_platform: purchase.and_then(|p| p.platform.clone()),
        purchase_order_no: purchase.and_then(|p| p.order_no.clone()),
        created_at: events::truncate_to_micros(now.naive_utc()),
        assignee_id: None,
        consumer_openid: None,
        flags: opening.flags,
        closed_on: None,
        event_count: 0,
        last_event_hash: String::new(),
        respondent_uscc: case.respondent.uscc.as_ref().map(|u| u.as_str().to_owned()),
        respondent_name: case.respondent.name.clone(),
    }
}

fn party_rows(case: &NewCase, case_id: i64) -> Vec<NewParty> {
    let r = &case.respondent;
    let mut rows = vec![NewParty {
        case_id,
        role: "respondent".into(),
        name: Some(r.name.clone()),
        address: r.address.clone(),
        uscc: r.uscc.as_ref().map(|u| u.as_str().to_owned()),
        district: Some(r.district.as_str().to_owned()),
        platform: r.platform.clone(),
        ..Default::default()
    }];
    if let Some(p) = &case.person {
        rows.push(NewParty {
            case_id,
            role: submitter_role(case.kind).into(),
            name: p.name.clone(),
            phone: p.phone.as_ref().map(|x| x.as_str().to_owned()),
            email: p.email.as_ref().map(|x| x.as_str().to_owned()),
            address: p.address.clone(),
            id_number: p.id_number.clone(),
            sms_notices: p.sms_notices && p.phone.is_some(),
            ..Default::default()
        });
    }
    rows
}
