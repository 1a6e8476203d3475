//! Tracking by case number and token, and evidence upload.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};

use super::body::checked_tracking_token;
use super::error::{ApiError, ErrorBody};
use crate::domain::case::CaseNo;
use crate::service::attachments::{Room, Upload, attach, room};
use crate::service::track::{AttachmentView, PublicCaseView, public_view};
use crate::state::AppState;
use crate::uploads::FileParts;

fn case_no_from_path(raw: &str) -> Result<String, ApiError> {
    raw.parse::<CaseNo>()
        .map(|n| n.to_string())
        .map_err(|_| ApiError::NotFound)
}

#[utoipa::path(
    get, path = "/api/v1/track/{case_no}", tag = "tracking",
    params(
        ("case_no" = String, Path, example = "TS-2026-000001"),
        ("X-Tracking-Token" = String, Header, description = "Token returned at submission"),
    ),
    responses(
        (status = 200, body = PublicCaseView),
        (status = 404, description = "No such case, or wrong token", body = ErrorBody),
        (status = 429, description = "Too many wrong tokens for this case; retry after `Retry-After`", body = ErrorBody),
    )
)]
pub async fn track(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let case_no = case_no_from_path(&path)?;
    let token = checked_tracking_token(&req, &state, &case_no).await?;
    let view = state
        .with_db(move |conn| public_view(conn, &case_no, token.as_ref()))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(
    post, path = "/api/v1/track/{case_no}/attachments", tag = "tracking",
    params(
        ("case_no" = String, Path),
        ("X-Tracking-Token" = String, Header),
    ),
    request_body(content_type = "multipart/form-data", description = "One or more parts named `file`: JPEG, PNG, HEIC, WEBP or PDF, each up to the configured size (default 10 MiB)"),
    responses(
        (status = 201, description = "All attachments of the case", body = Vec<AttachmentView>),
        (status = 400, description = "No file, malformed multipart or too many files", body = ErrorBody),
        (status = 404, description = "No such case, or wrong token", body = ErrorBody),
        (status = 429, description = "Too many wrong tokens for this case; retry after `Retry-After`", body = ErrorBody),
        (status = 413, description = "A file is too large, or the case's files would exceed their total size (`case_attachment_bytes`)", body = ErrorBody),
        (status = 415, description = "A file's content is not an accepted type", body = ErrorBody),
        (status = 422, description = "The case would hold too many files (`case_attachment_count`)", body = ErrorBody),
        (status = 503, description = "Too many uploads at once; retry after `Retry-After`", body = ErrorBody),
        (status = 507, description = "Server storage full", body = ErrorBody),
    )
)]
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let case_no = case_no_from_path(&path)?;
    let token = checked_tracking_token(&req, &state, &case_no).await?;
    // The token and the room left in the case are checked before any file is read.
    let room = {
        let (case_no, token, limits) = (case_no.clone(), token.clone(), state.case_limits());
        state
            .with_db(move |conn| room(conn, &case_no, token.as_ref(), limits))
            .await?
    };
    let _slot = state.uploads.try_take()?;
    let uploads = read_uploads(&state, payload, room).await?;
    let (blobs, limits, now) = (state.blobs.clone(), state.case_limits(), state.clock.now());
    let views = state
        .with_db(move |conn| attach(conn, &blobs, &case_no, token.as_ref(), uploads, limits, now))
        .await?;
    Ok(HttpResponse::Created().json(views))
}

fn is_file(field: &actix_multipart::Field) -> bool {
    matches!(field.name(), Some("file" | "files" | "file[]"))
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
    let problem = match parts.read(&mut payload, None, &state.blobs, room).await {
        Ok(uploads) => return Ok(uploads),
        Err(problem) => problem,
    };
    Err(match problem.into_service() {
        Ok(refused) => refused.into(),
        Err(e) => ApiError::bad_request("malformed_multipart", format!("上传格式不正确：{e}")),
    })
}
