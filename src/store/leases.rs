//! Leases for work that must run on one node at a time (the deadline sweep, the document
//! printer).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::schema::job_leases;
use super::{Db, is_unique_violation};

/// Takes or renews the lease `name` for `holder` until `until`, unless another holder's lease
/// is still running. Returns whether `holder` now has it.
pub fn try_acquire(
    conn: &mut Db,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<bool, DieselError> {
    let taken = diesel::update(
        job_leases::table.filter(job_leases::name.eq(name)).filter(
            job_leases::lease_until
                .lt(now)
                .or(job_leases::holder.eq(holder)),
        ),
    )
    .set((
        job_leases::holder.eq(holder),
        job_leases::lease_until.eq(until),
    ))
    .execute(conn)?;
    if taken == 1 {
        return Ok(true);
    }
    let created = conn.transaction(|conn| {
        diesel::insert_into(job_leases::table)
            .values((
                job_leases::name.eq(name),
                job_leases::holder.eq(holder),
                job_leases::lease_until.eq(until),
            ))
            .execute(conn)
    });
    match created {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Gives up `holder`'s lease `name` so another node may take it at once.
pub fn release(
    conn: &mut Db,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
) -> Result<(), DieselError> {
    diesel::update(
        job_leases::table
            .filter(job_leases::name.eq(name))
            .filter(job_leases::holder.eq(holder)),
    )
    .set(job_leases::lease_until.eq(now))
    .execute(conn)
    .map(|_| ())
}
