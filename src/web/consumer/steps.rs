//! The consumer's own steps on the case page: accept or reject a proposal, withdraw, rate,
//! write a message or a supplement, add evidence. Each post is authorised by the case's
//! cookie (`holder`), answers `303` to the case page with what it did (`?done=rated`), and
//! shows the page again in place, with the message, when it is refused.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::holder::{self, Done};
use super::multipart::{FileProblem, MultipartForm, field};
use super::track::{Outcome, holder_of, refused, show_case};
use crate::domain::workflow::{self, Command, PARTY_MESSAGES_PER_DAY};
use crate::secrets::TrackingToken;
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::actions;
use crate::service::attachments::{attach, room};
use crate::state::AppState;
use crate::web::{Form, PageError, csrf, limit, step_form};

fn joined(issues: &[crate::intake::FieldIssue]) -> String {
    issues
        .iter()
        .map(|i| i.message.as_str())
        .collect::<Vec<_>>()
        .join("；")
}

/// The consumer's step from the posted form, and what to say once it is done.
fn command(form: &Form) -> Result<(Command, Done), String> {
    let score = form.get("score").and_then(|s| s.parse::<u8>().ok());
    let done = match form.get("action").unwrap_or_default() {
        "consumer_accept" => Done::Accepted,
        "consumer_reject" => Done::Rejected,
        "withdraw" if form.get("confirm") == Some("yes") => Done::Withdrawn,
        "withdraw" => return Err("撤回前请勾选确认。".into()),
        "rate" if score.is_some_and(|s| (1..=5).contains(&s)) => Done::Rated,
        "rate" => return Err("请选择 1 到 5 分。".into()),
        "message" => Done::Messaged,
        "provide_identity" => Done::IdentityProvided,
        "confirm_agreement" => Done::AgreementConfirmed,
        _ => return Err("未知的操作。".into()),
    };
    let command = step_form::command(form).map_err(|issues| joined(&issues))?;
    Ok((command, done))
}

/// Runs `command` as the holder: `303` to the case page, or the page in place with why not.
async fn act(
    req: &HttpRequest,
    state: &AppState,
    (case_no, token): Held,
    command: Command,
    done: Done,
    supplement: String,
) -> Result<HttpResponse, PageError> {
    let ctx = state.ctx();
    let caller = Caller::TokenHolder(token.clone());
    let target = case_no.clone();
    let result = state
        .with_db(move |conn| actions::act(conn, &ctx, &target, &caller, command))
        .await;
    let (status, error) = match result {
        Ok(_) => return holder::to_case(&case_no, &token, done, state.settings.cookie_secure),
        Err(ServiceError::NotFound) => return refused(req, state, &case_no),
        Err(ServiceError::NotAllowed { .. }) => (
            StatusCode::CONFLICT,
            "案件当前的状态不能进行这一步，请查看下方最新进展。".into(),
        ),
        Err(ServiceError::TooManyRequests { .. }) => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("本案今天的留言已达 {PARTY_MESSAGES_PER_DAY} 条上限，请明天再留言。"),
        ),
        Err(ServiceError::Invalid(issues)) => (StatusCode::UNPROCESSABLE_ENTITY, joined(&issues)),
        Err(e) => return Err(e.into()),
    };
    let outcome = Outcome {
        supplement,
        ..Outcome::failed(status, error)
    };
    show_case(req, state, &case_no, token, outcome).await
}

type Held = (String, TrackingToken);

/// A posted step form and who holds the case's code; `Err` is the page that answers instead.
async fn held_form(
    req: &HttpRequest,
    state: &AppState,
    path: &str,
    body: &[u8],
) -> Result<Result<(Form, Held), HttpResponse>, PageError> {
    let form = Form::parse(req, body, "track_action")?;
    Ok(holder_of(req, state, path).await?.map(|held| (form, held)))
}

pub async fn action(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (form, (case_no, token)) = match held_form(&req, &state, &path, &body).await? {
        Ok(posted) => posted,
        Err(page) => return Ok(page),
    };
    match command(&form) {
        Ok((command, done)) => act(&req, &state, (case_no, token), command, done, "".into()).await,
        Err(error) => {
            let outcome = Outcome::failed(StatusCode::UNPROCESSABLE_ENTITY, error);
            show_case(&req, &state, &case_no, token, outcome).await
        }
    }
}

/// A supplement (补充说明) to the mediator; refused in place with the text kept.
pub async fn supplement(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (form, held) = match held_form(&req, &state, &path, &body).await? {
        Ok(posted) => posted,
        Err(page) => return Ok(page),
    };
    let typed = form.get("text").unwrap_or_default().to_owned();
    match workflow::supplement(&typed) {
        Ok(command) => act(&req, &state, held, command, Done::Supplemented, typed).await,
        Err(e) => {
            let outcome = Outcome {
                supplement: typed,
                ..Outcome::failed(StatusCode::UNPROCESSABLE_ENTITY, e.message)
            };
            show_case(&req, &state, &held.0, held.1, outcome).await
        }
    }
}

pub async fn evidence_upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    limit(&req, "evidence")?;
    let mut form = MultipartForm::new(payload);
    let fields = form.texts().await?;
    if !csrf::verify(&req, field(&fields, "csrf")) {
        return Err(super::expired());
    }
    let (case_no, token) = match holder_of(&req, &state, &path).await? {
        Ok(held) => held,
        Err(page) => return Ok(page),
    };
    // The room left in the case is checked before any file is read.
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
    let problem = match uploads {
        Err(p) => p,
        Ok(uploads) => {
            let (blobs, now) = (state.blobs.clone(), state.clock.now());
            let (target, holder) = (case_no.clone(), token.clone());
            let stored = state
                .with_db(move |conn| {
                    attach(conn, &blobs, &target, Some(&holder), uploads, limits, now)
                })
                .await;
            match stored {
                Ok(_) => {
                    let secure = state.settings.cookie_secure;
                    return holder::to_case(&case_no, &token, Done::Uploaded, secure);
                }
                Err(e @ (ServiceError::Refused { .. } | ServiceError::Limit { .. })) => {
                    FileProblem::from(e)
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let outcome = Outcome::failed(problem.status, problem.message);
    let page = show_case(&req, &state, &case_no, token, outcome).await?;
    Ok(FileProblem::mark(problem.retry_after, page))
}
