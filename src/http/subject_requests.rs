//! Data subject requests (admin only): export everything held about a complainant or
//! reporter, and erase their closed cases (PIPL Art. 45, 47).

use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::OpenApi;

use super::body::json_body;
use super::error::{ApiError, ErrorBody};
use super::resource;
use crate::auth::{Principal, Role};
use crate::service::retention::{By, Files};
use crate::service::subject_requests::{
    self, ErasureInput, ErasureReport, SubjectExport, SubjectInput,
};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(export_get, export_post, erase),
    components(schemas(SubjectInput, ErasureInput, SubjectExport, ErasureReport))
)]
pub struct SubjectRequestsDoc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/admin/subject-requests/export", "GET, POST")
            .route(web::get().to(export_get))
            .route(web::post().to(export_post)),
    )
    .service(resource("/admin/subject-requests/erase", "POST").route(web::post().to(erase)));
}

#[utoipa::path(
    get, path = "/api/v1/admin/subject-requests/export", tag = "admin",
    params(
        ("phone" = Option<String>, Query, description = "The subject's mobile number"),
        ("id_number" = Option<String>, Query, description = "The subject's ID number"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Everything held about the subject", body = SubjectExport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "Neither or both keys, or an invalid one", body = ErrorBody),
    )
)]
pub async fn export_get(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<SubjectInput>,
) -> Result<HttpResponse, ApiError> {
    export(state, principal, query.into_inner()).await
}

#[utoipa::path(
    post, path = "/api/v1/admin/subject-requests/export", tag = "admin",
    request_body = SubjectInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Everything held about the subject", body = SubjectExport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "Neither or both keys, or an invalid one", body = ErrorBody),
    )
)]
pub async fn export_post(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&[Role::Admin])?;
    let input: SubjectInput = json_body(&req, &body)?;
    export(state, principal, input).await
}

async fn export(
    state: web::Data<AppState>,
    principal: Principal,
    input: SubjectInput,
) -> Result<HttpResponse, ApiError> {
    let user = principal.require_role(&[Role::Admin])?.clone();
    let key = subject_requests::parse_key(&input)?;
    let now = state.clock.now();
    let export = state
        .with_db(move |conn| subject_requests::export(conn, &key, &user.email, now))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(export))
}

#[utoipa::path(
    post, path = "/api/v1/admin/subject-requests/erase", tag = "admin",
    request_body = ErasureInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subject's cases anonymised", body = ErasureReport),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "`open_cases`: the message lists the open case numbers", body = ErrorBody),
        (status = 422, description = "Neither or both keys, an invalid one, or no basis; `several_people`: the parties found have different names or ID numbers and `cases` does not list the cases to erase; `not_the_subjects`: a listed case is not theirs", body = ErrorBody),
    )
)]
pub async fn erase(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = principal.require_role(&[Role::Admin])?.clone();
    let input: ErasureInput = json_body(&req, &body)?;
    let key = subject_requests::parse_key(&input.subject)?;
    let now = state.clock.now();
    let blobs = state.blobs.clone();
    let outbox = state.settings.outbox_dir();
    let report = state
        .with_db(move |conn| {
            let by = By {
                actor: &user.email,
                role: user.role.as_str(),
            };
            let files = Files {
                blobs: &blobs,
                outbox: &outbox,
            };
            subject_requests::erase(
                conn,
                Some(&files),
                &key,
                input.basis,
                input.cases.as_deref(),
                by,
                now,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
