//! Public intake: complaints and reports from the web form, mini-program and app.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::de::DeserializeOwned;

use super::body::{idempotency, json_body};
use super::error::{ApiError, ErrorBody};
use crate::app::AppState;
use crate::intake::input::{ComplaintInput, ReportInput};
use crate::intake::{FieldIssue, IntakeContext, NewCase, parse_complaint, parse_report};
use crate::service::submit::{Submitted, submit};

#[utoipa::path(
    post, path = "/api/v1/complaints", tag = "intake",
    request_body = ComplaintInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry key: a retry with the same key and body returns the first response")),
    responses(
        (status = 201, description = "Received", body = Submitted),
        (status = 400, description = "Malformed JSON or header", body = ErrorBody),
        (status = 409, description = "Idempotency key reused with another body", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Every invalid field", body = ErrorBody),
        (status = 503, description = "Busy; retry after the Retry-After header", body = ErrorBody),
    )
)]
pub async fn submit_complaint(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    receive(&state, &req, &body, "public_complaint", parse_complaint).await
}

#[utoipa::path(
    post, path = "/api/v1/reports", tag = "intake",
    request_body = ReportInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retry key")),
    responses(
        (status = 201, description = "Received", body = Submitted),
        (status = 400, description = "Malformed JSON or header", body = ErrorBody),
        (status = 409, description = "Idempotency key reused with another body", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Every invalid field", body = ErrorBody),
        (status = 503, description = "Busy; retry later", body = ErrorBody),
    )
)]
pub async fn submit_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    receive(&state, &req, &body, "public_report", parse_report).await
}

/// Online intake of either kind: parse, check, store, answer 201.
async fn receive<T: DeserializeOwned>(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
    scope: &'static str,
    parse: fn(&T, &IntakeContext) -> Result<NewCase, Vec<FieldIssue>>,
) -> Result<HttpResponse, ApiError> {
    let input: T = json_body(req, body)?;
    let idem = idempotency(req, scope, body)?;
    let now = state.clock.now();
    let case = parse(&input, &state.public_context(now)).map_err(ApiError::Validation)?;
    let submitted = state
        .with_db(move |conn| submit(conn, case, idem, now))
        .await?;
    let mut res = HttpResponse::Created();
    if submitted.replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(res.json(submitted))
}

impl AppState {
    /// Online intake: received now, public channels only.
    pub fn public_context(&self, now: chrono::DateTime<chrono::Utc>) -> IntakeContext<'_> {
        IntakeContext {
            now,
            received_at: now,
            staff: false,
            calendar: &self.calendar,
            policy: &self.policy,
        }
    }
}
