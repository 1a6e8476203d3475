//! "My cases by phone" for the mini-program: ask for an SMS code, trade it for a half-hour
//! bearer token scoped to the number, list the number's cases and take a fresh 查询码 for one.
//! No API key: the mini-program calls these directly, so the per-address limits see the
//! consumer's address (`service::phone_access`).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::body::json_body;
use super::error::{ApiError, ErrorBody};
use crate::auth::extract::bearer_token;
use crate::domain::case::CaseNo;
use crate::domain::ids::Phone;
use crate::intake::issues::Issues;
use crate::ratelimit::client_ip;
use crate::secrets::LoginCode;
use crate::service::phone_access::{self, FreshTrackingCode, PhoneCase, PhoneLogin};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CodeInput {
    /// A mainland mobile number.
    #[schema(example = "13800138000")]
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SessionInput {
    #[schema(example = "13800138000")]
    pub phone: Option<String>,
    /// The six digits from the SMS.
    #[schema(example = "123456")]
    pub code: Option<String>,
}

/// `202`: the same for every valid number, whether or not a case gave it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeAccepted {
    pub message: String,
    /// How long the code is good for.
    pub expires_in_secs: i64,
}

/// `200 {cases}`: the number's cases, newest first, masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PhoneCases {
    pub cases: Vec<PhoneCase>,
}

/// What the consumer is told after asking for a code, for any valid number.
pub const CODE_SENT: &str = "如该手机号登记过投诉或举报，验证码已通过短信发送，5 分钟内有效。";

fn phone_of(issues: &mut Issues, raw: &Option<String>) -> Option<Phone> {
    let text = issues.required_text("phone", raw)?;
    issues.take("phone", text.parse::<Phone>())
}

#[utoipa::path(
    post, path = "/api/v1/phone/codes", tag = "phone",
    request_body = CodeInput,
    responses(
        (status = 202, description = "Said for every valid number; the SMS goes only to a number a case gave", body = CodeAccepted),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not declared application/json", body = ErrorBody),
        (status = 422, description = "Not a mainland mobile number", body = ErrorBody),
        (status = 429, description = "Too many codes for this number or from this address; see Retry-After", body = ErrorBody),
        (status = 503, description = "Every code check slot is busy; try again after Retry-After", body = ErrorBody),
    )
)]
pub async fn request_code(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: CodeInput = json_body(&req, &body)?;
    let mut issues = Issues::default();
    let phone = phone_of(&mut issues, &input.phone);
    let phone = issues.into_result(|| phone).map_err(ApiError::Validation)?;
    let now = state.clock.now();
    phone_access::request_code(
        &state.pool,
        &state.phone,
        phone,
        client_ip(&req),
        state.settings.sms.clone().map(std::sync::Arc::new),
        now,
    )
    .await?;
    Ok(HttpResponse::Accepted().json(CodeAccepted {
        message: CODE_SENT.into(),
        expires_in_secs: crate::domain::phone_code::CODE_TTL_SECS,
    }))
}

#[utoipa::path(
    post, path = "/api/v1/phone/sessions", tag = "phone",
    request_body = SessionInput,
    responses(
        (status = 200, description = "A half-hour bearer token scoped to the number", body = PhoneLogin),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "`phone_code_invalid`: wrong, expired, superseded or used code (said alike for every number)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not declared application/json", body = ErrorBody),
        (status = 422, description = "Not a mobile number, or not six digits", body = ErrorBody),
        (status = 429, description = "Too many wrong codes from this address; see Retry-After", body = ErrorBody),
        (status = 503, description = "Every code check slot is busy (the try is not counted); try again after Retry-After", body = ErrorBody),
    )
)]
pub async fn open_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let input: SessionInput = json_body(&req, &body)?;
    let mut issues = Issues::default();
    let phone = phone_of(&mut issues, &input.phone);
    let code = issues
        .required_text("code", &input.code)
        .and_then(|c| match LoginCode::parse(&c) {
            Some(code) => Some(code),
            None => {
                issues.push("code", "code_format", "验证码为 6 位数字");
                None
            }
        });
    let (phone, code) = issues
        .into_result(|| phone.zip(code))
        .map_err(ApiError::Validation)?;
    let now = state.clock.now();
    let login = phone_access::open_session(
        &state.pool,
        &state.phone,
        (phone, code),
        client_ip(&req),
        now,
    )
    .await?;
    let mut res = HttpResponse::Ok().json(login);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

async fn session_phone(state: &AppState, req: &HttpRequest) -> Result<Phone, ApiError> {
    let token = bearer_token(req).ok_or(ApiError::Unauthenticated)?;
    let now = state.clock.now();
    Ok(state
        .with_db(move |conn| phone_access::session_phone(conn, &token, now))
        .await?)
}

#[utoipa::path(
    get, path = "/api/v1/phone/cases", tag = "phone",
    params(("Authorization" = String, Header, description = "`Bearer <token>` from `/api/v1/phone/sessions`")),
    responses(
        (status = 200, body = PhoneCases),
        (status = 401, description = "No live phone session", body = ErrorBody),
    )
)]
pub async fn cases(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let phone = session_phone(&state, &req).await?;
    let cases = state
        .with_db(move |conn| phone_access::cases_of(conn, &phone))
        .await?;
    Ok(HttpResponse::Ok().json(PhoneCases { cases }))
}

#[utoipa::path(
    post, path = "/api/v1/phone/cases/{case_no}/tracking-code", tag = "phone",
    params(
        ("case_no" = String, Path, example = "TS-2026-000001"),
        ("Authorization" = String, Header, description = "`Bearer <token>` from `/api/v1/phone/sessions`"),
    ),
    responses(
        (status = 200, description = "The case's new 查询码; the old one no longer opens it", body = FreshTrackingCode),
        (status = 401, description = "No live phone session", body = ErrorBody),
        (status = 404, description = "No such case filed with this number", body = ErrorBody),
        (status = 429, description = "Three fresh codes for this case within a day already; see Retry-After", body = ErrorBody),
    )
)]
pub async fn fresh_tracking_code(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let phone = session_phone(&state, &req).await?;
    let case_no = path
        .parse::<CaseNo>()
        .map(|n| n.to_string())
        .map_err(|_| ApiError::NotFound)?;
    let now = state.clock.now();
    let fresh = state
        .with_db(move |conn| phone_access::reissue_tracking_code(conn, &phone, &case_no, now))
        .await?;
    let mut res = HttpResponse::Ok().json(fresh);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    cfg.service(resource("/phone/codes", "POST").route(web::post().to(request_code)))
        .service(resource("/phone/sessions", "POST").route(web::post().to(open_session)))
        .service(resource("/phone/cases", "GET").route(web::get().to(cases)))
        .service(
            resource("/phone/cases/{case_no}/tracking-code", "POST")
                .route(web::post().to(fresh_tracking_code)),
        );
}
