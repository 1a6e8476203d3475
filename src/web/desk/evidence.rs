//! Evidence files for staff who may see the case: the stored blob with the type sniffed at
//! upload, shown inline (images, PDFs) or downloaded, never interpreted as a page.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::CASE_WORKERS;
use crate::auth::Principal;
use crate::service::access::Caller;
use crate::service::desk;
use crate::state::AppState;
use crate::web::{PageError, secure, staff, urlencoding};

/// Nothing in a file may run or load anything; it may only be shown.
const FILE_CSP: &str = "default-src 'none'; img-src 'self'; frame-ancestors 'none'";

#[derive(Deserialize, Default)]
pub struct Download {
    download: Option<String>,
}

pub async fn attachment(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, i64)>,
    query: web::Query<Download>,
) -> Result<HttpResponse, PageError> {
    let (case_no, id) = path.into_inner();
    let here = format!("/desk/cases/{case_no}");
    let user = staff(&principal, &CASE_WORKERS, &here)?.clone();
    let caller = Caller::Staff(user);
    let row = state
        .with_db(move |conn| desk::attachment(conn, &case_no, &caller, id))
        .await?;
    let file = state.blobs.path_of(&row.sha256);
    let bytes = web::block(move || std::fs::read(file))
        .await
        .map_err(|e| PageError::Internal(e.to_string()))?
        .map_err(|e| PageError::Internal(format!("attachment {id}: {e}")))?;
    let disposition = if query.download.is_some() {
        "attachment"
    } else {
        "inline"
    };
    Ok(secure(HttpResponse::Ok(), FILE_CSP)
        .content_type(row.mime.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "{disposition}; filename*=UTF-8''{}",
                urlencoding(&row.original_name)
            ),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
