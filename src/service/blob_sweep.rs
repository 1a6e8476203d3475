//! Orphan attachment files: files in the attachment store that no row refers to
//! (`store::blob_refs` names every such column). They come from a crash between writing a
//! file and committing its row, a refused upload, or rows deleted since (an anonymised case).
//! A file is removed only when no row refers to it and it is older than a grace period, so
//! an upload whose row is not committed yet is never taken (`BlobStore::adopt` makes a
//! re-uploaded file young again). Run by `odrdesk blobs sweep` and, at most once an hour, by
//! a serving node's background sweep (`jobs.rs`).

use std::time::{Duration, SystemTime};

use super::ServiceError;
use crate::blobs::{BlobStore, is_sha256};
use crate::store::{Db, StoreError, blob_refs};

/// How old an unreferenced file must be before it is removed.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(60 * 60);

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobFate {
    Removed,
    /// A row refers to it.
    Referenced,
    /// Unreferenced but younger than the grace period (kept for now).
    Young,
    /// Not in the store.
    Missing,
}

/// Removes the blob `sha256` if no row refers to it and it was last written before
/// `now - grace`. For a change that deletes rows referring to blobs (deleting a case's
/// evidence): call it after that transaction committed, for each blob it no longer needs;
/// a blob still young is left to the sweep.
pub fn remove_blob_if_unreferenced(
    conn: &mut Db,
    blobs: &BlobStore,
    sha256: &str,
    now: SystemTime,
    grace: Duration,
) -> Result<BlobFate, ServiceError> {
    if !is_sha256(sha256) || !blobs.path_of(sha256).is_file() {
        return Ok(BlobFate::Missing);
    }
    if blob_refs::is_referenced(conn, sha256)? {
        return Ok(BlobFate::Referenced);
    }
    let cutoff = now.checked_sub(grace).unwrap_or(SystemTime::UNIX_EPOCH);
    match blobs.remove_if_older(sha256, cutoff) {
        Ok(true) => Ok(BlobFate::Removed),
        Ok(false) => Ok(BlobFate::Young),
        Err(e) => Err(ServiceError::Storage(format!(
            "remove an attachment file: {e}"
        ))),
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    /// Files in the store.
    pub examined: usize,
    pub referenced: usize,
    /// Unreferenced, younger than the grace period.
    pub young: usize,
    /// Unreferenced and old: removed, or (a dry run) would be.
    pub removed: usize,
    pub removed_bytes: u64,
    /// Left-over temporary upload files older than the grace period, removed (or would be).
    pub stale_uploads: usize,
}

/// Removes every orphan older than `grace` (with `dry_run`, only counts them).
pub fn sweep(
    conn: &mut Db,
    blobs: &BlobStore,
    now: SystemTime,
    grace: Duration,
    dry_run: bool,
) -> Result<SweepReport, ServiceError> {
    let (stored, tmp) = blobs
        .inventory()
        .map_err(|e| ServiceError::Storage(format!("list the attachment store: {e}")))?;
    let cutoff = now.checked_sub(grace).unwrap_or(SystemTime::UNIX_EPOCH);
    let mut report = SweepReport {
        examined: stored.len(),
        ..SweepReport::default()
    };
    let referenced = blob_refs::all_referenced(conn).map_err(StoreError::from)?;
    for blob in stored {
        if referenced.contains(&blob.sha256) {
            report.referenced += 1;
            continue;
        }
        if blob.modified >= cutoff {
            report.young += 1;
            continue;
        }
        let fate = if dry_run {
            BlobFate::Removed
        } else {
            // Asked again one by one: a row may have been committed since the list was read.
            remove_blob_if_unreferenced(conn, blobs, &blob.sha256, now, grace)?
        };
        match fate {
            BlobFate::Removed => {
                report.removed += 1;
                report.removed_bytes += blob.len;
            }
            BlobFate::Referenced => report.referenced += 1,
            BlobFate::Young => report.young += 1,
            BlobFate::Missing => {}
        }
    }
    for (path, modified) in tmp {
        if modified < cutoff {
            report.stale_uploads += 1;
            if !dry_run && let Err(e) = std::fs::remove_file(&path) {
                tracing::warn!(error = %e, "stale upload file not removed");
            }
        }
    }
    Ok(report)
}
