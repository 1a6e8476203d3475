//! One error type for every handler, rendered as JSON: client mistakes are 4xx with a Chinese
//! message, transient trouble is 503 with Retry-After, and only bugs are 500.

use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::intake::FieldIssue;
use crate::service::{Limit, ServiceError};

/// `{"error": code, "message": …, "fields": [...]}`; `fields` only for validation errors.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    #[schema(example = "validation")]
    pub error: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldIssue>>,
    /// For `action_not_allowed`: the actions allowed in the case's current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(Vec<FieldIssue>),
    #[error("bad request: {code}")]
    BadRequest { code: &'static str, message: String },
    #[error("not found")]
    NotFound,
    /// 410: it existed and was deleted for its age.
    #[error("gone")]
    Gone(String),
    #[error("conflict: {code}")]
    Conflict { code: &'static str, message: String },
    /// 409: the workflow forbids this action in the current state.
    #[error("action not allowed")]
    NotAllowed {
        message: String,
        allowed: Vec<String>,
    },
    #[error("payload too large")]
    PayloadTooLarge(String),
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    #[error("insufficient storage: {0}")]
    InsufficientStorage(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 401: no valid session or token.
    #[error("unauthenticated")]
    Unauthenticated,
    /// 401: wrong password, API key or WeChat code.
    #[error("invalid credentials: {code}")]
    InvalidCredentials { code: &'static str, message: String },
    /// 403: signed in, but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// 403: a write signed in by the session cookie that does not come from this site.
    #[error("cross-site request")]
    CrossSite,
    /// 429 with `Retry-After`.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// 502: a service we depend on failed or did not answer.
    #[error("bad gateway: {code}")]
    BadGateway { code: &'static str, message: String },
    /// 503 without Retry-After: a feature this server is not configured for.
    #[error("not configured: {code}")]
    NotConfigured { code: &'static str, message: String },
    /// A configured limit (413, 422, 429 or 503), saying which one.
    #[error("limit reached: {code}")]
    Limited {
        limit: Limit,
        code: &'static str,
        message: String,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// 415 for a body that is not declared JSON.
    pub fn unsupported_json() -> Self {
        ApiError::UnsupportedMediaType("请求体须为 JSON（Content-Type: application/json）".into())
    }

    fn body(&self) -> ErrorBody {
        let (error, message) = match self {
            ApiError::Validation(_) => ("validation", "提交内容有误，请按提示修改".to_owned()),
            ApiError::BadRequest { code, message } => (*code, message.clone()),
            ApiError::NotFound => ("not_found", "未找到该资源".to_owned()),
            ApiError::Gone(m) => ("expired", m.clone()),
            ApiError::Conflict { code, message } => (*code, message.clone()),
            ApiError::NotAllowed { message, .. } => ("action_not_allowed", message.clone()),
            ApiError::PayloadTooLarge(m) => ("payload_too_large", m.clone()),
            ApiError::UnsupportedMediaType(m) => ("unsupported_media_type", m.clone()),
            ApiError::InsufficientStorage(_) => (
                "insufficient_storage",
                "服务器存储空间不足，文件未保存，请稍后重试".to_owned(),
            ),
            ApiError::Unavailable(_) => ("unavailable", "系统繁忙，请稍后重试".to_owned()),
            ApiError::Internal(_) => ("internal", "系统内部错误".to_owned()),
            ApiError::Unauthenticated => ("unauthenticated", "请先登录".to_owned()),
            ApiError::InvalidCredentials { code, message }
            | ApiError::BadGateway { code, message }
            | ApiError::NotConfigured { code, message } => (*code, message.clone()),
            ApiError::Forbidden => ("forbidden", "无权执行此操作".to_owned()),
            ApiError::CrossSite => (
                "csrf",
                "拒绝跨站请求：请从本站页面操作，或以 Authorization: Bearer 令牌调用".to_owned(),
            ),
            ApiError::Limited { code, message, .. } => (*code, message.clone()),
            ApiError::TooManyRequests { retry_after_secs } => (
                "too_many_requests",
                format!("请求过于频繁，请在{}后重试", wait_text(*retry_after_secs)),
            ),
        };
        ErrorBody {
            error: error.to_owned(),
            message,
            fields: match self {
                ApiError::Validation(f) => Some(f.clone()),
                _ => None,
            },
            allowed: match self {
                ApiError::NotAllowed { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::Conflict { .. } | ApiError::NotAllowed { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unauthenticated | ApiError::InvalidCredentials { .. } => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::Forbidden | ApiError::CrossSite => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BadGateway { .. } => StatusCode::BAD_GATEWAY,
            ApiError::NotConfigured { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Limited { limit, .. } => crate::routes::limit_status(*limit),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(detail) => tracing::error!(%detail, "internal error"),
            ApiError::Unavailable(detail) => tracing::warn!(%detail, "unavailable"),
            ApiError::InsufficientStorage(detail) => tracing::error!(%detail, "storage"),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::Unavailable(_)) {
            res.insert_header((header::RETRY_AFTER, "2"));
        }
        let retry = match self {
            ApiError::TooManyRequests { retry_after_secs }
            | ApiError::Limited {
                limit: Limit::Busy { retry_after_secs } | Limit::Full { retry_after_secs },
                ..
            } => Some(retry_after_secs),
            _ => None,
        };
        if let Some(secs) = retry {
            res.insert_header((header::RETRY_AFTER, secs.max(&1).to_string()));
        }
        res.json(self.body())
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::Gone(m) => ApiError::Gone(m),
            ServiceError::Conflict { code, message } => ApiError::Conflict { code, message },
            ServiceError::Refused { code, message } => ApiError::BadRequest { code, message },
            ServiceError::Storage(m) => ApiError::InsufficientStorage(m),
            e if e.is_transient() => ApiError::Unavailable(e.detail()),
            e @ ServiceError::Store(_) => ApiError::Internal(e.detail()),
            ServiceError::Internal(m) => ApiError::Internal(m),
            ServiceError::Unauthenticated => ApiError::Unauthenticated,
            ServiceError::InvalidCredentials { code, message } => {
                ApiError::InvalidCredentials { code, message }
            }
            ServiceError::Forbidden => ApiError::Forbidden,
            ServiceError::TooManyRequests { retry_after_secs } => {
                ApiError::TooManyRequests { retry_after_secs }
            }
            ServiceError::Invalid(fields) => ApiError::Validation(fields),
            ServiceError::Limit {
                limit,
                code,
                message,
            } => ApiError::Limited {
                limit,
                code,
                message,
            },
            ServiceError::NotAllowed {
                action,
                state,
                allowed,
            } => ApiError::NotAllowed {
                message: ServiceError::not_allowed_text(action, state),
                allowed: allowed.iter().map(|a| a.as_str().to_owned()).collect(),
            },
        }
    }
}

/// "30秒" or "约2分钟", for messages about waiting.
fn wait_text(secs: u64) -> String {
    if secs < 60 {
        format!("{}秒", secs.max(1))
    } else {
        format!("约{}分钟", secs.div_ceil(60))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

/// Turns actix's own plain-text errors (405, 413, extractor errors) into the JSON shape;
/// JSON errors and the pages' HTML errors pass through.
pub fn json_error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let shaped = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
    });
    if shaped {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (error, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "未找到该资源"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "不支持该请求方法"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "请求体过大"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "不支持的内容类型"),
        s if s.is_server_error() => ("internal", "系统内部错误"),
        _ => ("bad_request", "请求格式不正确"),
    };
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status).json(ErrorBody {
        error: error.into(),
        message: message.into(),
        fields: None,
        allowed: None,
    });
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new)
            .map_into_boxed_body()
            .map_into_right_body(),
    ))
}
