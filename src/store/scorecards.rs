//! What a quarter's credit scorecards are computed from (`crate::scorecard::gather`):
//! cosmetics and beauty complaints received in the quarter with their events, reports
//! filed as cases (立案) and adverse-reaction referrals of the quarter, and the commitment
//! pledges of the businesses. Read-only; every read is bounded by the quarter's dates and
//! by `MAX_ROWS`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::bulletin::{CohortCase, CohortEvent};
use super::schema::{case_events, cases, enterprises, referrals};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::scorecard::Sector;

/// The most rows one read returns (a city's cosmetics cases of a quarter are far fewer).
pub const MAX_ROWS: i64 = 200_000;

/// A case's business as received: USCC when given, and its name.
#[derive(Debug, Clone, Queryable)]
pub struct Business {
    pub uscc: Option<String>,
    pub name: String,
}

/// Complaints received in `[from, to]` (China dates) in the cosmetics or beauty categories,
/// merged and repeated ones left out (as the bulletin counts), with their business.
pub fn sector_complaints(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(CohortCase, Business)>, DieselError> {
    cases::table
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::received_date.between(from, to))
        .filter(
            cases::category
                .like(format!("{}%", Sector::COSMETICS_PREFIX))
                .or(cases::category.eq(Sector::BEAUTY_CATEGORY)),
        )
        .filter(cases::state.ne_all([CaseState::Merged, CaseState::Repeated]))
        .order(cases::id)
        .limit(MAX_ROWS)
        .select((
            CohortCase::as_select(),
            (cases::respondent_uscc, cases::respondent_name),
        ))
        .load(conn)
}

/// The events of those complaints, in case and log order.
pub fn sector_complaint_events(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CohortEvent>, DieselError> {
    case_events::table
        .inner_join(cases::table)
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::received_date.between(from, to))
        .filter(
            cases::category
                .like(format!("{}%", Sector::COSMETICS_PREFIX))
                .or(cases::category.eq(Sector::BEAUTY_CATEGORY)),
        )
        .filter(cases::state.ne_all([CaseState::Merged, CaseState::Repeated]))
        .order((case_events::case_id, case_events::case_seq))
        .limit(MAX_ROWS * 20)
        .select((
            case_events::case_id,
            case_events::kind,
            case_events::at,
            case_events::to_state,
            case_events::reason,
        ))
        .load(conn)
}

/// A report's decision to open a case, as the scorecard counts it.
#[derive(Debug, Clone, Queryable)]
pub struct FiledReport {
    pub case_id: i64,
    /// When the case was opened (UTC).
    pub at: NaiveDateTime,
    pub nature: String,
    pub category: Option<String>,
    pub business: Business,
}

/// `open_case` steps logged since `since` (UTC) on reports, whatever the report's state is now:
/// the step's own date places it, so a past quarter reads the same after later steps. A
/// report under verification or not opened has no such step and is never read here.
pub fn filed_reports_since(
    conn: &mut Db,
    since: NaiveDateTime,
) -> Result<Vec<FiledReport>, DieselError> {
    case_events::table
        .inner_join(cases::table)
        .filter(case_events::kind.eq("open_case"))
        .filter(case_events::at.ge(since))
        .filter(cases::kind.eq(CaseKind::Report))
        .order((case_events::case_id, case_events::at))
        .limit(MAX_ROWS)
        .select((
            case_events::case_id,
            case_events::at,
            cases::nature,
            cases::category,
            (cases::respondent_uscc, cases::respondent_name),
        ))
        .load(conn)
}

/// Adverse-reaction referrals opened in `[from, to]`, with the business of their complaint.
pub fn referrals_opened(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, Business)>, DieselError> {
    referrals::table
        .inner_join(cases::table)
        .filter(referrals::opened_on.between(from, to))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .order(referrals::case_id)
        .limit(MAX_ROWS)
        .select((
            referrals::case_id,
            (cases::respondent_uscc, cases::respondent_name),
        ))
        .load(conn)
}

/// Registered name and stored commitments of each of `usccs` that is registered.
pub fn registered(
    conn: &mut Db,
    usccs: &[String],
) -> Result<Vec<(String, String, String)>, DieselError> {
    let mut out = Vec::new();
    for chunk in usccs.chunks(500) {
        out.extend(
            enterprises::table
                .filter(enterprises::uscc.eq_any(chunk))
                .order(enterprises::uscc)
                .select((
                    enterprises::uscc,
                    enterprises::name,
                    enterprises::commitments,
                ))
                .load::<(String, String, String)>(conn)?,
        );
    }
    Ok(out)
}
