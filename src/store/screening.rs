//! Art. 17 screening: the bounded lookups intake makes (the same complainant's recent
//! complaints, other complainants with the same phone number or address) and the stored
//! flags, read only for the staff handling a case.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::{case_parties, cases};
use crate::domain::case::CaseKind;
use crate::domain::screening::Earlier;

diesel::table! {
    case_screening (case_id) {
        case_id -> BigInt,
        factors -> Text,
        purchase_quantity -> Nullable<Integer>,
    }
}

/// At most this many of a contact's latest complaints are read (newest first, through the
/// `(contact, role, case_id)` indexes), whatever the window holds.
pub const LOOKBACK: i64 = 200;

/// Which contact of a complainant a lookup goes by.
#[derive(Debug, Clone, Copy)]
pub enum Contact<'a> {
    Phone(&'a str),
    IdNumber(&'a str),
    Address(&'a str),
}

/// The latest complaint ids whose complainant gave `contact`.
fn latest(conn: &mut Db, contact: Contact) -> Result<Vec<i64>, DieselError> {
    let q = case_parties::table
        .filter(case_parties::role.eq("complainant"))
        .order(case_parties::case_id.desc())
        .select(case_parties::case_id)
        .limit(LOOKBACK)
        .into_boxed();
    match contact {
        Contact::Phone(v) => q.filter(case_parties::phone.eq(v)).load(conn),
        Contact::IdNumber(v) => q.filter(case_parties::id_number.eq(v)).load(conn),
        Contact::Address(v) => q.filter(case_parties::address.eq(v)).load(conn),
    }
}

/// Complaints received since `since` whose complainant gave any of `contacts`: the business
/// (USCC, else name), category and nature of each, once per case.
pub fn same_complainant(
    conn: &mut Db,
    contacts: &[Contact],
    since: NaiveDateTime,
) -> Result<Vec<Earlier>, DieselError> {
    let mut ids: Vec<i64> = Vec::new();
    for contact in contacts {
        ids.extend(latest(conn, *contact)?);
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(Option<String>, String, Option<String>, String)> = cases::table
        .filter(cases::id.eq_any(ids))
        .filter(cases::kind.eq(CaseKind::Complaint))
        .filter(cases::received_at.ge(since))
        .select((
            cases::respondent_uscc,
            cases::respondent_name,
            cases::category,
            cases::nature,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(uscc, name, category, nature)| Earlier {
            business: uscc.unwrap_or(name),
            category,
            nature,
        })
        .collect())
}

/// How many different complainants (by name, else ID number) other than `name` gave
/// `contact` on complaints received since `since`.
pub fn others_sharing(
    conn: &mut Db,
    contact: Contact,
    name: Option<&str>,
    since: NaiveDateTime,
) -> Result<usize, DieselError> {
    let ids = latest(conn, contact)?;
    if ids.is_empty() {
        return Ok(0);
    }
    let recent: Vec<i64> = cases::table
        .filter(cases::id.eq_any(ids))
        .filter(cases::received_at.ge(since))
        .select(cases::id)
        .load(conn)?;
    let people: Vec<(Option<String>, Option<String>)> = case_parties::table
        .filter(case_parties::case_id.eq_any(recent))
        .filter(case_parties::role.eq("complainant"))
        .select((case_parties::name, case_parties::id_number))
        .load(conn)?;
    let mut who: Vec<String> = people
        .into_iter()
        .filter_map(|(n, id)| n.or(id))
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty() && Some(w.as_str()) != name.map(str::trim))
        .collect();
    who.sort_unstable();
    who.dedup();
    Ok(who.len())
}

pub fn insert(
    conn: &mut Db,
    case_id: i64,
    factors: &str,
    purchase_quantity: Option<i32>,
) -> Result<(), DieselError> {
    diesel::insert_into(case_screening::table)
        .values((
            case_screening::case_id.eq(case_id),
            case_screening::factors.eq(factors),
            case_screening::purchase_quantity.eq(purchase_quantity),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The stored factors and purchase quantity of each of `case_ids` that has a row.
pub fn of_cases(
    conn: &mut Db,
    case_ids: &[i64],
) -> Result<Vec<(i64, String, Option<i32>)>, DieselError> {
    if case_ids.is_empty() {
        return Ok(Vec::new());
    }
    case_screening::table
        .filter(case_screening::case_id.eq_any(case_ids))
        .select((
            case_screening::case_id,
            case_screening::factors,
            case_screening::purchase_quantity,
        ))
        .load(conn)
}
