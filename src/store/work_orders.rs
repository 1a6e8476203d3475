//! Imported 12315 work orders (`work_orders`): which case each 登记编号 became and the hash of
//! the row as last imported. Writes run inside the caller's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::{case_events, cases, work_order_imports as imports, work_orders as w};

/// A work order as stored: its case and the hash of the row last imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrder {
    pub case_id: i64,
    pub case_no: String,
    pub row_sha256: String,
}

pub fn find(conn: &mut Db, registration_no: &str) -> Result<Option<StoredOrder>, DieselError> {
    let row: Option<(i64, String, String)> = w::table
        .inner_join(cases::table)
        .filter(w::registration_no.eq(registration_no))
        .select((w::case_id, cases::case_no, w::row_sha256))
        .first(conn)
        .optional()?;
    Ok(row.map(|(case_id, case_no, row_sha256)| StoredOrder {
        case_id,
        case_no,
        row_sha256,
    }))
}

pub fn insert(
    conn: &mut Db,
    registration_no: &str,
    case_id: i64,
    row_sha256: &str,
    at: NaiveDateTime,
) -> Result<(), DieselError> {
    diesel::insert_into(w::table)
        .values((
            w::registration_no.eq(registration_no),
            w::case_id.eq(case_id),
            w::row_sha256.eq(row_sha256),
            w::imported_at.eq(at),
            w::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// One import that wrote: who, which file, when, and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub imported_by: String,
    pub file_name: String,
    pub file_sha256: String,
    /// Rows read, created, left for dispatch, unchanged, changed, refused.
    pub counts: [i64; 6],
    pub imported_at: NaiveDateTime,
}

pub fn record_import(conn: &mut Db, r: &ImportRecord) -> Result<(), DieselError> {
    let [
        rows_read,
        created,
        left_for_dispatch,
        unchanged,
        changed,
        refused,
    ] = r.counts;
    diesel::insert_into(imports::table)
        .values((
            imports::imported_by.eq(&r.imported_by),
            imports::file_name.eq(&r.file_name),
            imports::file_sha256.eq(&r.file_sha256),
            imports::rows_read.eq(rows_read),
            imports::created.eq(created),
            imports::left_for_dispatch.eq(left_for_dispatch),
            imports::unchanged.eq(unchanged),
            imports::changed.eq(changed),
            imports::refused.eq(refused),
            imports::imported_at.eq(r.imported_at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn update_hash(
    conn: &mut Db,
    registration_no: &str,
    row_sha256: &str,
    at: NaiveDateTime,
) -> Result<(), DieselError> {
    diesel::update(w::table.filter(w::registration_no.eq(registration_no)))
        .set((w::row_sha256.eq(row_sha256), w::updated_at.eq(at)))
        .execute(conn)?;
    Ok(())
}

/// The most work orders one export lists.
pub const EXPORT_MAX: i64 = 100_000;

/// `(registration_no, case_id)` of every imported work order whose case has an event in
/// `[from, to)`, by registration number.
pub fn changed_between(
    conn: &mut Db,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<(String, i64)>, DieselError> {
    let changed = case_events::table
        .filter(case_events::at.ge(from))
        .filter(case_events::at.lt(to))
        .select(case_events::case_id);
    w::table
        .filter(w::case_id.eq_any(changed))
        .order(w::registration_no)
        .select((w::registration_no, w::case_id))
        .limit(EXPORT_MAX)
        .load(conn)
}
