//! Analyst pages: search with highlighted snippets and facet links, trends drawn as linked SVG
//! charts, hot terms, alerts and CSV exports. They ask the index the same questions as
//! `/api/v1` analysis endpoints, with the same scope: mediators see only their bureaus.

mod case;
pub mod chart;
mod exports;
mod insights;
pub mod labels;
pub mod params;
mod search;
mod trends;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::nav::StaffNav;
use super::{PageError, csrf, here, page, staff};
use crate::auth::{Principal, Role};
use crate::intake::FieldIssue;
use crate::search::query::Scope;
use crate::state::AppState;
use params::Params;

/// Who may use the analyst pages; mediators are limited to their bureaus.
const VIEWERS: [Role; 4] = crate::service::analysis::ANALYSTS;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/analyst", "GET").route(web::get().to(search::page)))
        .service(resource("/analyst/search", "GET").route(web::get().to(search::page)))
        .service(resource("/analyst/trends", "GET").route(web::get().to(trends::page)))
        .service(resource("/analyst/hot", "GET").route(web::get().to(insights::hot)))
        .service(resource("/analyst/alerts", "GET").route(web::get().to(insights::alerts)))
        .service(resource("/analyst/exports", "POST").route(web::post().to(exports::create)))
        .service(resource("/analyst/exports/{id}", "GET").route(web::get().to(exports::status)))
        .service(resource("/analyst/cases/{case_no}", "GET").route(web::get().to(case::show)));
}

/// The districts the signed-in viewer may search and the page header; anonymous visitors are
/// sent to sign in.
fn viewer(
    req: &HttpRequest,
    state: &AppState,
    principal: &Principal,
) -> Result<(Scope, StaffNav), PageError> {
    let user = staff(principal, &VIEWERS, &here(req))?;
    let nav = StaffNav::new(user, &csrf::issue(req, state.settings.cookie_secure).token);
    Ok((crate::service::analysis::scope(principal)?, nav))
}

/// Renders a page holding a form: `build` receives the CSRF token for it.
fn page_with_form<T: Template>(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    build: impl FnOnce(String) -> T,
) -> Result<HttpResponse, PageError> {
    let c = csrf::issue(req, state.settings.cookie_secure);
    let mut res = page(status, &build(c.token))?;
    if let Some(cookie) = c.cookie {
        res.add_cookie(&cookie)
            .map_err(|e| PageError::Internal(e.to_string()))?;
    }
    Ok(res)
}

/// Runs index work on a blocking thread.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, crate::search::SearchError> + Send + 'static,
) -> Result<Result<T, crate::search::SearchError>, PageError> {
    web::block(work)
        .await
        .map_err(|e| PageError::Internal(e.to_string()))
}

/// An index error as field issues (a malformed query), or a page error.
fn query_issues(e: crate::search::SearchError) -> Result<Vec<FieldIssue>, PageError> {
    match crate::service::ServiceError::from(e) {
        crate::service::ServiceError::Invalid(issues) => Ok(issues),
        other => Err(other.into()),
    }
}

/// One `<option>` of a filter `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The filter fields shared by the analyst forms (`templates/analyst/filters.html`): what was
/// typed, and the messages for each field.
pub struct FilterForm {
    pub params: Params,
    pub issues: Vec<FieldIssue>,
    /// Events the index has not taken in yet; above 0 the page says its answers may be
    /// incomplete (`templates/analyst/lag.html`).
    pub index_lag: u64,
}

impl FilterForm {
    pub fn value(&self, name: &str) -> &str {
        self.params.get(name)
    }

    pub fn errors(&self, name: &str) -> Vec<String> {
        super::messages_for(&self.issues, name)
    }

    pub fn invalid(&self, name: &str) -> bool {
        !self.errors(name).is_empty()
    }

    /// Problems not tied to a field shown in the form (such as a stale page link).
    pub fn other_errors(&self) -> Vec<&str> {
        self.issues
            .iter()
            .filter(|i| !params::FILTER_KEYS.contains(&i.field.as_str()))
            .map(|i| i.message.as_str())
            .collect()
    }

    /// The filters chosen from a list: (parameter, label).
    pub fn selects(&self) -> [(&'static str, &'static str); 6] {
        [
            ("category", "类别"),
            ("nature", "性质"),
            ("district", "辖区"),
            ("state", "状态"),
            ("kind", "类型"),
            ("flag", "标记"),
        ]
    }

    /// The options of a `<select>`, with the current value selected; a value not in the list
    /// (several codes, or an old link) is kept as an extra option so it is not lost.
    pub fn choices(&self, name: &str) -> Vec<Choice> {
        let current = self.value(name);
        let mut out: Vec<Choice> = labels::choices(name)
            .into_iter()
            .map(|(value, label)| Choice {
                selected: value == current,
                value,
                label,
            })
            .collect();
        if !current.is_empty() && !out.iter().any(|c| c.selected) {
            out.push(Choice {
                value: current.to_owned(),
                label: current
                    .split(',')
                    .map(|code| labels::label(name, code.trim()))
                    .collect::<Vec<_>>()
                    .join("、"),
                selected: true,
            });
        }
        out
    }

    /// The filters as hidden fields, to carry them into another form.
    pub fn hidden(&self) -> Vec<(&'static str, &str)> {
        self.params.filter_pairs()
    }
}
