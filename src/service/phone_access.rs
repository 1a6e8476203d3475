//! "My cases by phone": a consumer who gave a mobile number on a complaint or report (on the
//! form, by the mini-program, or in a 12315 work order imported here) asks for a six-digit
//! code by SMS, types it, and for half an hour sees every case filed with that number, masked
//! like tracking, and may take a fresh 查询码 for one of them.
//!
//! Every valid number gets the same answer, and is counted against the same limits, whether
//! or not any case gave it: a code is stored for it either way, but the SMS is sent only when
//! a complainant or reporter gave the number (a text to a number with no case would cost money
//! and could be used to pester strangers). Every wrong, expired, superseded or worn-out code
//! gets the same answer too. Only the argon2 hash of a code is stored.

use std::net::IpAddr;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;

use super::ServiceError;
use super::phone_gate::{Busy, PhoneGate};
use super::track::MaskedPerson;
use crate::auth::password::burn_time;
use crate::auth::token::SessionToken;
use crate::clock::china_date;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::ids::Phone;
use crate::domain::phone_code::{
    CODE_TTL_SECS, KEEP_SECS, PER_NUMBER, REISSUES_PER_CASE, SESSION_MINUTES, wait_before_sending,
};
use crate::domain::{mask_name, mask_phone};
use crate::notify::sms::SmsConfig;
use crate::secrets::{LoginCode, TrackingToken};
use crate::store::events::{self, EventDraft};
use crate::store::models::CaseRow;
use crate::store::{Db, DbPool, StoreError, cases, phone_codes, write_transaction};

/// The event logged when a consumer takes a fresh 查询码 by phone. Its payload holds no
/// personal data, only how the holder proved who they are.
pub const TRACKING_CODE_REISSUED: &str = "tracking_code_reissued";

/// Said for any code that does not open a session: wrong, expired, superseded or worn out.
pub const CODE_REFUSED: &str = "验证码不正确或已失效，请重新获取验证码。";

/// `200 {token, expires_at}` after a correct code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhoneLogin {
    /// Bearer token for `/api/v1/phone/cases`; the web keeps it in a cookie.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// One case filed with the number, as its complainant or reporter may see it in a list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PhoneCase {
    pub case_no: String,
    pub kind: CaseKind,
    pub kind_label: String,
    pub state: CaseState,
    pub state_label: String,
    pub received_at: DateTime<Utc>,
    /// The day received, in China.
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    pub title: String,
    /// The complainant or reporter, masked (张*, 138****8000).
    pub submitter: MaskedPerson,
}

/// `200 {case_no, token}`: the case's new 查询码; the old one no longer opens it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FreshTrackingCode {
    pub case_no: String,
    /// Shown in groups of four (`7K2M-9QXD-…`).
    pub token: String,
}

fn io(e: std::io::Error) -> ServiceError {
    ServiceError::Storage(e.to_string())
}

/// Asks for a code for `phone` from `client` at `now`: `TooManyRequests` with the seconds to
/// wait when the address or the number has had its share; `Ok` otherwise, the same for every
/// number.
pub async fn request_code(
    pool: &DbPool,
    gate: &PhoneGate,
    phone: Phone,
    client: IpAddr,
    sms: Option<std::sync::Arc<SmsConfig>>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let slot = gate.slot().map_err(busy)?;
    gate.code_asked(client, now.naive_utc()).map_err(too_many)?;
    let code = LoginCode::generate().map_err(io)?;
    let (hashed, number) = (code.clone(), phone.clone());
    let hash = actix_web::web::block(move || {
        let _slot = slot;
        hashed.hash(&number)
    })
    .await
    .map_err(|e| busy_with(e.to_string()))?
    .map_err(io)?;
    super::on_pool(pool, move |conn| {
        issue(conn, sms.as_deref(), &phone, (&code, &hash), now)
    })
    .await
}

fn too_many(secs: i64) -> ServiceError {
    ServiceError::TooManyRequests {
        retry_after_secs: u64::try_from(secs).unwrap_or(1).max(1),
    }
}

fn busy(_: Busy) -> ServiceError {
    busy_with("every phone code check slot is busy".into())
}

/// 503 with a short Retry-After and "系统繁忙，请稍后重试".
fn busy_with(detail: String) -> ServiceError {
    ServiceError::Store(StoreError::Unavailable(detail))
}

/// Stores the code whose hash is `hash` for `phone` under the per-number limits and sends it
/// when a case gave the number. One transaction.
pub fn issue(
    conn: &mut Db,
    sms: Option<&SmsConfig>,
    phone: &Phone,
    (code, hash): (&LoginCode, &str),
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let now = now.naive_utc();
    write_transaction(conn, |conn| {
        let since = now - Duration::seconds(KEEP_SECS);
        let sent = phone_codes::sent_since(conn, phone.as_str(), since)?;
        if let Some(wait) = wait_before_sending(&PER_NUMBER, &sent, now) {
            return Err(too_many(wait));
        }
        let expires_at = now + Duration::seconds(CODE_TTL_SECS);
        phone_codes::replace(conn, phone.as_str(), hash, (now, expires_at), since)?;
        if phone_codes::has_cases(conn, phone.as_str())? {
            let (code_id, _, _) = phone_codes::latest(conn, phone.as_str())?
                .ok_or_else(|| ServiceError::Storage("the code just stored is gone".into()))?;
            super::phone_sms::send_code(conn, sms, (phone, code_id), code, now)?;
        }
        Ok(())
    })
}

/// Checks `code` for `phone` and opens a half-hour session scoped to the number. Every code
/// that does not open one is refused alike (`CODE_REFUSED`), and counted against the code
/// and the client address. The try is counted against the address before any argon2 work
/// and given back only when the code opens a session or no slot was free (503).
pub async fn open_session(
    pool: &DbPool,
    gate: &PhoneGate,
    (phone, code): (Phone, LoginCode),
    client: IpAddr,
    now: DateTime<Utc>,
) -> Result<PhoneLogin, ServiceError> {
    let at = now.naive_utc();
    gate.code_typed(client, at).map_err(too_many)?;
    let slot = gate.slot().map_err(|b| {
        gate.not_wrong(client, at);
        busy(b)
    })?;
    let number = phone.as_str().to_owned();
    let latest = super::on_pool(pool, move |conn| Ok(phone_codes::latest(conn, &number)?)).await?;
    let matched = match &latest {
        Some((id, hash, challenge)) if challenge.is_live(at) => {
            let (hash, phone, code) = (hash.clone(), phone.clone(), code.clone());
            let ok = actix_web::web::block(move || {
                let _slot = slot;
                code.matches(&phone, &hash)
            })
            .await
            .unwrap_or(false);
            Some((*id, ok))
        }
        _ => {
            actix_web::web::block(move || {
                let _slot = slot;
                burn_time();
            })
            .await
            .ok();
            None
        }
    };
    let token = SessionToken::generate().map_err(io)?;
    let expires_at = now + Duration::minutes(SESSION_MINUTES);
    let hash = token.hash();
    let opened = super::on_pool(pool, move |conn| {
        write_transaction(conn, |conn| {
            let Some((id, ok)) = matched else {
                return Ok(false);
            };
            // Another try may have used or worn out the code since it was read.
            let still = phone_codes::latest(conn, phone.as_str())?
                .is_some_and(|(now_id, _, c)| now_id == id && c.is_live(at));
            if !still {
                return Ok(false);
            }
            if !ok {
                phone_codes::count_attempt(conn, id)?;
                return Ok(false);
            }
            phone_codes::consume(conn, id)?;
            phone_codes::insert_session(conn, &hash, phone.as_str(), (at, expires_at.naive_utc()))?;
            Ok(true)
        })
    })
    .await?;
    if !opened {
        return Err(ServiceError::InvalidCredentials {
            code: "phone_code_invalid",
            message: CODE_REFUSED.into(),
        });
    }
    gate.not_wrong(client, at);
    Ok(PhoneLogin {
        token: token.as_str().to_owned(),
        expires_at,
    })
}

/// The number a live session at `now` was opened for; `Unauthenticated` otherwise.
pub fn session_phone(
    conn: &mut Db,
    token: &SessionToken,
    now: DateTime<Utc>,
) -> Result<Phone, ServiceError> {
    phone_codes::session_phone(conn, &token.hash(), now.naive_utc())?
        .and_then(|p| p.parse::<Phone>().ok())
        .ok_or(ServiceError::Unauthenticated)
}

/// Every case whose complainant or reporter gave `phone`, newest first, masked.
pub fn cases_of(conn: &mut Db, phone: &Phone) -> Result<Vec<PhoneCase>, ServiceError> {
    let rows = phone_codes::cases_of(conn, phone.as_str())?;
    rows.iter().map(|case| summary(conn, phone, case)).collect()
}

fn summary(conn: &mut Db, phone: &Phone, case: &CaseRow) -> Result<PhoneCase, ServiceError> {
    let parties = cases::parties_of(conn, case.id)?;
    let filer = parties
        .iter()
        .find(|p| is_filer(&p.role) && p.phone.as_deref() == Some(phone.as_str()));
    Ok(PhoneCase {
        case_no: case.case_no.clone(),
        kind: case.kind,
        kind_label: case.kind.label_zh().into(),
        state: case.state,
        state_label: case.state.label_zh().into(),
        received_at: case.received_at.and_utc(),
        received_on: china_date(case.received_at.and_utc()),
        title: case.title.clone(),
        submitter: MaskedPerson {
            name: filer.and_then(|p| p.name.as_deref()).map(mask_name),
            phone: Some(mask_phone(phone.as_str())),
        },
    })
}

fn is_filer(role: &str) -> bool {
    role == "complainant" || role == "reporter"
}

/// A fresh 查询码 for case `case_no`, if its complainant or reporter gave `phone`: the old
/// code stops working, and the case's log records that a code was reissued (no personal
/// data). `NotFound` for any other case, as for a missing one; `TooManyRequests` after
/// `REISSUES_PER_CASE` fresh codes within a day. One transaction.
pub fn reissue_tracking_code(
    conn: &mut Db,
    phone: &Phone,
    case_no: &str,
    now: DateTime<Utc>,
) -> Result<FreshTrackingCode, ServiceError> {
    let token = TrackingToken::generate().map_err(io)?;
    write_transaction(conn, |conn| {
        let case = cases::find_by_case_no(conn, case_no)?.ok_or(ServiceError::NotFound)?;
        let filed = cases::parties_of(conn, case.id)?
            .iter()
            .any(|p| is_filer(&p.role) && p.phone.as_deref() == Some(phone.as_str()));
        if !filed {
            return Err(ServiceError::NotFound);
        }
        cases::lock_case(conn, case.id)?;
        let at = now.naive_utc();
        let since = at - Duration::seconds(REISSUES_PER_CASE.window_secs);
        let limit = i64::try_from(REISSUES_PER_CASE.max).unwrap_or(i64::MAX);
        let earlier = events::times_of(conn, (case.id, TRACKING_CODE_REISSUED), since, limit)?;
        if let Some(wait) = wait_before_sending(&[REISSUES_PER_CASE], &earlier, at) {
            return Err(too_many(wait));
        }
        cases::set_tracking_token_hash(conn, case.id, &token.hash())?;
        events::append(
            conn,
            case.id,
            EventDraft {
                kind: TRACKING_CODE_REISSUED.into(),
                actor: "public".into(),
                actor_role: "submitter".into(),
                at: now.naive_utc(),
                from_state: None,
                to_state: None,
                reason: None,
                payload: json!({"v": 1, "proof": "sms_code"}),
            },
        )?;
        Ok(FreshTrackingCode {
            case_no: case.case_no.clone(),
            token: token.grouped(),
        })
    })
}
