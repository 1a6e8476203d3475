//! Sessions: what a password login answers (the check itself is `service::login`), WeChat
//! consumer sessions, resolving a session token to a `Principal`, and checking mini-program
//! API keys.

use chrono::{DateTime, Duration, Utc};
use diesel::Connection;
use serde::Serialize;

use super::ServiceError;
use crate::auth::token::{ApiKey, EnterpriseKey, SessionToken};
use crate::auth::{Principal, Role, StaffUser};
use crate::store::accounts::{self, SessionRow};
use crate::store::{Db, StoreError, enterprise_keys};

pub const STAFF_SESSION_HOURS: i64 = 12;
pub const CONSUMER_SESSION_DAYS: i64 = 30;

/// `200 {token, role, expires_at}` after a password login.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StaffLogin {
    /// Bearer token; also set as the `odrdesk_session` cookie.
    pub token: String,
    pub role: Role,
    pub expires_at: DateTime<Utc>,
}

/// `200 {token, expires_at}` after a WeChat mini-program login.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ConsumerLogin {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Emails compare without regard to case or surrounding space.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

fn new_token() -> Result<SessionToken, ServiceError> {
    SessionToken::generate().map_err(|e| ServiceError::Storage(e.to_string()))
}

pub(super) fn parse_role(stored: &str) -> Result<Role, ServiceError> {
    stored
        .parse()
        .map_err(|e: String| ServiceError::Store(StoreError::Other(e)))
}

/// Opens a 30-day session for a WeChat consumer.
pub fn consumer_session(
    conn: &mut Db,
    openid: &str,
    now: DateTime<Utc>,
) -> Result<ConsumerLogin, ServiceError> {
    let token = new_token()?;
    let expires_at = now + Duration::days(CONSUMER_SESSION_DAYS);
    conn.transaction(|conn| {
        accounts::insert_session(
            conn,
            &SessionRow {
                token_hash: token.hash(),
                user_id: None,
                consumer_openid: Some(openid.to_owned()),
                created_at: now.naive_utc(),
                expires_at: expires_at.naive_utc(),
                revoked: false,
            },
        )
    })?;
    Ok(ConsumerLogin {
        token: token.as_str().to_owned(),
        expires_at,
    })
}

/// Ends a session; an unknown or already ended one is not an error.
pub fn logout(conn: &mut Db, token: &SessionToken) -> Result<(), ServiceError> {
    conn.transaction(|conn| accounts::revoke_session(conn, &token.hash()))?;
    Ok(())
}

/// Who holds this token at `now`: a live session of an active user (with bureaus), a consumer,
/// or nobody.
pub fn resolve(
    conn: &mut Db,
    token: &SessionToken,
    now: DateTime<Utc>,
) -> Result<Principal, ServiceError> {
    conn.transaction(|conn| {
        let Some(session) = accounts::find_live_session(conn, &token.hash(), now.naive_utc())?
        else {
            return Ok(Principal::Anonymous);
        };
        if let Some(user_id) = session.user_id {
            return staff_principal(conn, user_id, |_| true);
        }
        Ok(session
            .consumer_openid
            .map_or(Principal::Anonymous, |openid| Principal::Consumer {
                openid,
            }))
    })
}

/// The active account `user_id` as a principal, if `fits` it; else nobody.
fn staff_principal(
    conn: &mut Db,
    user_id: i64,
    fits: impl Fn(&StaffUser) -> bool,
) -> Result<Principal, ServiceError> {
    let Some(user) = accounts::find_user(conn, user_id)?.filter(|u| u.active) else {
        return Ok(Principal::Anonymous);
    };
    let staff = StaffUser {
        id: user.id,
        role: parse_role(&user.role)?,
        bureaus: accounts::bureaus_of(conn, user.id)?,
        email: user.email,
        uscc: user.uscc,
    };
    Ok(if fits(&staff) {
        Principal::Staff(staff)
    } else {
        Principal::Anonymous
    })
}

/// Who holds this enterprise API key: the active enterprise account (bound to its business)
/// that made it, unless the key was revoked; else nobody.
/// The account an API key acts as, with the key's id (`None` for an unknown or revoked key).
pub fn resolve_key(
    conn: &mut Db,
    key: &EnterpriseKey,
) -> Result<(Principal, Option<i64>), ServiceError> {
    conn.transaction(|conn| {
        let Some((key_id, user_id)) = enterprise_keys::active_owner(conn, &key.hash())? else {
            return Ok((Principal::Anonymous, None));
        };
        let principal = staff_principal(conn, user_id, |u| {
            u.role == Role::Enterprise && u.uscc.is_some()
        })?;
        Ok((principal, Some(key_id)))
    })
}

/// Passes when `key` is an issued, unrevoked API key.
pub fn check_api_key(conn: &mut Db, key: Option<&ApiKey>) -> Result<(), ServiceError> {
    let active = match key {
        Some(key) => accounts::api_key_is_active(conn, &key.hash())?,
        None => false,
    };
    if active {
        Ok(())
    } else {
        Err(ServiceError::InvalidCredentials {
            code: "invalid_api_key",
            message: "缺少有效的 X-Api-Key".into(),
        })
    }
}
