//! What is held about one complainant or reporter, found by phone number or ID number
//! (PIPL Art. 45 access and Art. 47 erasure requests). Reads only; bounded by the subject's
//! own cases.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::models::PartyRow;
use super::schema::{case_parties, cases, outbox, phone_codes, phone_sessions};

/// How a data subject is found.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    Phone(&'a str),
    IdNumber(&'a str),
}

/// Most cases one request reaches (a person has a handful; a shared number more).
pub const MAX_CASES: i64 = 1000;

/// The party rows of the subject (never the business complained about), by case, at most
/// `MAX_CASES`. A phone number may be shared or recycled: rows found by it may be other
/// people's (the service compares their names and ID numbers).
pub fn parties_of(conn: &mut Db, key: Key) -> Result<Vec<PartyRow>, DieselError> {
    let parties = case_parties::table
        .filter(case_parties::role.ne("respondent"))
        .select(PartyRow::as_select())
        .order(case_parties::case_id)
        .limit(MAX_CASES)
        .into_boxed();
    match key {
        Key::Phone(p) => parties.filter(case_parties::phone.eq(p)).load(conn),
        // Stored as typed: the final check character may be an upper- or lower-case x.
        Key::IdNumber(n) => parties
            .filter(
                case_parties::id_number.eq_any([n.to_ascii_uppercase(), n.to_ascii_lowercase()]),
            )
            .load(conn),
    }
}

/// `(id, case number, closed on)` of the cases `ids`, oldest first.
pub fn cases_by_id(
    conn: &mut Db,
    ids: &[i64],
) -> Result<Vec<(i64, String, Option<NaiveDate>)>, DieselError> {
    cases::table
        .filter(cases::id.eq_any(ids.to_vec()))
        .order(cases::id)
        .select((cases::id, cases::case_no, cases::closed_on))
        .load(conn)
}

/// A message in the outbox, as the subject may read it.
#[derive(Debug, Clone, Queryable, serde::Serialize)]
pub struct Message {
    pub case_id: Option<i64>,
    pub channel: String,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// Messages addressed to one of `addrs` (the subject's own phone numbers, e-mail addresses
/// and WeChat identities: a case's other messages went to other people).
pub fn messages(conn: &mut Db, addrs: &[String]) -> Result<Vec<Message>, DieselError> {
    outbox::table
        .filter(outbox::to_addr.eq_any(addrs.to_vec()))
        .order(outbox::id)
        .select((
            outbox::case_id,
            outbox::channel,
            outbox::to_addr,
            outbox::subject,
            outbox::body,
            outbox::created_at,
            outbox::sent_at,
        ))
        .limit(MAX_CASES * 10)
        .load(conn)
}

/// Phone codes and phone sessions held for `phone`.
pub fn phone_counts(conn: &mut Db, phone: &str) -> Result<(i64, i64), DieselError> {
    let codes = phone_codes::table
        .filter(phone_codes::phone.eq(phone))
        .count()
        .get_result(conn)?;
    let sessions = phone_sessions::table
        .filter(phone_sessions::phone.eq(phone))
        .count()
        .get_result(conn)?;
    Ok((codes, sessions))
}
