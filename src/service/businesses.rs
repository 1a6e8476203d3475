//! Public business pages (Order 121 Art. 38): the list of registered businesses with
//! complaints in the last 12 months, and one business's complaint figures. Each request is
//! one read transaction. Only complaints are read, never a report (Art. 37), and nothing
//! about a person: names, USCCs, counts and rates.

use chrono::{Months, NaiveDate};
use diesel::Connection;
use serde::Serialize;

use super::disclosure::{self, PublishedEntry};
use super::{Db, ServiceError};
use crate::bulletin::business::{self, BusinessFigures, BusinessInputs, MAX_CASES};
use crate::domain::enterprise::Commitment;
use crate::domain::ids::Uscc;
use crate::domain::labels::code_label;
use crate::reference::Reference;
use crate::store::StoreError;
use crate::store::businesses::{self as source, Narrow};
use crate::store::enterprises;

/// Businesses per page of the list.
pub const PAGE_SIZE: i64 = 20;
/// The deepest page: the list is a directory to search, not an export.
pub const MAX_PAGE: i64 = 100;
/// Longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 50;

/// A checked list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Part of a name, or the start of a USCC.
    pub q: Option<String>,
    /// From 1.
    pub page: i64,
}

impl ListQuery {
    /// Reads `q` and `page` as sent; a page out of range or text too long is a field error.
    pub fn parse(q: Option<&str>, page: Option<&str>) -> Result<ListQuery, ServiceError> {
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        if q.is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
            return Err(ServiceError::invalid_field(
                "q",
                "query_too_long",
                format!("搜索内容不能超过 {MAX_QUERY_CHARS} 个字 (search text too long)"),
            ));
        }
        let page = match page.map(str::trim).filter(|p| !p.is_empty()) {
            None => 1,
            Some(p) => p
                .parse::<i64>()
                .ok()
                .filter(|p| (1..=MAX_PAGE).contains(p))
                .ok_or_else(|| {
                    ServiceError::invalid_field(
                        "page",
                        "page_out_of_range",
                        format!("页码应为 1 至 {MAX_PAGE} 的整数 (page must be 1 to {MAX_PAGE})"),
                    )
                })?,
        };
        Ok(ListQuery {
            q: q.map(str::to_owned),
            page,
        })
    }
}

/// A pledge as shown: its code and its Chinese name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CommitmentView {
    pub code: Commitment,
    pub label: String,
}

fn commitments(stored: &str) -> Vec<CommitmentView> {
    Commitment::split(stored)
        .into_iter()
        .map(|code| CommitmentView {
            code,
            label: code.label_zh().to_owned(),
        })
        .collect()
}

fn district_name(code: &str) -> String {
    code_label("district", code).unwrap_or_else(|| code.to_owned())
}

/// One business of the list.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BusinessSummary {
    pub uscc: String,
    pub name: String,
    pub district: String,
    pub district_name: String,
    pub odr: bool,
    pub commitments: Vec<CommitmentView>,
    /// Counted complaints received from `since` to `as_of`.
    pub complaints: i64,
}

/// One page of the list, most complaints first.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BusinessList {
    pub q: Option<String>,
    pub page: i64,
    pub per_page: i64,
    /// Businesses matching, on every page.
    pub total: i64,
    #[schema(value_type = String, format = Date)]
    pub since: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub items: Vec<BusinessSummary>,
}

impl BusinessList {
    pub fn pages(&self) -> i64 {
        let rest = i64::from(self.total % self.per_page != 0);
        (self.total / self.per_page + rest).clamp(1, MAX_PAGE)
    }
}

/// The first day of the last 12 months ending `today`.
pub fn twelve_months_before(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(12))
        .and_then(|d| d.succ_opt())
        .unwrap_or(today)
}

/// Registered businesses with complaints received in the last 12 months, one page.
pub fn list(
    conn: &mut Db,
    query: &ListQuery,
    today: NaiveDate,
) -> Result<BusinessList, ServiceError> {
    let since = twelve_months_before(today);
    let narrow = query
        .q
        .as_deref()
        .map_or_else(Narrow::everything, Narrow::text);
    let offset = (query.page - 1) * PAGE_SIZE;
    let (total, rows) = conn.transaction(|conn| {
        let total = source::count_with_complaints(conn, &narrow, since)?;
        let rows = source::with_complaints(conn, &narrow, since, offset, PAGE_SIZE)?;
        Ok::<_, StoreError>((total, rows))
    })?;
    Ok(BusinessList {
        q: query.q.clone(),
        page: query.page,
        per_page: PAGE_SIZE,
        total,
        since,
        as_of: today,
        items: rows
            .into_iter()
            .map(|r| BusinessSummary {
                district_name: district_name(&r.district),
                commitments: commitments(&r.commitments),
                uscc: r.uscc,
                name: r.name,
                district: r.district,
                odr: r.odr,
                complaints: r.complaints,
            })
            .collect(),
    })
}

/// Whether the business is in ODR, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OdrStatus {
    pub enrolled: bool,
    #[schema(value_type = Option<String>, format = Date)]
    pub since: Option<NaiveDate>,
}

/// A registered business's public page.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BusinessPage {
    pub uscc: String,
    pub name: String,
    pub district: String,
    pub district_name: String,
    pub odr: OdrStatus,
    /// 放心消费承诺 and 线下无理由退货承诺 pledges.
    pub commitments: Vec<CommitmentView>,
    pub figures: BusinessFigures,
    /// Complaints published with their complainant's consent after an editor approved them
    /// (`service::disclosure`), newest closing first, at most `disclosure::MAX_ENTRIES`.
    pub entries: Vec<PublishedEntry>,
}

/// Reads a USCC from a path; a malformed one (length, characters, check character) is a
/// 400 naming what is wrong.
pub fn parse_uscc(raw: &str) -> Result<Uscc, ServiceError> {
    raw.parse::<Uscc>().map_err(|e| ServiceError::Refused {
        code: e.code,
        message: format!("{} (invalid USCC)", e.message),
    })
}

/// The page of the registered business `uscc` as of `today`; `NotFound` when it is not
/// registered.
pub fn page(
    conn: &mut Db,
    uscc: &Uscc,
    reference: &Reference,
    today: NaiveDate,
) -> Result<BusinessPage, ServiceError> {
    let code = uscc.as_str();
    let (row, inputs) = conn.transaction(|conn| {
        let Some(row) = enterprises::find(conn, code)? else {
            return Ok::<_, ServiceError>((None, None));
        };
        let mut quarter_counts = Vec::new();
        for q in business::counted_quarters(today) {
            let n = source::complaints_between(conn, code, q.from, q.to)?;
            quarter_counts.push(u64::try_from(n).unwrap_or(0));
        }
        let (from, to) = business::rate_window(today);
        let cases = source::complaints_of(conn, code, from, to, MAX_CASES)?;
        let ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
        let events = source::events_of(conn, &ids)?;
        let inputs = BusinessInputs {
            as_of: today,
            quarter_counts,
            cases,
            events,
        };
        let entries = disclosure::published_entries(conn, uscc, disclosure::MAX_ENTRIES)?;
        Ok((Some(row), Some((inputs, entries))))
    })?;
    let (Some(row), Some((inputs, entries))) = (row, inputs) else {
        return Err(ServiceError::NotFound);
    };
    Ok(BusinessPage {
        district_name: district_name(&row.district),
        commitments: commitments(&row.commitments),
        odr: OdrStatus {
            enrolled: row.odr,
            since: row.odr_since.filter(|_| row.odr),
        },
        figures: business::compute(&inputs, reference),
        entries,
        uscc: row.uscc,
        name: row.name,
        district: row.district,
    })
}
