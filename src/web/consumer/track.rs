//! Tracking a case with its number and 查询码: the lookup form, the masked case page with
//! its clocks in words, and the consumer's own steps (accept or reject a proposal, withdraw,
//! rate, add evidence). The token travels only in POST bodies; every page is `no-store`.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::multipart::{FileProblem, MultipartForm, field};
use super::{Evidence, evidence, expired, with_csrf, words};
use crate::clock::china_date;
use crate::domain::case::CaseNo;
use crate::domain::workflow::{
    Actor, Command, PARTY_MESSAGES_PER_DAY, Recipient, recipient_refusal,
};
use crate::secrets::TrackingToken;
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::actions;
use crate::service::attachments::{attach, room};
use crate::service::case_view::{self, CaseView, ConsumerCaseView};
use crate::state::AppState;
use crate::web::{Form, PageError, csrf, limit, step_form};

#[derive(Template)]
#[template(path = "consumer/track_form.html")]
struct LookupPage {
    csrf: String,
    case_no: String,
    error: Option<String>,
}

fn lookup_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    case_no: &str,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let case_no: String = case_no.trim().chars().take(32).collect();
    with_csrf(req, state, status, |csrf| LookupPage {
        csrf,
        case_no,
        error,
    })
}

/// Said for a wrong token as for a missing case, as the API does.
fn refused(req: &HttpRequest, state: &AppState, case_no: &str) -> Result<HttpResponse, PageError> {
    lookup_page(
        req,
        state,
        StatusCode::NOT_FOUND,
        case_no,
        Some("案件编号或查询码不正确，请核对后重试。".into()),
    )
}

pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    lookup_page(&req, &state, StatusCode::OK, "", None)
}

/// The link in acknowledgement mails: the lookup form with the case number filled in.
pub async fn form_for(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let case_no = path
        .parse::<CaseNo>()
        .map(|n| n.to_string())
        .unwrap_or_default();
    lookup_page(&req, &state, StatusCode::OK, &case_no, None)
}

/// The case number and token as typed, if both are well-formed.
fn credentials(case_no: Option<&str>, token: Option<&str>) -> Option<(String, TrackingToken)> {
    let case_no = case_no?.trim().to_uppercase().parse::<CaseNo>().ok()?;
    let token = TrackingToken::parse(token?.trim())?;
    Some((case_no.to_string(), token))
}

pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Form::parse(&req, &body, "track")?;
    let typed = form.get("case_no").unwrap_or_default();
    match credentials(form.get("case_no"), form.get("token")) {
        Some((case_no, token)) => {
            show_case(&req, &state, &case_no, token, Outcome::default()).await
        }
        None => refused(&req, &state, typed),
    }
}

/// What the last step did, shown above the case.
#[derive(Default)]
struct Outcome {
    status: Option<StatusCode>,
    notice: Option<String>,
    error: Option<String>,
}

impl Outcome {
    fn done(notice: &str) -> Outcome {
        Outcome {
            notice: Some(notice.into()),
            ..Outcome::default()
        }
    }
    fn failed(status: StatusCode, error: String) -> Outcome {
        Outcome {
            status: Some(status),
            error: Some(error),
            ..Outcome::default()
        }
    }
}

#[derive(Template)]
#[template(path = "consumer/track.html")]
struct CasePage {
    csrf: String,
    token: String,
    view: ConsumerCaseView,
    today: NaiveDate,
    evidence: Vec<Evidence>,
    notice: Option<String>,
    error: Option<String>,
}

pub struct ClockLine {
    pub text: String,
    pub overdue: bool,
}

pub struct Step {
    pub at: String,
    pub line: String,
}

pub struct Message {
    pub at: String,
    pub from: &'static str,
    pub to: &'static str,
    pub text: String,
}

impl CasePage {
    fn explained(&self) -> &'static str {
        words::state_explained(self.view.case.state)
    }

    fn received(&self) -> String {
        words::moment(self.view.case.received_at)
    }

    fn clocks(&self) -> Vec<ClockLine> {
        let mut clocks: Vec<_> = self.view.clocks.iter().collect();
        // Running clocks first: they are what the consumer is waiting for.
        clocks.sort_by_key(|c| !c.is_running());
        clocks
            .into_iter()
            .map(|c| ClockLine {
                text: words::clock_line(c, self.today),
                overdue: c.overdue && c.is_running(),
            })
            .collect()
    }

    fn timeline(&self) -> Vec<Step> {
        self.view
            .case
            .timeline
            .iter()
            .map(|e| Step {
                at: words::moment(e.at),
                line: e.line(),
            })
            .collect()
    }

    fn messages(&self) -> Vec<Message> {
        self.view
            .messages
            .iter()
            .map(|m| Message {
                at: words::moment(m.at),
                from: words::sender(&m.from),
                to: words::addressee(&m.to),
                text: m.text.clone(),
            })
            .collect()
    }

    /// Whom the consumer may write to now, as (code, label).
    fn recipients(&self) -> Vec<(&'static str, &'static str)> {
        let (kind, state) = (self.view.case.kind, self.view.case.state);
        [
            (Recipient::Mediator, "调解员"),
            (Recipient::Enterprise, "商家"),
        ]
        .into_iter()
        .filter(|(to, _)| recipient_refusal(kind, state, Actor::Consumer, *to).is_none())
        .map(|(to, label)| (to.as_str(), label))
        .collect()
    }

    /// Whether to offer a step. A rating is offered once: the workflow refuses a second.
    fn can(&self, action: &str) -> bool {
        let rated = action == "rate" && self.view.case.timeline.iter().any(|e| e.event == "rate");
        !rated
            && self
                .view
                .allowed_actions
                .iter()
                .any(|a| a.as_str() == action)
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
        CaseView::Consumer(v) => Ok(v),
        _ => Err(ServiceError::NotFound),
    }
}

async fn show_case(
    req: &HttpRequest,
    state: &AppState,
    case_no: &str,
    token: TrackingToken,
    outcome: Outcome,
) -> Result<HttpResponse, PageError> {
    let mut view = match load(state, case_no, token.clone()).await {
        Ok(v) => v,
        Err(ServiceError::NotFound) => return refused(req, state, case_no),
        Err(e) => return Err(e.into()),
    };
    let evidence = evidence(state, std::mem::take(&mut view.case.attachments)).await?;
    let today = china_date(state.clock.now());
    with_csrf(
        req,
        state,
        outcome.status.unwrap_or(StatusCode::OK),
        |csrf| CasePage {
            csrf,
            token: token.as_str().to_owned(),
            view,
            today,
            evidence,
            notice: outcome.notice,
            error: outcome.error,
        },
    )
}

/// The consumer's step from the posted form, and what to say once it is done.
fn command(form: &Form) -> Result<(Command, &'static str), String> {
    let score = form.get("score").and_then(|s| s.parse::<u8>().ok());
    let done = match form.get("action").unwrap_or_default() {
        "consumer_accept" => "您已接受商家的方案。",
        "consumer_reject" => "您不接受商家的方案，投诉已转由市场监管部门处理。",
        "withdraw" if form.get("confirm") == Some("yes") => "您已撤回，案件办结。",
        "withdraw" => return Err("撤回前请勾选确认。".into()),
        "rate" if score.is_some_and(|s| (1..=5).contains(&s)) => "感谢您的评价。",
        "rate" => return Err("请选择 1 到 5 分。".into()),
        "message" => "留言已发送，对方会收到查看提醒。",
        _ => return Err("未知的操作。".into()),
    };
    let command = step_form::command(form).map_err(|issues| {
        issues
            .iter()
            .map(|i| i.message.as_str())
            .collect::<Vec<_>>()
            .join("；")
    })?;
    Ok((command, done))
}

pub async fn action(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Form::parse(&req, &body, "track_action")?;
    let Some((case_no, token)) = credentials(form.get("case_no"), form.get("token")) else {
        return refused(&req, &state, form.get("case_no").unwrap_or_default());
    };
    let (command, done) = match command(&form) {
        Ok(c) => c,
        Err(error) => {
            let outcome = Outcome::failed(StatusCode::UNPROCESSABLE_ENTITY, error);
            return show_case(&req, &state, &case_no, token, outcome).await;
        }
    };
    let ctx = state.ctx();
    let caller = Caller::TokenHolder(token.clone());
    let target = case_no.clone();
    let result = state
        .with_db(move |conn| actions::act(conn, &ctx, &target, &caller, command))
        .await;
    let outcome = match result {
        Ok(_) => Outcome::done(done),
        Err(ServiceError::NotFound) => return refused(&req, &state, &case_no),
        Err(ServiceError::NotAllowed { .. }) => Outcome::failed(
            StatusCode::CONFLICT,
            "案件当前的状态不能进行这一步，请查看下方最新进展。".into(),
        ),
        Err(ServiceError::TooManyRequests { .. }) => Outcome::failed(
            StatusCode::TOO_MANY_REQUESTS,
            format!("本案今天的留言已达 {PARTY_MESSAGES_PER_DAY} 条上限，请明天再留言。"),
        ),
        Err(ServiceError::Invalid(issues)) => Outcome::failed(
            StatusCode::UNPROCESSABLE_ENTITY,
            issues
                .iter()
                .map(|i| i.message.as_str())
                .collect::<Vec<_>>()
                .join("；"),
        ),
        Err(e) => return Err(e.into()),
    };
    show_case(&req, &state, &case_no, token, outcome).await
}

pub async fn evidence_upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    limit(&req, "evidence")?;
    let mut form = MultipartForm::new(payload);
    let fields = form.texts().await?;
    if !csrf::verify(&req, field(&fields, "csrf")) {
        return Err(expired());
    }
    let typed = field(&fields, "case_no").unwrap_or_default();
    let Some((case_no, token)) = credentials(Some(typed), field(&fields, "token")) else {
        return refused(&req, &state, typed);
    };
    // The token and the room left in the case are checked before any file is read.
    let (target, holder, limits) = (case_no.clone(), token.clone(), state.case_limits());
    let room = state
        .with_db(move |conn| room(conn, &target, Some(&holder), limits))
        .await;
    let uploads = match room {
        Err(ServiceError::NotFound) => return refused(&req, &state, &case_no),
        Err(e @ ServiceError::Limit { .. }) => Err(FileProblem::from(e)),
        Err(e) => return Err(e.into()),
        Ok(room) => match state.uploads.try_take() {
            Err(busy) => Err(busy.into()),
            Ok(_slot) => match form
                .files(state.settings.attachment_max_bytes, &state.blobs, room)
                .await?
            {
                Ok(u) if u.is_empty() => Err(FileProblem {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    message: "请先选择要上传的文件。".to_owned(),
                    retry_after: None,
                }),
                other => other,
            },
        },
    };
    let retry_after = uploads.as_ref().err().and_then(|p| p.retry_after);
    let outcome = match uploads {
        Err(p) => Outcome::failed(p.status, p.message),
        Ok(uploads) => {
            let count = uploads.len();
            let (blobs, now) = (state.blobs.clone(), state.clock.now());
            let (target, holder) = (case_no.clone(), token.clone());
            let stored = state
                .with_db(move |conn| {
                    attach(conn, &blobs, &target, Some(&holder), uploads, limits, now)
                })
                .await;
            match stored {
                Ok(_) => Outcome {
                    notice: Some(format!("已上传 {count} 个文件。")),
                    ..Outcome::default()
                },
                Err(e @ (ServiceError::Refused { .. } | ServiceError::Limit { .. })) => {
                    let p = FileProblem::from(e);
                    Outcome::failed(p.status, p.message)
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let page = show_case(&req, &state, &case_no, token, outcome).await?;
    Ok(FileProblem::mark(retry_after, page))
}
