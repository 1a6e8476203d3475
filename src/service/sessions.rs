//! Signing in and out: password login with back-off, WeChat consumer sessions, resolving a
//! session token to a `Principal`, and checking mini-program API keys.

use chrono::{DateTime, Duration, Utc};
use diesel::Connection;
use serde::Serialize;

use super::ServiceError;
use crate::auth::password;
use crate::auth::token::{ApiKey, SessionToken};
use crate::auth::{Principal, Role, StaffUser};
use crate::store::accounts::{self, SessionRow};
use crate::store::{Db, StoreError, write_transaction};

pub const STAFF_SESSION_HOURS: i64 = 12;
pub const CONSUMER_SESSION_DAYS: i64 = 30;
/// Consecutive failures for one email after which attempts are refused for a while.
pub const FAILURES_BEFORE_LOCK: i32 = 5;
pub const MAX_LOCK_MINUTES: i64 = 60;

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

/// How long an email stays locked after `failures` consecutive failures:
/// 2^(failures−5) minutes from the fifth on, at most an hour.
pub fn lock_minutes(failures: i32) -> Option<i64> {
    (failures >= FAILURES_BEFORE_LOCK)
        .then(|| (1_i64 << (failures - FAILURES_BEFORE_LOCK).min(6)).min(MAX_LOCK_MINUTES))
}

enum Attempt {
    LoggedIn(StaffLogin),
    Wrong,
    Locked { retry_after_secs: u64 },
}

fn wrong_credentials() -> ServiceError {
    ServiceError::InvalidCredentials {
        code: "invalid_credentials",
        message: "邮箱或密码错误".into(),
    }
}

fn new_token() -> Result<SessionToken, ServiceError> {
    SessionToken::generate().map_err(|e| ServiceError::Storage(e.to_string()))
}

/// Checks the password and opens a 12-hour staff session. Unknown email and wrong password
/// answer alike; the failure is counted either way and committed.
pub fn login(
    conn: &mut Db,
    email: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<StaffLogin, ServiceError> {
    let email = normalize_email(email);
    if email.is_empty() || email.len() > 254 {
        password::burn_time();
        return Err(wrong_credentials());
    }
    let token = new_token()?;
    let attempt = write_transaction(conn, |conn| attempt(conn, &email, password, &token, now))?;
    match attempt {
        Attempt::LoggedIn(login) => Ok(login),
        Attempt::Wrong => Err(wrong_credentials()),
        Attempt::Locked { retry_after_secs } => {
            Err(ServiceError::TooManyRequests { retry_after_secs })
        }
    }
}

fn attempt(
    conn: &mut Db,
    email: &str,
    password: &str,
    token: &SessionToken,
    now: DateTime<Utc>,
) -> Result<Attempt, ServiceError> {
    accounts::lock_failures(conn, email)?;
    let failures = accounts::find_failures(conn, email)?;
    if let Some(until) = failures.as_ref().and_then(|f| f.locked_until) {
        let wait = (until.and_utc() - now).num_seconds();
        if wait > 0 {
            return Ok(Attempt::Locked {
                retry_after_secs: wait as u64,
            });
        }
    }
    let user = accounts::find_user_by_email(conn, email)?.filter(|u| u.active);
    let verified = match &user {
        Some(u) => password::verify_password(password, &u.password_hash),
        None => {
            password::burn_time();
            false
        }
    };
    let Some(user) = user.filter(|_| verified) else {
        let count = failures.map_or(0, |f| f.failures).saturating_add(1);
        let locked_until = lock_minutes(count).map(|m| (now + Duration::minutes(m)).naive_utc());
        accounts::set_failures(conn, email, count, locked_until)?;
        return Ok(Attempt::Wrong);
    };
    accounts::clear_failures(conn, email)?;
    let role = parse_role(&user.role)?;
    let expires_at = now + Duration::hours(STAFF_SESSION_HOURS);
    accounts::insert_session(
        conn,
        &SessionRow {
            token_hash: token.hash(),
            user_id: Some(user.id),
            consumer_openid: None,
            created_at: now.naive_utc(),
            expires_at: expires_at.naive_utc(),
            revoked: false,
        },
    )?;
    Ok(Attempt::LoggedIn(StaffLogin {
        token: token.as_str().to_owned(),
        role,
        expires_at,
    }))
}

fn parse_role(stored: &str) -> Result<Role, ServiceError> {
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
            let Some(user) = accounts::find_user(conn, user_id)?.filter(|u| u.active) else {
                return Ok(Principal::Anonymous);
            };
            return Ok(Principal::Staff(StaffUser {
                id: user.id,
                role: parse_role(&user.role)?,
                bureaus: accounts::bureaus_of(conn, user.id)?,
                email: user.email,
                uscc: user.uscc,
            }));
        }
        Ok(session
            .consumer_openid
            .map_or(Principal::Anonymous, |openid| Principal::Consumer {
                openid,
            }))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_doubles_from_the_fifth_failure_up_to_an_hour() {
        assert_eq!(lock_minutes(4), None);
        assert_eq!(lock_minutes(5), Some(1));
        assert_eq!(lock_minutes(6), Some(2));
        assert_eq!(lock_minutes(10), Some(32));
        assert_eq!(lock_minutes(11), Some(60));
        assert_eq!(lock_minutes(i32::MAX), Some(60));
    }
}
