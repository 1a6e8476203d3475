//! Issued documents over HTTP: a case's list and each document as issued and as printed to
//! PDF (for the parties, the mini-program and the desk, each seeing only what is addressed to
//! it), the public check of a printed copy, and the administrator's templates.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::cases::{caller, load_reference};
use super::error::{ApiError, ErrorBody};
use crate::auth::{Principal, Role};
use crate::service::document_access::{self, DocumentContent, DocumentSummary, VerifiedDocument};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        case_documents,
        case_document,
        case_document_pdf,
        super::signed_agreement::upload_signed,
        verify_document,
        put_templates,
        get_templates
    ),
    components(schemas(DocumentList, DocumentSummary, DocumentContent, VerifiedDocument)),
    tags((name = "documents", description = "文书（official documents）. For the WeChat \
        mini-program: sign in with `POST /api/v1/wechat/login`, then list a case's documents \
        with `GET /api/v1/cases/{case_no}/documents` and open one with \
        `GET /api/v1/cases/{case_no}/documents/{id}` (the HTML as issued, for a web-view), \
        sending the token as `Authorization: Bearer`. A consumer without an account sends \
        `X-Tracking-Token` instead. Each caller sees only the documents addressed to it."))
)]
pub struct DocumentsDoc;

pub fn routes(scope: &mut web::ServiceConfig) {
    use super::resource;
    scope
        .service(resource("/cases/{case_no}/documents", "GET").route(web::get().to(case_documents)))
        // Before `{id}`, which would take `7.pdf` for an id.
        .service(
            resource("/cases/{case_no}/documents/{id}.pdf", "GET")
                .route(web::get().to(case_document_pdf)),
        )
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
    security(("bearer" = []), ()),
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
    security(("bearer" = []), ()),
    params(("case_no" = String, Path), ("id" = i64, Path), ("X-Tracking-Token" = Option<String>, Header),
        ("format" = Option<String>, Query, description = "`json` for its text as JSON (also `Accept: application/json`)")),
    responses((status = 200, description = "The document exactly as issued (HTML, A4 print styles); `ETag` is its SHA-256 as logged. As JSON: its text read back from the stored page (title, number, addressee, paragraphs, notes, bureau, date)",
            content((String = "text/html"), (DocumentContent = "application/json"))),
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
    let as_json = wants_json(&req);
    let file = state
        .with_db(move |conn| document_access::fetch(conn, &case_no, id, &caller))
        .await?;
    if as_json {
        let content = file.content().ok_or_else(|| {
            ApiError::from(crate::service::ServiceError::Storage(
                "a stored document that is not a laid-out page".into(),
            ))
        })?;
        return Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .json(content));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::ETAG, format!("\"{}\"", file.summary.sha256)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(file.html))
}

/// Seconds a client is asked to wait for a document that is not printed yet.
const PRINT_RETRY_SECS: u64 = 15;

#[utoipa::path(get, path = "/api/v1/cases/{case_no}/documents/{id}.pdf", tag = "documents",
    params(("case_no" = String, Path), ("id" = i64, Path), ("X-Tracking-Token" = Option<String>, Header)),
    responses((status = 200, description = "The document printed to PDF (A4, fonts embedded), printed once from the page as issued; `ETag` is the PDF's SHA-256 as logged in `document_printed`", content_type = "application/pdf"),
        (status = 401, body = ErrorBody), (status = 404, description = "No such document, or not addressed to the caller", body = ErrorBody),
        (status = 410, description = "`expired`: the case was anonymised and its PDF erased", body = ErrorBody),
        (status = 503, description = "Issued but not printed yet (printing follows the decision within a minute); see Retry-After", body = ErrorBody)))]
pub async fn case_document_pdf(
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
    let doc = state
        .with_db(move |conn| document_access::for_pdf(conn, &case_no, id, &caller))
        .await?;
    let Some(sha) = doc.pdf_sha256 else {
        return Ok(HttpResponse::ServiceUnavailable()
            .insert_header((header::RETRY_AFTER, PRINT_RETRY_SECS.to_string()))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(ErrorBody {
                error: "not_printed".into(),
                message: "文书已出具，PDF 正在生成，请稍后再试；在此之前可查看网页版文书".into(),
                fields: None,
                allowed: None,
            }));
    };
    let etag = format!("\"{sha}\"");
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if unchanged {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    let file = state.blobs.path_of(&sha);
    let bytes = web::block(move || std::fs::read(file))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("document {id} PDF: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"document-{id}.pdf\""),
        ))
        .body(bytes))
}

/// `?format=json`, or an `Accept` that names JSON and not HTML.
fn wants_json(req: &HttpRequest) -> bool {
    let query = req.query_string().split('&').any(|p| p == "format=json");
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    query || (accept.contains("application/json") && !accept.contains("text/html"))
}

#[utoipa::path(get, path = "/api/v1/verify/{code}", tag = "documents",
    params(("code" = String, Path, description = "The verification code printed on the document")),
    responses((status = 200, description = "The document's number, date, bureau and hashes; nothing personal", body = VerifiedDocument),
        (status = 404, description = "No document carries this code", body = ErrorBody),
        (status = 429, description = "Too many checks from this address; see Retry-After", body = ErrorBody)))]
pub async fn verify_document(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&req, "verify_document")
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
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
