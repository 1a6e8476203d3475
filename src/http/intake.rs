//! Public intake: complaints and reports from the web form, mini-program and app.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use super::body::{idempotency, json_body};
use super::error::{ApiError, ErrorBody};
use crate::app::AppState;
use crate::auth::Principal;
use crate::intake::input::{ComplaintInput, ReportInput};
use crate::intake::{FieldIssue, IntakeContext, NewCase, parse_complaint, parse_report};
use crate::service::group_commit::Submission;
use crate::service::submit::Submitted;

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
    let how = Intake::public(principal);
    receive(
        &state,
        &req,
        &body,
        "public_complaint",
        how,
        parse_complaint,
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
    let how = Intake::public(principal);
    receive(&state, &req, &body, "public_report", how, parse_report).await
}

/// How a submission came in: online (received now, by a consumer perhaps signed in through
/// the mini-program) or keyed in by staff with the date actually received.
pub struct Intake {
    pub staff: bool,
    pub received_at: Option<DateTime<Utc>>,
    pub consumer_openid: Option<String>,
}

impl Intake {
    fn public(principal: Principal) -> Intake {
        Intake {
            staff: false,
            received_at: None,
            consumer_openid: match principal {
                Principal::Consumer { openid } => Some(openid),
                _ => None,
            },
        }
    }
}

/// Intake of either kind: parse, check, route and store, answer 201.
pub async fn receive<T: DeserializeOwned>(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
    scope: &'static str,
    how: Intake,
    parse: fn(&T, &IntakeContext) -> Result<NewCase, Vec<FieldIssue>>,
) -> Result<HttpResponse, ApiError> {
    let input: T = json_body(req, body)?;
    let idem = idempotency(req, scope, body)?;
    let ctx = state.ctx();
    let intake = IntakeContext {
        now: ctx.now,
        received_at: how.received_at.unwrap_or(ctx.now),
        staff: how.staff,
        calendar: &ctx.reference.calendar,
        policy: &ctx.reference.policy,
    };
    let case = parse(&input, &intake).map_err(ApiError::Validation)?;
    let submitted = state
        .submit(Submission {
            ctx,
            case,
            idem,
            consumer_openid: how.consumer_openid,
        })
        .await?;
    let mut res = HttpResponse::Created();
    if submitted.replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(res.json(submitted))
}
