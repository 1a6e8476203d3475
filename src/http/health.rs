//! Liveness, readiness and metrics for operators: `/healthz` (the process answers; no
//! database), `/readyz` (the database answers in time and the search index is not too far
//! behind) and `/metrics` (Prometheus text, for loopback callers or the configured token).

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::error::{ApiError, ErrorBody};
use crate::service::health::{self, Readiness};
use crate::state::AppState;

/// How long `/readyz` waits for the database.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    /// The configured backend (`sqlite` or `postgres`); not checked here (see `/readyz`).
    pub database: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "The process answers (no database work)", body = Health)))]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        database: state.settings.database.backend_name(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "meta",
    responses(
        (status = 200, description = "Ready: the database answered and the index lag is at most `max_lag`", body = Readiness),
        (status = 503, description = "Not ready: `failing` names the checks that failed", body = Readiness)))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let search = state.search.clone();
    let measured = tokio::time::timeout(
        READY_TIMEOUT,
        state.with_db(move |conn| health::readiness_lag(conn, &search)),
    )
    .await;
    let lag = match measured {
        Ok(Ok(lag)) => Some(lag),
        Ok(Err(e)) => {
            tracing::warn!(error = %e.detail(), "readiness check: database failed");
            None
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer in time");
            None
        }
    };
    let readiness = Readiness::judge(lag, state.settings.metrics.max_index_lag);
    if readiness.is_ready() {
        HttpResponse::Ok().json(readiness)
    } else {
        HttpResponse::ServiceUnavailable().json(readiness)
    }
}

#[utoipa::path(get, path = "/metrics", tag = "meta",
    responses(
        (status = 200, description = "Prometheus text exposition (README \"指标与健康检查\")", content_type = "text/plain"),
        (status = 404, description = "Neither a loopback caller nor the configured token", body = ErrorBody),
        (status = 503, description = "The database is unavailable", body = ErrorBody)))]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !state
        .settings
        .metrics
        .admits(direct_loopback(&req), bearer(&req))
    {
        return Err(ApiError::NotFound);
    }
    let (search, now) = (state.search.clone(), state.clock.now());
    let figures = state
        .with_db(move |conn| health::figures(conn, &search, now))
        .await?;
    let text = state
        .metrics
        .render(&figures)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

/// The TCP peer is a loopback address and no proxy forwarded the request: a reverse proxy on
/// the same host connects over loopback too, but says whom it forwards for.
fn direct_loopback(req: &HttpRequest) -> bool {
    const FORWARDING: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];
    let loopback = req
        .peer_addr()
        .is_some_and(|a| a.ip().to_canonical().is_loopback());
    loopback && !FORWARDING.iter().any(|h| req.headers().contains_key(*h))
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}
