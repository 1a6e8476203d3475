//! `Principal` as an actix extractor: `Authorization: Bearer <token>` or the `odrdesk_session`
//! cookie, looked up by hash among live sessions. No or unknown credentials give
//! `Principal::Anonymous`; the handler decides whether that is a 401.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::Principal;
use super::token::SessionToken;
use crate::http::error::ApiError;
use crate::service::sessions;
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
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(rest)
        });
    match bearer {
        Some(token) => SessionToken::parse(token),
        None => req
            .cookie(SESSION_COOKIE)
            .and_then(|c| SessionToken::parse(c.value())),
    }
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Principal, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(known) = req.extensions().get::<Principal>() {
                return Ok(known.clone());
            }
            let (Some(token), Some(state)) = (
                session_token(&req),
                req.app_data::<web::Data<AppState>>().cloned(),
            ) else {
                return Ok(Principal::Anonymous);
            };
            let now = state.clock.now();
            let principal = state
                .with_db(move |conn| sessions::resolve(conn, &token, now))
                .await?;
            req.extensions_mut().insert(principal.clone());
            Ok(principal)
        })
    }
}
