//! Tracking by case number and token, and evidence upload.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};

use super::body::tracking_token;
use super::error::{ApiError, ErrorBody};
use crate::domain::case::CaseNo;
use crate::service::attachments::{Upload, attach};
use crate::service::track::{AttachmentView, PublicCaseView, authorised_case, public_view};
use crate::state::AppState;
use crate::uploads::{FileParts, MAX_FILES, UploadProblem};

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
    )
)]
pub async fn track(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let case_no = case_no_from_path(&path)?;
    let token = tracking_token(&req);
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
        (status = 413, description = "A file is too large", body = ErrorBody),
        (status = 415, description = "A file's content is not an accepted type", body = ErrorBody),
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
    let token = tracking_token(&req);
    // Check the token before reading any file, so strangers cannot make us buffer uploads.
    {
        let (case_no, token) = (case_no.clone(), token.clone());
        state
            .with_db(move |conn| authorised_case(conn, &case_no, token.as_ref()).map(|_| ()))
            .await?;
    }
    let uploads = read_uploads(payload, state.settings.attachment_max_bytes).await?;
    let blobs = state.blobs.clone();
    let now = state.clock.now();
    let views = state
        .with_db(move |conn| attach(conn, &blobs, &case_no, token.as_ref(), uploads, now))
        .await?;
    Ok(HttpResponse::Created().json(views))
}

fn is_file(field: &actix_multipart::Field) -> bool {
    matches!(field.name(), Some("file" | "files" | "file[]"))
}

async fn read_uploads(mut payload: Multipart, max_bytes: u64) -> Result<Vec<Upload>, ApiError> {
    let parts = FileParts {
        is_file,
        max_bytes,
        skip_empty: false,
    };
    parts
        .read(&mut payload, None)
        .await
        .map_err(|problem| match problem {
            UploadProblem::Malformed(e) => {
                ApiError::bad_request("malformed_multipart", format!("上传格式不正确：{e}"))
            }
            UploadProblem::TooLarge { max_bytes } => ApiError::PayloadTooLarge(format!(
                "单个文件不能超过{}MB",
                max_bytes / (1024 * 1024)
            )),
            UploadProblem::TooMany => {
                ApiError::bad_request("too_many_files", format!("每次最多上传{MAX_FILES}个文件"))
            }
            UploadProblem::NotAccepted { .. } => ApiError::UnsupportedMediaType(
                "仅支持 JPEG、PNG、HEIC、WEBP 图片和 PDF 文件".into(),
            ),
        })
}
