//! What the analyst API and pages share: who sees which districts, and the checked dates,
//! counts and defaults of the search, trends, hot-terms and alerts questions.

use chrono::{Days, Months, NaiveDate};
use serde::Deserialize;

use super::ServiceError;
use super::slots::{JobSlot, JobSlots};
use crate::auth::{Principal, Role, StaffUser};
use crate::search::alerts::AlertParams;
use crate::search::hot::HotParams;
use crate::search::query::{Filters, MAX_LIMIT, Scope};
use crate::search::span::{DateSpan, MAX_TOP, SpanError, check_day};
use crate::search::trends::Interval;

/// Who may ask the index at all.
pub const ANALYSTS: [Role; 4] = [Role::Analyst, Role::Supervisor, Role::Admin, Role::Mediator];

/// Analysts, supervisors and admins see every district; mediators only their bureaus.
pub fn scope(principal: &Principal) -> Result<Scope, ServiceError> {
    Ok(scope_of(principal.require_role(&ANALYSTS)?))
}

/// A place among the bounded exports and questions for this analyst, held while the
/// question is answered.
pub fn job_slot(slots: &JobSlots, principal: &Principal) -> Result<JobSlot, ServiceError> {
    slots.take(principal.require_role(&ANALYSTS)?.id)
}

/// The districts `user` may see in the index (search, similar cases); `None` for all.
pub fn scope_of(user: &StaffUser) -> Scope {
    match user.role {
        Role::Mediator => Some(user.bureaus.clone()),
        _ => user.queue_districts(),
    }
}

impl From<SpanError> for ServiceError {
    fn from(e: SpanError) -> Self {
        ServiceError::invalid_field(e.field, e.code, e.message)
    }
}

/// `value` if it lies in `range`; otherwise a field error naming the range.
fn within<T: PartialOrd + std::fmt::Display>(
    field: &str,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ServiceError> {
    if range.contains(&value) {
        return Ok(value);
    }
    Err(ServiceError::invalid_field(
        field,
        "range",
        format!("{field} 应在{}至{}之间", range.start(), range.end()),
    ))
}

/// The day `days` before `day`, or chrono's first day (only reachable from unchecked dates).
fn days_before(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days))
        .unwrap_or(NaiveDate::MIN)
}

/// The search filters' dates: each within the bounds of `search::span`, `from` not after `to`.
pub fn check_filter_dates(filters: &Filters, today: NaiveDate) -> Result<(), ServiceError> {
    match (filters.from, filters.to) {
        (Some(from), Some(to)) => {
            DateSpan::new(from, to, today)?;
        }
        (from, to) => {
            if let Some(from) = from {
                check_day("from", from, today)?;
            }
            if let Some(to) = to {
                check_day("to", to, today)?;
            }
        }
    }
    Ok(())
}

/// The range of a trends question (default: the twelve months up to today), with at most
/// `span::MAX_BUCKETS` buckets of `interval`.
pub fn trend_span(
    filters: &Filters,
    interval: Interval,
    today: NaiveDate,
) -> Result<DateSpan, ServiceError> {
    let span = DateSpan::with_defaults(filters.from, filters.to, today, today, |to| {
        to.checked_sub_months(Months::new(12))
    })?;
    Ok(span.for_interval(interval)?)
}

/// How many values of the trends split to list: 1–100, default 10.
pub fn trend_top(top: Option<u32>) -> Result<u32, ServiceError> {
    within("top", top.unwrap_or(10), 1..=MAX_TOP)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotOptions {
    /// Baseline period start (YYYY-MM-DD, 2000-01-01 to a year from today); default: the
    /// 8 weeks before `from`.
    #[param(value_type = Option<String>, format = Date)]
    pub baseline_from: Option<NaiveDate>,
    /// Baseline period end (same format and bounds); default: the day before `from`.
    #[param(value_type = Option<String>, format = Date)]
    pub baseline_to: Option<NaiveDate>,
    /// Minimum number of cases in the period that mention a term (default 3).
    pub min_count: Option<u64>,
    /// How many terms (1–200, default 20).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
}

/// The period and baseline of a hot-terms question, checked, with the API's defaults: the
/// week up to today against the eight weeks before it.
pub fn hot_params(
    filters: &Filters,
    options: &HotOptions,
    today: NaiveDate,
) -> Result<HotParams, ServiceError> {
    let period = DateSpan::with_defaults(filters.from, filters.to, today, today, |to| {
        to.checked_sub_days(Days::new(6))
    })?;
    let baseline_to = match options.baseline_to {
        Some(day) => check_day("baseline_to", day, today)?,
        None => days_before(period.from(), 1),
    };
    let baseline_from = match options.baseline_from {
        Some(day) => check_day("baseline_from", day, today)?,
        None => days_before(baseline_to, 55),
    };
    if baseline_from > baseline_to {
        return Err(ServiceError::invalid_field(
            "baseline_from",
            "date_order",
            "开始日期不能晚于结束日期".into(),
        ));
    }
    Ok(HotParams {
        from: period.from(),
        to: period.to(),
        baseline_from,
        baseline_to,
        min_count: options.min_count.unwrap_or(3).max(1),
        limit: within("limit", options.limit.unwrap_or(20), 1..=MAX_LIMIT)?,
    })
}

/// The most weeks an alerts baseline may span.
pub const MAX_BASELINE_WEEKS: u32 = 52;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertOptions {
    /// Any day of the week to examine (2000-01-01 to a year from today; default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub week_of: Option<NaiveDate>,
    /// Weeks in the rolling baseline (1–52, default 8).
    #[param(minimum = 1, maximum = 52)]
    pub baseline_weeks: Option<u32>,
    /// Alert when the week's count is at least this many times the baseline (default 2).
    pub threshold: Option<f64>,
    /// …and at least this many cases (default 5).
    pub min_count: Option<u64>,
}

/// The week and thresholds of an alerts question, checked, with the API's defaults.
pub fn alert_params(options: &AlertOptions, today: NaiveDate) -> Result<AlertParams, ServiceError> {
    let week_of = match options.week_of {
        Some(day) => check_day("week_of", day, today)?,
        None => today,
    };
    Ok(AlertParams {
        week_of,
        baseline_weeks: within(
            "baseline_weeks",
            options.baseline_weeks.unwrap_or(8),
            1..=MAX_BASELINE_WEEKS,
        )?,
        threshold: options
            .threshold
            .filter(|t| t.is_finite() && *t > 0.0)
            .unwrap_or(2.0),
        min_count: options.min_count.unwrap_or(5),
    })
}
