//! The document printer of a serving node: every `print_interval_secs`, the node holding the
//! lease prints the issued documents (文书) not printed yet, then lets the lease go. The
//! command `odrdesk documents print` takes the same lease, so it never prints beside a node.

use std::time::Duration;

use actix_web::web;
use chrono::Duration as ChronoDuration;

use crate::blobs::BlobStore;
use crate::bulletin::render::Chromium;
use crate::clock::Clock;
use crate::service::ServiceError;
use crate::service::document_print::{self, PRINT_LEASE, PrintReport};
use crate::state::AppState;
use crate::store::{Db, StoreError, leases};

/// How long a printer holds the lease without renewing it: longer than one print may take.
const HOLD_SECS: i64 = 120;

/// The printer loop's handle.
pub type PrinterHandle = crate::jobs::LoopHandle;

/// Starts the printer loop unless `print_interval_secs` is 0.
pub fn spawn_printer(state: &AppState) -> Option<PrinterHandle> {
    let every = state.settings.print_interval_secs;
    if every == 0 {
        return None;
    }
    let state = state.clone();
    let node = uuid::Uuid::new_v4().to_string();
    crate::jobs::spawn_every("document printer", Duration::from_secs(every), move || {
        let (printing, node) = (state.clone(), node.clone());
        async move {
            let pass = web::block(move || {
                let mut conn = printing.pool.get().map_err(StoreError::from)?;
                print_under_lease(
                    &mut conn,
                    &printing.blobs,
                    printing.clock.as_ref(),
                    &node,
                    &|_, _| {},
                )
            })
            .await;
            match pass {
                Ok(Ok(Some(r))) if r != PrintReport::default() => tracing::info!(
                    printed = r.printed,
                    failed = r.failed,
                    skipped = r.skipped,
                    "documents printed"
                ),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e.detail(), "document printing failed; will retry")
                }
                Err(e) => tracing::error!(error = %e, "document printing aborted; will retry"),
            }
        }
    })
}

/// One pass by `holder` if it gets the lease (`None` when another printer holds it): prints
/// what is pending, renewing the lease before recording each document, then releases it.
/// Nothing pending: no Chromium is looked for.
pub fn print_under_lease(
    conn: &mut Db,
    blobs: &BlobStore,
    clock: &dyn Clock,
    holder: &str,
    progress: &dyn Fn(u64, u64),
) -> Result<Option<PrintReport>, ServiceError> {
    if document_print::pending(conn)? == 0 {
        return Ok(Some(PrintReport::default()));
    }
    let renew = |conn: &mut Db| {
        let now = clock.now().naive_utc();
        leases::try_acquire(
            conn,
            PRINT_LEASE,
            holder,
            now,
            now + ChronoDuration::seconds(HOLD_SECS),
        )
    };
    if !renew(conn)? {
        return Ok(None);
    }
    let pass = Chromium::locate()
        .map_err(|e| ServiceError::Storage(e.to_string()))
        .and_then(|chromium| {
            let print = |html: &str| chromium.print(html);
            document_print::print_pending(conn, blobs, &print, &|| clock.now(), renew, progress)
        });
    leases::release(conn, PRINT_LEASE, holder, clock.now().naive_utc())?;
    pass.map(Some)
}
