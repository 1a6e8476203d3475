//! The rights holder who reported a case (`case_rights_holders`), written at intake and read
//! only for the staff view of the report.

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::case_rights_holders;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = case_rights_holders)]
pub struct RightsHolderRow {
    pub case_id: i64,
    pub uscc: String,
    pub name: String,
    pub contact_name: String,
    pub contact_phone: String,
}

pub fn insert(conn: &mut Db, row: &RightsHolderRow) -> Result<(), DieselError> {
    diesel::insert_into(case_rights_holders::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The rights holder of one case, if its reporter was one (at most one row: the key).
pub fn of_case(conn: &mut Db, case_id: i64) -> Result<Option<RightsHolderRow>, DieselError> {
    case_rights_holders::table
        .find(case_id)
        .select(RightsHolderRow::as_select())
        .first(conn)
        .optional()
}
