//! Case work over HTTP: the role-specific case view, workflow actions, the event log,
//! queues, staff intake and reference data administration.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use utoipa::OpenApi;

use super::body::{checked_tracking_token, json_body};
use super::error::{ApiError, ErrorBody};
use super::intake::accept;
use crate::auth::{Principal, Role};
use crate::clock::china_offset;
use crate::domain::workflow::Command;
use crate::intake::FieldIssue;
use crate::intake::input::{ComplaintInput, ReportInput};
use crate::service::access::Caller;
use crate::service::case_view::{CaseView, load_visible};
use crate::service::intake::{Channel, IntakeInput};
use crate::service::queue::{QueuePage, QueueQuery};
use crate::service::submit::Submitted;
use crate::service::{ServiceError, actions, case_view, queue, referral};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        get_case,
        post_action,
        case_events,
        get_referral,
        get_queue,
        bulk_assign,
        enterprise_cases,
        my_cases,
        staff_complaint,
        staff_report,
        put_calendar,
        put_policy,
        get_policy
    ),
    components(schemas(
        CaseView,
        Command,
        QueuePage,
        BulkAssign,
        StaffComplaintInput,
        StaffReportInput
    ))
)]
pub struct CasesDoc;

pub fn routes(scope: &mut web::ServiceConfig) {
    use super::resource;
    scope
        .service(resource("/cases/{case_no}", "GET").route(web::get().to(get_case)))
        .service(resource("/cases/{case_no}/actions", "POST").route(web::post().to(post_action)))
        .service(resource("/cases/{case_no}/events", "GET").route(web::get().to(case_events)))
        .service(resource("/cases/{case_no}/referral", "GET").route(web::get().to(get_referral)))
        .service(resource("/queue", "GET").route(web::get().to(get_queue)))
        .service(resource("/queue/assign", "POST").route(web::post().to(bulk_assign)))
        .service(resource("/enterprise/cases", "GET").route(web::get().to(enterprise_cases)))
        .service(resource("/me/cases", "GET").route(web::get().to(my_cases)))
        .service(resource("/staff/complaints", "POST").route(web::post().to(staff_complaint)))
        .service(resource("/staff/reports", "POST").route(web::post().to(staff_report)))
        .service(resource("/admin/calendar", "PUT").route(web::put().to(put_calendar)))
        .service(
            resource("/admin/policy", "GET, PUT")
                .route(web::get().to(get_policy))
                .route(web::put().to(put_policy)),
        );
}

/// The caller as use cases see it; an anonymous caller may hold the case's tracking token,
/// checked under the per-case limit on wrong codes.
pub(super) async fn caller(
    principal: Principal,
    req: &HttpRequest,
    state: &AppState,
    case_no: &str,
) -> Result<Caller, ApiError> {
    match principal {
        Principal::Staff(user) => Ok(Caller::Staff(user)),
        Principal::Consumer { openid } => Ok(Caller::Consumer { openid }),
        Principal::Anonymous => checked_tracking_token(req, state, case_no)
            .await?
            .map(Caller::TokenHolder)
            .ok_or(ApiError::Unauthenticated),
    }
}

fn staff(principal: &Principal, roles: &[Role]) -> Result<Caller, ApiError> {
    principal
        .require_role(roles)
        .map(|u| Caller::Staff(u.clone()))
        .map_err(ApiError::from)
}

const CASE_WORKERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Mediator];
/// Who works the queue: the bureaus' staff and the city's unified intake unit.
const QUEUE_WORKERS: &[Role] = &[
    Role::Admin,
    Role::Supervisor,
    Role::Mediator,
    Role::Dispatcher,
];

#[utoipa::path(get, path = "/api/v1/cases/{case_no}", tag = "cases",
    params(("case_no" = String, Path), ("X-Tracking-Token" = Option<String>, Header, description = "For consumers without an account")),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody), (status = 404, description = "No such case, or not yours to see", body = ErrorBody),
        (status = 429, description = "Too many wrong tracking tokens for this case; retry after `Retry-After`", body = ErrorBody)))]
pub async fn get_case(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(principal, &req, &state, &path).await?;
    let ctx = state.ctx();
    let view = state
        .with_db(move |conn| case_view::view(conn, &ctx.reference, &path, &caller, ctx.now))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// One workflow step on a case. A consumer's supplement (补充说明) is a message to the
/// mediator: `{"action": "message", "to": "mediator", "text": "…"}`, counted toward the
/// party's messages a day. A consumer without an account sends `X-Tracking-Token`.
#[utoipa::path(post, path = "/api/v1/cases/{case_no}/actions", tag = "cases",
    params(("case_no" = String, Path), ("X-Tracking-Token" = Option<String>, Header)),
    request_body = Command,
    responses((status = 200, description = "The case after the action", body = CaseView),
        (status = 401, body = ErrorBody), (status = 403, description = "Read-only role", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in this state; `allowed` lists what is", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "The party's messages on this case for today are used up, or too many wrong tracking tokens for this case; `Retry-After` says when to try again", body = ErrorBody)))]
pub async fn post_action(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    principal: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(principal, &req, &state, &path).await?;
    let command: Command = json_body(&req, &body)?;
    if matches!(command, Command::OdrExpire) {
        return Err(ApiError::NotFound);
    }
    let ctx = state.ctx();
    let view = state
        .with_db(move |conn| actions::act(conn, &ctx, &path, &caller, command))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub seq: i32,
    pub kind: String,
    pub actor: String,
    pub actor_role: String,
    pub at: DateTime<Utc>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub reason: Option<String>,
    pub payload: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

#[utoipa::path(get, path = "/api/v1/cases/{case_no}/events", tag = "cases",
    params(("case_no" = String, Path)),
    responses((status = 200, description = "The audit log of the case", body = Vec<EventView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn case_events(
    state: web::Data<AppState>,
    path: web::Path<String>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let caller = staff(&principal, CASE_WORKERS)?;
    let list = state
        .with_db(move |conn| {
            let (loaded, _) = load_visible(conn, &path, &caller)?;
            Ok(loaded.events)
        })
        .await?;
    let view: Vec<EventView> = list
        .into_iter()
        .map(|e| EventView {
            seq: e.case_seq,
            payload: serde_json::from_str(&e.data.payload).unwrap_or(serde_json::Value::Null),
            at: e.at.and_utc(),
            kind: e.data.kind,
            actor: e.data.actor,
            actor_role: e.data.actor_role,
            from_state: e.data.from_state.map(|s| s.as_str().to_owned()),
            to_state: e.data.to_state.map(|s| s.as_str().to_owned()),
            reason: e.data.reason,
            prev_hash: e.data.prev_hash,
            hash: e.data.hash,
        })
        .collect();
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FormatQuery {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/cases/{case_no}/referral", tag = "cases",
    params(("case_no" = String, Path), FormatQuery),
    responses((status = 200, description = "The adverse-reaction monitoring form of the case (JSON or CSV)",
            content((referral::ReferralForm = "application/json"), (String = "text/csv"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "`format` is neither json nor csv", body = ErrorBody)))]
pub async fn get_referral(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<FormatQuery>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let caller = staff(&principal, CASE_WORKERS)?;
    let form = state
        .with_db(move |conn| referral::form(conn, &path, &caller))
        .await?;
    match query.format.as_deref() {
        None | Some("json") => Ok(HttpResponse::Ok().json(form)),
        Some("csv") => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(referral::to_csv(&form))),
        Some(_) => Err(ApiError::Validation(vec![FieldIssue {
            field: "format".into(),
            code: "unknown_format".into(),
            message: "格式应为 json 或 csv".into(),
        }])),
    }
}

#[utoipa::path(get, path = "/api/v1/queue", tag = "queues", params(QueueQuery),
    responses((status = 200, body = QueuePage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get_queue(
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let caller = staff(&principal, QUEUE_WORKERS)?;
    list(&state, caller, query.into_inner()).await
}

#[utoipa::path(get, path = "/api/v1/enterprise/cases", tag = "queues", params(QueueQuery),
    responses((status = 200, body = QueuePage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enterprise_cases(
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let caller = staff(&principal, &[Role::Enterprise])?;
    list(&state, caller, query.into_inner()).await
}

#[utoipa::path(get, path = "/api/v1/me/cases", tag = "queues", params(QueueQuery),
    responses((status = 200, description = "The signed-in consumer's own cases", body = QueuePage), (status = 401, body = ErrorBody),
        (status = 403, description = "Signed in, but not as a consumer", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn my_cases(
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let openid = principal.require_consumer()?.to_owned();
    list(&state, Caller::Consumer { openid }, query.into_inner()).await
}

async fn list(
    state: &AppState,
    caller: Caller,
    query: QueueQuery,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.ctx();
    let page = state
        .with_db(move |conn| queue::list(conn, &ctx, &caller, &query))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BulkAssign {
    pub case_nos: Vec<String>,
    /// E-mail of the mediator.
    pub user: String,
}

#[utoipa::path(post, path = "/api/v1/queue/assign", tag = "queues", request_body = BulkAssign,
    responses((status = 200, description = "How many were assigned"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn bulk_assign(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let caller = staff(&principal, &[Role::Admin, Role::Supervisor])?;
    let input: BulkAssign = json_body(&req, &body)?;
    let ctx = state.ctx();
    let n = state
        .with_db(move |conn| queue::bulk_assign(conn, &ctx, &caller, &input.case_nos, &input.user))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "assigned": n })))
}

/// A complaint keyed in by staff from a phone call, letter or visit.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StaffComplaintInput {
    #[serde(flatten)]
    pub complaint: ComplaintInput,
    /// The date (YYYY-MM-DD) or time (RFC 3339) actually received; clocks count from it.
    pub received_at: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StaffReportInput {
    #[serde(flatten)]
    pub report: ReportInput,
    pub received_at: Option<String>,
}

/// `YYYY-MM-DD` means 09:00 that day in China; otherwise an RFC 3339 time.
fn parse_received_at(raw: &Option<String>) -> Result<DateTime<Utc>, ApiError> {
    let issue = |code: &str, message: &str| {
        ApiError::Validation(vec![FieldIssue {
            field: "received_at".into(),
            code: code.into(),
            message: message.into(),
        }])
    };
    let raw = raw
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| issue("required", "请填写实际收到的日期"))?;
    if let Ok(day) = raw.parse::<NaiveDate>() {
        let at = day
            .and_hms_opt(9, 0, 0)
            .and_then(|t| china_offset().from_local_datetime(&t).single());
        return at
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| issue("date_format", "日期格式应为 YYYY-MM-DD"));
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| issue("date_format", "日期格式应为 YYYY-MM-DD 或 RFC 3339 时间"))
}

#[utoipa::path(post, path = "/api/v1/staff/complaints", tag = "intake", request_body = StaffComplaintInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Submitted), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn staff_complaint(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    staff(&principal, CASE_WORKERS)?;
    let input: StaffComplaintInput = json_body(&req, &body)?;
    let channel = Channel::Staff {
        received_at: parse_received_at(&input.received_at)?,
    };
    let input = IntakeInput::Complaint(input.complaint);
    accept(&state, &req, &body, "staff_complaint", input, channel).await
}

#[utoipa::path(post, path = "/api/v1/staff/reports", tag = "intake", request_body = StaffReportInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Submitted), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn staff_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    staff(&principal, CASE_WORKERS)?;
    let input: StaffReportInput = json_body(&req, &body)?;
    let channel = Channel::Staff {
        received_at: parse_received_at(&input.received_at)?,
    };
    let input = IntakeInput::Report(input.report);
    accept(&state, &req, &body, "staff_report", input, channel).await
}

pub(super) type Loader<T> =
    fn(&mut crate::service::Db, &str, DateTime<Utc>) -> Result<T, ServiceError>;

/// Stores administrator-supplied reference data (TOML text) and reloads it on this node.
pub(super) async fn load_reference<T: Send + 'static>(
    state: &AppState,
    body: &[u8],
    principal: &Principal,
    loader: Loader<T>,
) -> Result<T, ApiError> {
    principal.require_role(&[Role::Admin])?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::bad_request("malformed_text", "请求体须为 UTF-8 文本（TOML）"))?;
    let now = state.clock.now();
    let reference = state.reference.clone();
    state
        .with_db(move |conn| {
            let loaded = loader(conn, &text, now)?;
            reference.reload(conn)?;
            Ok(loaded)
        })
        .await
        .map_err(ApiError::from)
}

#[utoipa::path(put, path = "/api/v1/admin/calendar", tag = "admin",
    request_body(content = String, content_type = "application/toml", description = "One year, in the format of reference/calendar/2026.toml"),
    security(("bearer" = [])),
    responses((status = 200, description = "Loaded"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_calendar(
    state: web::Data<AppState>,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let year = load_reference(
        &state,
        &body,
        &principal,
        crate::reference::load_calendar_year,
    )
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "loaded_year": year })))
}

#[utoipa::path(put, path = "/api/v1/admin/policy", tag = "admin",
    request_body(content = String, content_type = "application/toml", description = "The whole table, in the format of reference/policy.toml"),
    security(("bearer" = [])),
    responses((status = 200, description = "Loaded"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_policy(
    state: web::Data<AppState>,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let versions = load_reference(
        &state,
        &body,
        &principal,
        crate::reference::load_policy_table,
    )
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "versions": versions })))
}

#[utoipa::path(get, path = "/api/v1/admin/policy", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The policy table in force", body = crate::domain::PolicyTable), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_policy(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&[Role::Admin, Role::Supervisor])?;
    Ok(HttpResponse::Ok().json(&*state.reference.snapshot().policy))
}
