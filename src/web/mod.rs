//! Server-rendered pages (askama): no script, forms that work without JavaScript, CSRF tokens
//! on every form, and strict security headers. Handlers call the same use cases as the API.

pub mod bulletins;
pub mod csrf;
pub mod login;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpResponse, ResponseError, web};
use askama::Template;

use crate::auth::{Principal, Role, StaffUser};
use crate::http::error::ApiError;
use crate::intake::FieldIssue;

/// Pages load nothing from elsewhere and run no script; bulletins carry their own styles.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
pub const BULLETIN_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
    form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const APP_CSS: &str = include_str!("../../static/app.css");

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::http::resource;
    cfg.service(resource("/static/app.css", "GET").route(web::get().to(app_css)))
        .service(
            resource("/login", "GET, POST")
                .route(web::get().to(login::form))
                .route(web::post().to(login::submit)),
        )
        .service(resource("/logout", "POST").route(web::post().to(login::logout)))
        .configure(bulletins::routes);
}

async fn app_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(APP_CSS)
}

/// Adds the headers every page carries.
pub fn secure(
    mut builder: actix_web::HttpResponseBuilder,
    csp: &str,
) -> actix_web::HttpResponseBuilder {
    builder
        .insert_header((header::CONTENT_SECURITY_POLICY, csp.to_owned()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "same-origin"));
    builder
}

pub fn page(status: StatusCode, t: &impl Template) -> Result<HttpResponse, PageError> {
    let body = t.render().map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(secure(HttpResponse::build(status), PAGE_CSP)
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// 303 after a successful form post, so reloading does not post again.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

/// What a page handler can fail with; shown as a page, never as JSON.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("sign in first")]
    SignIn { next: String },
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound => PageError::NotFound,
            ApiError::Forbidden => PageError::Forbidden,
            ApiError::Unauthenticated => PageError::SignIn { next: "/".into() },
            ApiError::Unavailable(m) => PageError::Unavailable(m),
            ApiError::BadRequest { message, .. } | ApiError::Conflict { message, .. } => {
                PageError::BadRequest(message)
            }
            ApiError::Validation(issues) => PageError::BadRequest(
                issues
                    .iter()
                    .map(|i| i.message.as_str())
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            other => PageError::Internal(other.to_string()),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } => StatusCode::SEE_OTHER,
            PageError::Forbidden => StatusCode::FORBIDDEN,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message) = match self {
            PageError::SignIn { next } => {
                let to = format!("/login?next={}", urlencoding(next));
                return see_other(&to);
            }
            PageError::Forbidden => ("无权访问", "您的账号没有访问此页面的权限。".to_owned()),
            PageError::NotFound => ("页面不存在", "找不到您要访问的页面。".to_owned()),
            PageError::BadRequest(m) => ("无法处理", m.clone()),
            PageError::Unavailable(_) => ("系统繁忙", "系统繁忙，请稍后重试。".to_owned()),
            PageError::Internal(detail) => {
                tracing::error!(%detail, "page failed");
                ("系统错误", "系统出现错误，请稍后重试。".to_owned())
            }
        };
        let body = ErrorPage {
            title,
            message: &message,
        }
        .render()
        .unwrap_or_else(|_| message.clone());
        let mut res = secure(HttpResponse::build(self.status_code()), PAGE_CSP);
        if matches!(self, PageError::Unavailable(_)) {
            res.insert_header((header::RETRY_AFTER, "5"));
        }
        res.content_type(ContentType::html()).body(body)
    }
}

/// Percent-encodes a same-site path for a query parameter.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The signed-in staff user with one of `roles`; anonymous visitors are sent to sign in.
pub fn staff<'a>(
    principal: &'a Principal,
    roles: &[Role],
    here: &str,
) -> Result<&'a StaffUser, PageError> {
    match principal {
        Principal::Staff(user) if roles.contains(&user.role) => Ok(user),
        Principal::Staff(_) | Principal::Consumer { .. } => Err(PageError::Forbidden),
        Principal::Anonymous => Err(PageError::SignIn {
            next: here.to_owned(),
        }),
    }
}

/// Messages of the issues for one field, for showing next to it.
pub fn messages_for(issues: &[FieldIssue], prefix: &str) -> Vec<String> {
    issues
        .iter()
        .filter(|i| i.field.starts_with(prefix))
        .map(|i| i.message.clone())
        .collect()
}
