//! Route helpers shared by the API and the pages.

use actix_web::{HttpResponse, web};

/// A resource whose other methods get 405 rather than the app's 404 fallback.
pub fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || method_not_allowed(allow)))
}

/// 405 naming the methods the resource does answer (actix's own body is rewritten to JSON
/// for the API by `http::error::json_error_page`).
async fn method_not_allowed(allow: &'static str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((actix_web::http::header::ALLOW, allow))
        .finish()
}
