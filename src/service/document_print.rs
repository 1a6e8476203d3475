//! Printing issued documents (文书) to PDF, after the decision and outside its transaction:
//! Chromium takes seconds, so a background pass (one node at a time, by lease) or
//! `odrdesk documents print` picks the documents not printed yet, prints each from its frozen
//! HTML, stores the PDF in the blob store and, in one transaction, records its SHA-256 on the
//! document and logs `document_printed` in the case's hash-chained event log. A document is
//! recorded as printed once: a second printer's copy is discarded. A failed print is logged
//! and left for the next pass; it never touches the decision.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::ServiceError;
use crate::blobs::BlobStore;
use crate::bulletin::render::PdfError;
use crate::store::documents as store;
use crate::store::events::{self, EventDraft};
use crate::store::{Db, cases, write_transaction};

/// Event kind that logs a document's printed PDF (never on the parties' timelines).
pub const DOCUMENT_PRINTED: &str = "document_printed";
/// The lease that keeps printing on one node at a time.
pub const PRINT_LEASE: &str = "document_printer";
/// Documents taken per pass; the next pass takes the rest.
const BATCH: i64 = 200;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PrintReport {
    pub printed: usize,
    /// Prints that failed; those documents are tried again by the next pass.
    pub failed: usize,
    /// Documents another printer recorded first.
    pub skipped: usize,
}

/// How many documents wait to be printed.
pub fn pending(conn: &mut Db) -> Result<i64, ServiceError> {
    Ok(store::count_unprinted(conn)?)
}

/// Prints the documents not printed yet with `print`, asking `still_ours` inside each
/// recording transaction (a node renews its lease there) and stopping when it says no.
/// `progress` hears (documents in this pass, done so far) after each one.
pub fn print_pending(
    conn: &mut Db,
    blobs: &BlobStore,
    print: &dyn Fn(&str) -> Result<Vec<u8>, PdfError>,
    now: &dyn Fn() -> DateTime<Utc>,
    mut still_ours: impl FnMut(&mut Db) -> Result<bool, diesel::result::Error>,
    progress: &dyn Fn(u64, u64),
) -> Result<PrintReport, ServiceError> {
    let mut report = PrintReport::default();
    let ids = store::unprinted(conn, BATCH)?;
    let total = ids.len() as u64;
    progress(total, 0);
    for (done, id) in ids.into_iter().enumerate() {
        let outcome = print_one(conn, blobs, print, now(), id, &mut still_ours);
        progress(total, done as u64 + 1);
        match outcome {
            Ok(Printed::Recorded) => report.printed += 1,
            Ok(Printed::Already) => report.skipped += 1,
            Ok(Printed::LeaseLost) => break,
            Err(e) => {
                tracing::warn!(document_id = id, error = %e.detail(), "document not printed; will retry");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

enum Printed {
    Recorded,
    Already,
    LeaseLost,
}

fn print_one(
    conn: &mut Db,
    blobs: &BlobStore,
    print: &dyn Fn(&str) -> Result<Vec<u8>, PdfError>,
    at: DateTime<Utc>,
    id: i64,
    still_ours: &mut impl FnMut(&mut Db) -> Result<bool, diesel::result::Error>,
) -> Result<Printed, ServiceError> {
    let Some(html) = store::html_of(conn, id)? else {
        return Ok(Printed::Already);
    };
    let pdf = print(&html).map_err(|e| ServiceError::Storage(format!("print: {e}")))?;
    let sha = blobs
        .put(&pdf)
        .map_err(|e| ServiceError::Storage(format!("store PDF: {e}")))?;
    let recorded = write_transaction(conn, |conn| {
        if !still_ours(conn)? {
            return Ok(Printed::LeaseLost);
        }
        let Some(row) = store::find(conn, id)? else {
            return Ok(Printed::Already);
        };
        // The case's log is appended one writer at a time.
        cases::lock_case(conn, row.case_id)?;
        if !store::set_printed(conn, id, &sha)? {
            return Ok(Printed::Already);
        }
        events::append(
            conn,
            row.case_id,
            EventDraft {
                kind: DOCUMENT_PRINTED.into(),
                actor: "system".into(),
                actor_role: "system".into(),
                at: at.naive_utc(),
                from_state: None,
                to_state: None,
                reason: Some(row.kind.clone()),
                payload: json!({
                    "v": 1,
                    "document_id": id,
                    "number": row.number,
                    "pdf_sha256": sha,
                }),
            },
        )?;
        Ok::<_, ServiceError>(Printed::Recorded)
    });
    if !matches!(recorded, Ok(Printed::Recorded)) {
        // Chromium stamps each copy, so this one is new: keep it only if something uses it.
        if let Ok(false) = cases::blob_is_referenced(conn, &sha) {
            blobs.remove(&sha);
        }
    }
    recorded
}
