//! The scan of the paper 调解书 signed by both parties, uploaded by the staff handling the case.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, web};

use super::error::{ApiError, ErrorBody};
use crate::auth::{Principal, Role};
use crate::domain::case::CaseNo;
use crate::service::access::Caller;
use crate::service::attachments::{Room, Upload};
use crate::service::case_view::CaseView;
use crate::service::signed_agreement::{record, room};
use crate::state::AppState;
use crate::uploads::FileParts;

#[utoipa::path(
    post, path = "/api/v1/cases/{case_no}/documents/{id}/signed", tag = "documents",
    params(("case_no" = String, Path), ("id" = i64, Path, description = "The 调解书 in force")),
    request_body(content_type = "multipart/form-data", description = "One part named `file`: the scan (JPEG, PNG, HEIC, WEBP or PDF) of the paper 调解书 signed by both parties"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded; the case after the step", body = CaseView),
        (status = 400, description = "Not exactly one file, or malformed multipart", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not staff handling the case", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The case is not a settled complaint", body = ErrorBody),
        (status = 413, description = "The file is too large, or the case's files would exceed their total size", body = ErrorBody),
        (status = 415, description = "The file's content is not an accepted type", body = ErrorBody),
        (status = 422, description = "No 调解书 in force with this id, already recorded, or the case holds too many files", body = ErrorBody),
        (status = 503, description = "Too many uploads at once; retry after `Retry-After`", body = ErrorBody),
        (status = 507, description = "Server storage full", body = ErrorBody),
    )
)]
pub async fn upload_signed(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    principal: Principal,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let (case_no, id) = path.into_inner();
    let case_no = case_no
        .parse::<CaseNo>()
        .map(|n| n.to_string())
        .map_err(|_| ApiError::NotFound)?;
    let document_id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
    let user = principal.require_role(&[Role::Admin, Role::Supervisor, Role::Mediator])?;
    let caller = Caller::Staff(user.clone());
    // The case and its room are checked before any file is read.
    let room = {
        let (case_no, caller, limits) = (case_no.clone(), caller.clone(), state.case_limits());
        state
            .with_db(move |conn| room(conn, &case_no, &caller, limits))
            .await?
    };
    let _slot = state.uploads.try_take()?;
    let uploads = read_uploads(&state, payload, room).await?;
    let (ctx, blobs, limits) = (state.ctx(), state.blobs.clone(), state.case_limits());
    let view = state
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
        .await?;
    Ok(HttpResponse::Created().json(view))
}

fn is_file(field: &actix_multipart::Field) -> bool {
    field.name() == Some("file")
}

async fn read_uploads(
    state: &AppState,
    mut payload: Multipart,
    room: Room,
) -> Result<Vec<Upload>, ApiError> {
    let parts = FileParts {
        is_file,
        max_bytes: state.settings.attachment_max_bytes,
        skip_empty: false,
    };
    match parts.read(&mut payload, None, &state.blobs, room).await {
        Ok(uploads) => Ok(uploads),
        Err(problem) => Err(match problem.into_service() {
            Ok(refused) => ApiError::from(refused),
            Err(e) => ApiError::bad_request("malformed_multipart", format!("上传格式不正确：{e}")),
        }),
    }
}
