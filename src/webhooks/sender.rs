//! The webhook sender of a serving node: every `webhook_poll_ms` it claims due deliveries
//! (a lease per delivery, so two nodes never send the same one at once), posts them side by
//! side and records each attempt only while it still holds the lease.

use std::time::Duration;

use futures_util::future::join_all;

use super::send::{Attempt, post};
use crate::jobs::{LoopHandle, spawn_every};
use crate::service::ServiceError;
use crate::service::webhooks::{self, Due};
use crate::state::AppState;

/// Deliveries one node claims per pass.
const BATCH: i64 = 16;

/// Starts the sender loop.
pub fn spawn_webhook_sender(state: &AppState) -> Option<LoopHandle> {
    let every = Duration::from_millis(state.settings.webhook_poll_ms.max(10));
    let state = state.clone();
    spawn_every("webhook sender", every, move || {
        let state = state.clone();
        async move {
            match send_due(&state).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(attempts = sent, "webhooks sent"),
                Err(e) => tracing::warn!(error = %e.detail(), "webhook pass failed; will retry"),
            }
        }
    })
}

/// One pass: claims, sends and records; returns the attempts made.
pub async fn send_due(state: &AppState) -> Result<usize, ServiceError> {
    let (key, now) = (state.server_key.clone(), state.clock.now());
    let due = state
        .with_db(move |conn| webhooks::claim(conn, &key, now, BATCH))
        .await?;
    let attempts = due.len();
    let allow_private = state.settings.webhook_allow_loopback;
    let results = join_all(due.into_iter().map(|d| attempt(state, d, allow_private))).await;
    for result in results {
        result?;
    }
    Ok(attempts)
}

async fn attempt(state: &AppState, due: Due, allow_private: bool) -> Result<(), ServiceError> {
    let Due { row, url, secret } = due;
    let outcome = match secret {
        Some(secret) if !url.is_empty() => {
            let stamp = state.clock.now().timestamp();
            post(
                &url,
                &secret,
                &row.event_id,
                &row.body,
                stamp,
                allow_private,
            )
            .await
        }
        _ => Attempt {
            status: None,
            error: Some("endpoint switched off, or its secret cannot be opened".into()),
        },
    };
    let now = state.clock.now();
    let kept = state
        .with_db(move |conn| webhooks::record(conn, &row, outcome.status, outcome.error, now))
        .await?;
    if !kept {
        tracing::warn!("webhook attempt finished after its lease ran out; not recorded");
    }
    Ok(())
}
