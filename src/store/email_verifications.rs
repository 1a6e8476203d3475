//! Whether the submitter's e-mail address of a case is proven to be theirs: one row per case
//! with the hash of the code mailed in the acknowledgement, and when it was confirmed.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::email_verifications as ev;

/// Records the code's hash for a new case, or (`verified_at` set) an address the bureau
/// keyed in itself.
pub fn insert(
    conn: &mut Db,
    case_id: i64,
    code_hash: Option<&str>,
    verified_at: Option<NaiveDateTime>,
) -> Result<(), DieselError> {
    diesel::insert_into(ev::table)
        .values((
            ev::case_id.eq(case_id),
            ev::code_hash.eq(code_hash),
            ev::verified_at.eq(verified_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A case's row: the hash of the mailed code (none when staff keyed the address in) and when
/// the address was confirmed.
#[derive(Debug, Queryable)]
pub struct Verification {
    pub code_hash: Option<String>,
    pub verified_at: Option<NaiveDateTime>,
}

/// The case's row, if it has one.
pub fn of_case(conn: &mut Db, case_id: i64) -> Result<Option<Verification>, DieselError> {
    ev::table
        .find(case_id)
        .select((ev::code_hash, ev::verified_at))
        .first(conn)
        .optional()
}

/// Marks the address confirmed (once; a later confirmation keeps the first time).
pub fn confirm(conn: &mut Db, case_id: i64, at: NaiveDateTime) -> Result<(), DieselError> {
    diesel::update(ev::table.find(case_id).filter(ev::verified_at.is_null()))
        .set(ev::verified_at.eq(at))
        .execute(conn)
        .map(|_| ())
}
