//! `/businesses/{uscc}/entries`: the published complaints against a business (Order 121
//! Art. 38), masked and without case numbers, from `service::disclosure::published_entries`,
//! the function the business page also calls.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{PageError, page};
use crate::domain::ids::Uscc;
use crate::service::disclosure::{self, MAX_ENTRIES, PublishedEntry};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/businesses/{uscc}/entries", "GET").route(web::get().to(show)));
}

#[derive(Template)]
#[template(path = "business_entries.html")]
struct EntriesPage {
    uscc: String,
    entries: Vec<PublishedEntry>,
}

async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let uscc: Uscc = path.trim().parse().map_err(|_| PageError::NotFound)?;
    let code = uscc.as_str().to_owned();
    let entries = state
        .with_db(move |conn| disclosure::published_entries(conn, &uscc, MAX_ENTRIES))
        .await?;
    page(
        StatusCode::OK,
        &EntriesPage {
            uscc: code,
            entries,
        },
    )
}
