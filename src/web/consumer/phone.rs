//! "My cases by phone" (`/track/phone`): the number, then the SMS code, then the list of the
//! number's cases, from which a fresh 查询码 opens one. The session lives in an HttpOnly,
//! `SameSite=Strict` cookie scoped to `/track/phone` for half an hour; the fresh code is shown
//! once on the page that made it and lets this browser into the case like a typed code.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::holder;
use super::with_csrf;
use crate::auth::token::SessionToken;
use crate::domain::case::CaseNo;
use crate::domain::ids::Phone;
use crate::domain::phone_code::SESSION_MINUTES;
use crate::ratelimit::client_ip;
use crate::secrets::{LoginCode, TrackingToken};
use crate::service::ServiceError;
use crate::service::phone_access::{self, CODE_REFUSED, PhoneCase};
use crate::state::AppState;
use crate::web::{Form, PageError, see_other};

/// The session cookie; its path keeps it to these pages.
const PHONE_COOKIE: &str = "odrdesk_phone";
const PHONE_PATH: &str = "/track/phone";

/// Said after a code is asked for, for every valid number.
const CODE_SENT: &str = "如该手机号登记过投诉或举报，验证码已通过短信发送，5 分钟内有效。";

#[derive(Template)]
#[template(path = "consumer/phone_form.html")]
struct AskPage {
    csrf: String,
    /// The number as typed; with `code_step`, the number the code was sent to.
    phone: String,
    /// The second step: the code was asked for.
    code_step: bool,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "consumer/phone_cases.html")]
struct CasesPage {
    csrf: String,
    phone_masked: String,
    cases: Vec<PhoneCase>,
}

#[derive(Template)]
#[template(path = "consumer/phone_code.html")]
struct FreshPage {
    case_no: String,
    token: String,
}

fn ask(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    page: (String, bool),
    (notice, error): (Option<String>, Option<String>),
) -> Result<HttpResponse, PageError> {
    let (phone, code_step) = page;
    let phone: String = phone.trim().chars().take(20).collect();
    with_csrf(req, state, status, |csrf| AskPage {
        csrf,
        phone,
        code_step,
        notice,
        error,
    })
}

/// The page again with how long to wait, and `Retry-After`.
fn too_many(
    req: &HttpRequest,
    state: &AppState,
    page: (String, bool),
    what: &str,
    secs: u64,
) -> Result<HttpResponse, PageError> {
    let minutes = secs.div_ceil(60);
    let error = format!("{what}过于频繁，请在 {minutes} 分钟后再试。");
    let mut res = ask(
        req,
        state,
        StatusCode::TOO_MANY_REQUESTS,
        page,
        (None, Some(error)),
    )?;
    res.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(secs));
    Ok(res)
}

fn bad_phone(req: &HttpRequest, state: &AppState, typed: &str) -> Result<HttpResponse, PageError> {
    let error = "请输入正确的 11 位手机号码。".to_owned();
    ask(
        req,
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        (typed.into(), false),
        (None, Some(error)),
    )
}

/// The number this browser's session was opened for, if it is still live.
async fn signed_in(req: &HttpRequest, state: &AppState) -> Result<Option<Phone>, PageError> {
    let Some(token) = req
        .cookie(PHONE_COOKIE)
        .and_then(|c| SessionToken::parse(c.value()))
    else {
        return Ok(None);
    };
    let now = state.clock.now();
    match state
        .with_db(move |conn| phone_access::session_phone(conn, &token, now))
        .await
    {
        Ok(phone) => Ok(Some(phone)),
        Err(ServiceError::Unauthenticated) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `GET /track/phone`: the list for a signed-in browser, the number's form otherwise.
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let Some(phone) = signed_in(&req, &state).await? else {
        return ask(
            &req,
            &state,
            StatusCode::OK,
            (String::new(), false),
            (None, None),
        );
    };
    let phone_masked = phone.masked();
    let cases = state
        .with_db(move |conn| phone_access::cases_of(conn, &phone))
        .await?;
    with_csrf(&req, &state, StatusCode::OK, |csrf| CasesPage {
        csrf,
        phone_masked,
        cases,
    })
}

/// `POST /track/phone/code`: asks for a code, then the code's form.
pub async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Form::parse(&req, &body, "phone_code")?;
    let typed = form.get("phone").unwrap_or_default().to_owned();
    let Ok(phone) = typed.parse::<Phone>() else {
        return bad_phone(&req, &state, &typed);
    };
    let now = state.clock.now();
    let number = phone.as_str().to_owned();
    match phone_access::request_code(
        &state.pool,
        &state.phone,
        phone,
        client_ip(&req),
        state.settings.sms.clone().map(std::sync::Arc::new),
        now,
    )
    .await
    {
        Ok(()) => ask(
            &req,
            &state,
            StatusCode::OK,
            (number, true),
            (Some(CODE_SENT.into()), None),
        ),
        Err(ServiceError::TooManyRequests { retry_after_secs }) => {
            too_many(&req, &state, (typed, false), "获取验证码", retry_after_secs)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /track/phone/session`: checks the code; `303` to the list with the session cookie.
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Form::parse(&req, &body, "phone_session")?;
    let typed = form.get("phone").unwrap_or_default().to_owned();
    let Ok(phone) = typed.parse::<Phone>() else {
        return bad_phone(&req, &state, &typed);
    };
    let again = (phone.as_str().to_owned(), true);
    let Some(code) = form.get("code").and_then(LoginCode::parse) else {
        let error = "验证码为 6 位数字，请核对短信后重新输入。".to_owned();
        return ask(
            &req,
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            again,
            (None, Some(error)),
        );
    };
    let now = state.clock.now();
    let opened = phone_access::open_session(
        &state.pool,
        &state.phone,
        (phone, code),
        client_ip(&req),
        now,
    )
    .await;
    match opened {
        Ok(login) => {
            let cookie = Cookie::build(PHONE_COOKIE, login.token)
                .path(PHONE_PATH)
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(state.settings.cookie_secure)
                .max_age(Duration::minutes(SESSION_MINUTES))
                .finish();
            let mut res = see_other(PHONE_PATH);
            res.add_cookie(&cookie)
                .map_err(|e| PageError::Internal(e.to_string()))?;
            Ok(res)
        }
        Err(ServiceError::InvalidCredentials { .. }) => ask(
            &req,
            &state,
            StatusCode::UNAUTHORIZED,
            again,
            (None, Some(CODE_REFUSED.into())),
        ),
        Err(ServiceError::TooManyRequests { retry_after_secs }) => {
            too_many(&req, &state, again, "验证码输错", retry_after_secs)
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /track/phone/cases/{case_no}/code`: a fresh 查询码 for one of the number's cases,
/// shown once; this browser is let into the case with it.
pub async fn fresh_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    Form::parse(&req, &body, "phone_fresh_code")?;
    let Some(phone) = signed_in(&req, &state).await? else {
        let error = "登录已过期，请重新获取验证码。".to_owned();
        return ask(
            &req,
            &state,
            StatusCode::FORBIDDEN,
            (String::new(), false),
            (None, Some(error)),
        );
    };
    let Ok(case_no) = path.parse::<CaseNo>().map(|n| n.to_string()) else {
        return Err(PageError::NotFound);
    };
    let now = state.clock.now();
    let fresh = state
        .with_db(move |conn| phone_access::reissue_tracking_code(conn, &phone, &case_no, now))
        .await?;
    let token = TrackingToken::parse(&fresh.token)
        .ok_or_else(|| PageError::Internal("fresh code does not parse".into()))?;
    let mut res = crate::web::page(
        StatusCode::OK,
        &FreshPage {
            case_no: fresh.case_no.clone(),
            token: fresh.token,
        },
    )?;
    res.add_cookie(&holder::cookie(
        &fresh.case_no,
        &token,
        state.settings.cookie_secure,
    ))
    .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(res)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource(PHONE_PATH, "GET").route(web::get().to(start)))
        .service(resource("/track/phone/code", "POST").route(web::post().to(send)))
        .service(resource("/track/phone/session", "POST").route(web::post().to(verify)))
        .service(
            resource("/track/phone/cases/{case_no}/code", "POST").route(web::post().to(fresh_code)),
        );
}
