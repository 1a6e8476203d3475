//! Issued documents over HTTP: a case's list and each document as issued (for the parties,
//! the mini-program and the desk, each seeing only what is addressed to it), the public check
//! of a printed copy, and the administrator's templates.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::cases::{caller, load_reference};
use super::error::{ApiError, ErrorBody};
use crate::auth::{Principal, Role};
use crate::service::document_access::{self, DocumentSummary, VerifiedDocument};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        case_documents,
        case_document,
        super::signed_agreement::upload_signed,
        verify_document,
        put_templates,
        get_templates
    ),
    components(schemas(DocumentList, DocumentSummary, VerifiedDocument))
)]
pub struct DocumentsDoc;

pub fn routes(scope: &mut web::ServiceConfig) {
    use super::resource;
    scope
        .service(resource("/cases/{case_no}/documents", "GET").route(web::get().to(case_documents)))
        .service(
            resource("/cases/{case_no}/documents/{id}", "GET").route(web::get().to(case_document)),
        )
        .service(
            resource("/cases/{case_no}/documents/{id}/signed", "POST")
                .route(web::post().to(super::signed_agreement::upload_signed)),
        )
        .service(resource("/verify/{code}", "GET").route(web::get().to(verify_document)))
        .service(
            resource("/admin/documents", "GET, PUT")
                .route(web::get().to(get_templates))
                .route(web::put().to(put_templates)),
        );
}

/// The documents of a case addressed to the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    pub items: Vec<DocumentSummary>,
}

#[utoipa::path(get, path = "/api/v1/cases/{case_no}/documents", tag = "documents",
    params(("case_no" = String, Path), ("X-Tracking-Token" = Option<String>, Header, description = "For consumers without an account")),
    responses((status = 200, description = "The documents the caller may read, oldest first: staff all; the complainant or reporter those addressed to them; the business those addressed to both parties of a complaint, never a report's", body = DocumentList),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn case_documents(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(principal, &req, &state, &path).await?;
    let items = state
        .with_db(move |conn| document_access::list(conn, &path, &caller))
        .await?;
    Ok(HttpResponse::Ok().json(DocumentList { items }))
}

#[utoipa::path(get, path = "/api/v1/cases/{case_no}/documents/{id}", tag = "documents",
    params(("case_no" = String, Path), ("id" = i64, Path), ("X-Tracking-Token" = Option<String>, Header)),
    responses((status = 200, description = "The document exactly as issued (HTML, A4 print styles); `ETag` is its SHA-256 as logged", content_type = "text/html"),
        (status = 401, body = ErrorBody), (status = 404, description = "No such document, or not addressed to the caller", body = ErrorBody)))]
pub async fn case_document(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let (case_no, id) = path.into_inner();
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::from(crate::service::ServiceError::NotFound))?;
    let caller = caller(principal, &req, &state, &case_no).await?;
    let file = state
        .with_db(move |conn| document_access::fetch(conn, &case_no, id, &caller))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::ETAG, format!("\"{}\"", file.summary.sha256)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(file.html))
}

#[utoipa::path(get, path = "/api/v1/verify/{code}", tag = "documents",
    params(("code" = String, Path, description = "The verification code printed on the document")),
    responses((status = 200, description = "The document's number, date, bureau and hashes; nothing personal", body = VerifiedDocument),
        (status = 404, description = "No document carries this code", body = ErrorBody)))]
pub async fn verify_document(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = state
        .with_db(move |conn| document_access::verify(conn, &path))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[utoipa::path(put, path = "/api/v1/admin/documents", tag = "admin",
    request_body(content = String, content_type = "application/toml", description = "The whole set, in the format of reference/documents.toml; refused unless every policy version and bureau is covered"),
    security(("bearer" = [])),
    responses((status = 200, description = "Loaded"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_templates(
    state: web::Data<AppState>,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let templates = load_reference(
        &state,
        &body,
        &principal,
        crate::reference::load_document_templates,
    )
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "templates": templates })))
}

#[utoipa::path(get, path = "/api/v1/admin/documents", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The document templates in force"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_templates(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&[Role::Admin, Role::Supervisor])?;
    Ok(HttpResponse::Ok().json(state.reference.snapshot().documents.file()))
}
