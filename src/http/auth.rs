//! Signing in and out: password login for staff, WeChat login for consumers, and who am I.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::body::json_body;
use super::error::{ApiError, ErrorBody};
use crate::auth::extract::{session_cookie, session_token};
use crate::auth::token::ApiKey;
use crate::auth::wechat::{self, WechatError};
use crate::auth::{Principal, Role};
use crate::intake::issues::Issues;
use crate::service::login::{self, Attempt};
use crate::service::sessions::{self, ConsumerLogin, STAFF_SESSION_HOURS, StaffLogin};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginInput {
    #[schema(example = "mediator@example.gov.cn")]
    pub email: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WechatLoginInput {
    /// The code from `wx.login()`.
    pub code: Option<String>,
}

/// The caller: `{kind: staff, email, role, bureaus, uscc?}` or `{kind: consumer, openid}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeView {
    #[schema(example = "staff")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bureaus: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openid: Option<String>,
}

#[utoipa::path(
    post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginInput,
    responses(
        (status = 200, description = "Signed in; also sets the `odrdesk_session` cookie", body = StaffLogin),
        (status = 401, description = "Wrong email or password (same answer for both)", body = ErrorBody),
        (status = 422, description = "Email or password missing", body = ErrorBody),
        (status = 429, description = "Too many sign-ins from this address, or too many failures from it on this account; see Retry-After", body = ErrorBody),
        (status = 503, description = "Every password check slot is busy; see Retry-After", body = ErrorBody),
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    crate::ratelimit::limit(&req, "login")
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
    let input: LoginInput = json_body(&req, &body)?;
    let mut issues = Issues::default();
    let email = issues.required_text("email", &input.email);
    let password = input.password.filter(|p| !p.is_empty());
    if password.is_none() {
        issues.required("password");
    }
    let (email, password) = issues
        .into_result(|| email.zip(password))
        .map_err(ApiError::Validation)?;
    let attempt = Attempt {
        client: crate::ratelimit::client_ip(&req),
        email,
        password,
    };
    let login = login::login(&state.pool, &state.logins, attempt, state.clock.now()).await?;
    let cookie = session_cookie(
        state.settings.cookie_secure,
        login.token.clone(),
        STAFF_SESSION_HOURS * 3600,
    );
    Ok(HttpResponse::Ok().cookie(cookie).json(login))
}

#[utoipa::path(
    post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "The session is ended and the cookie cleared")),
)]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    // Resolving the caller refuses a cookie-signed sign-out from another site.
    _caller: Principal,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = session_token(&req) {
        state
            .with_db(move |conn| sessions::logout(conn, &token))
            .await?;
    }
    let mut cookie = session_cookie(state.settings.cookie_secure, String::new(), 0);
    cookie.make_removal();
    Ok(HttpResponse::NoContent().cookie(cookie).finish())
}

#[utoipa::path(
    get, path = "/api/v1/auth/me", tag = "auth",
    responses(
        (status = 200, body = MeView),
        (status = 401, description = "Not signed in, or the session expired", body = ErrorBody),
    )
)]
pub async fn me(principal: Principal) -> Result<HttpResponse, ApiError> {
    let view = match principal {
        Principal::Staff(user) => MeView {
            kind: "staff",
            email: Some(user.email),
            role: Some(user.role),
            bureaus: Some(user.bureaus),
            uscc: user.uscc,
            openid: None,
        },
        Principal::Consumer { openid } => MeView {
            kind: "consumer",
            email: None,
            role: None,
            bureaus: None,
            uscc: None,
            openid: Some(openid),
        },
        Principal::Anonymous => return Err(ApiError::Unauthenticated),
    };
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    post, path = "/api/v1/wechat/login", tag = "auth",
    request_body = WechatLoginInput,
    params(("X-Api-Key" = String, Header, description = "Key issued by an administrator to the mini-program backend")),
    responses(
        (status = 200, description = "A 30-day consumer session bound to the openid", body = ConsumerLogin),
        (status = 401, description = "`invalid_api_key`, or `wechat_code_invalid`", body = ErrorBody),
        (status = 422, description = "No code", body = ErrorBody),
        (status = 429, description = "WeChat rate limit (45011); see Retry-After", body = ErrorBody),
        (status = 502, description = "`wechat_unavailable`: WeChat failed or did not answer", body = ErrorBody),
        (status = 503, description = "`wechat_not_configured`", body = ErrorBody),
    )
)]
pub async fn wechat_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let key = req
        .headers()
        .get("X-Api-Key")
        .and_then(|v| v.to_str().ok())
        .and_then(ApiKey::parse);
    state
        .with_db(move |conn| sessions::check_api_key(conn, key.as_ref()))
        .await?;
    let config = state
        .settings
        .wechat
        .clone()
        .ok_or_else(|| ApiError::NotConfigured {
            code: "wechat_not_configured",
            message: "本服务未配置微信小程序登录".into(),
        })?;
    let input: WechatLoginInput = json_body(&req, &body)?;
    let mut issues = Issues::default();
    let code = issues.required_text("code", &input.code);
    if code
        .as_ref()
        .is_some_and(|c| c.len() > 128 || !c.bytes().all(|b| b.is_ascii_graphic()))
    {
        issues.push("code", "code_format", "登录凭证格式不正确");
    }
    let code = issues.into_result(|| code).map_err(ApiError::Validation)?;
    let openid = wechat::code2session(&config, &code)
        .await
        .map_err(|e| match e {
            WechatError::InvalidCode => ApiError::InvalidCredentials {
                code: "wechat_code_invalid",
                message: "微信登录凭证无效或已使用，请重新登录".into(),
            },
            WechatError::RateLimited => ApiError::TooManyRequests {
                retry_after_secs: 60,
            },
            WechatError::Unavailable(detail) => {
                tracing::warn!(%detail, "code2session failed");
                ApiError::BadGateway {
                    code: "wechat_unavailable",
                    message: "微信服务暂时不可用，请稍后重试".into(),
                }
            }
        })?;
    let now = state.clock.now();
    let login = state
        .with_db(move |conn| sessions::consumer_session(conn, &openid, now))
        .await?;
    Ok(HttpResponse::Ok().json(login))
}

/// Declares the `bearer` scheme that protected operations refer to.
pub struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
