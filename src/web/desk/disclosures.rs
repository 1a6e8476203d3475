//! Publication of complaint information on the desks (Order 121 Art. 38): the editors' queue
//! (`/desk/disclosures`: each entry exactly as it would be published, with approve and refuse
//! forms) and the business's public reply on its case page (`/enterprise/cases/{no}`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Principal, Role};
use crate::domain::disclosure::{REASON_MAX_CHARS, REPLY_MAX_CHARS, RefusalReason};
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::disclosure::{self, ReplyView};
use crate::service::disclosure_review::{self, Candidate, Decision, EDITORS};
use crate::state::AppState;
use crate::web::nav::StaffNav;
use crate::web::{Form, PageError, csrf, see_other, staff, urlencoding};

const QUEUE: &str = "/desk/disclosures";
const SHOWN: usize = 50;

#[derive(Template)]
#[template(path = "desk/disclosures.html")]
struct QueuePage {
    nav: StaffNav,
    csrf: String,
    rows: Vec<Candidate>,
    notice: Option<String>,
    error: Option<String>,
    reason_max: usize,
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

fn notice_of(done: Option<&str>) -> Option<String> {
    match done? {
        "approved" => Some("已同意公示。".into()),
        "refused" => Some("已决定不予公示。".into()),
        _ => None,
    }
}

pub async fn queue(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    done: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let notice = notice_of(done.done.as_deref());
    render(&req, &state, &principal, (StatusCode::OK, notice, None)).await
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    principal: &Principal,
    (status, notice, error): (StatusCode, Option<String>, Option<String>),
) -> Result<HttpResponse, PageError> {
    let user = staff(principal, &EDITORS, QUEUE)?.clone();
    let reader = user.clone();
    let rows = state
        .with_db(move |conn| disclosure_review::queue(conn, &reader, SHOWN))
        .await?;
    let c = csrf::issue(req, state.settings.cookie_secure);
    let template = QueuePage {
        nav: StaffNav::new(&user, &c.token),
        csrf: c.token,
        rows,
        notice,
        error,
        reason_max: REASON_MAX_CHARS,
    };
    super::page_with_cookie(status, &template, c.cookie)
}

/// `POST /desk/disclosures/{case_no}`: approve, or refuse with a reason.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &EDITORS, QUEUE)?.clone();
    let form = Form::parse(&req, &body, "disclosure_decision")?;
    let decision = match form.get("decision") {
        Some("approve") => match form.get("reviewed_version").filter(|v| !v.is_empty()) {
            Some(v) => Ok(Decision::Approve {
                reviewed_version: v.to_owned(),
            }),
            None => Err("请在审核页面上查看后再同意公示。".to_owned()),
        },
        Some("refuse") => RefusalReason::parse(form.get("reason").unwrap_or_default())
            .map(Decision::Refuse)
            .map_err(|e| e.message),
        _ => Err("请选择同意公示或不予公示。".to_owned()),
    };
    let decision = match decision {
        Ok(d) => d,
        Err(message) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(&req, &state, &principal, (status, None, Some(message))).await;
        }
    };
    let done = match decision {
        Decision::Approve { .. } => "approved",
        Decision::Refuse(_) => "refused",
    };
    let ctx = state.ctx();
    let case_no = path.into_inner();
    let result = state
        .with_db(move |conn| disclosure_review::decide(conn, &ctx, &case_no, &user, decision))
        .await;
    match result {
        Ok(_) => Ok(see_other(&format!("{QUEUE}?done={done}"))),
        Err(ServiceError::Conflict { message, .. }) => {
            render(
                &req,
                &state,
                &principal,
                (StatusCode::CONFLICT, None, Some(message)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The public-reply box of the enterprise case page.
pub struct ReplyBox {
    pub view: ReplyView,
    /// Why no reply may be written now; the form is shown only without one.
    pub refusal: Option<&'static str>,
    pub max: usize,
    /// The text as typed, kept when it was refused.
    pub typed: Option<String>,
    pub error: Option<String>,
}

impl ReplyBox {
    /// The text the form starts with: as typed, else the stored reply.
    pub fn text(&self) -> String {
        self.typed
            .clone()
            .or_else(|| self.view.reply.clone())
            .unwrap_or_default()
    }
}

/// The public reply of a case as the business sees it; `None` on any refusal to read it.
pub async fn reply_box(
    state: &AppState,
    caller: Caller,
    case_no: &str,
) -> Result<Option<ReplyBox>, PageError> {
    let no = case_no.to_owned();
    match state
        .with_db(move |conn| disclosure::reply_of(conn, &no, &caller))
        .await
    {
        Ok((view, refusal)) => Ok(Some(ReplyBox {
            view,
            refusal,
            max: REPLY_MAX_CHARS,
            typed: None,
            error: None,
        })),
        Err(ServiceError::NotFound | ServiceError::Forbidden) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `POST /enterprise/cases/{case_no}/public-reply`.
pub async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let case_no = path.into_inner();
    let here = format!("/enterprise/cases/{}", urlencoding(&case_no));
    let user = staff(&principal, &[Role::Enterprise], &here)?.clone();
    let form = Form::parse(&req, &body, "enterprise_action")?;
    let text = form.get("reply").unwrap_or_default().to_owned();
    let ctx = state.ctx();
    let caller = Caller::Staff(user.clone());
    let (no, typed) = (case_no.clone(), text.clone());
    let result = state
        .with_db(move |conn| disclosure::write_reply(conn, &ctx, &no, &caller, &typed))
        .await;
    let (status, error) = match result {
        Ok(_) => return Ok(see_other(&format!("{here}?done=public_reply#public-reply"))),
        Err(ServiceError::Invalid(issues)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            issues
                .into_iter()
                .map(|i| i.message)
                .collect::<Vec<_>>()
                .join("；"),
        ),
        Err(ServiceError::Conflict { message, .. }) => (StatusCode::CONFLICT, message),
        Err(e) => return Err(e.into()),
    };
    super::enterprise::show_with_reply(&req, &state, user, &case_no, status, (text, error)).await
}
