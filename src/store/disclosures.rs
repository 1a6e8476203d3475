//! `case_disclosures`: a complaint's consent to publication, the business's public reply and
//! the editors' review (Order 121 Art. 38). Every list is bounded by its caller's limit.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::models::CaseRow;
use super::schema::{case_disclosures, cases};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::disclosure::PUBLISHABLE;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = case_disclosures, treat_none_as_null = true)]
pub struct DisclosureRow {
    pub case_id: i64,
    pub consent: bool,
    pub consent_changed_at: NaiveDateTime,
    pub reply: Option<String>,
    pub reply_at: Option<NaiveDateTime>,
    /// `domain::disclosure::Review` as stored.
    pub review: String,
    pub refusal_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    /// The reply as last approved: what the public reads until a newer one is approved.
    pub published_reply: Option<String>,
    /// Set on approval; `NULL` while unpublished.
    pub published_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut Db, row: &DisclosureRow) -> Result<(), DieselError> {
    diesel::insert_into(case_disclosures::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut Db, case_id: i64) -> Result<Option<DisclosureRow>, DieselError> {
    case_disclosures::table
        .find(case_id)
        .select(DisclosureRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the whole row back (the service changed it under its transaction).
pub fn save(conn: &mut Db, row: &DisclosureRow) -> Result<(), DieselError> {
    diesel::update(case_disclosures::table.find(row.case_id))
        .set((
            case_disclosures::consent.eq(row.consent),
            case_disclosures::consent_changed_at.eq(row.consent_changed_at),
            case_disclosures::reply.eq(&row.reply),
            case_disclosures::reply_at.eq(row.reply_at),
            case_disclosures::review.eq(&row.review),
            case_disclosures::refusal_reason.eq(&row.refusal_reason),
            case_disclosures::reviewed_by.eq(&row.reviewed_by),
            case_disclosures::reviewed_at.eq(row.reviewed_at),
            case_disclosures::published_reply.eq(&row.published_reply),
            case_disclosures::published_at.eq(row.published_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Closed, consented complaints waiting for an editor, oldest closing first, within
/// `districts` (`None`: all of them).
pub fn queue(
    conn: &mut Db,
    districts: Option<&[String]>,
    limit: i64,
) -> Result<Vec<(DisclosureRow, CaseRow)>, DieselError> {
    let mut query = case_disclosures::table
        .inner_join(cases::table)
        .filter(case_disclosures::consent.eq(true))
        .filter(case_disclosures::review.eq("queued"))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::closed_on.is_not_null())
        .filter(cases::state.eq_any(PUBLISHABLE.map(CaseState::as_str)))
        .into_boxed();
    if let Some(districts) = districts {
        query = query.filter(cases::district.eq_any(districts.to_vec()));
    }
    query
        .order((cases::closed_on.asc(), cases::id.asc()))
        .limit(limit)
        .select((DisclosureRow::as_select(), CaseRow::as_select()))
        .load(conn)
}

/// The published, still-consented, still-closed complaints against the business `uscc`,
/// newest closing first.
pub fn published_for(
    conn: &mut Db,
    uscc: &str,
    limit: i64,
) -> Result<Vec<(DisclosureRow, CaseRow)>, DieselError> {
    case_disclosures::table
        .inner_join(cases::table)
        .filter(cases::respondent_uscc.eq(uscc))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::closed_on.is_not_null())
        .filter(cases::state.eq_any(PUBLISHABLE.map(CaseState::as_str)))
        .filter(case_disclosures::consent.eq(true))
        .filter(case_disclosures::published_at.is_not_null())
        .order((cases::closed_on.desc(), cases::id.desc()))
        .limit(limit)
        .select((DisclosureRow::as_select(), CaseRow::as_select()))
        .load(conn)
}
