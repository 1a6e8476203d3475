//! Calendar years and policy tables loaded by an administrator; they override the built-in
//! reference files so that a new year's holidays need no new release.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::{calendar_years, policy_tables};

/// Stores (or replaces) one year's calendar definition (TOML text).
pub fn save_calendar_year(
    conn: &mut Db,
    year: i32,
    definition: &str,
    now: NaiveDateTime,
) -> Result<(), DieselError> {
    conn.transaction(|conn| {
        diesel::delete(calendar_years::table.find(year)).execute(conn)?;
        diesel::insert_into(calendar_years::table)
            .values((
                calendar_years::year.eq(year),
                calendar_years::definition.eq(definition),
                calendar_years::loaded_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ())
    })
}

pub fn calendar_years(conn: &mut Db) -> Result<Vec<String>, DieselError> {
    calendar_years::table
        .order(calendar_years::year)
        .select(calendar_years::definition)
        .load(conn)
}

pub fn save_policy_table(
    conn: &mut Db,
    definition: &str,
    now: NaiveDateTime,
) -> Result<(), DieselError> {
    diesel::insert_into(policy_tables::table)
        .values((
            policy_tables::definition.eq(definition),
            policy_tables::loaded_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The newest policy table an administrator saved, if any.
pub fn latest_policy_table(conn: &mut Db) -> Result<Option<String>, DieselError> {
    policy_tables::table
        .order(policy_tables::id.desc())
        .select(policy_tables::definition)
        .first(conn)
        .optional()
}
