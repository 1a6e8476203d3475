//! Every column that holds the SHA-256 of a file in the attachment store (`blobs.rs`), in
//! one place: the orphan sweep, the backup and the removal of a single file ask here, so a
//! new column that refers to a blob is added once.
//!
//! The columns: `attachments.sha256` (evidence and the scans of signed 调解书, which are
//! attachments too) and `documents.pdf_sha256` (the printed PDFs of issued 文书).

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::documents::documents;
use super::schema::attachments;
use crate::blobs::is_sha256;

/// Whether any row refers to the blob `sha256`.
pub fn is_referenced(conn: &mut Db, sha256: &str) -> Result<bool, DieselError> {
    let n: i64 = attachments::table
        .filter(attachments::sha256.eq(sha256))
        .count()
        .get_result(conn)?;
    Ok(n > 0 || super::documents::pdf_is_referenced(conn, sha256)?)
}

/// The SHA-256 of every blob some row refers to (a value that is not one, such as the
/// marker of an erased PDF, names no file and is left out).
pub fn all_referenced(conn: &mut Db) -> Result<BTreeSet<String>, DieselError> {
    let mut out: BTreeSet<String> = attachments::table
        .select(attachments::sha256)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect();
    out.extend(
        documents::table
            .filter(documents::pdf_sha256.is_not_null())
            .select(documents::pdf_sha256)
            .distinct()
            .load::<Option<String>>(conn)?
            .into_iter()
            .flatten(),
    );
    out.retain(|s| is_sha256(s));
    Ok(out)
}
