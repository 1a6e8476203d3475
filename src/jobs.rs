//! Background work of a serving node: the deadline sweep once a minute across all nodes (a
//! lease picks one), and reloading reference data that an administrator changed elsewhere.

use std::time::Duration;

use actix_web::web;
use chrono::Duration as ChronoDuration;

use crate::app::AppState;
use crate::service::{ServiceError, sweep};
use crate::store::{StoreError, leases};

/// Stops the sweep loop when dropped.
pub struct SweeperHandle {
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Starts the sweep loop unless `sweep_interval_secs` is 0.
pub fn spawn_sweeper(state: &AppState) -> Option<SweeperHandle> {
    let every = state.settings.sweep_interval_secs;
    if every == 0 {
        return None;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::error!("deadline sweep not started: no async runtime");
        return None;
    };
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let state = state.clone();
    let node = uuid::Uuid::new_v4().to_string();
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(every));
        loop {
            tokio::select! {
                _ = &mut stop_rx => break,
                _ = tick.tick() => {}
            }
            let (state, node) = (state.clone(), node.clone());
            let pass = web::block(move || sweep_once(&state, &node)).await;
            match pass {
                Ok(Ok(Some(report))) if report.examined > 0 => {
                    tracing::info!(?report, "deadline sweep")
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "deadline sweep failed; will retry"),
                Err(e) => tracing::error!(error = %e, "deadline sweep aborted; will retry"),
            }
        }
    });
    Some(SweeperHandle { _stop: stop_tx })
}

fn sweep_once(state: &AppState, node: &str) -> Result<Option<sweep::SweepReport>, ServiceError> {
    let mut conn = state.pool.get().map_err(StoreError::from)?;
    state.reference.reload(&mut conn)?;
    let ctx = state.ctx();
    let now = ctx.now.naive_utc();
    let until = now + ChronoDuration::seconds(state.settings.sweep_interval_secs.max(1) as i64 * 2);
    if !leases::try_acquire(&mut conn, "deadline_sweep", node, now, until)? {
        return Ok(None);
    }
    sweep::sweep(&mut conn, &ctx).map(Some)
}
