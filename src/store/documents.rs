//! Issued documents (文书) and the per-bureau, per-kind, per-year counters that number them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;

diesel::table! {
    documents (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        policy_version -> Text,
        bureau -> Text,
        year -> Integer,
        serial -> Integer,
        number -> Text,
        title -> Text,
        audience -> Text,
        issued_on -> Date,
        issued_at -> Timestamp,
        verify_code -> Text,
        fields -> Text,
        html -> Text,
        sha256 -> Text,
        replaces_id -> Nullable<BigInt>,
        pdf_sha256 -> Nullable<Text>,
    }
}

diesel::table! {
    document_counters (bureau, kind, year) {
        bureau -> Text,
        kind -> Text,
        year -> Integer,
        last_serial -> Integer,
    }
}

diesel::table! {
    document_templates (id) {
        id -> BigInt,
        definition -> Text,
        loaded_at -> Timestamp,
    }
}

pub fn save_templates(
    conn: &mut Db,
    definition: &str,
    now: NaiveDateTime,
) -> Result<(), DieselError> {
    diesel::insert_into(document_templates::table)
        .values((
            document_templates::definition.eq(definition),
            document_templates::loaded_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The newest templates an administrator loaded, if any.
pub fn latest_templates(conn: &mut Db) -> Result<Option<String>, DieselError> {
    document_templates::table
        .order(document_templates::id.desc())
        .select(document_templates::definition)
        .first(conn)
        .optional()
}

/// A stored document, without its HTML (lists never need it).
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub policy_version: String,
    pub bureau: String,
    pub year: i32,
    pub serial: i32,
    pub number: String,
    /// The title as issued (a bureau may word it differently from the kind's usual name).
    pub title: String,
    pub audience: String,
    pub issued_on: NaiveDate,
    pub issued_at: NaiveDateTime,
    pub verify_code: String,
    pub sha256: String,
    pub replaces_id: Option<i64>,
    pub pdf_sha256: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = documents)]
pub struct NewDocumentRow<'a> {
    pub case_id: i64,
    pub kind: &'a str,
    pub policy_version: &'a str,
    pub bureau: &'a str,
    pub year: i32,
    pub serial: i32,
    pub number: &'a str,
    pub title: &'a str,
    pub audience: &'a str,
    pub issued_on: NaiveDate,
    pub issued_at: NaiveDateTime,
    pub verify_code: &'a str,
    /// The values the template was filled with (JSON), so a correction starts from them.
    pub fields: &'a str,
    pub html: &'a str,
    pub sha256: &'a str,
    pub replaces_id: Option<i64>,
}

/// Takes the next number of `kind` for `bureau` in `year`. Must run inside the deciding
/// transaction: the counter row stays locked until it commits (PostgreSQL), or the whole
/// database does (SQLite's `BEGIN IMMEDIATE`), and a rollback gives the number back.
pub fn next_serial(conn: &mut Db, bureau: &str, kind: &str, year: i32) -> Result<i32, DieselError> {
    use document_counters::dsl as c;
    let fresh = (
        c::bureau.eq(bureau),
        c::kind.eq(kind),
        c::year.eq(year),
        c::last_serial.eq(0),
    );
    // The first number of a year: create the row unless a concurrent decision just did (on
    // PostgreSQL that waits for it to commit, then does nothing).
    match conn {
        Db::Pg(pg) => diesel::insert_into(document_counters::table)
            .values(fresh)
            .on_conflict_do_nothing()
            .execute(pg)?,
        Db::Sqlite(sqlite) => diesel::insert_or_ignore_into(document_counters::table)
            .values(fresh)
            .execute(sqlite)?,
    };
    let row = c::document_counters
        .filter(c::bureau.eq(bureau))
        .filter(c::kind.eq(kind))
        .filter(c::year.eq(year));
    diesel::update(row)
        .set(c::last_serial.eq(c::last_serial + 1))
        .execute(conn)?;
    row.select(c::last_serial).first(conn)
}

pub fn insert(conn: &mut Db, row: &NewDocumentRow) -> Result<i64, DieselError> {
    diesel::insert_into(documents::table)
        .values(row)
        .execute(conn)?;
    documents::table
        .filter(documents::verify_code.eq(row.verify_code))
        .select(documents::id)
        .first(conn)
}

/// Every document of a case, oldest first.
pub fn of_case(conn: &mut Db, case_id: i64) -> Result<Vec<DocumentRow>, DieselError> {
    documents::table
        .filter(documents::case_id.eq(case_id))
        .order(documents::id)
        .select(DocumentRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut Db, id: i64) -> Result<Option<DocumentRow>, DieselError> {
    documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_verify_code(conn: &mut Db, code: &str) -> Result<Option<DocumentRow>, DieselError> {
    documents::table
        .filter(documents::verify_code.eq(code))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()
}

/// The values a document was filled with (JSON).
pub fn fields_of(conn: &mut Db, id: i64) -> Result<Option<String>, DieselError> {
    documents::table
        .find(id)
        .select(documents::fields)
        .first(conn)
        .optional()
}

/// The document as issued.
pub fn html_of(conn: &mut Db, id: i64) -> Result<Option<String>, DieselError> {
    documents::table
        .find(id)
        .select(documents::html)
        .first(conn)
        .optional()
}

/// Documents not printed yet, oldest first (the partial index `documents_unprinted`).
pub fn unprinted(conn: &mut Db, limit: i64) -> Result<Vec<i64>, DieselError> {
    documents::table
        .filter(documents::pdf_sha256.is_null())
        .order(documents::id)
        .select(documents::id)
        .limit(limit)
        .load(conn)
}

/// How many documents wait to be printed.
pub fn count_unprinted(conn: &mut Db) -> Result<i64, DieselError> {
    documents::table
        .filter(documents::pdf_sha256.is_null())
        .count()
        .get_result(conn)
}

/// Records the printed PDF unless the document was printed already; whether this call did.
pub fn set_printed(conn: &mut Db, id: i64, pdf_sha256: &str) -> Result<bool, DieselError> {
    diesel::update(
        documents::table
            .filter(documents::id.eq(id))
            .filter(documents::pdf_sha256.is_null()),
    )
    .set(documents::pdf_sha256.eq(pdf_sha256))
    .execute(conn)
    .map(|n| n == 1)
}

/// Whether a document's PDF is this blob.
pub fn pdf_is_referenced(conn: &mut Db, sha256: &str) -> Result<bool, DieselError> {
    let n: i64 = documents::table
        .filter(documents::pdf_sha256.eq(sha256))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Stands for the PDF of an anonymised document: not `NULL`, so it is never printed again.
pub const ERASED_PDF: &str = "erased";

/// Erases the pages, fields and PDFs of a case's documents when the case is anonymised
/// (number, kind, dates and hashes stay: the audit still checks them against the log);
/// returns how many and the PDF blobs they referenced.
pub fn erase_of_case(conn: &mut Db, case_id: i64) -> Result<(usize, Vec<String>), DieselError> {
    let pdfs: Vec<Option<String>> = documents::table
        .filter(documents::case_id.eq(case_id))
        .select(documents::pdf_sha256)
        .load(conn)?;
    let n = diesel::update(documents::table.filter(documents::case_id.eq(case_id)))
        .set((
            documents::html.eq(""),
            documents::fields.eq("{}"),
            documents::pdf_sha256.eq(ERASED_PDF),
        ))
        .execute(conn)?;
    let pdfs = pdfs.into_iter().flatten().filter(|p| p != ERASED_PDF);
    Ok((n, pdfs.collect()))
}
