//! The public check of a printed document (文书): `/verify/{code}`, the address printed beside
//! the code on every document, and `/verify` with a form to type one (`?code=`). It shows
//! the document's title, number, date, bureau and hashes, and whether a later document
//! replaced it; never a name, number, address or case text. A malformed code answers like an
//! unknown one (404), and every lookup counts against the address's limit.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{PageError, limit, page};
use crate::domain::documents::{VerifyCode, date_zh};
use crate::service::ServiceError;
use crate::service::document_access::{self, VerifiedDocument};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/verify", "GET").route(web::get().to(form)))
        .service(resource("/verify/{code}", "GET").route(web::get().to(by_path)));
}

#[derive(Template)]
#[template(path = "verify_document.html")]
struct VerifyPage {
    /// The code as typed, back in the form.
    typed: String,
    /// The code in its printed form, beside a found document.
    code: String,
    found: Option<VerifiedDocument>,
    /// The typed code no document carries.
    unknown: Option<String>,
}

impl VerifyPage {
    fn date_zh(&self) -> String {
        self.found
            .as_ref()
            .map(|d| date_zh(d.issued_on))
            .unwrap_or_default()
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

async fn form(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CodeQuery>,
) -> Result<HttpResponse, PageError> {
    match query.into_inner().code.filter(|c| !c.trim().is_empty()) {
        Some(code) => lookup(&state, &req, code).await,
        None => page(
            StatusCode::OK,
            &VerifyPage {
                typed: String::new(),
                code: String::new(),
                found: None,
                unknown: None,
            },
        ),
    }
}

async fn by_path(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    lookup(&state, &req, path.into_inner()).await
}

async fn lookup(
    state: &AppState,
    req: &HttpRequest,
    typed: String,
) -> Result<HttpResponse, PageError> {
    limit(req, "verify_document")?;
    let typed: String = typed.trim().chars().take(40).collect();
    let code = VerifyCode::parse(&typed).map(|c| c.grouped());
    let asked = typed.clone();
    let found = state
        .with_db(move |conn| document_access::verify(conn, &asked))
        .await;
    let (status, found) = match found {
        Ok(doc) => (StatusCode::OK, Some(doc)),
        Err(ServiceError::NotFound) => (StatusCode::NOT_FOUND, None),
        Err(e) => return Err(e.into()),
    };
    let unknown = found.is_none().then(|| typed.clone());
    page(
        status,
        &VerifyPage {
            typed,
            code: code.unwrap_or_default(),
            found,
            unknown,
        },
    )
}
