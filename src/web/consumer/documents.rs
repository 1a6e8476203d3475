//! A document addressed to the complainant or reporter, read from the tracking page under
//! the case's cookie (`holder`): `GET /track/{case_no}/documents/{id}` serves it as issued.
//! Without the code (the link in a mail), the lookup form asks for it and then opens the
//! document; a document not addressed to the holder is a 404.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::holder;
use super::track::{admit, lookup_for};
use crate::domain::case::CaseNo;
use crate::service::access::Caller;
use crate::state::AppState;
use crate::web::{PageError, documents};

pub async fn document(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (no, id) = path.into_inner();
    let case_no = no.parse::<CaseNo>().map_err(|_| PageError::NotFound)?;
    let case_no = case_no.to_string();
    let Some(token) = holder::held(&req) else {
        let asked = id.parse::<i64>().ok();
        return lookup_for(&req, &state, (StatusCode::OK, &case_no), None, asked);
    };
    if let Err(page) = admit(&req, &state, &case_no, &token).await? {
        return Ok(page);
    }
    documents::as_issued(&state, &case_no, &id, Caller::TokenHolder(token)).await
}

/// `GET /track/{case_no}/documents/{id}/pdf`: its PDF, under the same cookie; without it,
/// the lookup form, which then opens the document as issued (its PDF is linked from there).
pub async fn pdf(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (no, id) = path.into_inner();
    let case_no = no.parse::<CaseNo>().map_err(|_| PageError::NotFound)?;
    let case_no = case_no.to_string();
    let Some(token) = holder::held(&req) else {
        let asked = id.parse::<i64>().ok();
        return lookup_for(&req, &state, (StatusCode::OK, &case_no), None, asked);
    };
    if let Err(page) = admit(&req, &state, &case_no, &token).await? {
        return Ok(page);
    }
    let page = format!("/track/{case_no}/documents/{id}");
    documents::as_pdf(&state, (&case_no, &id), &page, Caller::TokenHolder(token)).await
}
