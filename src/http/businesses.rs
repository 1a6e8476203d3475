//! Public business pages as JSON (Order 121 Art. 38): `/api/v1/businesses` and
//! `/api/v1/businesses/{uscc}`, and the page addresses `/businesses` and `/businesses/{uscc}`,
//! which answer with the same JSON to `Accept: application/json` and with the page
//! (`web::businesses`) otherwise. No sign-in; nothing personal; reports never count.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::OpenApi;

use super::error::{ApiError, ErrorBody};
use super::resource;
use crate::bulletin::business::{BusinessFigures, QuarterLine};
use crate::bulletin::model::{Indicator, Rate};
use crate::service::ServiceError;
use crate::service::businesses::{
    self, BusinessList, BusinessPage, BusinessSummary, CommitmentView, ListQuery, OdrStatus,
};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list, one),
    components(schemas(
        BusinessList,
        BusinessSummary,
        BusinessPage,
        BusinessFigures,
        QuarterLine,
        OdrStatus,
        CommitmentView,
        Rate,
        Indicator
    )),
    tags((name = "businesses", description = "企业投诉公示（public complaint figures of \
        registered businesses, Order 121 Art. 38). Complaints only, never reports; no \
        personal data. The page addresses `/businesses` and `/businesses/{uscc}` answer with \
        the same JSON to `Accept: application/json`."))
)]
pub struct BusinessesDoc;

pub fn api_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/businesses", "GET").route(web::get().to(list)))
        .service(resource("/businesses/{uscc}", "GET").route(web::get().to(one)));
}

/// The page addresses, outside the API prefix, negotiating JSON or HTML.
pub fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/businesses", "GET").route(web::get().to(list_negotiated)))
        .service(resource("/businesses/{uscc}", "GET").route(web::get().to(one_negotiated)));
}

/// The list's query string; every value is read as text and checked by the use case.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Part of a business's name, or the start of its USCC.
    pub q: Option<String>,
    /// Page number, from 1 (20 businesses a page, at most 100 pages).
    pub page: Option<String>,
}

/// An `Accept` that names JSON and not HTML.
fn wants_json(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept.contains("application/json") && !accept.contains("text/html")
}

fn query_of(req: &HttpRequest) -> Result<ListQuery, ServiceError> {
    let params: ListParams = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    ListQuery::parse(params.q.as_deref(), params.page.as_deref())
}

async fn load_list(req: &HttpRequest, state: &AppState) -> Result<BusinessList, ServiceError> {
    let query = query_of(req)?;
    let today = state.ctx().today();
    state
        .with_db(move |conn| businesses::list(conn, &query, today))
        .await
}

async fn load_one(state: &AppState, raw: &str) -> Result<BusinessPage, ServiceError> {
    let uscc = businesses::parse_uscc(raw)?;
    let ctx = state.ctx();
    let today = ctx.today();
    state
        .with_db(move |conn| businesses::page(conn, &uscc, &ctx.reference, today))
        .await
}

fn public_json<T: serde::Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::VARY, "Accept"))
        .json(body)
}

#[utoipa::path(get, path = "/api/v1/businesses", tag = "businesses",
    params(ListParams),
    responses((status = 200, description = "Registered businesses with complaints received in the last 12 months, most complaints first", body = BusinessList),
        (status = 422, description = "Search text longer than 50 characters, or a page outside 1 to 100", body = ErrorBody)))]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(public_json(&load_list(&req, &state).await?))
}

#[utoipa::path(get, path = "/api/v1/businesses/{uscc}", tag = "businesses",
    params(("uscc" = String, Path, description = "The business's unified social credit code (18 characters)")),
    responses((status = 200, description = "The business's complaint figures, ODR status and pledges", body = BusinessPage),
        (status = 400, description = "Not a valid USCC (length, characters or check character)", body = ErrorBody),
        (status = 404, description = "No registered business has this USCC", body = ErrorBody)))]
pub async fn one(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(public_json(&load_one(&state, &path).await?))
}

async fn list_negotiated(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let answer = load_list(&req, &state).await;
    if wants_json(&req) {
        return answer.map_or_else(error_json, |l| public_json(&l));
    }
    crate::web::businesses::list_page(answer)
}

async fn one_negotiated(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let answer = load_one(&state, &path).await;
    if wants_json(&req) {
        return answer.map_or_else(error_json, |p| public_json(&p));
    }
    crate::web::businesses::business_page(answer)
}

fn error_json(e: ServiceError) -> HttpResponse {
    actix_web::ResponseError::error_response(&ApiError::from(e))
}
