//! Publication of complaint information over HTTP (Order 121 Art. 38): the complainant's
//! consent (tracking token or mini-program), the business's public reply, the editors' queue
//! and decisions, and the published entries of a business.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::OpenApi;

use super::body::json_body;
use super::cases::caller;
use super::error::{ApiError, ErrorBody};
use super::resource;
use crate::auth::Principal;
use crate::domain::case::CaseNo;
use crate::domain::disclosure::RefusalReason;
use crate::domain::ids::Uscc;
use crate::service::access::Caller;
use crate::service::disclosure::{self, ConsentView, PublishedEntry, ReplyView};
use crate::service::disclosure_review::{self, Candidate, Decided, Decision};
use crate::service::{ServiceError, disclosure::MAX_ENTRIES};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(get_consent, set_consent, put_reply, get_queue, decide, entries),
    components(schemas(
        ConsentView,
        ConsentInput,
        ReplyView,
        ReplyInput,
        Candidate,
        DecisionInput,
        Decided,
        PublishedEntry,
        crate::domain::disclosure::Review
    ))
)]
pub struct DisclosuresDoc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/track/{case_no}/disclosure-consent", "GET, POST")
            .route(web::get().to(get_consent))
            .route(web::post().to(set_consent)),
    )
    .service(resource("/cases/{case_no}/public-reply", "PUT").route(web::put().to(put_reply)))
    .service(resource("/disclosures", "GET").route(web::get().to(get_queue)))
    .service(resource("/disclosures/{case_no}/decision", "POST").route(web::post().to(decide)))
    .service(resource("/businesses/{uscc}/entries", "GET").route(web::get().to(entries)));
}

fn case_no(raw: &str) -> Result<String, ApiError> {
    raw.parse::<CaseNo>()
        .map(|n| n.to_string())
        .map_err(|_| ApiError::NotFound)
}

/// Give (`true`) or withdraw (`false`) consent to publication.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConsentInput {
    pub consent: bool,
}

#[utoipa::path(
    get, path = "/api/v1/track/{case_no}/disclosure-consent", tag = "tracking",
    params(
        ("case_no" = String, Path),
        ("X-Tracking-Token" = Option<String>, Header, description = "The case's 查询码, unless signed in through the mini-program"),
    ),
    responses(
        (status = 200, body = ConsentView),
        (status = 401, description = "No token and not signed in", body = ErrorBody),
        (status = 404, description = "No such case, or not the caller's", body = ErrorBody),
        (status = 409, description = "A report: never published", body = ErrorBody),
        (status = 429, description = "Too many wrong tokens for this case", body = ErrorBody),
    )
)]
pub async fn get_consent(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let case_no = case_no(&path)?;
    let caller = caller(principal, &req, &state, &case_no).await?;
    let view = state
        .with_db(move |conn| disclosure::consent_of(conn, &case_no, &caller))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    post, path = "/api/v1/track/{case_no}/disclosure-consent", tag = "tracking",
    params(
        ("case_no" = String, Path),
        ("X-Tracking-Token" = Option<String>, Header, description = "The case's 查询码, unless signed in through the mini-program"),
    ),
    request_body = ConsentInput,
    responses(
        (status = 200, description = "Withdrawal unpublishes at once; consent given again waits for an editor", body = ConsentView),
        (status = 401, description = "No token and not signed in", body = ErrorBody),
        (status = 404, description = "No such case, or not the caller's", body = ErrorBody),
        (status = 409, description = "A report: never published", body = ErrorBody),
        (status = 429, description = "Too many wrong tokens for this case", body = ErrorBody),
    )
)]
pub async fn set_consent(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let case_no = case_no(&path)?;
    let input: ConsentInput = json_body(&req, &body)?;
    let caller = caller(principal, &req, &state, &case_no).await?;
    let ctx = state.ctx();
    let view = state
        .with_db(move |conn| disclosure::set_consent(conn, &ctx, &case_no, &caller, input.consent))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The business's public reply (公开回复), at most 500 characters.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReplyInput {
    pub reply: String,
}

#[utoipa::path(
    put, path = "/api/v1/cases/{case_no}/public-reply", tag = "enterprise",
    params(("case_no" = String, Path)),
    request_body = ReplyInput,
    responses(
        (status = 200, description = "Stored; waits for an editor", body = ReplyView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the business complained about", body = ErrorBody),
        (status = 404, description = "No such complaint against this business", body = ErrorBody),
        (status = 409, description = "Not closed, or the complainant did not consent", body = ErrorBody),
        (status = 422, description = "Empty or longer than 500 characters", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn put_reply(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let case_no = case_no(&path)?;
    let input: ReplyInput = json_body(&req, &body)?;
    let caller = Caller::Staff(principal.require_staff()?.clone());
    let ctx = state.ctx();
    let view = state
        .with_db(move |conn| disclosure::write_reply(conn, &ctx, &case_no, &caller, &input.reply))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// At most this many entries (1–200, default 50).
    pub limit: Option<usize>,
}

#[utoipa::path(
    get, path = "/api/v1/disclosures", tag = "disclosure",
    params(QueueParams),
    responses(
        (status = 200, description = "Closed, consented complaints waiting for an editor, each as it would be published", body = Vec<Candidate>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an editor (admin or supervisor)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_queue(
    state: web::Data<AppState>,
    query: web::Query<QueueParams>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let user = principal.require_staff()?.clone();
    let limit = query.limit.unwrap_or(50);
    let list = state
        .with_db(move |conn| disclosure_review::queue(conn, &user, limit))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Approve (`"approve"`, with the `version` of the candidate as reviewed) or refuse
/// (`"refuse"`, with a reason of at most 200 characters).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    pub decision: String,
    pub reason: Option<String>,
    /// The queue's `version` of the entry the editor approves; required to approve.
    pub reviewed_version: Option<String>,
}

/// The decision as a typed value, or the 422 that says what is wrong.
pub fn decision_of(
    decision: &str,
    reason: Option<&str>,
    reviewed_version: Option<&str>,
) -> Result<Decision, ServiceError> {
    match decision {
        "approve" => match reviewed_version.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => Ok(Decision::Approve {
                reviewed_version: v.to_owned(),
            }),
            None => Err(ServiceError::invalid_field(
                "reviewed_version",
                "required",
                "同意公示须附上所审核内容的版本（待审核队列中的 version） \
                 / reviewed_version (the queue's version) is required to approve"
                    .into(),
            )),
        },
        "refuse" => RefusalReason::parse(reason.unwrap_or_default())
            .map(Decision::Refuse)
            .map_err(|e| ServiceError::invalid_field("reason", e.code, e.message)),
        _ => Err(ServiceError::invalid_field(
            "decision",
            "unknown_decision",
            "请选择同意公示或不予公示 / decision must be approve or refuse".into(),
        )),
    }
}

#[utoipa::path(
    post, path = "/api/v1/disclosures/{case_no}/decision", tag = "disclosure",
    params(("case_no" = String, Path)),
    request_body = DecisionInput,
    responses(
        (status = 200, body = Decided),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an editor (admin or supervisor)", body = ErrorBody),
        (status = 404, description = "No such complaint in the editor's bureaus", body = ErrorBody),
        (status = 409, description = "Not waiting for review (`not_in_queue`), or changed since the reviewed version (`changed_since_shown`)", body = ErrorBody),
        (status = 422, description = "Unknown decision, an approval without `reviewed_version`, or a refusal without a reason", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let case_no = case_no(&path)?;
    let input: DecisionInput = json_body(&req, &body)?;
    let user = principal.require_staff()?.clone();
    // Who may decide comes before what the body says: a non-editor learns nothing from a 422.
    disclosure_review::editor(&user)?;
    let decision = decision_of(
        &input.decision,
        input.reason.as_deref(),
        input.reviewed_version.as_deref(),
    )?;
    let ctx = state.ctx();
    let decided = state
        .with_db(move |conn| disclosure_review::decide(conn, &ctx, &case_no, &user, decision))
        .await?;
    Ok(HttpResponse::Ok().json(decided))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesParams {
    /// At most this many entries (1–100, default 50).
    pub limit: Option<usize>,
}

#[utoipa::path(
    get, path = "/api/v1/businesses/{uscc}/entries", tag = "disclosure",
    params(("uscc" = String, Path, example = "91440703MA4UJ5QX2U"), EntriesParams),
    responses(
        (status = 200, description = "Published complaints against the business, newest closing first; masked, without case numbers", body = Vec<PublishedEntry>),
        (status = 404, description = "Not a valid unified social credit code", body = ErrorBody),
    )
)]
pub async fn entries(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<EntriesParams>,
) -> Result<HttpResponse, ApiError> {
    let uscc: Uscc = path.trim().parse().map_err(|_| ApiError::NotFound)?;
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_ENTRIES);
    let list = state
        .with_db(move |conn| disclosure::published_entries(conn, &uscc, limit))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
