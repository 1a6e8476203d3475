//! The desk's upload of the paper 调解书 signed by both parties: a multipart form with the
//! scan, stored and recorded by `service::signed_agreement` as the `record_signed_agreement`
//! step. A refusal shows the case page again with why.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::CASE_WORKERS;
use super::actions::{self, Attempt};
use super::case::{here, render};
use crate::auth::Principal;
use crate::domain::action::ActionKind;
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::signed_agreement::{record, room};
use crate::state::AppState;
use crate::web::consumer::multipart::{FileProblem, MultipartForm, field};
use crate::web::{PageError, csrf, limit, staff};

pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &CASE_WORKERS, &here(&path))?.clone();
    limit(&req, "desk_action")?;
    let mut form = MultipartForm::new(payload);
    let fields = form.texts().await?;
    if !csrf::verify(&req, field(&fields, "csrf")) {
        return Err(PageError::BadRequest("页面已过期，请刷新后重新提交".into()));
    }
    let document_id = field(&fields, "document_id")
        .and_then(|id| id.trim().parse::<i64>().ok())
        .ok_or_else(|| PageError::BadRequest("表单内容无法识别".into()))?;
    let caller = Caller::Staff(user.clone());
    let (case_no, who, limits) = (path.to_string(), caller.clone(), state.case_limits());
    let room = state
        .with_db(move |conn| room(conn, &case_no, &who, limits))
        .await;
    let uploads = match room {
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
                    message: "请先选择双方签字的纸质调解书扫描件。".to_owned(),
                    retry_after: None,
                }),
                other => other,
            },
        },
    };
    let problem = match uploads {
        Err(p) => p,
        Ok(uploads) => {
            let (ctx, blobs) = (state.ctx(), state.blobs.clone());
            let case_no = path.to_string();
            let recorded = state
                .with_db(move |conn| {
                    record(
                        conn,
                        &ctx,
                        &blobs,
                        &case_no,
                        &caller,
                        document_id,
                        uploads,
                        limits,
                    )
                })
                .await;
            match recorded {
                Ok(_) => {
                    let page = here(&crate::web::urlencoding(&path));
                    return Ok(actions::done_page(&page, ActionKind::RecordSignedAgreement));
                }
                Err(ServiceError::Invalid(issues)) => FileProblem {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    message: issues
                        .iter()
                        .map(|i| i.message.as_str())
                        .collect::<Vec<_>>()
                        .join("；"),
                    retry_after: None,
                },
                Err(ServiceError::NotAllowed { .. }) => FileProblem {
                    status: StatusCode::CONFLICT,
                    message: "案件当前的状态不能上传签字调解书".into(),
                    retry_after: None,
                },
                Err(e @ (ServiceError::Refused { .. } | ServiceError::Limit { .. })) => {
                    FileProblem::from(e)
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let attempt = Attempt {
        action: ActionKind::RecordSignedAgreement.as_str().into(),
        refusal: Some(problem.message),
        ..Attempt::default()
    };
    let res = render(&req, &state, user, &path, (problem.status, attempt, None)).await?;
    Ok(FileProblem::mark(problem.retry_after, res))
}
