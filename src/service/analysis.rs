//! What the analyst API and pages share: who sees which districts, and the defaults of the
//! hot-terms and alerts questions.

use serde::Deserialize;

use super::ServiceError;
use crate::auth::{Principal, Role, StaffUser};
use crate::search::alerts::AlertParams;
use crate::search::hot::HotParams;
use crate::search::query::{Filters, Scope};

/// Who may ask the index at all.
pub const ANALYSTS: [Role; 4] = [Role::Analyst, Role::Supervisor, Role::Admin, Role::Mediator];

/// Analysts, supervisors and admins see every district; mediators only their bureaus.
pub fn scope(principal: &Principal) -> Result<Scope, ServiceError> {
    Ok(scope_of(principal.require_role(&ANALYSTS)?))
}

/// The districts `user` may see in the index (search, similar cases); `None` for all.
pub fn scope_of(user: &StaffUser) -> Scope {
    match user.role {
        Role::Mediator => Some(user.bureaus.clone()),
        _ => user.queue_districts(),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HotOptions {
    /// Baseline period start (YYYY-MM-DD); default: the 8 weeks before `from`.
    #[param(value_type = Option<String>, format = Date)]
    pub baseline_from: Option<chrono::NaiveDate>,
    #[param(value_type = Option<String>, format = Date)]
    pub baseline_to: Option<chrono::NaiveDate>,
    /// Minimum number of cases in the period that mention a term (default 3).
    pub min_count: Option<u64>,
    /// How many terms (default 20, at most 200).
    pub limit: Option<usize>,
}

/// The period and baseline of a hot-terms question, with the API's defaults.
pub fn hot_params(
    filters: &Filters,
    options: &HotOptions,
    today: chrono::NaiveDate,
) -> Result<HotParams, ServiceError> {
    let to = filters.to.unwrap_or(today);
    let from = filters.from.unwrap_or(to - chrono::Days::new(6));
    let baseline_to = options.baseline_to.unwrap_or(from - chrono::Days::new(1));
    let baseline_from = options
        .baseline_from
        .unwrap_or(baseline_to - chrono::Days::new(55));
    if from > to || baseline_from > baseline_to {
        return Err(ServiceError::invalid_field(
            "from",
            "date_order",
            "开始日期不能晚于结束日期".into(),
        ));
    }
    Ok(HotParams {
        from,
        to,
        baseline_from,
        baseline_to,
        min_count: options.min_count.unwrap_or(3).max(1),
        limit: options.limit.unwrap_or(20),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertOptions {
    /// Any day of the week to examine (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub week_of: Option<chrono::NaiveDate>,
    /// Weeks in the rolling baseline (default 8).
    pub baseline_weeks: Option<u32>,
    /// Alert when the week's count is at least this many times the baseline (default 2).
    pub threshold: Option<f64>,
    /// …and at least this many cases (default 5).
    pub min_count: Option<u64>,
}

/// The week and thresholds of an alerts question, with the API's defaults.
pub fn alert_params(options: &AlertOptions, today: chrono::NaiveDate) -> AlertParams {
    AlertParams {
        week_of: options.week_of.unwrap_or(today),
        baseline_weeks: options.baseline_weeks.unwrap_or(8),
        threshold: options
            .threshold
            .filter(|t| t.is_finite() && *t > 0.0)
            .unwrap_or(2.0),
        min_count: options.min_count.unwrap_or(5),
    }
}
