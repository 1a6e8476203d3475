//! The analyst API: search, trends, hot terms, alerts and similar cases over the index.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::OpenApi;

use super::error::{ApiError, ErrorBody};
use crate::auth::Principal;
use crate::clock::china_date;
use crate::domain::routing::COLLECTIVE_MIN;
use crate::search::SearchError;
use crate::search::alerts::{self, Alert};
use crate::search::hot::{self, HotTerm};
use crate::search::query::{self, Filters, SearchPage, Sort, decode_cursor};
use crate::search::similar::{self as similar_cases, Similar};
use crate::search::trends::{self, Bucket, By, Interval};
use crate::service::ServiceError;
use crate::service::analysis::{
    AlertOptions, HotOptions, alert_params, check_filter_dates, hot_params, job_slot, scope,
    trend_span, trend_top,
};
use crate::service::exports::{CsvForm, ExportStatus, download_name};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        search,
        trends,
        hot_terms,
        alerts,
        similar,
        create_export,
        export_status,
        export_download
    ),
    components(schemas(SearchPage, Bucket, Sort, Interval, By))
)]
pub struct AnalystDoc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    cfg.service(resource("/search", "GET").route(web::get().to(search)))
        .service(resource("/trends", "GET").route(web::get().to(trends)))
        .service(resource("/hot-terms", "GET").route(web::get().to(hot_terms)))
        .service(resource("/alerts", "GET").route(web::get().to(alerts)))
        .service(resource("/similar/{case_no}", "GET").route(web::get().to(similar)))
        .service(resource("/exports", "POST").route(web::post().to(create_export)))
        .service(resource("/exports/{id}", "GET").route(web::get().to(export_status)))
        .service(resource("/exports/{id}/download", "GET").route(web::get().to(export_download)));
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        ServiceError::from(e).into()
    }
}

fn invalid(field: &str, code: &str, message: String) -> ApiError {
    ServiceError::invalid_field(field, code, message).into()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchOptions {
    /// relevance (default), newest or oldest.
    pub sort: Option<Sort>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 20.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/search", tag = "analysis", params(Filters, SearchOptions),
    responses((status = 200, body = SearchPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    state: web::Data<AppState>,
    filters: web::Query<Filters>,
    options: web::Query<SearchOptions>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let scope = scope(&principal)?;
    let limit = options.limit.unwrap_or(20);
    if !(1..=query::MAX_LIMIT).contains(&limit) {
        return Err(invalid("limit", "range", "每页数量应在1至200之间".into()));
    }
    let cursor = match options.cursor.as_deref() {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| invalid("cursor", "invalid_cursor", "分页游标无效".into()))?,
        ),
        None => None,
    };
    let sort = options.sort.unwrap_or_default();
    let filters = filters.into_inner();
    check_filter_dates(&filters, china_date(state.clock.now()))?;
    let index_lag_events = state.index_lag().await?;
    let live = state.search.live();
    let mut page = web::block(move || {
        let q = query::build(&live, &filters, &scope)?;
        query::search(
            &live,
            &*q,
            sort,
            cursor,
            limit,
            &query::highlight_terms(filters.q.as_deref()),
        )
    })
    .await??;
    page.index_lag_events = index_lag_events;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendOptions {
    /// day, week, month (default) or quarter; buckets are calendar ranges in China time.
    pub interval: Option<Interval>,
    /// Split each bucket by category, nature, district, respondent, channel or state.
    pub by: Option<By>,
    /// How many values of `by` to list (1–100, default 10); the rest are "other".
    #[param(minimum = 1, maximum = 100)]
    pub top: Option<u32>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TrendAnswer {
    pub buckets: Vec<Bucket>,
    /// Events the index has not taken in yet (0: up to date).
    pub index_lag_events: u64,
}

#[utoipa::path(get, path = "/api/v1/trends", tag = "analysis", params(Filters, TrendOptions),
    responses((status = 200, body = TrendAnswer), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn trends(
    state: web::Data<AppState>,
    filters: web::Query<Filters>,
    options: web::Query<TrendOptions>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let scope = scope(&principal)?;
    let filters = filters.into_inner();
    let interval = options.interval.unwrap_or_default();
    let span = trend_span(&filters, interval, china_date(state.clock.now()))?;
    let split = options
        .by
        .map(|by| trend_top(options.top).map(|top| (by, top)))
        .transpose()?;
    let index_lag_events = state.index_lag().await?;
    let live = state.search.live();
    let buckets =
        web::block(move || trends::trends(&live, &filters, &scope, span, interval, split))
            .await??;
    Ok(HttpResponse::Ok().json(TrendAnswer {
        buckets,
        index_lag_events,
    }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HotAnswer {
    pub terms: Vec<HotTerm>,
    /// Events the index has not taken in yet (0: up to date).
    pub index_lag_events: u64,
}

#[utoipa::path(get, path = "/api/v1/hot-terms", tag = "analysis", params(Filters, HotOptions),
    responses((status = 200, body = HotAnswer), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, description = "Too many exports or questions running for this user or in all", body = ErrorBody)))]
pub async fn hot_terms(
    state: web::Data<AppState>,
    filters: web::Query<Filters>,
    options: web::Query<HotOptions>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let scope = scope(&principal)?;
    let filters = filters.into_inner();
    let params = hot_params(&filters, &options, china_date(state.clock.now()))?;
    let _slot = job_slot(&state.jobs, &principal)?;
    let index_lag_events = state.index_lag().await?;
    let live = state.search.live();
    let terms = web::block(move || hot::hot_terms(&live, &filters, &scope, &params)).await??;
    Ok(HttpResponse::Ok().json(HotAnswer {
        terms,
        index_lag_events,
    }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AlertAnswer {
    pub alerts: Vec<Alert>,
    /// Events the index has not taken in yet (0: up to date).
    pub index_lag_events: u64,
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "analysis", params(Filters, AlertOptions),
    responses((status = 200, body = AlertAnswer), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "The query text `q` cannot be parsed, or a date or count is out of bounds", body = ErrorBody), (status = 429, description = "Too many exports or questions running for this user or in all", body = ErrorBody)))]
pub async fn alerts(
    state: web::Data<AppState>,
    filters: web::Query<Filters>,
    options: web::Query<AlertOptions>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let scope = scope(&principal)?;
    let params = alert_params(&options, china_date(state.clock.now()))?;
    let _slot = job_slot(&state.jobs, &principal)?;
    let index_lag_events = state.index_lag().await?;
    let live = state.search.live();
    let filters = filters.into_inner();
    let alerts = web::block(move || alerts::alerts(&live, &filters, &scope, &params)).await??;
    Ok(HttpResponse::Ok().json(AlertAnswer {
        alerts,
        index_lag_events,
    }))
}

#[utoipa::path(get, path = "/api/v1/similar/{case_no}", tag = "analysis", params(("case_no" = String, Path)),
    responses((status = 200, body = Similar), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn similar(
    state: web::Data<AppState>,
    path: web::Path<String>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let scope = scope(&principal)?;
    let live = state.search.live();
    let found =
        web::block(move || similar_cases::similar(&live, &path, &scope, COLLECTIVE_MIN)).await??;
    found
        .map(|s| HttpResponse::Ok().json(s))
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(post, path = "/api/v1/exports", tag = "analysis", request_body(content = Object, description = "The search filters (as for /search: q, from, to, category, nature, district, respondent, state, flag, kind)"),
    responses((status = 202, description = "Queued; poll the status", body = ExportStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, description = "Too many exports or questions running for this user or in all", body = ErrorBody)))]
pub async fn create_export(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    // Who may export is checked before the body is read.
    scope(&principal)?;
    let filters: Filters = super::body::json_body(&req, &body)?;
    let params = String::from_utf8_lossy(&body).into_owned();
    let id = state.exports().start(&principal, &filters, params).await?;
    Ok(HttpResponse::Accepted().json(ExportStatus::queued(id)))
}

#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "analysis", params(("id" = i64, Path)),
    responses((status = 200, body = ExportStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_status(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let export = state.exports().own(&principal, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(export.status))
}

/// `?format=machine` for the machine CSV; the people's CSV otherwise.
#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct DownloadQuery {
    /// `people` (the default: Chinese headers and names, China time) or `machine` (codes, UTC).
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/exports/{id}/download", tag = "analysis", params(("id" = i64, Path), DownloadQuery),
    responses((status = 200, description = "The CSV file", content_type = "text/csv"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 410, description = "The file expired and was deleted", body = ErrorBody)))]
pub async fn export_download(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    principal: Principal,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let form = match query.format.as_deref() {
        None | Some("people") => CsvForm::People,
        Some("machine") => CsvForm::Machine,
        Some(_) => {
            return Err(ServiceError::invalid_field(
                "format",
                "unknown_format",
                "format 只能为 people（中文表头，北京时间）或 machine（代码，UTC）".into(),
            )
            .into());
        }
    };
    let bytes = state.exports().file(&principal, id, form).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}\"", download_name(id, form)),
        ))
        .body(bytes))
}
