//! Publication of complaint information (Order 121 Art. 38): the complainant's consent (given
//! at intake, withdrawn or given again while tracking), the business's public reply, and the
//! entries as the public reads them. The editors' queue and decisions are in
//! `disclosure_review`. Each use case is one transaction; each change is a staff-only event on
//! the case's hash-chained log.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use super::access::{Access, Caller, access};
use super::actions::actor_name;
use super::{Ctx, Db, ServiceError};
use crate::domain::Taxonomy;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::disclosure::{
    self as rules, CONSENT_GIVEN, CONSENT_WITHDRAWN, PublicReply, REPLY_WRITTEN, Review,
};
use crate::domain::ids::Uscc;
use crate::store::disclosures::{self, DisclosureRow};
use crate::store::events::{self, EventDraft};
use crate::store::models::CaseRow;
use crate::store::{cases, write_transaction};

/// The most entries one page or answer shows.
pub const MAX_ENTRIES: usize = 100;

/// Stores the intake's answer to 是否同意公示投诉信息 (in the intake's transaction).
pub fn record_intake(
    conn: &mut Db,
    case_id: i64,
    consent: bool,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    disclosures::insert(conn, &fresh_row(case_id, consent, now))?;
    Ok(())
}

fn fresh_row(case_id: i64, consent: bool, now: DateTime<Utc>) -> DisclosureRow {
    DisclosureRow {
        case_id,
        consent,
        consent_changed_at: now.naive_utc(),
        reply: None,
        reply_at: None,
        review: Review::Queued.as_str().into(),
        refusal_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        published_reply: None,
        published_at: None,
    }
}

/// Where a complaint's publication stands, as its complainant sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsentView {
    pub case_no: String,
    /// Whether the complainant agrees to publication now.
    pub consent: bool,
    /// When consent was last given or withdrawn (at intake, or on the tracking page).
    pub changed_at: DateTime<Utc>,
    /// Whether the entry is on the business's public page now.
    pub published: bool,
    pub review: Review,
    pub review_label: String,
}

fn view_of(case: &CaseRow, row: &DisclosureRow) -> ConsentView {
    let review = row.review.parse().unwrap_or(Review::Queued);
    ConsentView {
        case_no: case.case_no.clone(),
        consent: row.consent,
        changed_at: row.consent_changed_at.and_utc(),
        published: row.consent && row.published_at.is_some() && case.closed_on.is_some(),
        review,
        review_label: review.label_zh().into(),
    }
}

/// The complaint `case_no` as its complainant (token holder or mini-program consumer) may
/// reach it: `NotFound` for anyone else; a report is refused, it is never published.
fn complainants_case(
    conn: &mut Db,
    case_no: &str,
    caller: &Caller,
) -> Result<CaseRow, ServiceError> {
    let case = cases::find_by_case_no(conn, case_no)?.ok_or(ServiceError::NotFound)?;
    match access(caller, &case, case.respondent_uscc.as_deref()) {
        Some(Access::Consumer) => {}
        _ => return Err(ServiceError::NotFound),
    }
    if case.kind != CaseKind::Complaint {
        return Err(ServiceError::Conflict {
            code: "report_never_published",
            message: "举报信息不予公示，无需同意或撤回 / reports are never published".into(),
        });
    }
    Ok(case)
}

/// The row of a complaint; complaints received before consent was asked have none and read
/// as "no consent" (a row is made when first changed).
fn row_of(conn: &mut Db, case: &CaseRow) -> Result<Option<DisclosureRow>, ServiceError> {
    Ok(disclosures::find(conn, case.id)?)
}

fn unconsented(case: &CaseRow) -> DisclosureRow {
    let mut row = fresh_row(case.id, false, case.received_at.and_utc());
    row.consent_changed_at = case.received_at;
    row
}

/// The complainant's consent and whether the entry is published.
pub fn consent_of(
    conn: &mut Db,
    case_no: &str,
    caller: &Caller,
) -> Result<ConsentView, ServiceError> {
    let case = complainants_case(conn, case_no, caller)?;
    let row = row_of(conn, &case)?.unwrap_or_else(|| unconsented(&case));
    Ok(view_of(&case, &row))
}

/// Gives or withdraws consent. Withdrawal unpublishes at once (the approved reply is
/// dropped too); consent given again never revives an earlier approval: the entry goes back
/// to the editors' queue. An unchanged answer changes nothing and logs nothing.
pub fn set_consent(
    conn: &mut Db,
    ctx: &Ctx,
    case_no: &str,
    caller: &Caller,
    consent: bool,
) -> Result<ConsentView, ServiceError> {
    write_transaction(conn, |conn| {
        let case = complainants_case(conn, case_no, caller)?;
        super::retention::refuse_if_anonymised(conn, case.id)?;
        let existing = row_of(conn, &case)?;
        let mut row = existing.clone().unwrap_or_else(|| unconsented(&case));
        if row.consent == consent {
            return Ok(view_of(&case, &row));
        }
        let was_published = row.published_at.is_some();
        let current = row.review.parse().unwrap_or(Review::Queued);
        row.consent = consent;
        row.consent_changed_at = ctx.now.naive_utc();
        row.review = rules::review_after_consent(consent, current)
            .as_str()
            .into();
        if !consent {
            row.published_at = None;
            row.published_reply = None;
        }
        match existing {
            Some(_) => disclosures::save(conn, &row)?,
            None => disclosures::insert(conn, &row)?,
        }
        events::append(
            conn,
            case.id,
            EventDraft {
                kind: if consent {
                    CONSENT_GIVEN
                } else {
                    CONSENT_WITHDRAWN
                }
                .into(),
                actor: actor_name(caller),
                actor_role: "consumer".into(),
                at: ctx.now.naive_utc(),
                from_state: None,
                to_state: None,
                reason: None,
                payload: json!({"v": 1, "consent": consent, "unpublished": was_published && !consent}),
            },
        )?;
        Ok(view_of(&case, &row))
    })
}

/// A closed complaint was reopened (in the step's transaction): its earlier review judged an
/// outcome that no longer stands. The entry leaves the public page and goes back to the
/// editors' queue, so the next closing is published only once an editor approves it with
/// its new outcome. The business's reply stays as written; the approved copy is dropped.
pub fn after_reopen(conn: &mut Db, case_id: i64) -> Result<(), ServiceError> {
    let Some(mut row) = disclosures::find(conn, case_id)? else {
        return Ok(());
    };
    row.review = Review::Queued.as_str().into();
    row.refusal_reason = None;
    row.published_at = None;
    row.published_reply = None;
    disclosures::save(conn, &row)?;
    Ok(())
}

/// The business's public reply as stored, and where its review stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplyView {
    pub case_no: String,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    /// Whether the complainant agrees to publication (a reply may be written only then).
    pub consent: bool,
    pub review: Review,
    pub review_label: String,
    /// The reply the public reads now (masked), until a newer one is approved.
    pub published_reply: Option<String>,
}

/// Whether the business may write a public reply on this case now, and if not, why.
pub fn reply_refusal(case: &CaseRow, row: Option<&DisclosureRow>) -> Option<&'static str> {
    if case.closed_on.is_none() {
        Some("案件办结后才能填写公开回复 / the complaint is not closed")
    } else if !rules::publishable_outcome(case.state) {
        Some(
            "该投诉已移送或并案，由其他机关或案件处理，不予公示，不能填写公开回复 \
             / the complaint was transferred or merged and is never published",
        )
    } else if !row.is_some_and(|r| r.consent) {
        Some("投诉人未同意公示，不能填写公开回复 / the complainant did not consent to publication")
    } else {
        None
    }
}

/// The business's own reply on one of its complaints, for its desk.
pub fn reply_of(
    conn: &mut Db,
    case_no: &str,
    caller: &Caller,
) -> Result<(ReplyView, Option<&'static str>), ServiceError> {
    let case = businesses_case(conn, case_no, caller)?;
    let row = row_of(conn, &case)?;
    let refusal = reply_refusal(&case, row.as_ref());
    let row = row.unwrap_or_else(|| unconsented(&case));
    Ok((reply_view(conn, &case, &row)?, refusal))
}

fn businesses_case(conn: &mut Db, case_no: &str, caller: &Caller) -> Result<CaseRow, ServiceError> {
    let case = cases::find_by_case_no(conn, case_no)?.ok_or(ServiceError::NotFound)?;
    match access(caller, &case, case.respondent_uscc.as_deref()) {
        // `access` lets a business reach complaints against it only, never a report.
        Some(Access::Enterprise) => Ok(case),
        Some(_) => Err(ServiceError::Forbidden),
        None => Err(ServiceError::NotFound),
    }
}

fn reply_view(
    conn: &mut Db,
    case: &CaseRow,
    row: &DisclosureRow,
) -> Result<ReplyView, ServiceError> {
    let review = row.review.parse().unwrap_or(Review::Queued);
    let names = personal_names(conn, case.id)?;
    Ok(ReplyView {
        case_no: case.case_no.clone(),
        reply: row.reply.clone(),
        replied_at: row.reply_at.map(|t| t.and_utc()),
        consent: row.consent,
        review,
        review_label: review.label_zh().into(),
        published_reply: row
            .published_reply
            .as_deref()
            .filter(|_| row.published_at.is_some())
            .map(|r| rules::published_reply(r, &names)),
    })
}

/// Writes or replaces the business's public reply on a closed, consented complaint. The
/// entry goes back to the editors' queue; an entry already published keeps showing the
/// reply approved before, until the editors approve the new one.
pub fn write_reply(
    conn: &mut Db,
    ctx: &Ctx,
    case_no: &str,
    caller: &Caller,
    raw: &str,
) -> Result<ReplyView, ServiceError> {
    let reply = PublicReply::parse(raw)
        .map_err(|e| ServiceError::invalid_field("reply", e.code, e.message))?;
    write_transaction(conn, |conn| {
        let case = businesses_case(conn, case_no, caller)?;
        super::retention::refuse_if_anonymised(conn, case.id)?;
        let existing = row_of(conn, &case)?;
        if let Some(why) = reply_refusal(&case, existing.as_ref()) {
            return Err(ServiceError::Conflict {
                code: "reply_not_allowed",
                message: why.into(),
            });
        }
        let Some(mut row) = existing else {
            return Err(ServiceError::NotFound);
        };
        row.reply = Some(reply.as_str().to_owned());
        row.reply_at = Some(ctx.now.naive_utc());
        row.review = Review::Queued.as_str().into();
        disclosures::save(conn, &row)?;
        events::append(
            conn,
            case.id,
            EventDraft {
                kind: REPLY_WRITTEN.into(),
                actor: actor_name(caller),
                actor_role: "enterprise".into(),
                at: ctx.now.naive_utc(),
                from_state: None,
                to_state: None,
                reason: None,
                payload: json!({"v": 1, "reply": reply.as_str()}),
            },
        )?;
        reply_view(conn, &case, &row)
    })
}

/// The personal names and addresses of a case's parties (never the business's), which
/// `mask_free_text` hides wherever the free text repeats them.
pub(crate) fn personal_names(conn: &mut Db, case_id: i64) -> Result<Vec<String>, ServiceError> {
    Ok(cases::parties_of(conn, case_id)?
        .into_iter()
        .filter(|p| p.role != "respondent")
        .flat_map(|p| [p.name.clone(), p.address.clone()])
        .flatten()
        .collect())
}

/// One published complaint as the public reads it. It carries no case number: with the
/// number, the tracking page's lookup would need only the 查询码, and the business could
/// match the entry to the consumer's other papers.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PublishedEntry {
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub closed_on: NaiveDate,
    pub category: Option<String>,
    pub category_zh: Option<String>,
    /// Title and description, masked (no names, numbers, e-mail, the parties' addresses)
    /// and shortened.
    pub summary: String,
    pub outcome: CaseState,
    pub outcome_zh: String,
    /// The business's public reply as approved, masked the same way.
    pub reply: Option<String>,
}

/// The entry of `case` as it would be published, with `reply` (approved or pending).
pub(crate) fn entry_of(
    conn: &mut Db,
    case: &CaseRow,
    reply: Option<&str>,
) -> Result<PublishedEntry, ServiceError> {
    let names = personal_names(conn, case.id)?;
    let taxonomy = Taxonomy::builtin();
    Ok(PublishedEntry {
        received_on: case.received_date,
        closed_on: case.closed_on.unwrap_or(case.received_date),
        category_zh: case
            .category
            .as_deref()
            .and_then(|c| taxonomy.category(c))
            .map(|c| c.label.clone()),
        category: case.category.clone(),
        summary: rules::summary(&case.title, &case.description, &names),
        outcome: case.state,
        outcome_zh: case.state.label_zh().into(),
        reply: reply.map(|r| rules::published_reply(r, &names)),
    })
}

/// The approved entries of the business `uscc` whose complainants still consent, newest
/// closing first, at most `limit` (capped at `MAX_ENTRIES`).
pub fn published_entries(
    conn: &mut Db,
    uscc: &Uscc,
    limit: usize,
) -> Result<Vec<PublishedEntry>, ServiceError> {
    let limit = i64::try_from(limit.min(MAX_ENTRIES)).unwrap_or(0);
    disclosures::published_for(conn, uscc.as_str(), limit)?
        .into_iter()
        .map(|(row, case)| entry_of(conn, &case, row.published_reply.as_deref()))
        .collect()
}
