//! The editors' side of publication (Order 121 Art. 38): the queue of closed, consented
//! complaints with each entry exactly as it would be published, and approval or refusal,
//! each one event on the case's hash-chained log and one line on the `odrdesk::audit` target.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::disclosure::{PublishedEntry, entry_of};
use super::{Ctx, Db, ServiceError};
use crate::auth::{Role, StaffUser};
use crate::domain::case::CaseKind;
use crate::domain::disclosure::{self as rules, APPROVED, REFUSED, RefusalReason, Review};
use crate::store::disclosures;
use crate::store::events::{self, EventDraft};
use crate::store::{cases, write_transaction};

/// Who reviews entries: the bulletin's editors.
pub const EDITORS: [Role; 2] = [Role::Admin, Role::Supervisor];

/// The longest queue one answer lists.
pub const MAX_QUEUE: usize = 200;

/// One entry waiting for an editor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    /// For the editor only; never published.
    pub case_no: String,
    /// The entry exactly as it would be published on approval.
    pub entry: PublishedEntry,
    /// The reply the public reads now, when an earlier version was approved and a newer one
    /// waits (the entry stays published with it until this decision).
    pub published_reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    /// The version of `entry` as shown: sent back as `reviewed_version` with an approval,
    /// which is refused when the entry changed meanwhile (say, the business edited its reply).
    pub version: String,
}

/// The version of an entry as an editor sees it: a digest of everything it publishes.
pub fn version_of(entry: &PublishedEntry) -> String {
    let mut h = Sha256::new();
    for part in [
        entry.received_on.to_string(),
        entry.closed_on.to_string(),
        entry.category.clone().unwrap_or_default(),
        entry.summary.clone(),
        entry.outcome.as_str().to_owned(),
        entry
            .reply
            .clone()
            .map_or_else(|| "-".into(), |r| format!("+{r}")),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// An editor's decision.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Publishes the entry, if it is still the version the editor reviewed.
    Approve {
        reviewed_version: String,
    },
    Refuse(RefusalReason),
}

/// `Forbidden` unless `user` reviews entries (`EDITORS`).
pub fn editor(user: &StaffUser) -> Result<(), ServiceError> {
    if EDITORS.contains(&user.role) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The entries waiting for `user` (a supervisor: those of the bureaus; an admin: all),
/// oldest closing first, at most `limit` (capped at `MAX_QUEUE`).
pub fn queue(
    conn: &mut Db,
    user: &StaffUser,
    limit: usize,
) -> Result<Vec<Candidate>, ServiceError> {
    editor(user)?;
    let limit = i64::try_from(limit.clamp(1, MAX_QUEUE)).unwrap_or(1);
    let districts = user.queue_districts();
    disclosures::queue(conn, districts.as_deref(), limit)?
        .into_iter()
        .map(|(row, case)| {
            let names = super::disclosure::personal_names(conn, case.id)?;
            let entry = entry_of(conn, &case, row.reply.as_deref())?;
            Ok(Candidate {
                version: version_of(&entry),
                entry,
                case_no: case.case_no.clone(),
                published_reply: row
                    .published_reply
                    .as_deref()
                    .filter(|_| row.published_at.is_some())
                    .map(|r| rules::published_reply(r, &names)),
                replied_at: row.reply_at.map(|t| t.and_utc()),
            })
        })
        .collect()
}

/// What a decision did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Decided {
    pub case_no: String,
    pub review: Review,
    pub review_label: String,
    /// Whether the entry is on the business's public page now.
    pub published: bool,
}

/// Approves or refuses the entry of `case_no`, which must be waiting in the queue. Approval
/// publishes the entry with the reply shown in the queue, and is refused
/// (`changed_since_shown`) when the entry is no longer the version reviewed; refusal takes it
/// off the public page. Logged as `disclosure_approved` / `disclosure_refused` (staff only).
pub fn decide(
    conn: &mut Db,
    ctx: &Ctx,
    case_no: &str,
    user: &StaffUser,
    decision: Decision,
) -> Result<Decided, ServiceError> {
    editor(user)?;
    let decided = write_transaction(conn, |conn| {
        let case = cases::find_by_case_no(conn, case_no)?.ok_or(ServiceError::NotFound)?;
        if case.kind != CaseKind::Complaint || !user.covers(&case.district) {
            return Err(ServiceError::NotFound);
        }
        let row = disclosures::find(conn, case.id)?;
        let Some(mut row) = row.filter(|r| {
            r.consent
                && r.review == Review::Queued.as_str()
                && case.closed_on.is_some()
                && rules::publishable_outcome(case.state)
        }) else {
            return Err(ServiceError::Conflict {
                code: "not_in_queue",
                message: "该投诉不在待审核公示队列中（未办结、未同意公示或已审核） / not waiting for review".into(),
            });
        };
        let at = ctx.now.naive_utc();
        let (kind, review, payload) = match &decision {
            Decision::Approve { reviewed_version } => {
                let now_shown = version_of(&entry_of(conn, &case, row.reply.as_deref())?);
                if *reviewed_version != now_shown {
                    return Err(ServiceError::Conflict {
                        code: "changed_since_shown",
                        message:
                            "公示内容在您查看后已有变更（如商家修改了回复），请重新查看后再审核 \
                                  / the entry changed since it was shown; review it again"
                                .into(),
                    });
                }
                row.published_reply = row.reply.clone();
                row.published_at = Some(at);
                row.refusal_reason = None;
                (
                    APPROVED,
                    Review::Approved,
                    json!({"v": 1, "reply": row.reply}),
                )
            }
            Decision::Refuse(reason) => {
                row.published_reply = None;
                row.published_at = None;
                row.refusal_reason = Some(reason.as_str().to_owned());
                (
                    REFUSED,
                    Review::Refused,
                    json!({"v": 1, "reason": reason.as_str()}),
                )
            }
        };
        row.review = review.as_str().into();
        row.reviewed_by = Some(user.email.clone());
        row.reviewed_at = Some(at);
        disclosures::save(conn, &row)?;
        events::append(
            conn,
            case.id,
            EventDraft {
                kind: kind.into(),
                actor: user.email.clone(),
                actor_role: user.role.as_str().into(),
                at,
                from_state: None,
                to_state: None,
                reason: row.refusal_reason.clone(),
                payload,
            },
        )?;
        Ok(Decided {
            case_no: case.case_no.clone(),
            review,
            review_label: review.label_zh().into(),
            published: row.published_at.is_some(),
        })
    })?;
    tracing::info!(
        target: "odrdesk::audit",
        by = %user.email,
        case_no = %decided.case_no,
        review = decided.review.as_str(),
        "complaint publication reviewed"
    );
    Ok(decided)
}
