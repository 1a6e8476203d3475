//! The enterprise desk: a business's complaints (`GET /api/v1/enterprise/cases`) with the ODR
//! deadline in plain words, and its case page built only from `EnterpriseCaseView`, which
//! holds no reporter data, with the answer and message forms.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::actions::{self, ActionForm, Attempt, Audience};
use super::case::{china_time, recipient_label};
use super::disclosures::{ReplyBox, reply_box};
use super::{DueMark, Pager, due_mark, month_day, nature_label, page_number};
use crate::auth::{Principal, Role, StaffUser};
use crate::domain::action::ActionKind;
use crate::domain::case::CaseState;
use crate::domain::policy::Clock;
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::case_view::{self, CaseView, EnterpriseCaseView};
use crate::service::queue::{self, PageAsk, QueueItem, QueueQuery};
use crate::state::AppState;
use crate::web::documents::{self, DocRow};
use crate::web::nav::StaffNav;
use crate::web::{Form, PageError, csrf, staff, urlencoding};

const ENTERPRISE: [Role; 1] = [Role::Enterprise];

/// What an ODR negotiation asks of the business: "请于12月4日前答复" until it answers, then
/// nothing but waiting for the consumer.
fn reply_by(state: CaseState, answered: bool, due: chrono::NaiveDate) -> Option<String> {
    (state == CaseState::OdrNegotiation).then(|| match answered {
        true => "已答复，等待消费者决定".to_owned(),
        false => format!("请于{}前答复", month_day(due)),
    })
}

pub struct Row {
    pub item: QueueItem,
    pub due: DueMark,
    /// The answer asked for, or that the consumer is next.
    pub odr_status: Option<String>,
}

#[derive(Template)]
#[template(path = "enterprise/queue.html")]
struct QueuePage {
    nav: StaffNav,
    user: StaffUser,
    rows: Vec<Row>,
    pager: Pager,
    paging: Paging,
    error: Option<String>,
}

/// The list's query: a case number to find, closed cases instead of open ones, the page.
#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct Paging {
    #[serde(skip_serializing_if = "String::is_empty")]
    no: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    closed: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    page: String,
}

impl Paging {
    fn link(&self, page: i64) -> String {
        let at = Paging {
            page: if page > 1 {
                page.to_string()
            } else {
                String::new()
            },
            ..self.clone()
        };
        let query = serde_urlencoded::to_string(&at).unwrap_or_default();
        format!("/enterprise?{query}")
    }
}

pub async fn queue(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &ENTERPRISE, "/enterprise")?.clone();
    let ctx = state.ctx();
    let caller = Caller::Staff(user.clone());
    let paging = paging.into_inner();
    let ask = PageAsk {
        page: page_number(&paging.page),
        closed: paging.closed == "true",
        case_no: Some(paging.no.clone()),
    };
    let listed = state
        .with_db(move |conn| {
            Ok(queue::page(
                conn,
                &ctx,
                &caller,
                &QueueQuery::default(),
                &ask,
            ))
        })
        .await?;
    let (page, status, error) = match listed {
        Ok(page) => (Some(page), StatusCode::OK, None),
        Err(ServiceError::Invalid(issues)) => {
            let text: Vec<String> = issues.into_iter().map(|i| i.message).collect();
            (
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(text.join("；")),
            )
        }
        Err(other) => return Err(other.into()),
    };
    let pager = Pager::of(page.as_ref(), |n| paging.link(n));
    let rows = page
        .map(|p| p.items)
        .unwrap_or_default()
        .into_iter()
        .map(|item| Row {
            due: due_mark(item.overdue, item.remaining),
            odr_status: reply_by(item.state, item.odr_answered, item.due),
            item,
        })
        .collect();
    let c = csrf::issue(&req, state.settings.cookie_secure);
    let template = QueuePage {
        nav: StaffNav::new(&user, &c.token),
        user,
        rows,
        pager,
        paging,
        error,
    };
    super::page_with_cookie(status, &template, c.cookie)
}

#[derive(Template)]
#[template(path = "enterprise/case.html")]
struct CasePage {
    nav: StaffNav,
    csrf: String,
    c: EnterpriseCaseView,
    reply_by: Option<String>,
    forms: Vec<ActionForm>,
    refusal: Option<String>,
    notice: Option<String>,
    post_to: String,
    /// The documents of the complaint addressed to the business.
    documents: Vec<DocRow>,
    /// The public reply (公开回复) for publication; `None` where none may be read.
    public_reply: Option<ReplyBox>,
}

impl CasePage {
    fn nature(&self, code: &str) -> String {
        nature_label(code).to_owned()
    }
    fn recipient(&self, to: &str) -> &'static str {
        recipient_label(to)
    }
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        china_time(*at)
    }
}

fn here(case_no: &str) -> String {
    format!("/enterprise/cases/{case_no}")
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &ENTERPRISE, &here(&path))?.clone();
    let done = done.into_inner().done;
    render(
        &req,
        &state,
        user,
        &path,
        (StatusCode::OK, Attempt::default(), done),
    )
    .await
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    user: StaffUser,
    case_no: &str,
    shown: (StatusCode, Attempt, Option<String>),
) -> Result<HttpResponse, PageError> {
    render_with(req, state, user, case_no, shown, None).await
}

/// The case page after a refused public reply: the text as typed and why.
pub(super) async fn show_with_reply(
    req: &HttpRequest,
    state: &AppState,
    user: StaffUser,
    case_no: &str,
    status: StatusCode,
    typed: (String, String),
) -> Result<HttpResponse, PageError> {
    let shown = (status, Attempt::default(), None);
    render_with(req, state, user, case_no, shown, Some(typed)).await
}

async fn render_with(
    req: &HttpRequest,
    state: &AppState,
    user: StaffUser,
    case_no: &str,
    (status, attempt, done): (StatusCode, Attempt, Option<String>),
    typed: Option<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let mut public_reply = reply_box(state, Caller::Staff(user.clone()), case_no).await?;
    if let (Some(b), Some((text, error))) = (public_reply.as_mut(), typed) {
        b.typed = Some(text);
        b.error = Some(error);
    }
    let ctx = state.ctx();
    let caller = Caller::Staff(user.clone());
    let no = case_no.to_owned();
    let view = state
        .with_db(move |conn| case_view::view(conn, &ctx.reference, &no, &caller, ctx.now))
        .await?;
    let CaseView::Enterprise(view) = view else {
        return Err(PageError::NotFound);
    };
    let issued = documents::list(state, case_no, Caller::Staff(user.clone())).await?;
    let audience = Audience {
        kind: view.kind,
        district: "",
        workers: Vec::new(),
        enterprise: true,
        grounds: None,
        sideways: false,
        agreement_id: view.agreement.as_ref().and_then(|a| a.document_id),
        documents: Vec::new(),
        counterfeit_or_ip: false,
    };
    let notice = done.map(|d| {
        if d == "public_reply" {
            return "公开回复已保存，经审核后公示。".to_owned();
        }
        let steps = view.timeline.iter().map(|e| (e.event.as_str(), e.line()));
        actions::recorded(&d, steps)
    });
    let forms = actions::forms(&view.allowed_actions, &audience, &attempt);
    let refusal = actions::unplaced(&attempt, &forms);
    let reply_by = view
        .clocks
        .iter()
        .find(|k| k.name == Clock::OdrNegotiation && k.is_running())
        .and_then(|k| {
            let answered = !view.allowed_actions.contains(&ActionKind::OdrAnswer);
            reply_by(view.state, answered, k.due)
        });
    let c = csrf::issue(req, state.settings.cookie_secure);
    let template = CasePage {
        nav: StaffNav::new(&user, &c.token),
        csrf: c.token,
        post_to: format!("{}/actions", here(&view.case_no)),
        documents: documents::rows(issued, &here(&view.case_no)),
        c: *view,
        reply_by,
        forms,
        refusal,
        notice,
        public_reply,
    };
    super::page_with_cookie(status, &template, c.cookie)
}

pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &ENTERPRISE, &here(&path))?.clone();
    let form = Form::parse(&req, &body, "enterprise_action")?;
    let caller = Caller::Staff(user.clone());
    match actions::perform(&state, caller, &path, &form).await? {
        Ok(done) => Ok(actions::done_page(&here(&urlencoding(&path)), done)),
        Err((status, attempt)) => render(&req, &state, user, &path, (status, attempt, None)).await,
    }
}
