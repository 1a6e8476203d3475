//! Hot terms and alerts: the answers of `GET /api/v1/hot-terms` and `GET /api/v1/alerts`,
//! each term or alert linking to the search that lists its cases.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Days;

use super::super::nav::StaffNav;
use super::params::{Params, issue};
use super::{FilterForm, blocking, labels, page_with_form, query_issues, viewer};
use crate::auth::Principal;
use crate::bulletin::render;
use crate::clock::china_date;
use crate::intake::FieldIssue;
use crate::search::query::Filters;
use crate::search::{alerts, hot};
use crate::service::ServiceError;
use crate::service::analysis::{AlertOptions, HotOptions, alert_params, hot_params, job_slot};
use crate::state::AppState;
use crate::web::PageError;

/// A whole number field; a malformed one adds an issue.
fn number(params: &Params, name: &str, issues: &mut Vec<FieldIssue>) -> Option<u64> {
    match params.get(name) {
        "" => None,
        raw => raw.parse().map_or_else(
            |_| {
                issues.push(issue(name, "number", "请填写整数"));
                None
            },
            Some,
        ),
    }
}

/// The filters and the question's parameters, or every field problem found on the way
/// (`issues` holds those found while reading the form).
fn settle<T>(
    filters: Result<Filters, Vec<FieldIssue>>,
    mut issues: Vec<FieldIssue>,
    question: impl FnOnce(&Filters) -> Result<T, ServiceError>,
) -> Result<Result<(Filters, T), Vec<FieldIssue>>, PageError> {
    let filters = match filters {
        Ok(filters) if issues.is_empty() => filters,
        Ok(_) => return Ok(Err(issues)),
        Err(more) => {
            issues.extend(more);
            return Ok(Err(issues));
        }
    };
    match question(&filters) {
        Ok(found) => Ok(Ok((filters, found))),
        Err(ServiceError::Invalid(more)) => Ok(Err(more)),
        Err(other) => Err(other.into()),
    }
}

pub struct TermView {
    pub term: String,
    pub count: u64,
    pub per_day: String,
    pub baseline_per_day: String,
    /// `×3.2`, or `新出现`.
    pub lift: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "analyst/hot.html")]
struct HotView {
    nav: StaffNav,
    form: FilterForm,
    period: String,
    terms: Option<Vec<TermView>>,
}

/// The search for a term within the page's filters (and its query, if any).
fn term_search(
    params: &Params,
    term: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> String {
    let q = match params.get("q") {
        "" => term.to_owned(),
        q => format!("({q}) {term}"),
    };
    params
        .filters_only()
        .with("q", &q)
        .with("from", &from.to_string())
        .with("to", &to.to_string())
        .url("/analyst/search")
}

pub async fn hot(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let (scope, nav) = viewer(&req, &state, &principal)?;
    let index_lag = state.index_lag().await?;
    let params = Params::from_query(req.query_string());
    let today = china_date(state.clock.now());
    let mut view = HotView {
        nav,
        form: FilterForm {
            params: params.clone(),
            issues: Vec::new(),
            index_lag,
        },
        period: String::new(),
        terms: None,
    };
    let mut issues = Vec::new();
    let options = HotOptions {
        baseline_from: params.date("baseline_from", &mut issues),
        baseline_to: params.date("baseline_to", &mut issues),
        min_count: number(&params, "min_count", &mut issues),
        limit: None,
    };
    let settled = settle(params.filters(today), issues, |filters| {
        hot_params(filters, &options, today)
    })?;
    let (filters, hot_params) = match settled {
        Ok(found) => found,
        Err(issues) => {
            view.form.issues = issues;
            return page_with_form(&req, &state, StatusCode::UNPROCESSABLE_ENTITY, |_| view);
        }
    };
    let (from, to) = (hot_params.from, hot_params.to);
    view.period = format!(
        "{from}至{to}，对比{}至{}",
        hot_params.baseline_from, hot_params.baseline_to
    );
    let _slot = job_slot(&state.jobs, &principal)?;
    let live = state.search.live();
    match blocking(move || hot::hot_terms(&live, &filters, &scope, &hot_params)).await? {
        Ok(terms) => {
            view.terms = Some(
                terms
                    .into_iter()
                    .map(|t| TermView {
                        href: term_search(&params, &t.term, from, to),
                        term: t.term,
                        count: t.count,
                        per_day: render::per_day(t.per_day),
                        baseline_per_day: render::per_day(t.baseline_per_day),
                        lift: render::lift(t.lift),
                    })
                    .collect(),
            );
            page_with_form(&req, &state, StatusCode::OK, |_| view)
        }
        Err(e) => {
            view.form.issues = query_issues(e)?;
            page_with_form(&req, &state, StatusCode::UNPROCESSABLE_ENTITY, |_| view)
        }
    }
}

pub struct AlertView {
    pub dimension: &'static str,
    pub label: String,
    pub week: String,
    pub count: u64,
    pub baseline: String,
    pub ratio: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "analyst/alerts.html")]
struct AlertsView {
    nav: StaffNav,
    form: FilterForm,
    alerts: Option<Vec<AlertView>>,
}

impl AlertsView {
    /// The filters carried along, except the dates (an alert looks at one week).
    fn carried(&self) -> Vec<(&'static str, &str)> {
        self.form
            .hidden()
            .into_iter()
            .filter(|(k, _)| !matches!(*k, "from" | "to"))
            .collect()
    }
}

fn alert_view(params: &Params, a: alerts::Alert) -> AlertView {
    let (dimension, filter) = match a.dimension.as_str() {
        "category" => ("类别", "category"),
        _ => ("被投诉（举报）方", "respondent"),
    };
    let week_to = a
        .week_from
        .checked_add_days(Days::new(6))
        .unwrap_or(a.week_from);
    AlertView {
        dimension,
        label: labels::label(&a.dimension, &a.key),
        week: format!("{}至{week_to}", a.week_from),
        count: a.count,
        baseline: format!("{:.1}", a.baseline),
        ratio: format!("{:.1}", a.ratio),
        href: params
            .filters_only()
            .with(filter, &a.key)
            .with("from", &a.week_from.to_string())
            .with("to", &week_to.to_string())
            .url("/analyst/search"),
    }
}

pub async fn alerts(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let (scope, nav) = viewer(&req, &state, &principal)?;
    let index_lag = state.index_lag().await?;
    let params = Params::from_query(req.query_string());
    let today = china_date(state.clock.now());
    let mut issues = Vec::new();
    let threshold = match params.get("threshold") {
        "" => None,
        raw => raw.parse::<f64>().map_or_else(
            |_| {
                issues.push(issue("threshold", "number", "请填写数字，如 2 或 1.5"));
                None
            },
            Some,
        ),
    };
    let options = AlertOptions {
        week_of: params.date("week_of", &mut issues),
        baseline_weeks: number(&params, "baseline_weeks", &mut issues)
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
        threshold,
        min_count: number(&params, "min_count", &mut issues),
    };
    let mut view = AlertsView {
        nav,
        form: FilterForm {
            params: params.clone(),
            issues: Vec::new(),
            index_lag,
        },
        alerts: None,
    };
    let settled = settle(params.filters(today), issues, |_| {
        alert_params(&options, today)
    })?;
    let (filters, alert_params) = match settled {
        Ok(found) => found,
        Err(issues) => {
            view.form.issues = issues;
            return page_with_form(&req, &state, StatusCode::UNPROCESSABLE_ENTITY, |_| view);
        }
    };
    let _slot = job_slot(&state.jobs, &principal)?;
    let live = state.search.live();
    match blocking(move || alerts::alerts(&live, &filters, &scope, &alert_params)).await? {
        Ok(found) => {
            view.alerts = Some(found.into_iter().map(|a| alert_view(&params, a)).collect());
            page_with_form(&req, &state, StatusCode::OK, |_| view)
        }
        Err(e) => {
            view.form.issues = query_issues(e)?;
            page_with_form(&req, &state, StatusCode::UNPROCESSABLE_ENTITY, |_| view)
        }
    }
}
