//! The public business pages' read-only queries: registered businesses with complaints in a
//! window, and one business's complaints with their events. Only complaints are read here,
//! never a report (Order 121 Art. 37). Every query is bounded and runs inside the caller's
//! transaction; the case side is a range scan of `cases_respondent_kind_received`
//! (`respondent_uscc, kind, received_date`).

use chrono::NaiveDate;
use diesel::dsl::{count, count_star};
use diesel::expression_methods::AggregateExpressionMethods;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::bulletin::{CohortCase, CohortEvent};
use super::schema::{case_events, cases, enterprises};
use crate::domain::case::{CaseKind, CaseState};

/// States not counted against the business: merged into (or joined to) another complaint, not
/// accepted (wrong business, outside the bureau's duties, Order 121 Art. 17), transferred out to
/// the competent bureau, or referred elsewhere. None of these is a complaint about how this
/// business handled a consumer's dispute.
const NOT_COUNTED: [CaseState; 5] = [
    CaseState::Merged,
    CaseState::Repeated,
    CaseState::NotAccepted,
    CaseState::TransferredOut,
    CaseState::ReferredElsewhere,
];

/// One registered business of the public list, with its counted complaints in the window.
#[derive(Debug, Clone, Queryable)]
pub struct ListedBusiness {
    pub uscc: String,
    pub name: String,
    pub district: String,
    pub odr: bool,
    pub commitments: String,
    pub complaints: i64,
}

/// What the list is narrowed to: names containing the text, or USCCs starting with it.
#[derive(Debug, Clone, Default)]
pub struct Narrow {
    /// `LIKE` pattern on the name (`%` for every business).
    name_like: String,
    /// `LIKE` pattern on the USCC (`''` matches none, as every USCC has 18 characters).
    uscc_like: String,
}

impl Narrow {
    pub fn everything() -> Narrow {
        Narrow {
            name_like: "%".into(),
            uscc_like: String::new(),
        }
    }

    /// Names containing `text`, or USCCs starting with it (upper case).
    pub fn text(text: &str) -> Narrow {
        let escaped = escape_like(text);
        Narrow {
            name_like: format!("%{escaped}%"),
            uscc_like: format!("{}%", escaped.to_uppercase()),
        }
    }
}

/// `LIKE` wildcards in user text match themselves (escape character `\`).
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Registered businesses with at least one counted complaint received from `since`, most
/// complaints first (then by USCC), one page of at most `limit` from `offset`.
pub fn with_complaints(
    conn: &mut Db,
    narrow: &Narrow,
    since: NaiveDate,
    offset: i64,
    limit: i64,
) -> Result<Vec<ListedBusiness>, DieselError> {
    let key = (
        enterprises::uscc,
        enterprises::name,
        enterprises::district,
        enterprises::odr,
        enterprises::commitments,
    );
    enterprises::table
        .inner_join(cases::table.on(cases::respondent_uscc.eq(enterprises::uscc.nullable())))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::received_date.ge(since))
        .filter(cases::state.ne_all(NOT_COUNTED))
        .filter(
            enterprises::name
                .like(&narrow.name_like)
                .escape('\\')
                .or(enterprises::uscc.like(&narrow.uscc_like).escape('\\')),
        )
        .group_by(key)
        .select((key, count_star()))
        .order_by((count_star().desc(), enterprises::uscc.asc()))
        .offset(offset)
        .limit(limit)
        .load::<((String, String, String, bool, String), i64)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(
                    |((uscc, name, district, odr, commitments), complaints)| ListedBusiness {
                        uscc,
                        name,
                        district,
                        odr,
                        commitments,
                        complaints,
                    },
                )
                .collect()
        })
}

/// How many businesses `with_complaints` pages through.
pub fn count_with_complaints(
    conn: &mut Db,
    narrow: &Narrow,
    since: NaiveDate,
) -> Result<i64, DieselError> {
    enterprises::table
        .inner_join(cases::table.on(cases::respondent_uscc.eq(enterprises::uscc.nullable())))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::received_date.ge(since))
        .filter(cases::state.ne_all(NOT_COUNTED))
        .filter(
            enterprises::name
                .like(&narrow.name_like)
                .escape('\\')
                .or(enterprises::uscc.like(&narrow.uscc_like).escape('\\')),
        )
        .select(count(enterprises::uscc).aggregate_distinct())
        .first(conn)
}

/// Counted complaints against `uscc` received from `from` to `to` (inclusive).
pub fn complaints_between(
    conn: &mut Db,
    uscc: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, DieselError> {
    cases::table
        .filter(cases::respondent_uscc.eq(uscc))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::received_date.between(from, to))
        .filter(cases::state.ne_all(NOT_COUNTED))
        .count()
        .get_result(conn)
}

/// The newest `limit` counted complaints against `uscc` received from `from` to `to`.
pub fn complaints_of(
    conn: &mut Db,
    uscc: &str,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Result<Vec<CohortCase>, DieselError> {
    cases::table
        .filter(cases::respondent_uscc.eq(uscc))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::received_date.between(from, to))
        .filter(cases::state.ne_all(NOT_COUNTED))
        .order((cases::received_date.desc(), cases::id.desc()))
        .limit(limit)
        .select(CohortCase::as_select())
        .load(conn)
}

/// The events of those cases, in log order per case.
pub fn events_of(conn: &mut Db, case_ids: &[i64]) -> Result<Vec<CohortEvent>, DieselError> {
    let mut out = Vec::new();
    // Bounded batches keep every statement under both backends' parameter limits.
    for ids in case_ids.chunks(500) {
        out.extend(
            case_events::table
                .filter(case_events::case_id.eq_any(ids))
                .order((case_events::case_id, case_events::case_seq))
                .select((
                    case_events::case_id,
                    case_events::kind,
                    case_events::at,
                    case_events::to_state,
                    case_events::reason,
                ))
                .load::<CohortEvent>(conn)?,
        );
    }
    Ok(out)
}
