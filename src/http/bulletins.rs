//! Bulletins: the public list and published versions (HTML, PDF, JSON, CSV), and the admin
//! flow (draft, typical cases and tips, preview, publish, correct).

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::OpenApi;

use super::body::json_body;
use super::error::{ApiError, ErrorBody};
use super::resource;
use crate::auth::{Principal, Role};
use crate::bulletin::model::Bulletin;
use crate::bulletin::period::Period;
use crate::bulletin::render;
use crate::intake::FieldIssue;
use crate::service::bulletins::{self, Candidate, ContentInput, NewVersion, Summary, new_version};
use crate::service::hot_issues::{HotTermEdit, edit_hot_term};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_public,
        get_public,
        create,
        list_all,
        get_one,
        set_content,
        candidates,
        publish,
        correct,
        strike_hot_term,
        restore_hot_term
    ),
    components(schemas(
        Bulletin,
        Summary,
        Candidate,
        ContentInput,
        DraftInput,
        CorrectionInput,
        HotTermInput
    ))
)]
pub struct BulletinsDoc;

pub fn api_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/bulletins", "GET").route(web::get().to(list_public)))
        .service(resource("/bulletins/{id}", "GET").route(web::get().to(get_public)))
        .service(
            resource("/admin/bulletins", "GET, POST")
                .route(web::get().to(list_all))
                .route(web::post().to(create)),
        )
        .service(resource("/admin/bulletins/{id}", "GET").route(web::get().to(get_one)))
        .service(resource("/admin/bulletins/{id}/content", "PUT").route(web::put().to(set_content)))
        .service(
            resource("/admin/bulletins/{id}/candidates", "GET").route(web::get().to(candidates)),
        )
        .service(resource("/admin/bulletins/{id}/preview", "GET").route(web::get().to(preview)))
        .service(resource("/admin/bulletins/{id}/publish", "POST").route(web::post().to(publish)))
        .service(
            resource("/admin/bulletins/{id}/hot-issues/strike", "POST")
                .route(web::post().to(strike_hot_term)),
        )
        .service(
            resource("/admin/bulletins/{id}/hot-issues/restore", "POST")
                .route(web::post().to(restore_hot_term)),
        )
        .service(
            resource("/admin/bulletins/{id}/corrections", "POST").route(web::post().to(correct)),
        );
}

/// `/bulletins/{id}` (HTML) and `/bulletins/{id}.pdf|.json|.csv`, outside the API prefix.
pub fn page_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/bulletins/{file}", "GET").route(web::get().to(public_file)));
}

const EDITORS: [Role; 2] = [Role::Admin, Role::Supervisor];

fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(get, path = "/api/v1/bulletins", tag = "bulletins",
    responses((status = 200, description = "Published bulletins and the versions they replaced, newest first", body = Vec<Summary>)))]
pub async fn list_public(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let list = state.with_db(|conn| bulletins::list(conn, true)).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(get, path = "/api/v1/bulletins/{id}", tag = "bulletins",
    params(("id" = i64, Path)),
    responses((status = 200, body = Bulletin), (status = 404, description = "No such published bulletin", body = ErrorBody)))]
pub async fn get_public(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let b = state
        .with_db(move |conn| bulletins::get(conn, id, true))
        .await?;
    Ok(HttpResponse::Ok().json(b))
}

/// The published bulletin as a page or a download; the format follows the extension. A
/// browser following a link to a bulletin that does not exist gets the 404 page, as it does
/// for any unknown address.
pub async fn public_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    match published_file(state, path).await {
        Err(ApiError::NotFound) if crate::web::wants_page(&req) => Ok(
            actix_web::ResponseError::error_response(&crate::web::PageError::NotFound),
        ),
        answer => answer,
    }
}

async fn published_file(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (stem, ext) = path.split_once('.').unwrap_or((path.as_str(), "html"));
    let id = parse_id(stem)?;
    let ext = ext.to_owned();
    let b = state
        .with_db(move |conn| bulletins::get(conn, id, true))
        .await?;
    let name = format!("bulletin-{}-v{}", b.figures.period.label, b.version);
    let attachment = |ext: &str| format!("attachment; filename=\"{name}.{ext}\"");
    let cache = (CACHE_CONTROL, "public, max-age=300");
    Ok(match ext.as_str() {
        "html" => crate::web::secure(HttpResponse::Ok(), crate::web::BULLETIN_CSP)
            .content_type(ContentType::html())
            .insert_header(cache)
            .body(render::public_page(&b)),
        "json" => HttpResponse::Ok()
            .content_type(ContentType::json())
            .insert_header(cache)
            .body(render::json(&b)),
        "csv" => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((CONTENT_DISPOSITION, attachment("csv")))
            .body(render::csv(&b)),
        "pdf" => {
            let cache = state
                .settings
                .data_dir
                .join("bulletins")
                .join(format!("{id}-{}.pdf", b.status));
            let html = render::html(&b);
            let pdf = web::block(move || cached_pdf(&cache, &html))
                .await?
                .map_err(|e| ApiError::Unavailable(e.to_string()))?;
            HttpResponse::Ok()
                .content_type("application/pdf")
                .insert_header((CONTENT_DISPOSITION, attachment("pdf")))
                .body(pdf)
        }
        _ => return Err(ApiError::NotFound),
    })
}

/// Printing takes Chromium a second or more, and a published version never changes (its
/// status is part of the file name), so each PDF is printed once per node and kept.
#[expect(
    clippy::let_underscore_must_use,
    reason = "the cached file is an optimisation: without it the PDF is rendered again"
)]
fn cached_pdf(path: &std::path::Path, html: &str) -> Result<Vec<u8>, render::PdfError> {
    if let Ok(bytes) = std::fs::read(path) {
        return Ok(bytes);
    }
    let pdf = render::pdf(html)?;
    if let Some(dir) = path.parent()
        && std::fs::create_dir_all(dir).is_ok()
    {
        let tmp = path.with_extension("pdf.tmp");
        if std::fs::write(&tmp, &pdf).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
    Ok(pdf)
}

/// `POST /api/v1/admin/bulletins`: a quarter, or a custom span.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftInput {
    #[schema(example = "2026-Q3")]
    pub period: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// Running deadlines are judged as of this date (default: today).
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

fn invalid(field: &str, code: &str, message: String) -> ApiError {
    ApiError::Validation(vec![FieldIssue {
        field: field.into(),
        code: code.into(),
        message,
    }])
}

fn period_of(input: &DraftInput) -> Result<Period, ApiError> {
    match (&input.period, input.from, input.to) {
        (Some(label), None, None) => Period::parse_quarter(label)
            .map_err(|e| invalid("period", "invalid_period", e.to_string())),
        (None, Some(from), Some(to)) => {
            Period::span(from, to).map_err(|e| invalid("from", "invalid_period", e.to_string()))
        }
        _ => Err(invalid(
            "period",
            "required",
            "请填写季度（如 2026-Q3），或同时填写起止日期".into(),
        )),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/bulletins", tag = "bulletins",
    request_body = DraftInput, security(("bearer" = [])),
    responses((status = 201, description = "A new draft with computed figures", body = Bulletin),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = principal.require_role(&EDITORS)?;
    let by = user.email.clone();
    let input: DraftInput = json_body(&req, &body)?;
    let period = period_of(&input)?;
    let b = new_version(
        &state.pool,
        &state.search,
        state.ctx(),
        period,
        input.as_of,
        by,
        NewVersion::Draft,
    )
    .await?;
    Ok(HttpResponse::Created().json(b))
}

#[utoipa::path(get, path = "/api/v1/admin/bulletins", tag = "bulletins", security(("bearer" = [])),
    responses((status = 200, description = "Every bulletin, drafts included", body = Vec<Summary>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_all(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&EDITORS)?;
    let list = state.with_db(|conn| bulletins::list(conn, false)).await?;
    Ok(HttpResponse::Ok().json(list))
}

async fn load(state: &AppState, principal: &Principal, raw: &str) -> Result<Bulletin, ApiError> {
    principal.require_role(&EDITORS)?;
    let id = parse_id(raw)?;
    state
        .with_db(move |conn| bulletins::get(conn, id, false))
        .await
        .map_err(ApiError::from)
}

#[utoipa::path(get, path = "/api/v1/admin/bulletins/{id}", tag = "bulletins",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Bulletin), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(load(&state, &principal, &path).await?))
}

/// Any version, drafts included, as the public page would show it.
pub async fn preview(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let b = load(&state, &principal, &path).await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(render::html(&b)))
}

#[utoipa::path(put, path = "/api/v1/admin/bulletins/{id}/content", tag = "bulletins",
    params(("id" = i64, Path)), request_body = ContentInput, security(("bearer" = [])),
    responses((status = 200, body = Bulletin), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not a draft", body = ErrorBody),
        (status = 422, description = "Empty, too long, or holding personal data", body = ErrorBody)))]
pub async fn set_content(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&EDITORS)?;
    let id = parse_id(&path)?;
    let input: ContentInput = json_body(&req, &body)?;
    let b = state
        .with_db(move |conn| bulletins::set_content(conn, id, &input))
        .await?;
    Ok(HttpResponse::Ok().json(b))
}

#[utoipa::path(get, path = "/api/v1/admin/bulletins/{id}/candidates", tag = "bulletins",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Closed complaints of the period, anonymised", body = Vec<Candidate>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn candidates(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&EDITORS)?;
    let id = parse_id(&path)?;
    let list = state
        .with_db(move |conn| bulletins::candidates(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(post, path = "/api/v1/admin/bulletins/{id}/publish", tag = "bulletins",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, description = "Published and frozen", body = Bulletin), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not a draft", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&EDITORS)?;
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let b = state
        .with_db(move |conn| bulletins::publish(conn, id, now))
        .await?;
    Ok(HttpResponse::Ok().json(b))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// What was wrong and what changed (更正说明), shown on the new version.
    #[serde(default)]
    pub erratum: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<NaiveDate>,
}

#[utoipa::path(post, path = "/api/v1/admin/bulletins/{id}/corrections", tag = "bulletins",
    params(("id" = i64, Path)), request_body = CorrectionInput, security(("bearer" = [])),
    responses((status = 201, description = "A new draft version that will supersede this one", body = Bulletin),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not the published version, or a correction exists", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn correct(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let b = load(&state, &principal, &path).await?;
    let by = principal.require_role(&EDITORS)?.email.clone();
    let input: CorrectionInput = json_body(&req, &body)?;
    let what = NewVersion::Correction {
        id: b.id.unwrap_or_default(),
        erratum: input.erratum,
    };
    let created = new_version(
        &state.pool,
        &state.search,
        state.ctx(),
        b.figures.period.period(),
        input.as_of,
        by,
        what,
    )
    .await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HotTermInput {
    /// A term of the draft's `hot_issues`.
    pub term: String,
}

/// Strikes or restores a hot term of a draft for the signed-in editor.
async fn edit_term(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
    edit: HotTermEdit,
) -> Result<HttpResponse, ApiError> {
    let by = principal.require_role(&EDITORS)?.email.clone();
    let id = parse_id(&path)?;
    let input: HotTermInput = json_body(&req, &body)?;
    let now = state.clock.now();
    let b = state
        .with_db(move |conn| edit_hot_term(conn, id, &input.term, edit, &by, now))
        .await?;
    Ok(HttpResponse::Ok().json(b))
}

#[utoipa::path(post, path = "/api/v1/admin/bulletins/{id}/hot-issues/strike", tag = "bulletins",
    params(("id" = i64, Path)), request_body = HotTermInput, security(("bearer" = [])),
    responses((status = 200, description = "The draft, the term marked `struck` (who, when); left out of every rendering", body = Bulletin),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not a draft", body = ErrorBody),
        (status = 422, description = "No such hot term in the draft", body = ErrorBody)))]
pub async fn strike_hot_term(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit_term(state, principal, path, req, body, HotTermEdit::Strike).await
}

#[utoipa::path(post, path = "/api/v1/admin/bulletins/{id}/hot-issues/restore", tag = "bulletins",
    params(("id" = i64, Path)), request_body = HotTermInput, security(("bearer" = [])),
    responses((status = 200, description = "The draft, the term shown again", body = Bulletin),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not a draft", body = ErrorBody),
        (status = 422, description = "No such hot term in the draft", body = ErrorBody)))]
pub async fn restore_hot_term(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit_term(state, principal, path, req, body, HotTermEdit::Restore).await
}
