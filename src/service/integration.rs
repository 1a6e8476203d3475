//! An ODR business's own system: its API keys (made and revoked on its desk, shown once,
//! kept hashed) and its webhook endpoint (registered, its secret rotated, switched off), and
//! the log of deliveries with a resend. Every use case is for the signed-in enterprise
//! account's own business.

use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::Connection;
use serde::Serialize;

use super::ServiceError;
use crate::auth::token::EnterpriseKey;
use crate::auth::{Role, StaffUser};
use crate::domain::webhook::{EventType, WebhookUrl};
use crate::intake::FieldIssue;
use crate::ratelimit::RateLimiter;
use crate::store::webhooks::{self as hooks, DeliveryRow};
use crate::store::{Db, DbPool, StoreError, enterprise_keys};
use crate::webhooks::seal::{ServerKey, WebhookSecret};
use crate::webhooks::send::check_destination;

/// Most deliveries the log shows.
pub const LOG_ROWS: i64 = 50;
/// Most unrevoked API keys one account may hold; every one of them is listed.
pub const MAX_ACTIVE_KEYS: i64 = 10;
/// Most revoked keys listed after the active ones.
const REVOKED_ROWS: i64 = 20;
/// Webhook registrations one account may make per minute.
pub const REGISTRATIONS_PER_MINUTE: u32 = 5;
const LABEL_CHARS: usize = 60;

/// The business an enterprise account speaks for: 403 for any other account.
fn business(user: &StaffUser) -> Result<&str, ServiceError> {
    match (&user.role, user.uscc.as_deref()) {
        (Role::Enterprise, Some(uscc)) => Ok(uscc),
        _ => Err(ServiceError::Forbidden),
    }
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

fn storage(e: std::io::Error) -> ServiceError {
    ServiceError::Storage(e.to_string())
}

/// `201`: a new key, shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewKey {
    pub id: i64,
    pub label: String,
    /// `odk_…`: send as `Authorization: Bearer <key>`. Not shown again.
    pub key: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeyInfo {
    pub id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The business's webhook endpoint.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Endpoint {
    pub url: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// After registering or rotating: the signing secret, shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Registered {
    pub url: String,
    /// `whsec_…`: the HMAC-SHA256 key of `X-Odrdesk-Signature`. Not shown again.
    pub secret: String,
}

/// One line of the delivery log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub case_no: String,
    pub attempts: i32,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    /// The HTTP status of the last attempt, if one was answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When it is tried next (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl Delivery {
    fn of(row: DeliveryRow) -> Delivery {
        let status = match (row.delivered_at, row.dead_at) {
            (Some(_), _) => "delivered",
            (None, Some(_)) => "dead",
            (None, None) => "pending",
        };
        Delivery {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type,
            case_no: row.case_no,
            attempts: row.attempts,
            status: status.into(),
            last_status: row.last_status,
            last_error: row.last_error,
            created_at: utc(row.created_at),
            next_attempt_at: (status == "pending").then(|| utc(row.next_attempt_at)),
            delivered_at: row.delivered_at.map(utc),
        }
    }

    /// The event's Chinese name, for the desk.
    pub fn event_label(&self) -> &'static str {
        EventType::parse(&self.event_type).map_or("", EventType::label_zh)
    }
}

/// What the desk's integration page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Integration {
    pub endpoint: Option<Endpoint>,
    pub keys: Vec<KeyInfo>,
    pub deliveries: Vec<Delivery>,
}

pub fn overview(conn: &mut Db, user: &StaffUser) -> Result<Integration, ServiceError> {
    let uscc = business(user)?;
    conn.transaction(|conn| {
        let endpoint = hooks::endpoint_of(conn, uscc)?.map(|e| Endpoint {
            url: e.url,
            enabled: e.enabled,
            created_at: utc(e.created_at),
            updated_at: utc(e.updated_at),
        });
        let keys = enterprise_keys::listed(conn, user.id, REVOKED_ROWS)?
            .into_iter()
            .map(|k| KeyInfo {
                id: k.id,
                label: k.label,
                created_at: utc(k.created_at),
                revoked_at: k.revoked_at.map(utc),
            })
            .collect();
        let deliveries = hooks::recent(conn, uscc, LOG_ROWS)?
            .into_iter()
            .map(Delivery::of)
            .collect();
        Ok(Integration {
            endpoint,
            keys,
            deliveries,
        })
    })
}

pub fn create_key(
    conn: &mut Db,
    user: &StaffUser,
    label: &str,
    now: DateTime<Utc>,
) -> Result<NewKey, ServiceError> {
    business(user)?;
    let label: String = label.trim().chars().take(LABEL_CHARS).collect();
    let label = if label.is_empty() {
        "API key".to_owned()
    } else {
        label
    };
    let key = EnterpriseKey::generate().map_err(storage)?;
    let id = conn.transaction(|conn| {
        if enterprise_keys::active_count(conn, user.id)? >= MAX_ACTIVE_KEYS {
            return Err(ServiceError::Invalid(vec![FieldIssue {
                field: "label".into(),
                code: "too_many_keys".into(),
                message: format!(
                    "最多可同时持有 {MAX_ACTIVE_KEYS} 个有效的 API 密钥，请先作废不用的密钥"
                ),
            }]));
        }
        Ok(enterprise_keys::insert(
            conn,
            user.id,
            &key.hash(),
            &label,
            now.naive_utc(),
        )?)
    })?;
    Ok(NewKey {
        id,
        label,
        key: key.reveal(),
    })
}

/// Revokes one of the account's keys; 404 for any other.
pub fn revoke_key(
    conn: &mut Db,
    user: &StaffUser,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    business(user)?;
    let revoked =
        conn.transaction(|conn| enterprise_keys::revoke(conn, &[user.id], id, now.naive_utc()))?;
    revoked.then_some(()).ok_or(ServiceError::NotFound)
}

/// The endpoint to register, as the business gave it.
pub struct Registration {
    pub url: String,
    /// Development and tests only: private and loopback addresses are accepted.
    pub allow_loopback: bool,
}

/// Registers (or replaces) the business's endpoint with a new secret. The URL must be HTTPS
/// and must not lead to a private or loopback address, unless `allow_loopback` (development).
/// At most [`REGISTRATIONS_PER_MINUTE`] per account (`limits`, keyed by account id); the name
/// is resolved on a blocking thread before a database connection is taken.
pub async fn register(
    pool: &DbPool,
    limits: &RateLimiter<i64>,
    key: Arc<ServerKey>,
    user: StaffUser,
    wanted: Registration,
    now: DateTime<Utc>,
) -> Result<Registered, ServiceError> {
    business(&user)?;
    limits
        .check_key(user.id, std::time::Instant::now())
        .map_err(|retry_after_secs| ServiceError::TooManyRequests { retry_after_secs })?;
    let allow = wanted.allow_loopback;
    let url = WebhookUrl::parse(&wanted.url, allow).map_err(|e| {
        ServiceError::Invalid(vec![FieldIssue {
            field: "url".into(),
            code: e.code.into(),
            message: e.message,
        }])
    })?;
    let url = actix_web::web::block(move || check_destination(&url, allow).map(|()| url))
        .await
        .map_err(|e| ServiceError::Store(StoreError::Unavailable(e.to_string())))?
        .map_err(|message| {
            ServiceError::Invalid(vec![FieldIssue {
                field: "url".into(),
                code: "private_address".into(),
                message,
            }])
        })?;
    super::on_pool(pool, move |conn| {
        store_endpoint(conn, &key, &user, &url, now)
    })
    .await
}

fn store_endpoint(
    conn: &mut Db,
    key: &ServerKey,
    user: &StaffUser,
    url: &WebhookUrl,
    now: DateTime<Utc>,
) -> Result<Registered, ServiceError> {
    let uscc = business(user)?;
    let secret = WebhookSecret::generate().map_err(storage)?;
    let sealed = key.seal(&secret).map_err(storage)?;
    conn.transaction(|conn| {
        hooks::put_endpoint(conn, uscc, url.as_str(), &sealed, now.naive_utc())
    })?;
    Ok(Registered {
        url: url.as_str().to_owned(),
        secret: secret.as_str().to_owned(),
    })
}

/// A new secret for the endpoint; the old one stops signing at once.
pub fn rotate(
    conn: &mut Db,
    key: &ServerKey,
    user: &StaffUser,
    now: DateTime<Utc>,
) -> Result<Registered, ServiceError> {
    let uscc = business(user)?;
    let secret = WebhookSecret::generate().map_err(storage)?;
    let sealed = key.seal(&secret).map_err(storage)?;
    let url = conn.transaction(|conn| {
        let endpoint = hooks::endpoint_of(conn, uscc)?;
        hooks::update_endpoint(conn, uscc, Some(&sealed), None, now.naive_utc())?;
        Ok::<_, ServiceError>(endpoint.map(|e| e.url))
    })?;
    let url = url.ok_or(ServiceError::NotFound)?;
    Ok(Registered {
        url,
        secret: secret.as_str().to_owned(),
    })
}

/// Switches the endpoint off (no event is queued for it) or on again.
pub fn set_enabled(
    conn: &mut Db,
    user: &StaffUser,
    enabled: bool,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let uscc = business(user)?;
    let changed = conn.transaction(|conn| {
        hooks::update_endpoint(conn, uscc, None, Some(enabled), now.naive_utc())
    })?;
    changed.then_some(()).ok_or(ServiceError::NotFound)
}

/// Sends one of the business's deliveries again now; 404 for any other.
pub fn resend(
    conn: &mut Db,
    user: &StaffUser,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let uscc = business(user)?;
    let done = conn.transaction(|conn| hooks::resend(conn, uscc, id, now.naive_utc()))?;
    done.then_some(()).ok_or(ServiceError::NotFound)
}
