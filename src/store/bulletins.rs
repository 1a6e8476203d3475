//! Stored bulletins: drafts, published versions (frozen) and corrections.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::bulletins;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bulletins)]
pub struct BulletinRow {
    pub id: i64,
    pub period: String,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub as_of: NaiveDate,
    pub version: i32,
    pub status: String,
    pub figures: String,
    pub inputs_hash: String,
    pub typical_cases: String,
    pub tips: String,
    pub erratum: Option<String>,
    pub supersedes: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = bulletins)]
pub struct NewBulletin {
    pub period: String,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub as_of: NaiveDate,
    pub version: i32,
    pub status: String,
    pub figures: String,
    pub inputs_hash: String,
    pub typical_cases: String,
    pub tips: String,
    pub erratum: Option<String>,
    pub supersedes: Option<i64>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut Db, row: &NewBulletin) -> Result<i64, DieselError> {
    diesel::insert_into(bulletins::table)
        .values(row)
        .execute(conn)?;
    bulletins::table
        .filter(bulletins::period.eq(&row.period))
        .filter(bulletins::version.eq(row.version))
        .select(bulletins::id)
        .order(bulletins::id.desc())
        .first(conn)
}

pub fn find(conn: &mut Db, id: i64) -> Result<Option<BulletinRow>, DieselError> {
    bulletins::table
        .find(id)
        .select(BulletinRow::as_select())
        .first(conn)
        .optional()
}

/// The next version number of a period's bulletin.
pub fn next_version(conn: &mut Db, period: &str) -> Result<i32, DieselError> {
    bulletins::table
        .filter(bulletins::period.eq(period))
        .select(diesel::dsl::max(bulletins::version))
        .first::<Option<i32>>(conn)
        .map(|v| v.unwrap_or(0) + 1)
}

/// Newest first; `public` lists only published and superseded ones.
pub fn list(conn: &mut Db, public: bool) -> Result<Vec<BulletinRow>, DieselError> {
    let mut q = bulletins::table
        .order((bulletins::from_date.desc(), bulletins::version.desc()))
        .select(BulletinRow::as_select())
        .into_boxed();
    if public {
        q = q.filter(bulletins::status.ne("draft"));
    }
    q.load(conn)
}

/// Changes a draft's editorial content; false when it is no longer a draft.
pub fn update_content(
    conn: &mut Db,
    id: i64,
    typical_cases: &str,
    tips: &str,
) -> Result<bool, DieselError> {
    diesel::update(
        bulletins::table
            .find(id)
            .filter(bulletins::status.eq("draft")),
    )
    .set((
        bulletins::typical_cases.eq(typical_cases),
        bulletins::tips.eq(tips),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Replaces a draft's figures (an editor struck or restored a hot term); false when it is no
/// longer a draft.
pub fn update_figures(conn: &mut Db, id: i64, figures: &str) -> Result<bool, DieselError> {
    diesel::update(
        bulletins::table
            .find(id)
            .filter(bulletins::status.eq("draft")),
    )
    .set(bulletins::figures.eq(figures))
    .execute(conn)
    .map(|n| n == 1)
}

/// Publishes a draft; false when it is no longer a draft.
pub fn publish(conn: &mut Db, id: i64, at: NaiveDateTime) -> Result<bool, DieselError> {
    diesel::update(
        bulletins::table
            .find(id)
            .filter(bulletins::status.eq("draft")),
    )
    .set((
        bulletins::status.eq("published"),
        bulletins::published_at.eq(Some(at)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn mark_superseded(conn: &mut Db, id: i64) -> Result<(), DieselError> {
    diesel::update(
        bulletins::table
            .find(id)
            .filter(bulletins::status.eq("published")),
    )
    .set(bulletins::status.eq("superseded"))
    .execute(conn)
    .map(|_| ())
}

/// Whether a correction of this bulletin is already in progress or published.
pub fn has_successor(conn: &mut Db, id: i64) -> Result<bool, DieselError> {
    diesel::select(diesel::dsl::exists(
        bulletins::table.filter(bulletins::supersedes.eq(Some(id))),
    ))
    .get_result(conn)
}
