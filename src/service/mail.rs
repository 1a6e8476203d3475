//! Which workflow steps send mail to whom. Messages go to the outbox in the step's own
//! transaction; the dedupe key (case, event number, recipient) keeps a retried step from
//! mailing twice.
//!
//! Every mail is signed by the bureau, so it carries only the bureau's own words: a message
//! or proposal written by a party becomes a notice that there is something to read, with a
//! link to the page where the recipient reads it. The submitter's address gets nothing but
//! the acknowledgement until its owner has opened the link in it (`service::verify`).

use chrono::NaiveDate;

use super::case_view::{LoadedCase, policy_for};
use super::documents::Issued;
use super::{Ctx, ServiceError, verify};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::ids::Phone;
use crate::domain::policy::Clock;
use crate::domain::workflow::{Actor, Command, Recipient, is_closed};
use crate::notify::wechat::enqueue_wechat;
use crate::notify::{
    DocumentLink, Mail, Notice, SmsMessage, SmsNotice, SmsRefusal, enqueue, enqueue_sms,
};
use crate::store::models::CaseRow;
use crate::store::{Db, accounts, cases, enterprises};

fn track_url(ctx: &Ctx, case_no: &str) -> String {
    format!("{}/track/{case_no}", ctx.public_url)
}

/// Where `who` reads a case: the tracking page (number and token) for a consumer, the signed-in
/// pages for the business and the bureau.
fn page_url(ctx: &Ctx, who: &str, case_no: &str) -> String {
    match who {
        "enterprise" => format!("{}/enterprise/cases/{case_no}", ctx.public_url),
        "mediator" => format!("{}/desk/cases/{case_no}", ctx.public_url),
        _ => track_url(ctx, case_no),
    }
}

fn party_email(conn: &mut Db, case_id: i64, role: &str) -> Result<Option<String>, ServiceError> {
    Ok(cases::parties_of(conn, case_id)?
        .into_iter()
        .find(|p| p.role == role)
        .and_then(|p| p.data.email))
}

fn enterprise_email(conn: &mut Db, uscc: Option<&str>) -> Result<Option<String>, ServiceError> {
    match uscc {
        Some(u) => Ok(enterprises::find(conn, u)?.and_then(|e| e.email)),
        None => Ok(None),
    }
}

/// Where `who` reads a document the step issued, if it is addressed to them: the tracking
/// page's document view for the complainant or reporter, the enterprise desk's for the
/// business (a complaint's documents addressed to both parties only; never a report's).
fn document_link(
    ctx: &Ctx,
    loaded: &LoadedCase,
    who: &str,
    document: Option<&Issued>,
) -> Option<DocumentLink> {
    let doc = document?;
    let (case_no, audience) = (&loaded.case.case_no, doc.kind.audience());
    let page = match who {
        "complainant" | "reporter" if audience.to_consumer() => track_url(ctx, case_no),
        "enterprise" if audience.to_business(loaded.kind()) => page_url(ctx, who, case_no),
        _ => return None,
    };
    Some(DocumentLink {
        title: doc.kind.label_zh().to_owned(),
        number: doc.number.clone(),
        url: format!("{page}/documents/{}", doc.id),
    })
}

/// Queues one message; false when there is no address or it was queued before.
fn send(
    conn: &mut Db,
    ctx: &Ctx,
    case_id: i64,
    key: String,
    to: Option<String>,
    (notice, document): (Notice, Option<DocumentLink>),
) -> Result<bool, ServiceError> {
    match to {
        Some(to) => Ok(enqueue(
            conn,
            &Mail {
                dedupe_key: key,
                case_id: Some(case_id),
                to,
                notice,
                document,
            },
            ctx.now.naive_utc(),
        )?),
        None => Ok(false),
    }
}

/// The SMS and WeChat twins of a notice to the complainant or reporter `who`: an SMS when they
/// consented and gave a phone, a WeChat subscription message when they filed from the
/// mini-program and granted one. Dedupe keys are the mail's plus `/sms` or `/wechat`. Without
/// a channel's configuration nothing is queued on it (mail keeps working).
fn to_submitter_elsewhere(
    conn: &mut Db,
    notices: &crate::notify::NoticeSettings,
    case: &CaseRow,
    who: &str,
    key: &str,
    notice: &Notice,
    now: chrono::NaiveDateTime,
) -> Result<(), ServiceError> {
    if !matches!(who, "complainant" | "reporter") {
        return Ok(());
    }
    let Some(short) = SmsNotice::for_consumer(notice) else {
        return Ok(());
    };
    if let Some(openid) = case.consumer_openid.as_deref() {
        let wechat_key = format!("{key}/wechat");
        enqueue_wechat(
            conn,
            notices.wechat.as_deref(),
            (&wechat_key, case.id),
            openid,
            &short,
            now,
        )?;
    }
    sms_to_submitter(conn, notices, (case.id, who, key), short, now)?;
    Ok(())
}

fn sms_to_submitter(
    conn: &mut Db,
    notices: &crate::notify::NoticeSettings,
    (case_id, who, key): (i64, &str, &str),
    sms: SmsNotice,
    now: chrono::NaiveDateTime,
) -> Result<bool, ServiceError> {
    let party = cases::parties_of(conn, case_id)?
        .into_iter()
        .find(|p| p.role == who && p.data.sms_notices);
    let Some(phone) = party.and_then(|p| p.data.phone?.parse::<Phone>().ok()) else {
        return Ok(false);
    };
    let message = SmsMessage {
        dedupe_key: format!("{key}/sms"),
        case_id: Some(case_id),
        phone,
        notice: sms,
    };
    match enqueue_sms(conn, notices.sms.as_deref(), &message, now) {
        Ok(queued) => Ok(queued),
        Err(SmsRefusal::NotConfigured) => Ok(false),
        Err(SmsRefusal::Db(e)) => Err(e.into()),
        Err(refused) => {
            tracing::warn!(key, error = %refused, "SMS notice not queued");
            Ok(false)
        }
    }
}

/// After intake, with the stored case row and the submitter's e-mail address as received:
/// acknowledge to the submitter (with the link that verifies the address); tell an ODR
/// enterprise it has a complaint.
pub fn after_intake(
    conn: &mut Db,
    ctx: &Ctx,
    case: &CaseRow,
    submitter_email: Option<String>,
) -> Result<(), ServiceError> {
    let case_id = case.id;
    let kind = case.kind;
    let submitter = if kind == CaseKind::Complaint {
        "complainant"
    } else {
        "reporter"
    };
    let key = |who: &str| format!("{}/intake/{who}", case.case_no);
    let code = verify::start(conn, case, ctx.now)?;
    let ack = Notice::Acknowledgement {
        case_no: case.case_no.clone(),
        kind_label: kind.label_zh().into(),
        due: case.due_date,
        track_url: track_url(ctx, &case.case_no),
        verify_url: code.map(|c| {
            format!(
                "{}/track/{}/verify?code={}",
                ctx.public_url,
                case.case_no,
                c.as_str()
            )
        }),
    };
    let now = ctx.now.naive_utc();
    to_submitter_elsewhere(
        conn,
        &ctx.notices,
        case,
        submitter,
        &key(submitter),
        &ack,
        now,
    )?;
    send(
        conn,
        ctx,
        case_id,
        key(submitter),
        submitter_email,
        (ack, None),
    )?;
    if case.state == CaseState::OdrNegotiation {
        let to = enterprise_email(conn, case.respondent_uscc.as_deref())?;
        let notice = Notice::OdrNotice {
            case_no: case.case_no.clone(),
            title: case.title.clone(),
            due: case.due_date,
        };
        send(conn, ctx, case_id, key("enterprise"), to, (notice, None))?;
    }
    Ok(())
}

/// Who is told about a step, and what.
fn notice_of(
    ctx: &Ctx,
    loaded: &LoadedCase,
    actor: Actor,
    command: &Command,
    new_state: CaseState,
    stage_due: Option<NaiveDate>,
) -> Option<(&'static str, Notice)> {
    let case = &loaded.case;
    let case_no = case.case_no.clone();
    let news = |to: Recipient| {
        let who = to.as_str();
        Some((
            who,
            Notice::NewMessage {
                url: page_url(ctx, who, &case_no),
                case_no: case_no.clone(),
            },
        ))
    };
    match command {
        Command::Accept => Some((
            "complainant",
            Notice::Accepted {
                case_no: case_no.clone(),
                mediation_due: stage_due.unwrap_or(case.due_date),
            },
        )),
        Command::NotAccept { reason, .. } => Some((
            "complainant",
            Notice::NotAccepted {
                case_no: case_no.clone(),
                reason: reason.label_zh().into(),
            },
        )),
        Command::OdrAnswer { .. } => news(Recipient::Complainant),
        Command::RequestIdentity { due, .. } => Some((
            "complainant",
            Notice::IdentityRequest {
                case_no: case_no.clone(),
                due: *due,
            },
        )),
        Command::NotifyReporter { text } => Some((
            "reporter",
            Notice::ReporterNotice {
                case_no: case_no.clone(),
                outcome: match text {
                    Some(t) => format!("{}。{t}", new_state.label_zh()),
                    None => new_state.label_zh().into(),
                },
            },
        )),
        // Order 121 Art. 34, 35: the reporter learns the report ends here, and why.
        Command::MarkRepeated {
            case_no: earlier, ..
        } => Some((
            "reporter",
            Notice::ReporterNotice {
                case_no: case_no.clone(),
                outcome: format!(
                    "经审查，您的举报与此前举报（编号 {}）系就同一事实、同一被举报人的重复举报，\
                     依照《市场监督管理投诉举报处理办法》第三十五条，不再重复处理。",
                    earlier.trim()
                ),
            },
        )),
        Command::ReferReporter { authority, detail } => Some((
            "reporter",
            Notice::ReporterNotice {
                case_no: case_no.clone(),
                outcome: format!(
                    "经审查，您举报的事项不属于本局管辖。请您向{}举报。{}",
                    authority.trim(),
                    detail.as_deref().map(str::trim).unwrap_or_default()
                ),
            },
        )),
        // The bureau's own words may go out under its name; a party's never do.
        Command::Message { to, text }
            if matches!(actor, Actor::Admin | Actor::Supervisor | Actor::Mediator) =>
        {
            Some((
                to.as_str(),
                Notice::Message {
                    case_no: case_no.clone(),
                    from: "市场监督管理局".into(),
                    text: text.clone(),
                },
            ))
        }
        Command::Message { to, .. } => news(*to),
        // A step that closed the complaint: tell the complainant the outcome.
        _ if loaded.kind() == CaseKind::Complaint
            && is_closed(new_state)
            && command.changes_state() =>
        {
            Some((
                "complainant",
                Notice::Outcome {
                    case_no: case_no.clone(),
                    outcome: new_state.label_zh().into(),
                },
            ))
        }
        _ => None,
    }
}

/// The address of `who` on the case; a submitter's only once it is verified.
fn address_of(
    conn: &mut Db,
    loaded: &LoadedCase,
    who: &str,
) -> Result<Option<String>, ServiceError> {
    let case = &loaded.case;
    match who {
        "enterprise" => enterprise_email(conn, loaded.respondent_uscc.as_deref()),
        "mediator" => match case.assignee_id {
            Some(id) => Ok(accounts::find_user(conn, id)?.map(|u| u.email)),
            None => Ok(None),
        },
        submitter => {
            let to = party_email(conn, case.id, submitter)?;
            if to.is_some() && !verify::is_verified(conn, case.id)? {
                tracing::info!(case_no = %case.case_no, "no mail to an unverified address");
                return Ok(None);
            }
            Ok(to)
        }
    }
}

/// After a workflow step (the case is reloaded, so it already has the new event), with the
/// document the step issued, if any: each recipient it is addressed to gets its link.
pub fn after_action(
    conn: &mut Db,
    ctx: &Ctx,
    loaded: &LoadedCase,
    (actor, command): (Actor, &Command),
    new_state: CaseState,
    stage_due: Option<NaiveDate>,
    document: Option<&Issued>,
) -> Result<(), ServiceError> {
    let case = &loaded.case;
    let case_no = case.case_no.clone();
    // The key names the step's own event: a document the step issued is logged after it, and
    // the termination notice clock and the bulletin find a termination's mail by its event.
    let step_seq = loaded
        .events
        .iter()
        .rev()
        .find(|e| e.kind == command.kind().as_str())
        .map_or(case.event_count, |e| e.case_seq);
    let key = |who: &str| format!("{case_no}/event-{step_seq}/{who}");
    let Some((who, notice)) = notice_of(ctx, loaded, actor, command, new_state, stage_due) else {
        return Ok(());
    };
    let to = address_of(conn, loaded, who)?;
    let closing = matches!(notice, Notice::Outcome { .. })
        && !matches!(new_state, CaseState::Merged | CaseState::TransferredOut);
    let served = document_link(ctx, loaded, who, document);
    let now = ctx.now.naive_utc();
    to_submitter_elsewhere(conn, &ctx.notices, case, who, &key(who), &notice, now)?;
    send(conn, ctx, case.id, key(who), to.clone(), (notice, served))?;
    // Order 121 Art. 23: the business is told of a termination too; its delivery is one
    // way the termination notice clock learns the business was told.
    // Like the complainant's, the mail names the outcome only (and the document).
    // A copy of any other document addressed to both parties is served on it as well.
    let copy = document_link(ctx, loaded, "enterprise", document);
    let to_business = match command {
        Command::Terminate { .. } => Some(Notice::Outcome {
            case_no: case_no.clone(),
            outcome: new_state.label_zh().into(),
        }),
        _ => copy.as_ref().map(|_| Notice::DocumentIssued {
            case_no: case_no.clone(),
        }),
    };
    if let Some(told) = to_business {
        let business = address_of(conn, loaded, "enterprise")?;
        send(
            conn,
            ctx,
            case.id,
            key("enterprise"),
            business,
            (told, copy),
        )?;
    }
    if closing {
        let policy = policy_for(&ctx.reference, case)?;
        let until = policy
            .due(&ctx.reference.calendar, Clock::Rating, ctx.today())
            .date;
        let invite = Notice::RatingInvitation {
            case_no: case_no.clone(),
            until,
            track_url: track_url(ctx, &case_no),
        };
        let submitter = if loaded.kind() == CaseKind::Complaint {
            "complainant"
        } else {
            "reporter"
        };
        to_submitter_elsewhere(
            conn,
            &ctx.notices,
            case,
            submitter,
            &key("rating"),
            &invite,
            now,
        )?;
        send(conn, ctx, case.id, key("rating"), to, (invite, None))?;
    }
    Ok(())
}

/// Two working days before a clock runs out, remind the assignee (once per clock and due
/// date). Returns whether a reminder was queued now.
pub fn reminder(
    conn: &mut Db,
    ctx: &Ctx,
    loaded: &LoadedCase,
    clock_label: &str,
    due: NaiveDate,
) -> Result<bool, ServiceError> {
    let Some(id) = loaded.case.assignee_id else {
        return Ok(false);
    };
    let to = accounts::find_user(conn, id)?.map(|u| u.email);
    let key = format!("{}/reminder/{clock_label}/{due}", loaded.case.case_no);
    let notice = Notice::Reminder {
        case_no: loaded.case.case_no.clone(),
        clock_label: clock_label.into(),
        due,
    };
    send(conn, ctx, loaded.case.id, key, to, (notice, None))
}
