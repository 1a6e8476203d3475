//! Issued documents (文书) on the pages: a case's documents as the desk, the enterprise desk
//! and the tracking page list them, and one document served exactly as issued (the stored
//! HTML with its own A4 print styles; the browser prints it). Who reads which is decided by
//! `service::document_access`: a document not addressed to the caller is a 404.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::desk::CASE_WORKERS;
use super::{PageError, secure, staff};
use crate::auth::{Principal, Role};
use crate::domain::documents::{Audience, date_zh};
use crate::service::access::Caller;
use crate::service::document_access::{self, DocumentFile, DocumentSummary};
use crate::state::AppState;

/// A document carries its own inline styles and nothing else: no script, no form, no frame.
pub const DOCUMENT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; \
    img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// A document as a page lists it.
pub struct DocRow {
    pub title: String,
    pub number: String,
    /// `2026年5月6日`.
    pub issued_on: String,
    /// 送达对象.
    pub audience: &'static str,
    /// The first 12 hex digits of its SHA-256 (the full one is in the event log).
    pub sha_short: String,
    pub sha256: String,
    /// Where it is read as issued.
    pub href: String,
    /// Where its PDF is, once printed.
    pub pdf_href: Option<String>,
    /// The number of the document it corrects.
    pub replaces: Option<String>,
}

/// The rows of `items`, each read at `{base}/documents/{id}`.
pub fn rows(items: Vec<DocumentSummary>, base: &str) -> Vec<DocRow> {
    items
        .into_iter()
        .map(|d| DocRow {
            href: format!("{base}/documents/{}", d.id),
            pdf_href: d
                .pdf_sha256
                .as_ref()
                .map(|_| format!("{base}/documents/{}/pdf", d.id)),
            audience: Audience::parse(&d.audience).map_or("", Audience::label_zh),
            issued_on: date_zh(d.issued_on),
            sha_short: d.sha256.chars().take(12).collect(),
            title: d.title,
            number: d.number,
            sha256: d.sha256,
            replaces: d.replaces,
        })
        .collect()
}

/// The documents of `case_no` that `caller` may read, oldest first.
pub async fn list(
    state: &AppState,
    case_no: &str,
    caller: Caller,
) -> Result<Vec<DocumentSummary>, PageError> {
    let no = case_no.to_owned();
    Ok(state
        .with_db(move |conn| document_access::list(conn, &no, &caller))
        .await?)
}

/// One document as issued, if `caller` may read it; anything else is the 404 page.
pub async fn as_issued(
    state: &AppState,
    case_no: &str,
    id: &str,
    caller: Caller,
) -> Result<HttpResponse, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let no = case_no.to_owned();
    let file = state
        .with_db(move |conn| document_access::fetch(conn, &no, id, &caller))
        .await?;
    Ok(page(file))
}

/// The PDF printed from a document, if `caller` may read it; until it is printed, a short
/// answer asking to come back (the page as issued is there meanwhile).
pub async fn as_pdf(
    state: &AppState,
    (case_no, id): (&str, &str),
    page_href: &str,
    caller: Caller,
) -> Result<HttpResponse, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let no = case_no.to_owned();
    let doc = state
        .with_db(move |conn| document_access::for_pdf(conn, &no, id, &caller))
        .await?;
    let Some(sha) = doc.pdf_sha256 else {
        return Ok(secure(HttpResponse::ServiceUnavailable(), DOCUMENT_CSP)
            .insert_header((header::RETRY_AFTER, "15"))
            .content_type("text/html; charset=utf-8")
            .body(format!(
                "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>PDF 正在生成</title></head><body>\
                 <p>文书已出具，PDF 正在生成，请稍后刷新本页。</p>\
                 <p><a href=\"{page_href}\">先查看网页版文书</a></p></body></html>"
            )));
    };
    let file = state.blobs.path_of(&sha);
    let bytes = web::block(move || std::fs::read(file))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
        .map_err(|e| PageError::Internal(format!("document {id} PDF: {e}")))?;
    Ok(secure(HttpResponse::Ok(), DOCUMENT_CSP)
        .content_type("application/pdf")
        .insert_header((header::ETAG, format!("\"{sha}\"")))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}.pdf\"", doc.number),
        ))
        .body(bytes))
}

fn page(file: DocumentFile) -> HttpResponse {
    secure(HttpResponse::Ok(), DOCUMENT_CSP)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::ETAG, format!("\"{}\"", file.summary.sha256)))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(file.html)
}

/// `GET /desk/cases/{case_no}/documents/{id}`: the staff handling the case read every one.
pub async fn desk(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (case_no, id) = path.into_inner();
    let here = format!("/desk/cases/{case_no}/documents/{id}");
    let user = staff(&principal, &CASE_WORKERS, &here)?.clone();
    as_issued(&state, &case_no, &id, Caller::Staff(user)).await
}

/// `GET /desk/cases/{case_no}/documents/{id}/pdf`.
pub async fn desk_pdf(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (case_no, id) = path.into_inner();
    let here = format!("/desk/cases/{case_no}/documents/{id}/pdf");
    let user = staff(&principal, &CASE_WORKERS, &here)?.clone();
    let page = format!("/desk/cases/{case_no}/documents/{id}");
    as_pdf(&state, (&case_no, &id), &page, Caller::Staff(user)).await
}

/// `GET /enterprise/cases/{case_no}/documents/{id}`: the business reads the documents of its
/// complaints addressed to both parties.
pub async fn enterprise(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (case_no, id) = path.into_inner();
    let here = format!("/enterprise/cases/{case_no}/documents/{id}");
    let user = staff(&principal, &[Role::Enterprise], &here)?.clone();
    as_issued(&state, &case_no, &id, Caller::Staff(user)).await
}

/// `GET /enterprise/cases/{case_no}/documents/{id}/pdf`.
pub async fn enterprise_pdf(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (case_no, id) = path.into_inner();
    let here = format!("/enterprise/cases/{case_no}/documents/{id}/pdf");
    let user = staff(&principal, &[Role::Enterprise], &here)?.clone();
    let page = format!("/enterprise/cases/{case_no}/documents/{id}");
    as_pdf(&state, (&case_no, &id), &page, Caller::Staff(user)).await
}
