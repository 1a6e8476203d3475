//! Staff sign-in for the pages: the same check as `POST /api/v1/auth/login`, as a form.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{PageError, csrf, page, see_other};
use crate::auth::extract::session_cookie;
use crate::service::ServiceError;
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

/// Only same-site paths, so the sign-in page cannot be used to send people elsewhere.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/admin/bulletins",
    }
}

fn show(req: &HttpRequest, state: &AppState, p: LoginPageInput) -> Result<HttpResponse, PageError> {
    let c = csrf::issue(req, state.settings.cookie_secure);
    let mut res = page(
        p.status,
        &LoginPage {
            csrf: &c.token,
            next: safe_next(Some(&p.next)),
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
    let now = state.clock.now();
    let (email, password) = (form.email.clone(), form.password.clone());
    match state
        .with_db(move |conn| sessions::login(conn, &email, &password, now))
        .await
    {
        Ok(login) => {
            let cookie = session_cookie(
                state.settings.cookie_secure,
                login.token,
                sessions::STAFF_SESSION_HOURS * 3600,
            );
            let mut res = see_other(safe_next(Some(&form.next)));
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
