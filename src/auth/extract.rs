//! `Principal` as an actix extractor: `Authorization: Bearer <token>` or the `odrdesk_session`
//! cookie, looked up by hash among live sessions. No or unknown credentials give
//! `Principal::Anonymous`; the handler decides whether that is a 401. An API write that the
//! cookie signs in must come from this site (`same_origin`).

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::Principal;
use super::same_origin::check_cookie_write;
use super::token::{EnterpriseKey, SessionToken};
use crate::http::error::ApiError;
use crate::service::{ServiceError, sessions};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "odrdesk_session";

/// The session cookie carrying `value` (empty with age 0 to sign out).
pub fn session_cookie(secure: bool, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(secure)
        .max_age(time::Duration::seconds(max_age_secs))
        .finish()
}

/// The session token a request carries: the bearer token first, else the cookie. A malformed
/// value counts as none.
pub fn session_token(req: &HttpRequest) -> Option<SessionToken> {
    presented_token(req).map(|(token, _)| token)
}

/// The `Authorization: Bearer` token of a request, never the cookie.
pub fn bearer_token(req: &HttpRequest) -> Option<SessionToken> {
    presented_token(req)
        .filter(|(_, carrier)| *carrier == Carrier::Bearer)
        .map(|(token, _)| token)
}

/// Where a request's session token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carrier {
    Bearer,
    /// The browser attaches the cookie to any request to this site, whoever made it.
    Cookie,
    /// An ODR business's API key (`Authorization: Bearer odk_…`).
    ApiKey,
}

/// The enterprise API key in `Authorization: Bearer odk_…`, if that is what the request carries.
fn presented_key(req: &HttpRequest) -> Option<EnterpriseKey> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| EnterpriseKey::parse(rest))
        .flatten()
}

/// Whether the request signed in with an API key rather than a session: such a caller may
/// work on cases but not manage keys or the webhook.
pub fn signed_in_with_key(req: &HttpRequest) -> bool {
    req.extensions()
        .get::<Resolved>()
        .is_some_and(|r| r.carrier == Some(Carrier::ApiKey))
}

fn presented_token(req: &HttpRequest) -> Option<(SessionToken, Carrier)> {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(rest)
        });
    match bearer {
        Some(token) => SessionToken::parse(token).map(|t| (t, Carrier::Bearer)),
        None => req
            .cookie(SESSION_COOKIE)
            .and_then(|c| SessionToken::parse(c.value()))
            .map(|t| (t, Carrier::Cookie)),
    }
}

/// A request's principal, resolved once, and how it was signed in.
#[derive(Clone)]
struct Resolved {
    principal: Principal,
    carrier: Option<Carrier>,
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Principal, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
                return Ok(Principal::Anonymous);
            };
            let cached = req.extensions().get::<Resolved>().cloned();
            let resolved = match cached {
                Some(known) => known,
                None => {
                    let resolved = resolve(&req, &state).await?;
                    req.extensions_mut().insert(resolved.clone());
                    resolved
                }
            };
            // Checked on every extraction: a cached principal must not skip it.
            let signed_in_by_cookie =
                resolved.carrier == Some(Carrier::Cookie) && !resolved.principal.is_anonymous();
            if signed_in_by_cookie {
                check_cookie_write(&req, &state.settings.public_url)?;
            }
            Ok(resolved.principal)
        })
    }
}

async fn resolve(req: &HttpRequest, state: &AppState) -> Result<Resolved, ApiError> {
    if let Some(key) = presented_key(req) {
        // Per address before the lookup, so guessing keys is slow; per key once it resolves,
        // so one integration's burst does not eat another's.
        let too_many = |retry_after_secs| ServiceError::TooManyRequests { retry_after_secs };
        let limits = &state.integration_limits;
        let ip = crate::ratelimit::client_ip(req);
        limits
            .per_address
            .check_key(ip, std::time::Instant::now())
            .map_err(too_many)?;
        let (principal, key_id) = state
            .with_db(move |conn| sessions::resolve_key(conn, &key))
            .await?;
        if let Some(id) = key_id {
            limits
                .per_key
                .check_key(id, std::time::Instant::now())
                .map_err(too_many)?;
        }
        return Ok(Resolved {
            principal,
            carrier: Some(Carrier::ApiKey),
        });
    }
    let Some((token, carrier)) = presented_token(req) else {
        return Ok(Resolved {
            principal: Principal::Anonymous,
            carrier: None,
        });
    };
    let now = state.clock.now();
    let principal = state
        .with_db(move |conn| sessions::resolve(conn, &token, now))
        .await?;
    Ok(Resolved {
        principal,
        carrier: Some(carrier),
    })
}
