//! What a bulletin is computed from: cases received in a span of China dates, their events,
//! respondents and referrals, settlements, and enrolled businesses. Read-only.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use serde::Serialize;

use super::Db;
use super::schema::{case_events, case_parties, cases, enterprises, referrals};
use super::workflow::ReferralRow;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::routing::Flags;
use crate::domain::taxonomy::Channel;

/// The columns of a case the figures need.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = cases)]
pub struct CohortCase {
    pub id: i64,
    pub kind: CaseKind,
    pub state: CaseState,
    pub received_date: NaiveDate,
    pub district: String,
    pub category: Option<String>,
    pub nature: String,
    pub channel: Channel,
    pub purchase_online: Option<bool>,
    pub flags: Flags,
    pub policy_version: String,
}

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct CohortEvent {
    pub case_id: i64,
    pub kind: String,
    pub at: NaiveDateTime,
    pub to_state: Option<CaseState>,
    /// Read by the clocks for a `report_merged` event (its restart date).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Respondent {
    pub case_id: i64,
    pub name: Option<String>,
    pub uscc: Option<String>,
}

/// Cases received from `from` to `to` (China dates, inclusive), in id order.
pub fn cases_received(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CohortCase>, DieselError> {
    cases::table
        .filter(cases::received_date.between(from, to))
        .order(cases::id)
        .select(CohortCase::as_select())
        .load(conn)
}

/// Cases received in the span, not merged, counted by kind, district, category, nature and
/// channel: what an earlier period's comparison figures need, without loading every case.
pub fn counted_groups(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CaseGroup>, DieselError> {
    let key = (
        cases::kind,
        cases::district,
        cases::category,
        cases::nature,
        cases::channel,
    );
    cases::table
        .filter(cases::received_date.between(from, to))
        .filter(cases::state.ne_all([CaseState::Merged, CaseState::Repeated]))
        .group_by(key)
        .select((key, diesel::dsl::count_star()))
        .load::<((CaseKind, String, Option<String>, String, Channel), i64)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(
                    |((kind, district, category, nature, channel), n)| CaseGroup {
                        kind,
                        district,
                        category,
                        nature,
                        channel,
                        n: n.max(0) as u64,
                    },
                )
                .collect()
        })
}

/// One group of [`counted_groups`].
#[derive(Debug, Clone)]
pub struct CaseGroup {
    pub kind: CaseKind,
    pub district: String,
    pub category: Option<String>,
    pub nature: String,
    pub channel: Channel,
    pub n: u64,
}

/// The events of those cases, in case and log order.
pub fn events_of_received(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CohortEvent>, DieselError> {
    case_events::table
        .inner_join(cases::table)
        .filter(cases::received_date.between(from, to))
        .order((case_events::case_id, case_events::case_seq))
        .select((
            case_events::case_id,
            case_events::kind,
            case_events::at,
            case_events::to_state,
            case_events::reason,
        ))
        .load(conn)
}

/// Respondents (businesses complained about) of those cases.
pub fn respondents_of_received(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Respondent>, DieselError> {
    case_parties::table
        .inner_join(cases::table)
        .filter(cases::received_date.between(from, to))
        .filter(case_parties::role.eq("respondent"))
        .order(case_parties::id)
        .select((
            case_parties::case_id,
            case_parties::name,
            case_parties::uscc,
        ))
        .load(conn)
}

/// Names of complainants, reporters and agents of those cases: never to appear in output.
pub fn personal_names_of_received(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<String>, DieselError> {
    case_parties::table
        .inner_join(cases::table)
        .filter(cases::received_date.between(from, to))
        .filter(case_parties::role.ne("respondent"))
        .filter(case_parties::name.is_not_null())
        .select(case_parties::name.assume_not_null())
        .load(conn)
}

/// Adverse-reaction referrals opened in the span.
pub fn referrals_opened(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ReferralRow>, DieselError> {
    referrals::table
        .filter(referrals::opened_on.between(from, to))
        .order(referrals::case_id)
        .select(ReferralRow::as_select())
        .load(conn)
}

/// Payloads of settlement events recorded in `[from, until)` (UTC).
pub fn settlement_payloads(
    conn: &mut Db,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Vec<String>, DieselError> {
    case_events::table
        .filter(case_events::kind.eq("settle"))
        .filter(case_events::at.ge(from))
        .filter(case_events::at.lt(until))
        .order(case_events::id)
        .select(case_events::payload)
        .load(conn)
}

/// Businesses enrolled in ODR that were registered before `until` (UTC).
pub fn odr_enterprises_before(conn: &mut Db, until: NaiveDateTime) -> Result<i64, DieselError> {
    enterprises::table
        .filter(enterprises::odr.eq(true))
        .filter(enterprises::created_at.lt(until))
        .count()
        .get_result(conn)
}

/// Registered names by USCC, for naming businesses in the bulletin.
pub fn enterprise_names(conn: &mut Db) -> Result<Vec<(String, String)>, DieselError> {
    enterprises::table
        .order(enterprises::uscc)
        .select((enterprises::uscc, enterprises::name))
        .load(conn)
}

/// The first date any case was received, to tell "no cases" from "no records yet".
pub fn earliest_received(conn: &mut Db) -> Result<Option<NaiveDate>, DieselError> {
    cases::table
        .select(diesel::dsl::min(cases::received_date))
        .first(conn)
}

#[derive(Debug, Clone, Queryable)]
pub struct ClosedCase {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub description: String,
    pub category: Option<String>,
    pub state: CaseState,
}

/// Complaints of the span that were settled or whose mediation ended: typical-case material.
pub fn closed_complaints(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Result<Vec<ClosedCase>, DieselError> {
    cases::table
        .filter(cases::received_date.between(from, to))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::state.eq_any([CaseState::Settled, CaseState::MediationTerminated]))
        .order(cases::id.desc())
        .limit(limit)
        .select((
            cases::id,
            cases::case_no,
            cases::title,
            cases::description,
            cases::category,
            cases::state,
        ))
        .load(conn)
}

/// Every name and settlement payload of one case, for anonymising it.
pub fn names_of_case(conn: &mut Db, case_id: i64) -> Result<Vec<String>, DieselError> {
    case_parties::table
        .filter(case_parties::case_id.eq(case_id))
        .filter(case_parties::role.ne("respondent"))
        .filter(case_parties::name.is_not_null())
        .select(case_parties::name.assume_not_null())
        .load(conn)
}

pub fn settlement_of_case(conn: &mut Db, case_id: i64) -> Result<Option<String>, DieselError> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .filter(case_events::kind.eq("settle"))
        .order(case_events::id.desc())
        .select(case_events::payload)
        .first(conn)
        .optional()
}
