//! Reading request bodies and headers into typed values, with client errors as JSON.

use actix_web::http::header;
use actix_web::mime;
use actix_web::{HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::intake::FieldIssue;
use crate::secrets::{IdempotencyKey, TrackingToken, request_hash};
use crate::service::submit::Idempotency;
use crate::service::tracking_gate;
use crate::state::AppState;

/// Parses a JSON object body. A body not declared `application/json` (with at most a UTF-8
/// charset) is a 415: a page on another site can send a form or plain text with the visitor's
/// cookie, but not a JSON type without asking first. No body at all is missing JSON, a 400,
/// like broken JSON; a value of the wrong type is a 422 that names the field, like any other
/// validation problem.
pub fn json_body<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> Result<T, ApiError> {
    let no_body = body.is_empty() && !req.headers().contains_key(header::CONTENT_TYPE);
    if !no_body && !declared_json(req) {
        return Err(ApiError::unsupported_json());
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(ApiError::bad_request(
            "malformed_json",
            "请求体须为 JSON 对象",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            // Well-formed JSON whose content does not fit: a validation problem (422).
            serde_json::error::Category::Data => {
                ApiError::Validation(vec![data_issue(&path, &inner)])
            }
            _ => malformed(&inner),
        }
    })?;
    de.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

fn declared_json(req: &HttpRequest) -> bool {
    let Ok(Some(mime)) = req.mime_type() else {
        return false;
    };
    let utf8 = mime
        .get_param(mime::CHARSET)
        .is_none_or(|charset| charset == mime::UTF_8);
    mime.type_() == mime::APPLICATION
        && mime.subtype() == mime::JSON
        && mime.suffix().is_none()
        && utf8
}

/// A request with a body but no `Content-Type`: refused as not JSON (415) before anything else
/// is decided about it.
pub fn body_without_media_type(req: &HttpRequest) -> bool {
    let headers = req.headers();
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|n| n.trim() != "0");
    has_body && !headers.contains_key(header::CONTENT_TYPE)
}

/// Names the field of a type error, a missing field or an unknown variant.
fn data_issue(path: &str, e: &serde_json::Error) -> FieldIssue {
    let text = e.to_string();
    let quoted = |prefix: &str| {
        let rest = text.split(prefix).nth(1)?;
        rest.split('`').nth(1).map(str::to_owned)
    };
    let located = path != "." && !path.is_empty();
    if let Some(name) = quoted("missing field") {
        let field = if located {
            format!("{path}.{name}")
        } else {
            name
        };
        return FieldIssue {
            message: crate::intake::labels::missing(&field),
            field,
            code: "required".into(),
        };
    }
    if !located && let Some(_variant) = quoted("unknown variant") {
        return FieldIssue {
            field: "action".into(),
            code: "unknown_action".into(),
            message: "未知的操作".into(),
        };
    }
    FieldIssue {
        field: if located {
            path.to_owned()
        } else {
            String::new()
        },
        code: "type".into(),
        message: "数据类型不正确".into(),
    }
}

fn malformed(e: &serde_json::Error) -> ApiError {
    ApiError::bad_request(
        "malformed_json",
        format!("JSON 格式错误：第{}行第{}列", e.line(), e.column()),
    )
}

/// The optional `Idempotency-Key` header, bound to this endpoint and this exact body.
pub fn idempotency(
    req: &HttpRequest,
    scope: &'static str,
    body: &[u8],
) -> Result<Option<Idempotency>, ApiError> {
    let Some(raw) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = raw
        .to_str()
        .ok()
        .and_then(IdempotencyKey::parse)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key 须为 1 至 255 个可见 ASCII 字符",
            )
        })?;
    Ok(Some(Idempotency {
        scope,
        key,
        request_hash: request_hash(body),
    }))
}

/// The `X-Tracking-Token` header; a malformed one is treated like a wrong one.
pub fn tracking_token(req: &HttpRequest) -> Option<TrackingToken> {
    req.headers()
        .get("X-Tracking-Token")
        .and_then(|v| v.to_str().ok())
        .and_then(TrackingToken::parse)
}

/// The `X-Tracking-Token` header checked against `case_no` under the per-case limit on wrong
/// codes (`service::tracking_gate`): `None` without one, 404 for a wrong one, 429 while the
/// case refuses codes.
pub async fn checked_tracking_token(
    req: &HttpRequest,
    state: &AppState,
    case_no: &str,
) -> Result<Option<TrackingToken>, ApiError> {
    let Some(token) = tracking_token(req) else {
        return Ok(None);
    };
    let now = state.clock.now();
    tracking_gate::check(&state.pool, &state.tracking, case_no, &token, now).await?;
    Ok(Some(token))
}
