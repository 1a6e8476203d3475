//! Background work of a serving node: the deadline sweep once a minute across all nodes (a
//! lease picks one), reloading reference data that an administrator changed elsewhere,
//! deleting this node's export files once they are older than `export_ttl_days`, a
//! retention pass once a day across all nodes and, at most once an hour, removing orphan
//! attachment files (`service::blob_sweep`).

use std::time::Duration;

use actix_web::web;
use chrono::{DateTime, Duration as ChronoDuration, Utc};

use crate::service::retention::{self, RetentionReport};
use crate::service::{ServiceError, blob_sweep, exports, sweep};
use crate::state::AppState;
use crate::store::{Db, StoreError, leases};

/// Stops a background loop (`spawn_every`) when dropped.
pub struct LoopHandle {
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// The sweep loop's handle.
pub type SweeperHandle = LoopHandle;

/// Runs `pass` every `every` on the current async runtime until the handle is dropped. A
/// pass longer than the interval is followed by one pass, not a burst of them. `None` when
/// there is no runtime (logged, naming `what`).
pub fn spawn_every<F, Fut>(what: &'static str, every: Duration, mut pass: F) -> Option<LoopHandle>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::error!("{what} not started: no async runtime");
        return None;
    };
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut stop_rx => break,
                _ = tick.tick() => {}
            }
            pass().await;
        }
    });
    Some(LoopHandle { _stop: stop_tx })
}

/// Starts the sweep loop unless `sweep_interval_secs` is 0.
pub fn spawn_sweeper(state: &AppState) -> Option<SweeperHandle> {
    let every = state.settings.sweep_interval_secs;
    if every == 0 {
        return None;
    }
    let state = state.clone();
    let node = uuid::Uuid::new_v4().to_string();
    // The first pass looks for orphans; later ones once the hour since the last has passed.
    let mut orphans_due = state.clock.now();
    spawn_every("deadline sweep", Duration::from_secs(every), move || {
        let (state, node) = (state.clone(), node.clone());
        let now = state.clock.now();
        let sweep_orphans = now >= orphans_due;
        if sweep_orphans {
            // At most once an hour.
            orphans_due = now + ChronoDuration::hours(1);
        }
        async move {
            let swept = state.clone();
            let pass = web::block(move || sweep_once(&swept, &node)).await;
            let metrics = &state.metrics;
            match &pass {
                Ok(Ok(Some(pass))) => metrics.sweep_seconds.observe(pass.took.as_secs_f64()),
                Ok(Ok(None)) => {}
                Ok(Err(_)) | Err(_) => metrics.sweep_failures.inc(),
            }
            match pass {
                Ok(Ok(Some(pass))) if pass.report.examined > 0 => {
                    let r = &pass.report;
                    tracing::info!(
                        started = %pass.started.to_rfc3339(),
                        finished = %pass.finished.to_rfc3339(),
                        examined = r.examined,
                        odr_expired = r.odr_expired,
                        overdue_marked = r.overdue_marked,
                        reminders = r.reminders,
                        "deadline sweep"
                    )
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e.detail(), "deadline sweep failed; will retry")
                }
                Err(e) => tracing::error!(error = %e, "deadline sweep aborted; will retry"),
            }
            let retaining = state.clone();
            match web::block(move || retention_once(&retaining)).await {
                Ok(Ok(Some(r))) => {
                    tracing::info!(cases = r.total_cases(), more = r.more, "retention pass")
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e.detail(), "retention pass failed"),
                Err(e) => tracing::error!(error = %e, "retention pass aborted"),
            }
            let expiring = state.clone();
            match web::block(move || expire_exports(&expiring)).await {
                Ok(Ok(0)) => {}
                Ok(Ok(expired)) => tracing::info!(expired, "export files expired"),
                Ok(Err(e)) => tracing::warn!(error = %e.detail(), "export expiry failed"),
                Err(e) => tracing::error!(error = %e, "export expiry aborted"),
            }
            if sweep_orphans {
                let swept = state.clone();
                match web::block(move || sweep_orphan_files(&swept)).await {
                    Ok(Ok(r)) if r.removed + r.stale_uploads > 0 => tracing::info!(
                        removed = r.removed,
                        removed_bytes = r.removed_bytes,
                        stale_uploads = r.stale_uploads,
                        "orphan attachment files removed"
                    ),
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::warn!(error = %e.detail(), "orphan sweep failed"),
                    Err(e) => tracing::error!(error = %e, "orphan sweep aborted"),
                }
            }
        }
    })
}

/// Removes this node's orphan attachment files older than the default grace period, as of
/// the state's clock. Each node sweeps the store it writes to; two nodes sharing one store
/// may both sweep it, which removes nothing twice.
fn sweep_orphan_files(state: &AppState) -> Result<blob_sweep::SweepReport, ServiceError> {
    let mut conn = state.pool.get().map_err(StoreError::from)?;
    let now = std::time::SystemTime::from(state.clock.now());
    blob_sweep::sweep(
        &mut conn,
        &state.blobs,
        now,
        blob_sweep::DEFAULT_GRACE,
        false,
    )
}

const SWEEP_LEASE: &str = "deadline_sweep";

/// A pass this node made while holding the lease.
struct Pass {
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
    /// Wall time the pass took on this node.
    took: Duration,
    report: sweep::SweepReport,
}

/// Sweeps once if this node holds the lease (for twice the interval). The lease is renewed
/// inside every case's transaction, so a pass that takes longer than the lease keeps it, and
/// one whose lease another node took over stops at the next case instead of running beside it.
fn sweep_once(state: &AppState, node: &str) -> Result<Option<Pass>, ServiceError> {
    let mut conn = state.pool.get().map_err(StoreError::from)?;
    state.reference.reload(&mut conn)?;
    let ctx = state.ctx();
    let hold = ChronoDuration::seconds(state.settings.sweep_interval_secs.max(1) as i64 * 2);
    let clock = state.clock.clone();
    let renew = |conn: &mut Db| {
        let now = clock.now().naive_utc();
        leases::try_acquire(conn, SWEEP_LEASE, node, now, now + hold)
    };
    if !renew(&mut conn)? {
        return Ok(None);
    }
    let began = std::time::Instant::now();
    let report = sweep::sweep_while(&mut conn, &ctx, renew)?;
    Ok(Some(Pass {
        started: ctx.now,
        finished: state.clock.now(),
        took: began.elapsed(),
        report,
    }))
}

const RETENTION_LEASE: &str = "retention";

/// Runs a retention pass at most once a day across all nodes: the lease is taken for a day
/// by a holder name used once, so neither this node nor another takes it again before then.
/// A pass that stops at the batch size gives the lease back, so the next sweep tick continues.
fn retention_once(state: &AppState) -> Result<Option<RetentionReport>, ServiceError> {
    let mut conn = state.pool.get().map_err(StoreError::from)?;
    let now = state.clock.now();
    let holder = uuid::Uuid::new_v4().to_string();
    let until = now.naive_utc() + ChronoDuration::days(1);
    if !leases::try_acquire(&mut conn, RETENTION_LEASE, &holder, now.naive_utc(), until)? {
        return Ok(None);
    }
    let settings = &state.settings;
    let outbox = settings.outbox_dir();
    let files = retention::Files {
        blobs: &state.blobs,
        outbox: &outbox,
    };
    let report = retention::run(
        &mut conn,
        Some(&files),
        &settings.retention,
        now,
        false,
        |_, _| {},
    )?;
    if report.more {
        leases::release(&mut conn, RETENTION_LEASE, &holder, now.naive_utc())?;
    }
    Ok(Some(report))
}

/// Every node holds its own export files, so each expires its own, as of the state's clock.
fn expire_exports(state: &AppState) -> Result<usize, ServiceError> {
    let mut conn = state.pool.get().map_err(StoreError::from)?;
    let ttl = state.settings.export_ttl_days;
    exports::expire(&mut conn, &state.exports().dir, state.clock.now(), ttl)
}
