//! Stored consumer warnings: drafts, published versions (frozen) and corrections.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::warnings;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = warnings)]
pub struct WarningRow {
    pub id: i64,
    pub version: i32,
    pub status: String,
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    pub figures: String,
    pub erratum: Option<String>,
    pub supersedes: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = warnings)]
pub struct NewWarning {
    pub version: i32,
    pub status: String,
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    pub figures: String,
    pub erratum: Option<String>,
    pub supersedes: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut Db, row: &NewWarning) -> Result<i64, DieselError> {
    diesel::insert_into(warnings::table)
        .values(row)
        .execute(conn)?;
    warnings::table
        .filter(warnings::created_by.eq(&row.created_by))
        .filter(warnings::created_at.eq(row.created_at))
        .select(warnings::id)
        .order(warnings::id.desc())
        .first(conn)
}

pub fn find(conn: &mut Db, id: i64) -> Result<Option<WarningRow>, DieselError> {
    warnings::table
        .find(id)
        .select(WarningRow::as_select())
        .first(conn)
        .optional()
}

/// The version that corrects `id`, once it is published.
pub fn published_successor(conn: &mut Db, id: i64) -> Result<Option<i64>, DieselError> {
    warnings::table
        .filter(warnings::supersedes.eq(Some(id)))
        .filter(warnings::status.ne("draft"))
        .select(warnings::id)
        .first(conn)
        .optional()
}

/// Whether a correction of `id` is already in progress or published.
pub fn has_successor(conn: &mut Db, id: i64) -> Result<bool, DieselError> {
    diesel::select(diesel::dsl::exists(
        warnings::table.filter(warnings::supersedes.eq(Some(id))),
    ))
    .get_result(conn)
}

/// Published and superseded versions, newest publication first, one page.
pub fn list_public(conn: &mut Db, offset: i64, limit: i64) -> Result<Vec<WarningRow>, DieselError> {
    warnings::table
        .filter(warnings::status.ne("draft"))
        .order((warnings::published_at.desc(), warnings::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(WarningRow::as_select())
        .load(conn)
}

pub fn count_public(conn: &mut Db) -> Result<i64, DieselError> {
    warnings::table
        .filter(warnings::status.ne("draft"))
        .count()
        .get_result(conn)
}

/// Every version for the editors, newest first, at most `limit`.
pub fn list_all(conn: &mut Db, limit: i64) -> Result<Vec<WarningRow>, DieselError> {
    warnings::table
        .order(warnings::id.desc())
        .limit(limit)
        .select(WarningRow::as_select())
        .load(conn)
}

/// Changes a draft's editorial text; false when it is no longer a draft.
pub fn update_draft(
    conn: &mut Db,
    id: i64,
    title: &str,
    body: &str,
    category: Option<&str>,
) -> Result<bool, DieselError> {
    diesel::update(
        warnings::table
            .find(id)
            .filter(warnings::status.eq("draft")),
    )
    .set((
        warnings::title.eq(title),
        warnings::body.eq(body),
        warnings::category.eq(category),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Publishes a draft; false when it is no longer a draft.
pub fn publish(conn: &mut Db, id: i64, at: NaiveDateTime) -> Result<bool, DieselError> {
    diesel::update(
        warnings::table
            .find(id)
            .filter(warnings::status.eq("draft")),
    )
    .set((
        warnings::status.eq("published"),
        warnings::published_at.eq(Some(at)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn mark_superseded(conn: &mut Db, id: i64) -> Result<(), DieselError> {
    diesel::update(
        warnings::table
            .find(id)
            .filter(warnings::status.eq("published")),
    )
    .set(warnings::status.eq("superseded"))
    .execute(conn)
    .map(|_| ())
}
