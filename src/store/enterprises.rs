//! Registered businesses (by USCC): ODR enrolment and commitments. Functions run inside the
//! caller's transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::enterprises;
use crate::domain::enterprise::Commitment;

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable)]
#[diesel(table_name = enterprises, treat_none_as_null = true)]
pub struct EnterpriseRow {
    pub uscc: String,
    pub name: String,
    pub district: String,
    pub email: Option<String>,
    pub odr: bool,
    /// Comma-separated commitment codes; see [`EnterpriseRow::commitment_list`].
    pub commitments: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The China date the business joined ODR; `None` while it is not in ODR.
    pub odr_since: Option<NaiveDate>,
}

impl EnterpriseRow {
    pub fn commitment_list(&self) -> Vec<Commitment> {
        Commitment::split(&self.commitments)
    }
}

pub fn find(conn: &mut Db, uscc: &str) -> Result<Option<EnterpriseRow>, DieselError> {
    enterprises::table
        .find(uscc)
        .select(EnterpriseRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut Db, row: &EnterpriseRow) -> Result<(), DieselError> {
    diesel::insert_into(enterprises::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Overwrites everything but the USCC and `created_at`.
pub fn update(conn: &mut Db, row: &EnterpriseRow) -> Result<(), DieselError> {
    diesel::update(enterprises::table.find(&row.uscc))
        .set((
            enterprises::name.eq(&row.name),
            enterprises::district.eq(&row.district),
            enterprises::email.eq(&row.email),
            enterprises::odr.eq(row.odr),
            enterprises::commitments.eq(&row.commitments),
            enterprises::updated_at.eq(row.updated_at),
            enterprises::odr_since.eq(row.odr_since),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Every registered business, by USCC.
pub fn list(conn: &mut Db) -> Result<Vec<EnterpriseRow>, DieselError> {
    enterprises::table
        .order(enterprises::uscc)
        .select(EnterpriseRow::as_select())
        .load(conn)
}
