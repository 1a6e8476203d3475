//! Workflow reads and writes: the case row's projection of its event log, referrals, links,
//! the likely duplicate of a new complaint and queue pages.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::models::CaseRow;
use super::schema::{case_links, case_parties, cases, referrals};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::clocks::CLOCKED_STATES;
use crate::domain::routing::Flag;
use crate::domain::severity::Severity;

/// Columns of the case row that follow from its events (kept for queues and filters).
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = cases, treat_none_as_null = true)]
pub struct Projection {
    pub state: CaseState,
    pub district: String,
    pub assignee_id: Option<i64>,
    pub closed_on: Option<NaiveDate>,
    pub due_date: NaiveDate,
    pub due_provisional: bool,
}

pub fn set_projection(conn: &mut Db, case_id: i64, p: &Projection) -> Result<(), DieselError> {
    diesel::update(cases::table.find(case_id))
        .set(p)
        .execute(conn)
        .map(|_| ())
}

pub fn set_consumer(conn: &mut Db, case_id: i64, openid: &str) -> Result<(), DieselError> {
    diesel::update(cases::table.find(case_id))
        .set(cases::consumer_openid.eq(openid))
        .execute(conn)
        .map(|_| ())
}

pub fn respondent_uscc(conn: &mut Db, case_id: i64) -> Result<Option<String>, DieselError> {
    case_parties::table
        .filter(case_parties::case_id.eq(case_id))
        .filter(case_parties::role.eq("respondent"))
        .select(case_parties::uscc)
        .first::<Option<String>>(conn)
        .optional()
        .map(Option::flatten)
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = referrals, treat_none_as_null = true)]
pub struct ReferralRow {
    pub case_id: i64,
    pub severity: Severity,
    pub opened_on: NaiveDate,
    pub due_date: NaiveDate,
    pub submitted_on: Option<NaiveDate>,
}

pub fn insert_referral(conn: &mut Db, row: &ReferralRow) -> Result<(), DieselError> {
    diesel::insert_into(referrals::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn referral_of(conn: &mut Db, case_id: i64) -> Result<Option<ReferralRow>, DieselError> {
    referrals::table
        .find(case_id)
        .select(ReferralRow::as_select())
        .first(conn)
        .optional()
}

pub fn mark_referral_submitted(
    conn: &mut Db,
    case_id: i64,
    on: NaiveDate,
) -> Result<(), DieselError> {
    diesel::update(referrals::table.find(case_id))
        .set(referrals::submitted_on.eq(on))
        .execute(conn)
        .map(|_| ())
}

/// Links of a case in both directions: `(other case number, relation, outgoing)`.
pub fn links_of(conn: &mut Db, case_id: i64) -> Result<Vec<(String, String, bool)>, DieselError> {
    let outgoing: Vec<(String, String)> = case_links::table
        .inner_join(cases::table.on(cases::id.eq(case_links::linked_case_id)))
        .filter(case_links::case_id.eq(case_id))
        .select((cases::case_no, case_links::relation))
        .load(conn)?;
    let incoming: Vec<(String, String)> = case_links::table
        .inner_join(cases::table.on(cases::id.eq(case_links::case_id)))
        .filter(case_links::linked_case_id.eq(case_id))
        .select((cases::case_no, case_links::relation))
        .load(conn)?;
    Ok(outgoing
        .into_iter()
        .map(|(n, r)| (n, r, true))
        .chain(incoming.into_iter().map(|(n, r)| (n, r, false)))
        .collect())
}

/// How many of a phone's latest complaints intake looks through for a duplicate.
pub const DUPLICATE_LOOKBACK: i64 = 50;

/// The earlier complaint a new one from the same phone against the same business (USCC, else
/// name), received since `since`, is linked to as a likely duplicate: the oldest still open,
/// else the newest. Only the phone's latest `DUPLICATE_LOOKBACK` complaints are read, in the
/// order of the (phone, role, case_id) index, so the cost does not grow with the phone's history.
pub fn duplicate_of(
    conn: &mut Db,
    phone: &str,
    respondent_uscc: Option<&str>,
    respondent_name: &str,
    since: NaiveDateTime,
) -> Result<Option<i64>, DieselError> {
    let latest: Vec<i64> = case_parties::table
        .filter(case_parties::phone.eq(phone))
        .filter(case_parties::role.eq("complainant"))
        .order(case_parties::case_id.desc())
        .select(case_parties::case_id)
        .limit(DUPLICATE_LOOKBACK)
        .load(conn)?;
    if latest.is_empty() {
        return Ok(None);
    }
    let same = cases::table
        .filter(cases::id.eq_any(latest))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::received_at.ge(since))
        .order(cases::id.asc())
        .select((cases::id, cases::closed_on))
        .into_boxed();
    let found: Vec<(i64, Option<NaiveDate>)> = match respondent_uscc {
        Some(uscc) => same.filter(cases::respondent_uscc.eq(uscc)).load(conn)?,
        None => same
            .filter(cases::respondent_name.eq(respondent_name))
            .load(conn)?,
    };
    let oldest_open = found.iter().find(|(_, closed)| closed.is_none());
    Ok(oldest_open.or(found.last()).map(|(id, _)| *id))
}

/// Filters of a queue page; `districts: None` means every district.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub districts: Option<Vec<String>>,
    pub states: Vec<CaseState>,
    /// Every category code under the requested prefix (expanded from the taxonomy).
    pub categories: Option<Vec<String>>,
    pub nature: Option<String>,
    pub flag: Option<Flag>,
    pub overdue_before: Option<NaiveDate>,
    pub assignee_id: Option<i64>,
    pub respondent_uscc: Option<String>,
    pub kind: Option<CaseKind>,
    pub consumer_openid: Option<String>,
    /// `Some(true)`: open cases only; `Some(false)`: closed ones only.
    pub open: Option<bool>,
    pub case_no: Option<String>,
    /// Closed on or after this day.
    pub closed_since: Option<NaiveDate>,
}

type Filtered<'a> = cases::BoxedQuery<'a, <Db as diesel::Connection>::Backend>;

/// The cases matching `f`, before selection, order and paging.
fn filtered(f: &QueueFilter) -> Filtered<'static> {
    let mut q = cases::table.into_boxed();
    if let Some(d) = &f.districts {
        q = q.filter(cases::district.eq_any(d.clone()));
    }
    if !f.states.is_empty() {
        q = q.filter(cases::state.eq_any(f.states.clone()));
    }
    if let Some(open) = f.open {
        q = if open {
            q.filter(cases::closed_on.is_null())
        } else {
            q.filter(cases::closed_on.is_not_null())
        };
    }
    if let Some(no) = &f.case_no {
        q = q.filter(cases::case_no.eq(no.clone()));
    }
    if let Some(day) = f.closed_since {
        q = q.filter(cases::closed_on.ge(day));
    }
    if let Some(codes) = &f.categories {
        q = q.filter(cases::category.eq_any(codes.clone()));
    }
    if let Some(n) = &f.nature {
        q = q.filter(cases::nature.eq(n.clone()));
    }
    if let Some(flag) = f.flag {
        // No flag name contains another, and `_` in them only ever matches itself here.
        q = q.filter(cases::flags.like(format!("%{}%", flag.as_str())));
    }
    if let Some(day) = f.overdue_before {
        // Overdue as the derived clocks say: only a running stage clock can be, and while it
        // runs the stored due date is the derived one.
        q = q
            .filter(cases::due_date.lt(day))
            .filter(cases::state.eq_any(CLOCKED_STATES))
            .filter(cases::closed_on.is_null());
    }
    if let Some(a) = f.assignee_id {
        q = q.filter(cases::assignee_id.eq(a));
    }
    if let Some(k) = f.kind {
        q = q.filter(cases::kind.eq(k));
    }
    if let Some(o) = &f.consumer_openid {
        q = q.filter(cases::consumer_openid.eq(o.clone()));
    }
    if let Some(uscc) = &f.respondent_uscc {
        let ids = case_parties::table
            .filter(case_parties::role.eq("respondent"))
            .filter(case_parties::uscc.eq(uscc.clone()))
            .select(case_parties::case_id);
        q = q.filter(cases::id.eq_any(ids));
    }
    q
}

/// One page ordered by (due date, id), starting after the cursor.
pub fn queue_page(
    conn: &mut Db,
    f: &QueueFilter,
    after: Option<(NaiveDate, i64)>,
    limit: i64,
) -> Result<Vec<CaseRow>, DieselError> {
    let mut q = filtered(f);
    if let Some((due, id)) = after {
        q = q.filter(
            cases::due_date
                .gt(due)
                .or(cases::due_date.eq(due).and(cases::id.gt(id))),
        );
    }
    q.select(CaseRow::as_select())
        .order((cases::due_date.asc(), cases::id.asc()))
        .limit(limit)
        .load(conn)
}

/// One page by offset: cases in state `first` (if any) lead, then by (due date, id).
pub fn queue_offset_page(
    conn: &mut Db,
    f: &QueueFilter,
    first: Option<CaseState>,
    offset: i64,
    limit: i64,
) -> Result<Vec<CaseRow>, DieselError> {
    let q = filtered(f).select(CaseRow::as_select());
    let q = match first {
        Some(state) => q.order((
            cases::state.ne(state).asc(),
            cases::due_date.asc(),
            cases::id.asc(),
        )),
        None => q.order((cases::due_date.asc(), cases::id.asc())),
    };
    q.offset(offset).limit(limit).load(conn)
}

/// How many cases match `f`.
pub fn queue_count(conn: &mut Db, f: &QueueFilter) -> Result<i64, DieselError> {
    filtered(f).count().get_result(conn)
}

/// Open cases counted by state and due date, in one `GROUP BY` with the queue's `open`
/// condition (a boxed query cannot be grouped), for `/metrics`: as many rows as there are
/// (state, due date) pairs.
pub fn open_by_state_and_due(
    conn: &mut Db,
) -> Result<Vec<(CaseState, NaiveDate, i64)>, DieselError> {
    cases::table
        .filter(cases::closed_on.is_null())
        .group_by((cases::state, cases::due_date))
        .select((cases::state, cases::due_date, diesel::dsl::count_star()))
        .load(conn)
}

/// Case numbers of every case not in a final state, oldest first (for the sweep).
pub fn open_case_nos(conn: &mut Db) -> Result<Vec<String>, DieselError> {
    cases::table
        .filter(cases::closed_on.is_null())
        .order(cases::id)
        .select(cases::case_no)
        .load(conn)
}

/// Complaints terminated (closed) on or after `since`, whose parties may still be waiting
/// to be told (the termination notice clock).
pub fn terminated_case_nos(conn: &mut Db, since: NaiveDate) -> Result<Vec<String>, DieselError> {
    cases::table
        .filter(cases::state.eq(CaseState::MediationTerminated))
        .filter(cases::closed_on.ge(since))
        .order(cases::id)
        .select(cases::case_no)
        .load(conn)
}

/// Every case id and number, in order (for audit verification).
pub fn all_cases(conn: &mut Db) -> Result<Vec<CaseRow>, DieselError> {
    cases::table
        .order(cases::id)
        .select(CaseRow::as_select())
        .load(conn)
}

/// Complaints received since `since` against the same business (USCC, else name) with the
/// same nature, counted up to `at_most`: the size of a possible collective complaint.
pub fn recent_same_issue(
    conn: &mut Db,
    respondent_uscc: Option<&str>,
    respondent_name: &str,
    nature: &str,
    since: NaiveDateTime,
    at_most: i64,
) -> Result<usize, DieselError> {
    let recent = cases::table
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::nature.eq(nature))
        .filter(cases::received_at.ge(since))
        .select(cases::id)
        .limit(at_most);
    let ids: Vec<i64> = match respondent_uscc {
        Some(uscc) => recent.filter(cases::respondent_uscc.eq(uscc)).load(conn)?,
        None => recent
            .filter(cases::respondent_name.eq(respondent_name))
            .load(conn)?,
    };
    Ok(ids.len())
}
