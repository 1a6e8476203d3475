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

/// The unrevoked key with this hash and the account holding it: `(key id, user id)`.
pub fn active_owner(conn: &mut Db, key_hash: &str) -> Result<Option<(i64, i64)>, Error> {
    k::table
        .filter(k::key_hash.eq(key_hash))
        .filter(k::revoked_at.is_null())
        .select((k::id, k::user_id))
        .first(conn)
        .optional()
}

/// How many unrevoked keys the account holds.
pub fn active_count(conn: &mut Db, user_id: i64) -> Result<i64, Error> {
    k::table
        .filter(k::user_id.eq(user_id))
        .filter(k::revoked_at.is_null())
        .count()
        .get_result(conn)
}

/// Every unrevoked key of the account (their number is capped when made), newest first, then
/// its most recently revoked ones (at most `revoked`).
pub fn listed(conn: &mut Db, user_id: i64, revoked: i64) -> Result<Vec<KeyRow>, Error> {
    let mut keys: Vec<KeyRow> = k::table
        .filter(k::user_id.eq(user_id))
        .filter(k::revoked_at.is_null())
        .order(k::id.desc())
        .select(KeyRow::as_select())
        .load(conn)?;
    keys.extend(
        k::table
            .filter(k::user_id.eq(user_id))
            .filter(k::revoked_at.is_not_null())
            .order(k::id.desc())
            .limit(revoked)
            .select(KeyRow::as_select())
            .load(conn)?,
    );
    Ok(keys)
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
