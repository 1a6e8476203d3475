//! One-time WeChat subscription grants: recorded when the mini-program reports templates the
//! consumer accepted, consumed one per message queued.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::result::Error;

use super::Db;
use super::schema::wechat_grants;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = wechat_grants)]
struct NewGrant<'a> {
    openid: &'a str,
    template_id: &'a str,
    granted_at: NaiveDateTime,
}

/// Records one grant.
pub fn record(
    conn: &mut Db,
    openid: &str,
    template_id: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    diesel::insert_into(wechat_grants::table)
        .values(&NewGrant {
            openid,
            template_id,
            granted_at: now,
        })
        .execute(conn)
        .map(drop)
}

/// Unused grants of `openid` for `template_id`.
pub fn unused(conn: &mut Db, openid: &str, template_id: &str) -> Result<i64, Error> {
    wechat_grants::table
        .filter(wechat_grants::openid.eq(openid))
        .filter(wechat_grants::template_id.eq(template_id))
        .filter(wechat_grants::used_at.is_null())
        .select(count_star())
        .get_result(conn)
}

/// Uses the oldest unused grant; `false` when there is none. The update is conditional, so two
/// transactions never use the same grant.
pub fn consume(
    conn: &mut Db,
    openid: &str,
    template_id: &str,
    now: NaiveDateTime,
) -> Result<bool, Error> {
    let candidates: Vec<i64> = wechat_grants::table
        .filter(wechat_grants::openid.eq(openid))
        .filter(wechat_grants::template_id.eq(template_id))
        .filter(wechat_grants::used_at.is_null())
        .order(wechat_grants::id.asc())
        .limit(8)
        .select(wechat_grants::id)
        .load(conn)?;
    for id in candidates {
        let changed = diesel::update(
            wechat_grants::table
                .filter(wechat_grants::id.eq(id))
                .filter(wechat_grants::used_at.is_null()),
        )
        .set(wechat_grants::used_at.eq(Some(now)))
        .execute(conn)?;
        if changed == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}
