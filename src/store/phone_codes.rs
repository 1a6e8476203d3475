//! SMS codes by phone (`phone_codes`) and the sessions they open (`phone_sessions`), and the
//! cases filed with a number. Writes run inside the caller's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::models::CaseRow;
use super::schema::{case_parties, cases, phone_codes as c, phone_sessions as s};
use crate::domain::phone_code::Challenge;

/// The most cases one number lists; more than anyone files, so the query stays bounded.
pub const MAX_CASES: i64 = 200;

/// When the codes for `phone` created after `since` were sent.
pub fn sent_since(
    conn: &mut Db,
    phone: &str,
    since: NaiveDateTime,
) -> Result<Vec<NaiveDateTime>, DieselError> {
    c::table
        .filter(c::phone.eq(phone).and(c::created_at.gt(since)))
        .select(c::created_at)
        .load(conn)
}

/// Stores a new code for `phone`; the number's earlier codes stop working. Codes older than
/// `forget_before` (of any number) no longer count towards a limit and are deleted.
pub fn replace(
    conn: &mut Db,
    phone: &str,
    code_hash: &str,
    (now, expires_at): (NaiveDateTime, NaiveDateTime),
    forget_before: NaiveDateTime,
) -> Result<(), DieselError> {
    diesel::delete(c::table.filter(c::created_at.lt(forget_before))).execute(conn)?;
    diesel::update(c::table.filter(c::phone.eq(phone).and(c::consumed.eq(false))))
        .set(c::consumed.eq(true))
        .execute(conn)?;
    diesel::insert_into(c::table)
        .values((
            c::phone.eq(phone),
            c::code_hash.eq(code_hash),
            c::created_at.eq(now),
            c::expires_at.eq(expires_at),
            c::attempts.eq(0),
            c::consumed.eq(false),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest code of `phone`: its id, hash and state.
pub fn latest(conn: &mut Db, phone: &str) -> Result<Option<(i64, String, Challenge)>, DieselError> {
    let row: Option<(i64, String, NaiveDateTime, i32, bool)> = c::table
        .filter(c::phone.eq(phone))
        .order((c::created_at.desc(), c::id.desc()))
        .select((c::id, c::code_hash, c::expires_at, c::attempts, c::consumed))
        .first(conn)
        .optional()?;
    Ok(row.map(|(id, hash, expires_at, attempts, consumed)| {
        (
            id,
            hash,
            Challenge {
                expires_at,
                attempts,
                consumed,
            },
        )
    }))
}

/// Counts one wrong try on code `id`.
pub fn count_attempt(conn: &mut Db, id: i64) -> Result<(), DieselError> {
    diesel::update(c::table.find(id))
        .set(c::attempts.eq(c::attempts + 1))
        .execute(conn)?;
    Ok(())
}

/// Marks code `id` used; it opens nothing again.
pub fn consume(conn: &mut Db, id: i64) -> Result<(), DieselError> {
    diesel::update(c::table.find(id))
        .set(c::consumed.eq(true))
        .execute(conn)?;
    Ok(())
}

/// Opens a session for `phone`, dropping sessions that ended before `now`.
pub fn insert_session(
    conn: &mut Db,
    token_hash: &str,
    phone: &str,
    (now, expires_at): (NaiveDateTime, NaiveDateTime),
) -> Result<(), DieselError> {
    diesel::delete(s::table.filter(s::expires_at.le(now))).execute(conn)?;
    diesel::insert_into(s::table)
        .values((
            s::token_hash.eq(token_hash),
            s::phone.eq(phone),
            s::created_at.eq(now),
            s::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The number of a session live at `now`.
pub fn session_phone(
    conn: &mut Db,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<String>, DieselError> {
    s::table
        .filter(s::token_hash.eq(token_hash).and(s::expires_at.gt(now)))
        .select(s::phone)
        .first(conn)
        .optional()
}

/// The cases whose complainant or reporter gave `phone`, newest first, at most `MAX_CASES`.
pub fn cases_of(conn: &mut Db, phone: &str) -> Result<Vec<CaseRow>, DieselError> {
    let filed = case_parties::table
        .filter(case_parties::phone.eq(phone))
        .filter(case_parties::role.eq_any(["complainant", "reporter"]))
        .select(case_parties::case_id);
    cases::table
        .filter(cases::id.eq_any(filed))
        .order((cases::received_at.desc(), cases::id.desc()))
        .limit(MAX_CASES)
        .select(CaseRow::as_select())
        .load(conn)
}

/// Whether any case's complainant or reporter gave `phone`.
pub fn has_cases(conn: &mut Db, phone: &str) -> Result<bool, DieselError> {
    let found: Option<i64> = case_parties::table
        .filter(case_parties::phone.eq(phone))
        .filter(case_parties::role.eq_any(["complainant", "reporter"]))
        .select(case_parties::case_id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}
