//! Multipart forms from the pages. Text fields come first (the CSRF token and, on the
//! tracking page, the case number and 查询码), so they can be checked before any file is read.

use actix_multipart::{Field, Multipart, MultipartError};
use futures_util::TryStreamExt;

use super::super::PageError;
use crate::service::attachments::Upload;
use crate::uploads::{FileParts, MAX_FILES, UploadProblem};

/// Text fields are short; this bounds what a hostile form can make us buffer.
const MAX_TEXT_BYTES: usize = 64 * 1024;
const MAX_TEXT_FIELDS: usize = 200;
/// The name of the file input on every page.
pub const FILE_FIELD: &str = "evidence";

pub struct MultipartForm {
    payload: Multipart,
    /// The first file part, met while reading the text fields.
    pending: Option<Field>,
}

/// A file the form could not take: said next to the file input.
pub struct FileProblem(pub String);

fn malformed(_: MultipartError) -> PageError {
    PageError::BadRequest("表单内容无法识别，请返回重新提交".into())
}

fn is_file(field: &Field) -> bool {
    field.name() == Some(FILE_FIELD)
}

impl MultipartForm {
    pub fn new(payload: Multipart) -> MultipartForm {
        MultipartForm {
            payload,
            pending: None,
        }
    }

    /// The text fields up to the first file.
    pub async fn texts(&mut self) -> Result<Vec<(String, String)>, PageError> {
        let mut fields = Vec::new();
        while let Some(mut field) = self.payload.try_next().await.map_err(malformed)? {
            if is_file(&field) {
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

    /// The files after the text fields: each sniffed for its type and held to `max_bytes`.
    /// An empty file input (nothing chosen) sends an empty part, which is skipped.
    pub async fn files(
        &mut self,
        max_bytes: u64,
    ) -> Result<Result<Vec<Upload>, FileProblem>, PageError> {
        let parts = FileParts {
            is_file,
            max_bytes,
            skip_empty: true,
        };
        let problem = match parts.read(&mut self.payload, self.pending.take()).await {
            Ok(uploads) => return Ok(Ok(uploads)),
            Err(UploadProblem::Malformed(e)) => return Err(malformed(e)),
            Err(UploadProblem::TooLarge { max_bytes }) => {
                format!("单个文件不能超过 {} MB", max_bytes / (1024 * 1024))
            }
            Err(UploadProblem::TooMany) => format!("每次最多上传 {MAX_FILES} 个文件"),
            Err(UploadProblem::NotAccepted { name }) => {
                format!("文件“{name}”不是 JPEG、PNG、HEIC、WEBP 图片或 PDF 文件")
            }
        };
        Ok(Err(FileProblem(problem)))
    }
}

/// The value of a text field.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
