//! The consumer side of the site: the home page, the complaint and report forms with evidence
//! upload, the confirmation page, and tracking a case with its number and 查询码. Everything
//! works without script; the 查询码 travels in POST bodies and the case's cookie, never in a
//! URL.

mod case_page;
mod disclosure;
mod documents;
mod entered;
mod forms;
mod holder;
pub(super) mod multipart;
mod phone;
mod steps;
mod track;
mod verify;
mod words;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{PageError, csrf, page};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/", "GET").route(web::get().to(home)))
        .service(
            resource("/complain", "GET, POST")
                .route(web::get().to(forms::complaint_form))
                .route(web::post().to(forms::complaint_submit)),
        )
        .service(
            resource("/report", "GET, POST")
                .route(web::get().to(forms::report_form))
                .route(web::post().to(forms::report_submit)),
        )
        .service(
            resource("/track", "GET, POST")
                .route(web::get().to(track::form))
                .route(web::post().to(track::lookup)),
        )
        // Before `/track/{case_no}`, which would otherwise take `phone` for a case number.
        .configure(phone::routes)
        .service(resource("/track/{case_no}", "GET").route(web::get().to(track::case)))
        .service(resource("/track/{case_no}/filed", "GET").route(web::get().to(forms::filed)))
        .service(
            resource("/track/{case_no}/documents/{id}", "GET")
                .route(web::get().to(documents::document)),
        )
        .service(
            resource("/track/{case_no}/documents/{id}/pdf", "GET")
                .route(web::get().to(documents::pdf)),
        )
        .service(resource("/track/{case_no}/action", "POST").route(web::post().to(steps::action)))
        .service(
            resource("/track/{case_no}/supplement", "POST")
                .route(web::post().to(steps::supplement)),
        )
        .service(
            resource("/track/{case_no}/evidence", "POST")
                .route(web::post().to(steps::evidence_upload)),
        )
        .service(
            resource("/track/{case_no}/disclosure-consent", "POST")
                .route(web::post().to(disclosure::consent)),
        )
        .service(
            resource("/track/{case_no}/verify", "GET, POST")
                .route(web::get().to(verify::page))
                .route(web::post().to(verify::confirm)),
        );
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    /// The latest published warnings.
    warnings: Vec<crate::service::warnings::Warning>,
}

/// Warnings the home page shows.
const HOME_WARNINGS: usize = 3;

async fn home(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let latest = state
        .with_db(|conn| crate::service::warnings::list_public(conn, 1))
        .await?;
    let warnings = latest
        .warnings
        .into_iter()
        .filter(|w| w.superseded_by.is_none())
        .take(HOME_WARNINGS)
        .collect();
    page(StatusCode::OK, &Home { warnings })
}

/// Renders a page whose forms carry this browser's CSRF token, setting the form cookie when
/// the browser has none yet.
fn with_csrf<T: Template>(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    build: impl FnOnce(String) -> T,
) -> Result<HttpResponse, PageError> {
    let c = csrf::issue(req, state.settings.cookie_secure);
    let mut res = page(status, &build(c.token))?;
    if let Some(cookie) = c.cookie {
        res.add_cookie(&cookie)
            .map_err(|e| PageError::Internal(e.to_string()))?;
    }
    Ok(res)
}

/// A form whose CSRF token did not match: the same answer as `web::Form::parse` gives.
fn expired() -> PageError {
    PageError::BadRequest("页面已过期，请刷新后重新提交".into())
}

/// Images up to this size are previewed inline on the consumer's own pages.
const PREVIEW_MAX_BYTES: i64 = 256 * 1024;

/// An evidence file as listed to the consumer.
pub struct Evidence {
    pub name: String,
    pub size: String,
    pub uploaded: String,
    /// A `data:` URL for small JPEG, PNG and WEBP images.
    pub preview: Option<String>,
}

/// The case's evidence with previews, read from the blob store off the async workers.
async fn evidence(
    state: &AppState,
    attachments: Vec<crate::service::track::AttachmentView>,
) -> Result<Vec<Evidence>, PageError> {
    let blobs = state.blobs.clone();
    web::block(move || {
        attachments
            .into_iter()
            .map(|a| {
                let previewable =
                    matches!(a.mime.as_str(), "image/jpeg" | "image/png" | "image/webp")
                        && a.size_bytes <= PREVIEW_MAX_BYTES;
                let preview = previewable
                    .then(|| std::fs::read(blobs.path_of(&a.sha256)).ok())
                    .flatten()
                    .map(|bytes| words::data_url(&a.mime, &bytes));
                Evidence {
                    size: words::size(a.size_bytes),
                    uploaded: words::moment(a.uploaded_at),
                    name: a.name,
                    preview,
                }
            })
            .collect()
    })
    .await
    .map_err(|e| PageError::Internal(e.to_string()))
}
