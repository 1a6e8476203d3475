//! Consumer warnings: the public list and versions, and the editors' flow (draft from an
//! alert or hot term, edit, publish, correct).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::OpenApi;

use super::body::json_body;
use super::error::{ApiError, ErrorBody};
use super::resource;
use crate::auth::{Principal, Role};
use crate::clock::china_date;
use crate::domain::warning::{WarningFigures, WarningSource, WarningStatus};
use crate::service::analysis::scope_of;
use crate::service::warnings::{
    self, SourceInput, TextInput, Warning, WarningPage, create_draft, figures_of,
};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_public,
        get_public,
        list_all,
        create,
        get_one,
        update,
        publish,
        correct
    ),
    components(schemas(
        Warning,
        WarningPage,
        WarningFigures,
        WarningSource,
        WarningStatus,
        SourceInput,
        TextInput,
        DraftRequest,
        CorrectionRequest
    ))
)]
pub struct WarningsDoc;

pub fn api_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/warnings", "GET").route(web::get().to(list_public)))
        .service(resource("/warnings/{id}", "GET").route(web::get().to(get_public)))
        .service(
            resource("/admin/warnings", "GET, POST")
                .route(web::get().to(list_all))
                .route(web::post().to(create)),
        )
        .service(
            resource("/admin/warnings/{id}", "GET, PUT")
                .route(web::get().to(get_one))
                .route(web::put().to(update)),
        )
        .service(resource("/admin/warnings/{id}/publish", "POST").route(web::post().to(publish)))
        .service(
            resource("/admin/warnings/{id}/corrections", "POST").route(web::post().to(correct)),
        );
}

/// Who drafts, publishes and corrects warnings: the bulletin's editors.
pub const EDITORS: [Role; 2] = [Role::Admin, Role::Supervisor];

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number from 1 (default 1); 20 warnings a page.
    #[param(minimum = 1, maximum = 10000)]
    pub page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings", params(PageQuery),
    responses((status = 200, description = "Published warnings and the versions they replaced, newest first", body = WarningPage),
        (status = 400, description = "A malformed page number", body = ErrorBody)))]
pub async fn list_public(
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page.unwrap_or(1);
    let list = state
        .with_db(move |conn| warnings::list_public(conn, page))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/warnings/{id}", tag = "warnings",
    params(("id" = i64, Path)),
    responses((status = 200, body = Warning), (status = 404, description = "No such published warning", body = ErrorBody)))]
pub async fn get_public(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let w = state
        .with_db(move |conn| warnings::get(conn, id, true))
        .await?;
    Ok(HttpResponse::Ok().json(w))
}

#[utoipa::path(get, path = "/api/v1/admin/warnings", tag = "warnings", security(("bearer" = [])),
    responses((status = 200, description = "Every version, drafts included (newest 200)", body = Vec<Warning>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_all(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&EDITORS)?;
    let list = state.with_db(warnings::list_desk).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// `POST /api/v1/admin/warnings`: the alert or hot term the figures are computed from, and
/// the editors' text.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    pub source: SourceInput,
    pub title: String,
    pub body: String,
    /// Taxonomy category code (default for an alert: its category).
    pub category: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/admin/warnings", tag = "warnings",
    request_body = DraftRequest, security(("bearer" = [])),
    responses((status = 201, description = "A new draft with the figures computed from its source", body = Warning),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "No such alert or hot term now, or the text is missing or too long", body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = principal.require_role(&EDITORS)?;
    let (by, scope) = (user.email.clone(), scope_of(user));
    let input: DraftRequest = json_body(&req, &body)?;
    let now = state.clock.now();
    let figures = figures_of(&state.search, scope, input.source, china_date(now)).await?;
    let text = TextInput {
        title: input.title,
        body: input.body,
        category: input.category,
    };
    let w = state
        .with_db(move |conn| create_draft(conn, &figures, &text, &by, now))
        .await?;
    Ok(HttpResponse::Created().json(w))
}

#[utoipa::path(get, path = "/api/v1/admin/warnings/{id}", tag = "warnings",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Warning), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&EDITORS)?;
    let id = parse_id(&path)?;
    let w = state
        .with_db(move |conn| warnings::get(conn, id, false))
        .await?;
    Ok(HttpResponse::Ok().json(w))
}

#[utoipa::path(put, path = "/api/v1/admin/warnings/{id}", tag = "warnings",
    params(("id" = i64, Path)), request_body = TextInput, security(("bearer" = [])),
    responses((status = 200, body = Warning), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Published versions are frozen", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&EDITORS)?;
    let id = parse_id(&path)?;
    let text: TextInput = json_body(&req, &body)?;
    let w = state
        .with_db(move |conn| warnings::update_draft(conn, id, &text))
        .await?;
    Ok(HttpResponse::Ok().json(w))
}

#[utoipa::path(post, path = "/api/v1/admin/warnings/{id}/publish", tag = "warnings",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Warning), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Already published", body = ErrorBody),
        (status = 422, description = "The text holds personal data", body = ErrorBody)))]
pub async fn publish(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&EDITORS)?;
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let w = state
        .with_db(move |conn| warnings::publish(conn, id, now))
        .await?;
    Ok(HttpResponse::Ok().json(w))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// What the correction changes, shown with the new version.
    pub erratum: String,
}

#[utoipa::path(post, path = "/api/v1/admin/warnings/{id}/corrections", tag = "warnings",
    params(("id" = i64, Path)), request_body = CorrectionRequest, security(("bearer" = [])),
    responses((status = 201, description = "A draft of the next version", body = Warning),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not the published version, or a correction exists", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn correct(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let by = principal.require_role(&EDITORS)?.email.clone();
    let id = parse_id(&path)?;
    let input: CorrectionRequest = json_body(&req, &body)?;
    let now = state.clock.now();
    let w = state
        .with_db(move |conn| warnings::correct(conn, id, &input.erratum, &by, now))
        .await?;
    Ok(HttpResponse::Created().json(w))
}
