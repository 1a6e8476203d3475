//! Server-rendered pages (askama): no script, forms that work without JavaScript, CSRF tokens
//! on every form, and strict security headers. Handlers call the same use cases as the API.

pub mod analyst;
pub mod bulletin_terms;
pub mod bulletins;
pub mod businesses;
pub mod consumer;
pub mod csrf;
pub mod desk;
pub mod document_verify;
pub mod documents;
pub mod entries;
pub mod login;
pub mod nav;
pub mod step_form;
pub mod text_size;
pub mod warnings;
pub mod warnings_desk;
pub mod workorders;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;

use crate::auth::{Principal, Role, StaffUser};
use crate::intake::FieldIssue;
use crate::service::{Limit, ServiceError};

/// Pages load nothing from elsewhere and run no script; bulletins carry their own styles.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
pub const BULLETIN_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
    form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Files under `/static/`, compiled in: (name, content type, bytes).
const STATIC_FILES: [(&str, &str, &str); 4] = [
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../static/app.css"),
    ),
    (
        "consumer.css",
        "text/css; charset=utf-8",
        include_str!("../../static/consumer.css"),
    ),
    (
        "desk.css",
        "text/css; charset=utf-8",
        include_str!("../../static/desk.css"),
    ),
    (
        "analyst.css",
        "text/css; charset=utf-8",
        include_str!("../../static/analyst.css"),
    ),
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/static/{name}", "GET").route(web::get().to(static_file)))
        .service(
            resource("/login", "GET, POST")
                .route(web::get().to(login::form))
                .route(web::post().to(login::submit)),
        )
        .service(resource("/logout", "POST").route(web::post().to(login::logout)))
        .service(resource("/admin", "GET").route(web::get().to(nav::admin_home)))
        .configure(bulletins::routes)
        .configure(warnings::routes)
        .configure(warnings_desk::routes)
        .configure(workorders::routes)
        .configure(document_verify::routes)
        .configure(consumer::routes)
        .configure(analyst::routes)
        .configure(desk::routes)
        .configure(entries::routes)
        .configure(text_size::routes);
}

async fn static_file(name: web::Path<String>) -> Result<HttpResponse, PageError> {
    let (_, content_type, body) = STATIC_FILES
        .iter()
        .find(|(n, _, _)| *n == name.as_str())
        .ok_or(PageError::NotFound)?;
    Ok(secure(HttpResponse::Ok(), PAGE_CSP)
        .content_type(*content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(*body))
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

/// Whether a request that matched no route came from a browser asking for a page: it gets
/// the Chinese 404 page, while the API (and any client not asking for HTML) keeps JSON.
pub fn wants_page(req: &HttpRequest) -> bool {
    !req.path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
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
    /// Input refused field by field; a form that can show them beside its fields catches
    /// this, anywhere else it is a bad request listing the messages.
    #[error("invalid input")]
    Invalid(Vec<FieldIssue>),
    #[error("too many submissions; retry after {0}s")]
    TooMany(u64),
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A configured limit, with the message that says which.
    #[error("limit reached: {1}")]
    Limited(crate::service::Limit, String),
    /// It existed and was removed (an anonymised case's PDF).
    #[error("gone: {0}")]
    Gone(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => PageError::NotFound,
            ServiceError::Forbidden => PageError::Forbidden,
            ServiceError::Unauthenticated => PageError::SignIn { next: "/".into() },
            e if e.is_transient() => PageError::Unavailable(e.detail()),
            ServiceError::TooManyRequests { retry_after_secs } => {
                PageError::TooMany(retry_after_secs)
            }
            ServiceError::Refused { message, .. } | ServiceError::Conflict { message, .. } => {
                PageError::BadRequest(message)
            }
            ServiceError::Invalid(issues) => PageError::Invalid(issues),
            ServiceError::Limit { limit, message, .. } => PageError::Limited(limit, message),
            ServiceError::Gone(m) => PageError::Gone(m),
            other => PageError::Internal(other.detail()),
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn { .. } => StatusCode::SEE_OTHER,
            PageError::Forbidden => StatusCode::FORBIDDEN,
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Gone(_) => StatusCode::GONE,
            PageError::BadRequest(_) | PageError::Invalid(_) => StatusCode::BAD_REQUEST,
            PageError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            PageError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            PageError::Limited(limit, _) => crate::routes::limit_status(*limit),
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
            PageError::Gone(m) => ("已删除", m.clone()),
            PageError::BadRequest(m) => ("无法处理", m.clone()),
            PageError::Invalid(issues) => ("无法处理", joined_messages(issues)),
            PageError::TooMany(secs) => (
                "提交过于频繁",
                format!("提交过于频繁，请在 {secs} 秒后再试。"),
            ),
            PageError::Unavailable(_) => ("系统繁忙", "系统繁忙，请稍后重试。".to_owned()),
            PageError::Limited(_, m) => ("超出限制", m.clone()),
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
        match self {
            PageError::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            PageError::TooMany(secs)
            | PageError::Limited(
                Limit::Busy {
                    retry_after_secs: secs,
                }
                | Limit::Full {
                    retry_after_secs: secs,
                },
                _,
            ) => {
                res.insert_header((header::RETRY_AFTER, secs.max(&1).to_string()));
            }
            _ => {}
        }
        res.content_type(ContentType::html()).body(body)
    }
}

/// Every issue's message in one line, for a page that cannot show them beside fields.
pub fn joined_messages(issues: &[FieldIssue]) -> String {
    issues
        .iter()
        .map(|i| i.message.as_str())
        .collect::<Vec<_>>()
        .join("；")
}

/// Percent-encodes a same-site path for a query parameter.
pub(crate) fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// This page's address, query included, to come back to after signing in.
pub fn here(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    }
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

/// Counts a form submission against the client address's limit (`ODRDESK_RATE_LIMIT`).
pub fn limit(req: &HttpRequest, form: &'static str) -> Result<(), PageError> {
    crate::ratelimit::limit(req, form).map_err(PageError::TooMany)
}

/// A posted form: fields in order (repeated names keep their positions), rate-limited and
/// checked for its CSRF token before anything else looks at it.
pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(req: &HttpRequest, body: &[u8], form: &'static str) -> Result<Form, PageError> {
        limit(req, form)?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| PageError::BadRequest("表单内容无法识别".into()))?;
        let parsed = Form(pairs);
        if !csrf::verify(req, parsed.get("csrf")) {
            return Err(PageError::BadRequest("页面已过期，请刷新后重新提交".into()));
        }
        Ok(parsed)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated field, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}
