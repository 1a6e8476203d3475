//! The files that hold personal data besides the database: attachment and printed-document
//! blobs, and mail written as `.eml` files under `<data-dir>/outbox/` when no SMTP server is
//! configured (named `<outbox id>.eml`, see `notify::eml_file_name`).

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::ServiceError;
use super::blob_sweep::{self, BlobFate};
use crate::blobs::BlobStore;
use crate::notify::eml_file_name;
use crate::store::Db;

/// Where retention and erasure look for files.
#[derive(Debug, Clone, Copy)]
pub struct Files<'a> {
    pub blobs: &'a BlobStore,
    /// The directory of `.eml` files (`Settings::outbox_dir`).
    pub outbox: &'a Path,
}

impl Files<'_> {
    /// Deletes the mail files of the outbox rows `ids`; returns how many there were.
    pub fn remove_mail(&self, ids: &[i64]) -> Result<usize, ServiceError> {
        let mut removed = 0;
        for id in ids {
            let path = self.outbox.join(eml_file_name(*id));
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(storage("remove a mail file", &e)),
            }
        }
        Ok(removed)
    }

    /// Deletes (or, in a dry run, counts) at most `limit` mail files last written before
    /// `cutoff`.
    pub fn expire_mail(
        &self,
        cutoff: SystemTime,
        limit: usize,
        dry_run: bool,
    ) -> Result<usize, ServiceError> {
        let entries = match std::fs::read_dir(self.outbox) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(storage("read the mail directory", &e)),
        };
        let mut n = 0;
        for entry in entries.flatten() {
            if n == limit {
                break;
            }
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !(name.ends_with(".eml") || name.ends_with(".eml.tmp")) {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < cutoff);
            if !old {
                continue;
            }
            if !dry_run {
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(storage("remove a mail file", &e)),
                }
            }
            n += 1;
        }
        Ok(n)
    }

    /// Deletes the blob files of `shas` that no row references any more and that were last
    /// written more than `grace` before `now` (after the commit: a file is never deleted for
    /// a transaction that rolled back); younger ones are left to the hourly orphan sweep.
    pub fn remove_blobs(
        &self,
        conn: &mut Db,
        mut shas: Vec<String>,
        now: SystemTime,
        grace: Duration,
    ) -> Result<usize, ServiceError> {
        shas.sort();
        shas.dedup();
        let mut removed = 0;
        for sha in shas {
            let fate = blob_sweep::remove_blob_if_unreferenced(conn, self.blobs, &sha, now, grace)?;
            if fate == BlobFate::Removed {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

fn storage(what: &str, e: &std::io::Error) -> ServiceError {
    ServiceError::Storage(format!("{what}: {e}"))
}
