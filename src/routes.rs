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

/// The status a configured limit answers with, on the API and the pages alike.
pub fn limit_status(limit: crate::service::Limit) -> actix_web::http::StatusCode {
    use crate::service::Limit;
    use actix_web::http::StatusCode;
    match limit {
        Limit::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Limit::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Limit::TooMany => StatusCode::UNPROCESSABLE_ENTITY,
        Limit::Busy { .. } => StatusCode::TOO_MANY_REQUESTS,
        Limit::Full { .. } => StatusCode::SERVICE_UNAVAILABLE,
    }
}
