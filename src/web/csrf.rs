//! CSRF tokens for forms, derived from a secret the browser holds in a `SameSite=Strict`,
//! HttpOnly cookie: the session token once signed in, before that a per-browser form cookie
//! (double submit). Nothing is stored on the server.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use sha2::{Digest, Sha256};

use crate::auth::extract::session_token;
use crate::auth::token::SessionToken;

pub const FORM_COOKIE: &str = "odrdesk_form";

/// The token a page's forms carry, and the cookie to set when the browser has none yet.
pub struct Csrf {
    pub token: String,
    pub cookie: Option<Cookie<'static>>,
}

fn derive(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"odrdesk csrf v1\0");
    h.update(secret.as_bytes());
    hex::encode(h.finalize())
}

fn form_secret(req: &HttpRequest) -> Option<String> {
    req.cookie(FORM_COOKIE)
        .and_then(|c| SessionToken::parse(c.value()))
        .map(|t| t.as_str().to_owned())
}

pub fn issue(req: &HttpRequest, secure: bool) -> Csrf {
    if let Some(session) = session_token(req) {
        return Csrf {
            token: derive(session.as_str()),
            cookie: None,
        };
    }
    if let Some(secret) = form_secret(req) {
        return Csrf {
            token: derive(&secret),
            cookie: None,
        };
    }
    let secret = SessionToken::generate()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    Csrf {
        token: derive(&secret),
        cookie: Some(
            Cookie::build(FORM_COOKIE, secret)
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(secure)
                .path("/")
                .finish(),
        ),
    }
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether a posted token belongs to this browser's session or form cookie.
pub fn verify(req: &HttpRequest, posted: Option<&str>) -> bool {
    let Some(posted) = posted else { return false };
    let candidates = [
        session_token(req).map(|s| s.as_str().to_owned()),
        form_secret(req),
    ];
    candidates
        .into_iter()
        .flatten()
        .any(|secret| same(&derive(&secret), posted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_differ_per_secret_and_are_stable() {
        assert_eq!(derive("abc"), derive("abc"));
        assert_ne!(derive("abc"), derive("abd"));
        assert!(same(&derive("x"), &derive("x")));
        assert!(!same(&derive("x"), "short"));
    }
}
