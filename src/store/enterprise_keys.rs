//! API keys of enterprise accounts, kept only as hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error;

use super::Db;
use super::schema::enterprise_api_keys as k;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = k)]
pub struct KeyRow {
    pub id: i64,
    pub user_id: i64,
    pub key_hash: String,
    pub label: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut Db,
    user_id: i64,
    key_hash: &str,
    label: &str,
    now: NaiveDateTime,
) -> Result<i64, Error> {
    diesel::insert_into(k::table)
        .values((
            k::user_id.eq(user_id),
            k::key_hash.eq(key_hash),
            k::label.eq(label),
            k::created_at.eq(now),
        ))
        .execute(conn)?;
    k::table
        .filter(k::key_hash.eq(key_hash))
        .select(k::id)
        .first(conn)
}

/// The account holding an unrevoked key with this hash.
pub fn active_owner(conn: &mut Db, key_hash: &str) -> Result<Option<i64>, Error> {
    k::table
        .filter(k::key_hash.eq(key_hash))
        .filter(k::revoked_at.is_null())
        .select(k::user_id)
        .first(conn)
        .optional()
}

/// The keys of the accounts in `user_ids`, newest first (at most `limit`).
pub fn of_users(conn: &mut Db, user_ids: &[i64], limit: i64) -> Result<Vec<KeyRow>, Error> {
    k::table
        .filter(k::user_id.eq_any(user_ids))
        .order(k::id.desc())
        .limit(limit)
        .select(KeyRow::as_select())
        .load(conn)
}

/// Revokes key `id` if it belongs to one of `user_ids`; `false` when there is no such key.
pub fn revoke(conn: &mut Db, user_ids: &[i64], id: i64, now: NaiveDateTime) -> Result<bool, Error> {
    let changed = diesel::update(
        k::table
            .filter(k::id.eq(id))
            .filter(k::user_id.eq_any(user_ids))
            .filter(k::revoked_at.is_null()),
    )
    .set(k::revoked_at.eq(Some(now)))
    .execute(conn)?;
    Ok(changed == 1)
}
