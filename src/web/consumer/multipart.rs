//! Multipart forms from the pages. Text fields come first (the CSRF token and, on the
//! tracking page, the case number and 查询码), so they can be checked before any file is read.

use actix_multipart::{Field, Multipart, MultipartError};
use futures_util::TryStreamExt;

use super::super::PageError;
use crate::blobs::sniff_mime;
use crate::service::attachments::{Upload, clean_file_name};

/// At most this many files per submission, as the API allows.
const MAX_FILES: usize = 10;
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
        let mut uploads = Vec::new();
        loop {
            let mut field = match self.pending.take() {
                Some(f) => f,
                None => match self.payload.try_next().await.map_err(malformed)? {
                    Some(f) => f,
                    None => break,
                },
            };
            let name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(clean_file_name);
            let file = is_file(&field);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.try_next().await.map_err(malformed)? {
                if !file {
                    continue;
                }
                if (bytes.len() + chunk.len()) as u64 > max_bytes {
                    return Ok(Err(FileProblem(format!(
                        "单个文件不能超过 {} MB",
                        max_bytes / (1024 * 1024)
                    ))));
                }
                bytes.extend_from_slice(&chunk);
            }
            if !file || bytes.is_empty() {
                continue;
            }
            if uploads.len() == MAX_FILES {
                return Ok(Err(FileProblem(format!("每次最多上传 {MAX_FILES} 个文件"))));
            }
            let Some(mime) = sniff_mime(&bytes) else {
                let shown = name.unwrap_or_default();
                return Ok(Err(FileProblem(format!(
                    "文件“{shown}”不是 JPEG、PNG、HEIC、WEBP 图片或 PDF 文件"
                ))));
            };
            uploads.push(Upload {
                name: name.unwrap_or_else(|| clean_file_name("")),
                mime,
                bytes,
            });
        }
        Ok(Ok(uploads))
    }
}

/// The value of a text field.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
