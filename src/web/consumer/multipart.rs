//! Multipart forms from the pages. Text fields come first (the CSRF token and, on the
//! tracking page, the case number and 查询码), so they can be checked before any file is read.

use actix_multipart::{Field, Multipart, MultipartError};
use futures_util::TryStreamExt;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};

use super::super::PageError;
use crate::blobs::BlobStore;
use crate::service::attachments::{Room, Upload};
use crate::service::{Limit, ServiceError};
use crate::uploads::{FileParts, problem_status};

/// Text fields are short; this bounds what a hostile form can make us buffer.
const MAX_TEXT_BYTES: usize = 64 * 1024;
const MAX_TEXT_FIELDS: usize = 200;
/// The name of the file input on every page.
pub const FILE_FIELD: &str = "evidence";

pub struct MultipartForm {
    payload: Multipart,
    /// The first file part, met while reading the text fields.
    pending: Option<Field>,
    /// The name of the form's file input.
    file_field: &'static str,
}

/// A file the form could not take: said next to the file input, answered with `status`.
pub struct FileProblem {
    pub status: StatusCode,
    pub message: String,
    /// Seconds to wait, when the server was only busy.
    pub retry_after: Option<u64>,
}

impl FileProblem {
    /// Adds `Retry-After` to the page that shows this problem, when it has one.
    pub fn mark(retry_after: Option<u64>, mut res: HttpResponse) -> HttpResponse {
        if let Some(secs) = retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(RETRY_AFTER, value);
        }
        res
    }
}

impl From<ServiceError> for FileProblem {
    fn from(e: ServiceError) -> Self {
        let status = problem_status(&e);
        let retry_after = match &e {
            ServiceError::Limit {
                limit: Limit::Busy { retry_after_secs } | Limit::Full { retry_after_secs },
                ..
            } => Some(*retry_after_secs),
            _ => None,
        };
        let message = match e {
            ServiceError::Limit { message, .. } | ServiceError::Refused { message, .. } => message,
            ServiceError::Storage(_) => "服务器存储空间不足，文件未保存，请稍后重试".to_owned(),
            other => other.to_string(),
        };
        FileProblem {
            status,
            message,
            retry_after,
        }
    }
}

fn malformed(_: MultipartError) -> PageError {
    PageError::BadRequest("表单内容无法识别，请返回重新提交".into())
}

fn is_file(field: &Field) -> bool {
    field.name() == Some(FILE_FIELD)
}

impl MultipartForm {
    pub fn new(payload: Multipart) -> MultipartForm {
        MultipartForm::with_file_field(payload, FILE_FIELD)
    }

    /// A form whose file input is `file_field` (not evidence).
    pub fn with_file_field(payload: Multipart, file_field: &'static str) -> MultipartForm {
        MultipartForm {
            payload,
            pending: None,
            file_field,
        }
    }

    /// The text fields up to the first file.
    pub async fn texts(&mut self) -> Result<Vec<(String, String)>, PageError> {
        let mut fields = Vec::new();
        while let Some(mut field) = self.payload.try_next().await.map_err(malformed)? {
            if field.name() == Some(self.file_field) {
                self.pending = Some(field);
                break;
            }
            let name = field.name().unwrap_or_default().to_owned();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.try_next().await.map_err(malformed)? {
                if bytes.len() + chunk.len() > MAX_TEXT_BYTES || fields.len() >= MAX_TEXT_FIELDS {
                    return Err(PageError::BadRequest("填写的内容过长".into()));
                }
                bytes.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(bytes)
                .map_err(|_| PageError::BadRequest("表单内容无法识别".into()))?;
            fields.push((name, value));
        }
        Ok(fields)
    }

    /// The files after the text fields, streamed into `blobs`' temporary files: each sniffed
    /// for its type and held to `max_bytes` and to the case's `room`. An empty file input
    /// (nothing chosen) sends an empty part, which is skipped.
    pub async fn files(
        &mut self,
        max_bytes: u64,
        blobs: &BlobStore,
        room: Room,
    ) -> Result<Result<Vec<Upload>, FileProblem>, PageError> {
        let parts = FileParts {
            is_file,
            max_bytes,
            skip_empty: true,
        };
        match parts
            .read(&mut self.payload, self.pending.take(), blobs, room)
            .await
        {
            Ok(uploads) => Ok(Ok(uploads)),
            Err(problem) => match problem.into_service() {
                Ok(refused) => Ok(Err(refused.into())),
                Err(e) => Err(malformed(e)),
            },
        }
    }
}

impl MultipartForm {
    /// The one file after the text fields, in memory: its name as the client gave it and its
    /// bytes, refused (413) once it grows past `max_bytes`; `None` when nothing was chosen.
    /// For files read as a whole (a spreadsheet), not stored as evidence.
    pub async fn one_file(
        &mut self,
        max_bytes: u64,
    ) -> Result<Result<Option<(String, Vec<u8>)>, FileProblem>, PageError> {
        let Some(mut field) = self.pending.take() else {
            return Ok(Ok(None));
        };
        let name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or_default()
            .to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.try_next().await.map_err(malformed)? {
            if (bytes.len() + chunk.len()) as u64 > max_bytes {
                return Ok(Err(FileProblem {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    message: format!("文件不能超过{}MB", max_bytes / (1024 * 1024)),
                    retry_after: None,
                }));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Ok((!bytes.is_empty()).then_some((name, bytes))))
    }

    /// The text fields after the file (a form may place inputs below its file input), up to
    /// any further file.
    pub async fn rest(&mut self) -> Result<Vec<(String, String)>, PageError> {
        if let Some(mut skipped) = self.pending.take() {
            while skipped.try_next().await.map_err(malformed)?.is_some() {}
        }
        self.texts().await
    }
}

/// The value of a text field.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
