//! Accounts, their bureaus, sessions and API keys. Functions run inside the
//! caller's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::{api_keys, sessions, user_bureaus, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub uscc: Option<String>,
    pub display_name: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct NewUserRow {
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub uscc: Option<String>,
    pub display_name: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = sessions, treat_none_as_null = true)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: Option<i64>,
    pub consumer_openid: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked: bool,
}

pub fn find_user_by_email(conn: &mut Db, email: &str) -> Result<Option<UserRow>, DieselError> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_user(conn: &mut Db, id: i64) -> Result<Option<UserRow>, DieselError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn bureaus_of(conn: &mut Db, user_id: i64) -> Result<Vec<String>, DieselError> {
    user_bureaus::table
        .filter(user_bureaus::user_id.eq(user_id))
        .order(user_bureaus::district)
        .select(user_bureaus::district)
        .load(conn)
}

/// Inserts the user and its bureaus; returns the new id.
pub fn insert_user(
    conn: &mut Db,
    row: &NewUserRow,
    bureaus: &[String],
) -> Result<i64, DieselError> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    let id = users::table
        .filter(users::email.eq(&row.email))
        .select(users::id)
        .first(conn)?;
    for district in bureaus {
        diesel::insert_into(user_bureaus::table)
            .values((
                user_bureaus::user_id.eq(id),
                user_bureaus::district.eq(district),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

pub fn insert_session(conn: &mut Db, row: &SessionRow) -> Result<(), DieselError> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The session with this token hash, if it is neither revoked nor expired at `now`.
pub fn find_live_session(
    conn: &mut Db,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<SessionRow>, DieselError> {
    sessions::table
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::revoked.eq(false))
        .filter(sessions::expires_at.gt(now))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn revoke_session(conn: &mut Db, token_hash: &str) -> Result<usize, DieselError> {
    diesel::update(sessions::table.filter(sessions::token_hash.eq(token_hash)))
        .set(sessions::revoked.eq(true))
        .execute(conn)
}

pub fn insert_api_key(
    conn: &mut Db,
    key_hash: &str,
    label: &str,
    now: NaiveDateTime,
) -> Result<i64, DieselError> {
    diesel::insert_into(api_keys::table)
        .values((
            api_keys::key_hash.eq(key_hash),
            api_keys::label.eq(label),
            api_keys::created_at.eq(now),
            api_keys::revoked.eq(false),
        ))
        .execute(conn)?;
    api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .select(api_keys::id)
        .first(conn)
}

/// True when a key with this hash was issued and not revoked.
pub fn api_key_is_active(conn: &mut Db, key_hash: &str) -> Result<bool, DieselError> {
    api_keys::table
        .filter(api_keys::key_hash.eq(key_hash))
        .filter(api_keys::revoked.eq(false))
        .select(api_keys::id)
        .first::<i64>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// Active mediators and supervisors who may be assigned cases, as (e-mail, role), ordered by
/// e-mail. With `districts`, only mediators of those bureaus; supervisors are always listed.
pub fn case_workers(
    conn: &mut Db,
    districts: Option<&[String]>,
) -> Result<Vec<(String, String)>, DieselError> {
    let rows: Vec<(i64, String, String)> = users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(["mediator", "supervisor"]))
        .order(users::email)
        .select((users::id, users::email, users::role))
        .load(conn)?;
    let Some(districts) = districts else {
        return Ok(rows.into_iter().map(|(_, e, r)| (e, r)).collect());
    };
    let working_here: Vec<i64> = user_bureaus::table
        .filter(user_bureaus::district.eq_any(districts))
        .select(user_bureaus::user_id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(id, _, role)| role == "supervisor" || working_here.contains(id))
        .map(|(_, e, r)| (e, r))
        .collect())
}
