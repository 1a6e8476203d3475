//! Public intake: complaints and reports from the web form, mini-program and app.

use actix_web::{HttpRequest, HttpResponse, web};

use super::body::{idempotency, json_body};
use super::error::{ApiError, ErrorBody};
use crate::auth::Principal;
use crate::intake::input::{ComplaintInput, ReportInput};
use crate::service::intake::{self, Channel, IntakeInput};
use crate::service::submit::Submitted;
use crate::state::AppState;

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
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let input: ComplaintInput = json_body(&req, &body)?;
    let input = IntakeInput::Complaint(input);
    accept(
        &state,
        &req,
        &body,
        "public_complaint",
        input,
        public(principal),
    )
    .await
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
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let input: ReportInput = json_body(&req, &body)?;
    let input = IntakeInput::Report(input);
    accept(
        &state,
        &req,
        &body,
        "public_report",
        input,
        public(principal),
    )
    .await
}

/// Stores a parsed body under the Idempotency-Key header, if any: 201 with the case (marked
/// as a replay when the key was seen before with the same body).
pub(crate) async fn accept(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
    scope: &'static str,
    input: IntakeInput,
    channel: Channel,
) -> Result<HttpResponse, ApiError> {
    let idem = idempotency(req, scope, body)?;
    let submitted = intake::receive(&state.intake, state.ctx(), &input, channel, idem).await?;
    let mut res = HttpResponse::Created();
    if submitted.replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(res.json(submitted))
}

/// Online intake: the consumer is known when signed in through the mini-program.
fn public(principal: Principal) -> Channel {
    Channel::Public {
        openid: match principal {
            Principal::Consumer { openid } => Some(openid),
            _ => None,
        },
    }
}
