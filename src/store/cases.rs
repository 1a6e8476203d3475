//! Case rows and their dependants. Functions run inside the caller's transaction.

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::models::{
    AdverseReactionRow, AttachmentRow, CaseRow, IdempotencyRow, NewAttachment, NewCaseLink,
    NewCaseRow, NewParty, NewProduct, PartyRow, ProductRow,
};
use super::schema::{
    adverse_reactions, attachments, case_counters, case_links, case_parties, case_products, cases,
    idempotency_keys,
};

/// Next sequence number for (kind, year). The counter row is locked until commit, so
/// concurrent intakes on any number of nodes get distinct, gap-free numbers.
pub fn next_case_seq(conn: &mut Db, kind: &str, year: i32) -> Result<i64, DieselError> {
    use case_counters::dsl as c;
    let bump = |conn: &mut Db| {
        diesel::update(
            c::case_counters
                .filter(c::kind.eq(kind))
                .filter(c::year.eq(year)),
        )
        .set(c::last_seq.eq(c::last_seq + 1))
        .execute(conn)
    };
    if bump(conn)? == 0 {
        // First case of the year: create the counter in a savepoint, because a concurrent
        // transaction may create it first (then we bump theirs).
        let created = conn.transaction(|conn| {
            diesel::insert_into(c::case_counters)
                .values((c::kind.eq(kind), c::year.eq(year), c::last_seq.eq(1_i64)))
                .execute(conn)
        });
        match created {
            Ok(_) => return Ok(1),
            Err(e) if super::is_unique_violation(&e) => {
                bump(conn)?;
            }
            Err(e) => return Err(e),
        }
    }
    c::case_counters
        .filter(c::kind.eq(kind))
        .filter(c::year.eq(year))
        .select(c::last_seq)
        .first(conn)
}

pub fn insert_case(conn: &mut Db, row: &NewCaseRow) -> Result<i64, DieselError> {
    diesel::insert_into(cases::table)
        .values(row)
        .execute(conn)?;
    cases::table
        .filter(cases::case_no.eq(&row.case_no))
        .select(cases::id)
        .first(conn)
}

pub fn insert_parties(conn: &mut Db, rows: &[NewParty]) -> Result<(), DieselError> {
    for row in rows {
        diesel::insert_into(case_parties::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_products(conn: &mut Db, rows: &[NewProduct]) -> Result<(), DieselError> {
    for row in rows {
        diesel::insert_into(case_products::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_adverse_reaction(conn: &mut Db, row: &AdverseReactionRow) -> Result<(), DieselError> {
    diesel::insert_into(adverse_reactions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn insert_link(conn: &mut Db, link: &NewCaseLink) -> Result<(), DieselError> {
    diesel::insert_into(case_links::table)
        .values(link)
        .execute(conn)?;
    Ok(())
}

pub fn find_by_case_no(conn: &mut Db, case_no: &str) -> Result<Option<CaseRow>, DieselError> {
    cases::table
        .filter(cases::case_no.eq(case_no))
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut Db, id: i64) -> Result<CaseRow, DieselError> {
    cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)
}

pub fn parties_of(conn: &mut Db, case_id: i64) -> Result<Vec<PartyRow>, DieselError> {
    case_parties::table
        .filter(case_parties::case_id.eq(case_id))
        .order(case_parties::id)
        .select(PartyRow::as_select())
        .load(conn)
}

pub fn products_of(conn: &mut Db, case_id: i64) -> Result<Vec<ProductRow>, DieselError> {
    case_products::table
        .filter(case_products::case_id.eq(case_id))
        .order(case_products::id)
        .select(ProductRow::as_select())
        .load(conn)
}

pub fn adverse_reaction_of(
    conn: &mut Db,
    case_id: i64,
) -> Result<Option<AdverseReactionRow>, DieselError> {
    adverse_reactions::table
        .find(case_id)
        .select(AdverseReactionRow::as_select())
        .first(conn)
        .optional()
}

pub fn attachments_of(conn: &mut Db, case_id: i64) -> Result<Vec<AttachmentRow>, DieselError> {
    attachments::table
        .filter(attachments::case_id.eq(case_id))
        .order(attachments::id)
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// Holds the case row until the transaction ends, so that what is read next about the case
/// stays true until commit. SQLite's write transaction holds the whole database already;
/// on PostgreSQL this no-op update takes the row lock.
pub fn lock_case(conn: &mut Db, case_id: i64) -> Result<(), DieselError> {
    diesel::update(cases::table.find(case_id))
        .set(cases::id.eq(case_id))
        .execute(conn)
        .map(|_| ())
}

/// How many files a case holds, and their bytes in all.
pub fn attachment_totals(conn: &mut Db, case_id: i64) -> Result<(u64, u64), DieselError> {
    let sizes: Vec<i64> = attachments::table
        .filter(attachments::case_id.eq(case_id))
        .select(attachments::size_bytes)
        .load(conn)?;
    let bytes = sizes.iter().map(|b| u64::try_from(*b).unwrap_or(0)).sum();
    Ok((sizes.len() as u64, bytes))
}

pub fn insert_attachment(conn: &mut Db, row: &NewAttachment) -> Result<(), DieselError> {
    diesel::insert_into(attachments::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// `insert_attachment`, answering the new row's id (the case is locked by the caller).
pub fn insert_attachment_id(conn: &mut Db, row: &NewAttachment) -> Result<i64, DieselError> {
    insert_attachment(conn, row)?;
    attachments::table
        .filter(attachments::case_id.eq(row.case_id))
        .select(diesel::dsl::max(attachments::id))
        .first::<Option<i64>>(conn)?
        .ok_or(DieselError::NotFound)
}

/// Whether any row still needs the blob (an attachment, or a document's printed PDF): only
/// an unreferenced blob may be deleted.
pub fn blob_is_referenced(conn: &mut Db, sha256: &str) -> Result<bool, DieselError> {
    super::blob_refs::is_referenced(conn, sha256)
}

pub fn find_idempotency(
    conn: &mut Db,
    scope: &str,
    key_hash: &str,
) -> Result<Option<IdempotencyRow>, DieselError> {
    idempotency_keys::table
        .find((scope, key_hash))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_idempotency(conn: &mut Db, row: &IdempotencyRow) -> Result<(), DieselError> {
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Replaces the hash of a case's 查询码: the code it was made from stops working.
pub fn set_tracking_token_hash(
    conn: &mut Db,
    case_id: i64,
    token_hash: &str,
) -> Result<(), DieselError> {
    diesel::update(cases::table.find(case_id))
        .set(cases::tracking_token_hash.eq(token_hash))
        .execute(conn)?;
    Ok(())
}
