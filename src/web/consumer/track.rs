//! Tracking a case with its number and 查询码: the lookup form and the masked case page. The
//! lookup answers `303` to `GET /track/{case_no}`, which shows the case to a browser holding
//! its code in the case's cookie (`holder`), and the lookup form otherwise (the link in
//! mails). Every code, typed or from the cookie, passes the per-case limit on wrong codes.
//! Every page is `no-store`.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::case_page::CasePage;
use super::holder::{self, Done};
use super::{evidence, with_csrf};
use crate::clock::china_date;
use crate::domain::case::CaseNo;
use crate::secrets::TrackingToken;
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::case_view::{self, CaseView, ConsumerCaseView};
use crate::service::disclosure::{self, ConsentView};
use crate::service::tracking_gate;
use crate::state::AppState;
use crate::web::documents;
use crate::web::{Form, PageError};

#[derive(Template)]
#[template(path = "consumer/track_form.html")]
struct LookupPage {
    csrf: String,
    case_no: String,
    error: Option<String>,
    /// The document the visitor asked for (a mail's link), opened once the code is typed.
    document: Option<i64>,
}

fn lookup_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    case_no: &str,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    lookup_for(req, state, (status, case_no), error, None)
}

/// The lookup form, remembering the document to open after it.
pub(super) fn lookup_for(
    req: &HttpRequest,
    state: &AppState,
    (status, case_no): (StatusCode, &str),
    error: Option<String>,
    document: Option<i64>,
) -> Result<HttpResponse, PageError> {
    let case_no: String = case_no.trim().chars().take(32).collect();
    with_csrf(req, state, status, |csrf| LookupPage {
        csrf,
        case_no,
        error,
        document,
    })
}

/// Said for a wrong token as for a missing case, as the API does.
pub(super) fn refused(
    req: &HttpRequest,
    state: &AppState,
    case_no: &str,
) -> Result<HttpResponse, PageError> {
    lookup_page(
        req,
        state,
        StatusCode::NOT_FOUND,
        case_no,
        Some("案件编号或查询码不正确，请核对后重试。".into()),
    )
}

/// A post whose browser no longer holds the code (the half hour has passed): type it again.
pub(super) fn ask_again(
    req: &HttpRequest,
    state: &AppState,
    case_no: &str,
) -> Result<HttpResponse, PageError> {
    lookup_page(
        req,
        state,
        StatusCode::FORBIDDEN,
        case_no,
        Some("为保护您的信息，请重新输入查询码后再操作。".into()),
    )
}

/// The case takes no code now: too many wrong ones were tried on it.
fn locked(
    req: &HttpRequest,
    state: &AppState,
    case_no: &str,
    retry_after_secs: u64,
) -> Result<HttpResponse, PageError> {
    let minutes = retry_after_secs.div_ceil(60);
    let message = format!(
        "该案件的查询码输错次数过多，为保护您的信息，请在 {minutes} 分钟后再试。\
         查询码遗失的，可在本页下方用手机号获取新的查询码。"
    );
    let mut res = lookup_page(
        req,
        state,
        StatusCode::TOO_MANY_REQUESTS,
        case_no,
        Some(message),
    )?;
    res.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    Ok(res)
}

/// Checks `token` on `case_no` under the per-case limit; `Err` holds the page that refuses.
pub(super) async fn admit(
    req: &HttpRequest,
    state: &AppState,
    case_no: &str,
    token: &TrackingToken,
) -> Result<Result<(), HttpResponse>, PageError> {
    let now = state.clock.now();
    match tracking_gate::check(&state.pool, &state.tracking, case_no, token, now).await {
        Ok(()) => Ok(Ok(())),
        Err(ServiceError::NotFound) => refused(req, state, case_no).map(Err),
        Err(ServiceError::TooManyRequests { retry_after_secs }) => {
            locked(req, state, case_no, retry_after_secs).map(Err)
        }
        Err(e) => Err(e.into()),
    }
}

/// The case named by the path and the code this browser holds for it; `Err` is the page
/// that answers instead (the lookup form again).
pub(super) async fn holder_of(
    req: &HttpRequest,
    state: &AppState,
    path: &str,
) -> Result<Result<(String, TrackingToken), HttpResponse>, PageError> {
    let Ok(case_no) = path.parse::<CaseNo>().map(|n| n.to_string()) else {
        return refused(req, state, "").map(Err);
    };
    let Some(token) = holder::held(req) else {
        return ask_again(req, state, &case_no).map(Err);
    };
    Ok(match admit(req, state, &case_no, &token).await? {
        Ok(()) => Ok((case_no, token)),
        Err(page) => Err(page),
    })
}

pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    lookup_page(&req, &state, StatusCode::OK, "", None)
}

/// The case page for a browser holding the case's code, with what the last post did
/// (`?done=`); otherwise the lookup form with the number filled in (the link in mails).
pub async fn case(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let case_no = path
        .parse::<CaseNo>()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let Some(token) = holder::held(&req).filter(|_| !case_no.is_empty()) else {
        return lookup_page(&req, &state, StatusCode::OK, &case_no, None);
    };
    if let Err(page) = admit(&req, &state, &case_no, &token).await? {
        return Ok(page);
    }
    let notice = Done::from_query(req.query_string()).and_then(Done::notice);
    let outcome = Outcome {
        notice: notice.map(str::to_owned),
        ..Outcome::default()
    };
    show_case(&req, &state, &case_no, token, outcome).await
}

/// The case number and token as typed, if both are well-formed.
fn credentials(case_no: Option<&str>, token: Option<&str>) -> Option<(String, TrackingToken)> {
    let case_no = case_no?.trim().to_uppercase().parse::<CaseNo>().ok()?;
    let token = TrackingToken::parse(token?)?;
    Some((case_no.to_string(), token))
}

/// The lookup form's post: `303` to the case page, or the form again with what went wrong.
pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Form::parse(&req, &body, "track")?;
    let typed = form.get("case_no").unwrap_or_default();
    let Some((case_no, token)) = credentials(form.get("case_no"), form.get("token")) else {
        return refused(&req, &state, typed);
    };
    if let Err(page) = admit(&req, &state, &case_no, &token).await? {
        return Ok(page);
    }
    let secure = state.settings.cookie_secure;
    match form.get("document").and_then(|d| d.parse::<i64>().ok()) {
        Some(id) => holder::to_document(&case_no, &token, id, secure),
        None => holder::to_case(&case_no, &token, Done::Opened, secure),
    }
}

/// What the last step did, shown above the case.
#[derive(Default)]
pub(super) struct Outcome {
    pub status: Option<StatusCode>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The supplement as typed, kept when it was refused.
    pub supplement: String,
}

impl Outcome {
    pub fn failed(status: StatusCode, error: String) -> Outcome {
        Outcome {
            status: Some(status),
            error: Some(error),
            ..Outcome::default()
        }
    }
}

async fn load(
    state: &AppState,
    case_no: &str,
    token: TrackingToken,
) -> Result<ConsumerCaseView, ServiceError> {
    let ctx = state.ctx();
    let case_no = case_no.to_owned();
    let view = state
        .with_db(move |conn| {
            case_view::view(
                conn,
                &ctx.reference,
                &case_no,
                &Caller::TokenHolder(token),
                ctx.now,
            )
        })
        .await?;
    match view {
        CaseView::Consumer(v) => Ok(*v),
        _ => Err(ServiceError::NotFound),
    }
}

/// The case page; the caller has admitted `token` first.
pub(super) async fn show_case(
    req: &HttpRequest,
    state: &AppState,
    case_no: &str,
    token: TrackingToken,
    outcome: Outcome,
) -> Result<HttpResponse, PageError> {
    let token_again = token.clone();
    let token_again_for_consent = token.clone();
    let mut view = match load(state, case_no, token).await {
        Ok(v) => v,
        Err(ServiceError::NotFound) => return refused(req, state, case_no),
        Err(e) => return Err(e.into()),
    };
    let evidence = evidence(state, std::mem::take(&mut view.case.attachments)).await?;
    let issued = documents::list(state, case_no, Caller::TokenHolder(token_again)).await?;
    let today = china_date(state.clock.now());
    let disclosure = consent_of(state, case_no, token_again_for_consent).await?;
    with_csrf(
        req,
        state,
        outcome.status.unwrap_or(StatusCode::OK),
        |csrf| CasePage {
            csrf,
            view,
            today,
            evidence,
            notice: outcome.notice,
            error: outcome.error,
            supplement: outcome.supplement,
            documents: documents::rows(issued, &holder::case_path(case_no)),
            disclosure,
        },
    )
}

/// The complainant's consent to publication; `None` for a report, which is never published.
async fn consent_of(
    state: &AppState,
    case_no: &str,
    token: TrackingToken,
) -> Result<Option<ConsentView>, PageError> {
    let case_no = case_no.to_owned();
    let caller = Caller::TokenHolder(token);
    match state
        .with_db(move |conn| disclosure::consent_of(conn, &case_no, &caller))
        .await
    {
        Ok(view) => Ok(Some(view)),
        Err(ServiceError::Conflict { .. } | ServiceError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
