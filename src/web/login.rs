//! Staff sign-in for the pages: the same check as `POST /api/v1/auth/login`, as a form.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{PageError, csrf, nav, page, see_other};
use crate::auth::Role;
use crate::auth::extract::session_cookie;
use crate::service::ServiceError;
use crate::service::login::{self, Attempt};
use crate::service::sessions;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    next: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

#[derive(Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

/// The page areas a sign-in may return to; anything else could be read by a browser as
/// another host (`/\t/evil`, `/\evil`, `//evil`), so it is ignored.
const NEXT_PREFIXES: &[&str] = &[
    "/desk",
    "/enterprise",
    "/analyst",
    "/admin",
    "/track",
    "/bulletins",
    "/complain",
    "/report",
];

/// `next` if it is a path into one of the site's own page areas (query kept).
fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| is_own_page(n))
}

/// Where a sign-in lands: `next` when it is the site's own and the role may open it, else the
/// role's home, so nobody lands on a page that refuses them.
fn landing(next: &str, role: Role) -> &str {
    safe_next(Some(next))
        .filter(|n| nav::may_open(role, &percent_decoded(n)))
        .unwrap_or(nav::home_of(role))
}

/// Judged on the percent-decoded text, so `%2F%2F` or `%0D%0A` cannot slip past as letters.
pub(crate) fn is_own_page(next: &str) -> bool {
    let decoded = percent_decoded(next);
    if decoded.chars().any(|c| c.is_control() || c == '\\') {
        return false;
    }
    let path = decoded.split(['?', '#']).next().unwrap_or_default();
    if path.contains("//") {
        return false;
    }
    path == "/"
        || NEXT_PREFIXES.iter().any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
}

/// `%XX` escapes turned back into bytes; a malformed escape stays as written.
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn show(req: &HttpRequest, state: &AppState, p: LoginPageInput) -> Result<HttpResponse, PageError> {
    let c = csrf::issue(req, state.settings.cookie_secure);
    let mut res = page(
        p.status,
        &LoginPage {
            csrf: &c.token,
            next: safe_next(Some(&p.next)).unwrap_or_default(),
            email: &p.email,
            error: p.error.as_deref(),
        },
    )?;
    if let Some(cookie) = c.cookie {
        res.add_cookie(&cookie)
            .map_err(|e| PageError::Internal(e.to_string()))?;
    }
    Ok(res)
}

struct LoginPageInput {
    status: actix_web::http::StatusCode,
    next: String,
    email: String,
    error: Option<String>,
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Next>,
) -> Result<HttpResponse, PageError> {
    show(
        &req,
        &state,
        LoginPageInput {
            status: actix_web::http::StatusCode::OK,
            next: query.next.clone().unwrap_or_default(),
            email: String::new(),
            error: None,
        },
    )
}

#[derive(Deserialize, Default)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    csrf: Option<String>,
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    super::limit(&req, "login")?;
    let form: LoginForm = serde_urlencoded::from_bytes(&body)
        .map_err(|_| PageError::BadRequest("表单内容无法识别".into()))?;
    if !csrf::verify(&req, form.csrf.as_deref()) {
        return Err(PageError::BadRequest("页面已过期，请刷新后重新提交".into()));
    }
    let again = |error: &str, status| {
        show(
            &req,
            &state,
            LoginPageInput {
                status,
                next: form.next.clone(),
                email: form.email.clone(),
                error: Some(error.to_owned()),
            },
        )
    };
    if form.email.trim().is_empty() || form.password.is_empty() {
        return again(
            "请填写邮箱和密码",
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let attempt = Attempt {
        client: crate::ratelimit::client_ip(&req),
        email: form.email.clone(),
        password: form.password.clone(),
    };
    match login::login(&state.pool, &state.logins, attempt, state.clock.now()).await {
        Ok(login) => {
            let cookie = session_cookie(
                state.settings.cookie_secure,
                login.token,
                sessions::STAFF_SESSION_HOURS * 3600,
            );
            let mut res = see_other(landing(&form.next, login.role));
            res.add_cookie(&cookie)
                .map_err(|e| PageError::Internal(e.to_string()))?;
            Ok(res)
        }
        Err(ServiceError::InvalidCredentials { .. }) => again(
            "邮箱或密码不正确",
            actix_web::http::StatusCode::UNAUTHORIZED,
        ),
        Err(ServiceError::TooManyRequests { .. }) => again(
            "失败次数过多，请稍后再试",
            actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: LoginForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !csrf::verify(&req, form.csrf.as_deref()) {
        return Err(PageError::BadRequest("页面已过期，请刷新后重新提交".into()));
    }
    if let Some(token) = crate::auth::extract::session_token(&req) {
        state
            .with_db(move |conn| sessions::logout(conn, &token))
            .await?;
    }
    let mut cookie = session_cookie(state.settings.cookie_secure, String::new(), 0);
    cookie.make_removal();
    let mut res = see_other("/login");
    res.add_cookie(&cookie)
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::{landing, safe_next};
    use crate::auth::Role;

    #[test]
    fn own_pages_are_kept_with_their_query() {
        for next in [
            "/",
            "/desk",
            "/desk/cases/TS-2026-000001",
            "/enterprise",
            "/analyst/trends?interval=week",
            "/analyst/search?q=%E9%9D%A2%E9%9C%9C&from=2026-01-01",
            "/admin/bulletins/3",
            "/track",
        ] {
            assert_eq!(safe_next(Some(next)), Some(next));
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_is_ignored() {
        for next in [
            "/\t/evil.example/phish",
            "/%09/evil.example/phish",
            "//evil.example",
            "/\\evil.example",
            "/%5Cevil.example",
            "/%2F%2Fevil.example",
            "%2F%2Fevil.example",
            "/desk/%2F%2Fevil.example",
            "/desk%0D%0ASet-Cookie:%20x=1",
            "/desk\r\nLocation: https://evil.example",
            "/desk?next=%0Aevil",
            "https://evil.example/desk",
            "http:/evil.example",
            "javascript:alert(1)",
            "/deskevil",
            "/evil.example",
            "desk",
            "",
        ] {
            assert_eq!(safe_next(Some(next)), None, "{next:?}");
            assert_eq!(landing(next, Role::Mediator), "/desk", "{next:?}");
        }
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn a_sign_in_lands_where_the_role_may_go() {
        assert_eq!(
            landing("/desk?state=accepted", Role::Mediator),
            "/desk?state=accepted"
        );
        assert_eq!(landing("/desk?state=accepted", Role::Analyst), "/analyst");
        assert_eq!(landing("/admin/bulletins", Role::Mediator), "/desk");
        assert_eq!(
            landing("/admin/bulletins/3", Role::Supervisor),
            "/admin/bulletins/3"
        );
        assert_eq!(landing("/admin", Role::Supervisor), "/desk");
        assert_eq!(landing("/%61dmin", Role::Enterprise), "/enterprise");
        assert_eq!(landing("", Role::Admin), "/admin");
    }
}
