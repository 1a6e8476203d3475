//! Password sign-in for staff. The argon2 check runs on a blocking thread with no transaction
//! open and a bounded number at a time, so a flood of guesses cannot hold the SQLite write lock
//! or every core; failures back off per (client address, account) in memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use diesel::Connection;
use tokio::sync::Semaphore;

use super::ServiceError;
use super::sessions::{STAFF_SESSION_HOURS, StaffLogin, normalize_email, parse_role};
use crate::auth::password;
use crate::auth::token::SessionToken;
use crate::domain::login_backoff::Backoff;
use crate::store::accounts::{self, SessionRow};
use crate::store::{DbPool, StoreError};

/// Above this many tracked (address, account) pairs, forgotten ones are dropped.
const PRUNE_AT: usize = 50_000;
/// The most pairs ever tracked. Made-up addresses and accounts cannot grow memory past it; a
/// pair first seen while it is full is not tracked (the per-address limit still holds).
const MAX_TRACKED: usize = 200_000;

type Pair = (IpAddr, String);

/// The failures of each (client address, account), pruned in amortised steps so a flood of
/// new pairs costs no scan per attempt.
#[derive(Default)]
struct Failures {
    pairs: HashMap<Pair, Backoff>,
    /// The size at which forgotten pairs are dropped next.
    prune_at: usize,
    pruned: Option<DateTime<Utc>>,
}

impl Failures {
    /// Drops forgotten pairs when due; whether a new pair may be tracked.
    fn make_room(&mut self, now: DateTime<Utc>) -> bool {
        let full = self.pairs.len() >= MAX_TRACKED;
        let retry_full = full && self.pruned.is_none_or(|t| now - t >= Duration::minutes(1));
        if self.pairs.len() >= self.prune_at.max(PRUNE_AT) || retry_full {
            self.pairs.retain(|_, b| !b.is_stale(now));
            self.prune_at = self.pairs.len().saturating_mul(2);
            self.pruned = Some(now);
        }
        self.pairs.len() < MAX_TRACKED
    }
}

/// Per node: the argon2 slots and the failures of each (client address, account).
pub struct LoginGate {
    slots: Arc<Semaphore>,
    failures: Mutex<Failures>,
}

impl LoginGate {
    /// `slots` password checks may run at once (at least one).
    pub fn new(slots: usize) -> LoginGate {
        LoginGate {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            failures: Mutex::new(Failures::default()),
        }
    }

    /// One slot per core: more checks at once would only queue for the same cores.
    pub fn per_core() -> LoginGate {
        LoginGate::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    fn backoff(&self) -> std::sync::MutexGuard<'_, Failures> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn refused(&self, key: &Pair, now: DateTime<Utc>) -> Option<u64> {
        self.backoff().pairs.get(key).and_then(|b| b.wait(now))
    }

    fn failed(&self, key: Pair, now: DateTime<Utc>) {
        let mut failures = self.backoff();
        let known = failures.pairs.get(&key).copied();
        if known.is_none() && !failures.make_room(now) {
            return;
        }
        failures
            .pairs
            .insert(key, Backoff::after_failure(known, now));
    }

    fn succeeded(&self, key: &Pair) {
        self.backoff().pairs.remove(key);
    }
}

/// A password sign-in from `client`.
pub struct Attempt {
    pub client: IpAddr,
    pub email: String,
    pub password: String,
}

fn wrong_credentials() -> ServiceError {
    ServiceError::InvalidCredentials {
        code: "invalid_credentials",
        message: "邮箱或密码错误".into(),
    }
}

/// Checks the password and opens a 12-hour staff session. Unknown email and wrong password
/// answer alike. Refused with `TooManyRequests` while this address backs off on this account,
/// and with `Unavailable` (503) when every password slot is busy, without waiting.
pub async fn login(
    pool: &DbPool,
    gate: &LoginGate,
    attempt: Attempt,
    now: DateTime<Utc>,
) -> Result<StaffLogin, ServiceError> {
    let key = (attempt.client, normalize_email(&attempt.email));
    if let Some(retry_after_secs) = gate.refused(&key, now) {
        return Err(ServiceError::TooManyRequests { retry_after_secs });
    }
    let slot = gate.slots.clone().try_acquire_owned().map_err(|_| {
        ServiceError::Store(StoreError::Unavailable(
            "every password check slot is busy".into(),
        ))
    })?;
    let email = key.1.clone();
    let user = if email.is_empty() || email.len() > 254 {
        None
    } else {
        super::on_pool(pool, move |conn| {
            Ok(accounts::find_user_by_email(conn, &email)?.filter(|u| u.active))
        })
        .await?
    };
    let password = attempt.password;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let verified = actix_web::web::block(move || {
        let _slot = slot;
        match stored {
            Some(hash) => password::verify_password(&password, &hash),
            None => {
                password::burn_time();
                false
            }
        }
    })
    .await
    .map_err(|e| ServiceError::Store(StoreError::Unavailable(e.to_string())))?;
    let Some(user) = user.filter(|_| verified) else {
        gate.failed(key, now);
        return Err(wrong_credentials());
    };
    gate.succeeded(&key);
    let role = parse_role(&user.role)?;
    let token = SessionToken::generate().map_err(|e| ServiceError::Storage(e.to_string()))?;
    let expires_at = now + Duration::hours(STAFF_SESSION_HOURS);
    let row = SessionRow {
        token_hash: token.hash(),
        user_id: Some(user.id),
        consumer_openid: None,
        created_at: now.naive_utc(),
        expires_at: expires_at.naive_utc(),
        revoked: false,
    };
    super::on_pool(pool, move |conn| {
        Ok(conn.transaction(|conn| accounts::insert_session(conn, &row))?)
    })
    .await?;
    Ok(StaffLogin {
        token: token.as_str().to_owned(),
        role,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn pair(n: usize) -> Pair {
        (IpAddr::from([10, 0, 0, 1]), format!("u{n}@example.com"))
    }

    #[test]
    fn made_up_accounts_cannot_grow_the_failures_without_bound() {
        let gate = LoginGate::new(1);
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
        for n in 0..MAX_TRACKED + 10 {
            gate.failed(pair(n), now);
        }
        assert_eq!(gate.backoff().pairs.len(), MAX_TRACKED);
        // A pair already tracked keeps counting while the table is full.
        gate.failed(pair(0), now);
        assert_eq!(gate.backoff().pairs[&pair(0)].failures, 2);
        // A day later the forgotten pairs are dropped and new ones are tracked again.
        let later = now + Duration::hours(25);
        gate.failed(pair(MAX_TRACKED + 20), later);
        let pairs = &gate.backoff().pairs;
        assert!(pairs.len() < PRUNE_AT, "{}", pairs.len());
        assert!(pairs.contains_key(&pair(MAX_TRACKED + 20)));
    }
}
