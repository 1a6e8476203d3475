//! The analyst API: search, trends, hot terms, alerts and similar cases over the index.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::OpenApi;

use super::error::{ApiError, ErrorBody};
use crate::app::AppState;
use crate::auth::{Principal, Role};
use crate::clock::china_date;
use crate::domain::routing::COLLECTIVE_MIN;
use crate::intake::FieldIssue;
use crate::search::SearchError;
use crate::search::alerts::{self, Alert, AlertParams};
use crate::search::hot::{self, HotParams, HotTerm};
use crate::search::query::{self, Filters, Scope, SearchPage, Sort, decode_cursor};
use crate::search::similar::{self as similar_cases, Similar};
use crate::search::trends::{self, Bucket, By, Interval};

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

/// Analysts, supervisors and admins see every district; mediators only their bureaus.
pub(crate) fn scope(principal: &Principal) -> Result<Scope, ApiError> {
    let user =
        principal.require_role(&[Role::Analyst, Role::Supervisor, Role::Admin, Role::Mediator])?;
    Ok(match user.role {
        Role::Mediator => Some(user.bureaus.clone()),
        _ => user.queue_districts(),
    })
}

fn invalid(field: &str, code: &str, message: String) -> ApiError {
    ApiError::Validation(vec![FieldIssue {
        field: field.into(),
        code: code.into(),
        message,
    }])
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Query(m) => invalid("q", "invalid_query", format!("查询语句有误：{m}")),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchOptions {
    /// relevance (default), newest or oldest.
    pub sort: Option<Sort>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1–200, default 20.
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
    let live = state.search.live();
    let filters = filters.into_inner();
    let page = web::block(move || {
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
    pub top: Option<u32>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TrendAnswer {
    pub buckets: Vec<Bucket>,
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
    let today = china_date(state.clock.now());
    let live = state.search.live();
    let filters = filters.into_inner();
    let options = options.into_inner();
    let buckets = web::block(move || {
        trends::trends(
            &live,
            &filters,
            &scope,
            options.interval.unwrap_or_default(),
            options.by,
            options.top.unwrap_or(10),
            today,
        )
    })
    .await??;
    Ok(HttpResponse::Ok().json(TrendAnswer { buckets }))
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

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct HotAnswer {
    pub terms: Vec<HotTerm>,
}

/// The period and baseline of a hot-terms question, with the API's defaults.
pub(crate) fn hot_params(
    filters: &Filters,
    options: &HotOptions,
    today: chrono::NaiveDate,
) -> Result<HotParams, ApiError> {
    let to = filters.to.unwrap_or(today);
    let from = filters.from.unwrap_or(to - chrono::Days::new(6));
    let baseline_to = options.baseline_to.unwrap_or(from - chrono::Days::new(1));
    let baseline_from = options
        .baseline_from
        .unwrap_or(baseline_to - chrono::Days::new(55));
    if from > to || baseline_from > baseline_to {
        return Err(invalid(
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

#[utoipa::path(get, path = "/api/v1/hot-terms", tag = "analysis", params(Filters, HotOptions),
    responses((status = 200, body = HotAnswer), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn hot_terms(
    state: web::Data<AppState>,
    filters: web::Query<Filters>,
    options: web::Query<HotOptions>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let scope = scope(&principal)?;
    let filters = filters.into_inner();
    let params = hot_params(&filters, &options, china_date(state.clock.now()))?;
    let live = state.search.live();
    let terms = web::block(move || hot::hot_terms(&live, &filters, &scope, &params)).await??;
    Ok(HttpResponse::Ok().json(HotAnswer { terms }))
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

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AlertAnswer {
    pub alerts: Vec<Alert>,
}

/// The week and thresholds of an alerts question, with the API's defaults.
pub(crate) fn alert_params(options: &AlertOptions, today: chrono::NaiveDate) -> AlertParams {
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

#[utoipa::path(get, path = "/api/v1/alerts", tag = "analysis", params(Filters, AlertOptions),
    responses((status = 200, body = AlertAnswer), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "The query text `q` cannot be parsed", body = ErrorBody)))]
pub async fn alerts(
    state: web::Data<AppState>,
    filters: web::Query<Filters>,
    options: web::Query<AlertOptions>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let scope = scope(&principal)?;
    let params = alert_params(&options, china_date(state.clock.now()));
    let live = state.search.live();
    let filters = filters.into_inner();
    let alerts = web::block(move || alerts::alerts(&live, &filters, &scope, &params)).await??;
    Ok(HttpResponse::Ok().json(AlertAnswer { alerts }))
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

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ExportStatus {
    pub id: i64,
    /// queued, running, done or failed.
    pub status: String,
    pub row_count: Option<i64>,
    pub error: Option<String>,
    pub download: Option<String>,
}

pub(crate) fn export_path(state: &AppState, id: i64) -> std::path::PathBuf {
    state
        .settings
        .data_dir
        .join("exports")
        .join(format!("{id}.csv"))
}

/// The requester's export (admins see all); someone else's is "not found".
pub(crate) async fn own_export(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<crate::store::search::ExportRow, ApiError> {
    let user = principal
        .require_role(&[Role::Analyst, Role::Supervisor, Role::Admin, Role::Mediator])?
        .clone();
    let row = state
        .with_db(move |conn| Ok(crate::store::search::find_export(conn, id)?))
        .await?;
    row.filter(|r| r.requested_by == user.id || user.role == Role::Admin)
        .ok_or(ApiError::NotFound)
}

pub(crate) fn status_of(row: &crate::store::search::ExportRow) -> ExportStatus {
    ExportStatus {
        id: row.id,
        status: row.status.clone(),
        row_count: row.row_count,
        error: row.error.clone(),
        download: (row.status == "done").then(|| format!("/api/v1/exports/{}/download", row.id)),
    }
}

/// Queues a CSV export of a search (`params` is what is recorded as asked for) and writes it
/// in the background; returns the export's id.
pub(crate) async fn start_export(
    state: &AppState,
    principal: &Principal,
    filters: &Filters,
    params: String,
) -> Result<i64, ApiError> {
    let scope = scope(principal)?;
    let user_id = principal.require_staff()?.id;
    let live = state.search.live();
    // Reject a malformed query now rather than in the background.
    let q = query::build(&live, filters, &scope)?;
    let now = state.clock.now().naive_utc();
    let id = state
        .with_db(move |conn| {
            Ok(crate::store::search::create_export(
                conn, user_id, &params, now,
            )?)
        })
        .await?;
    let path = export_path(state, id);
    let (pool, clock) = (state.pool.clone(), state.clock.clone());
    tokio::task::spawn_blocking(move || {
        let outcome = std::fs::create_dir_all(path.parent().unwrap_or(std::path::Path::new(".")))
            .map_err(SearchError::from)
            .and_then(|()| crate::search::export::write_csv(&live, &*q, &path))
            .map(|n| n as i64)
            .map_err(|e| e.to_string());
        if let Ok(mut conn) = pool.get() {
            let _ = crate::store::search::finish_export(
                &mut conn,
                id,
                outcome,
                clock.now().naive_utc(),
            );
        }
    });
    Ok(id)
}

#[utoipa::path(post, path = "/api/v1/exports", tag = "analysis", request_body(content = Object, description = "The search filters (as for /search: q, from, to, category, nature, district, respondent, state, flag, kind)"),
    responses((status = 202, description = "Queued; poll the status", body = ExportStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    let id = start_export(&state, &principal, &filters, params).await?;
    Ok(HttpResponse::Accepted().json(ExportStatus {
        id,
        status: "queued".into(),
        row_count: None,
        error: None,
        download: None,
    }))
}

#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "analysis", params(("id" = i64, Path)),
    responses((status = 200, body = ExportStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_status(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let row = own_export(&state, &principal, path.into_inner()).await?;
    Ok(HttpResponse::Ok().json(status_of(&row)))
}

#[utoipa::path(get, path = "/api/v1/exports/{id}/download", tag = "analysis", params(("id" = i64, Path)),
    responses((status = 200, description = "The CSV file", content_type = "text/csv"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_download(
    state: web::Data<AppState>,
    path: web::Path<i64>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let row = own_export(&state, &principal, path.into_inner()).await?;
    if row.status != "done" {
        return Err(ApiError::NotFound);
    }
    let bytes = std::fs::read(export_path(&state, row.id)).map_err(|_| ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"odrdesk-export-{}.csv\"", row.id),
        ))
        .body(bytes))
}
