//! Evidence files read from a multipart body, for the API and the pages alike. Each part is
//! streamed to a temporary file next to the blob store, hashed as it comes, and held to the
//! per-file size, the per-request count and the room left in the case while it is read, so a
//! request is refused as soon as it crosses a limit, and memory never holds a whole file.
//! The type is sniffed from the content, never from the name.

use std::sync::Arc;

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::http::StatusCode;
use futures_util::TryStreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::blobs::{BlobStore, sniff_mime};
use crate::service::attachments::{CaseLimit, Room, Upload, clean_file_name};
use crate::service::{Limit, ServiceError};

/// At most this many files per request.
pub const MAX_FILES: usize = 10;

/// Why the files of a body were not taken.
#[derive(Debug)]
pub enum UploadProblem {
    /// The body is not valid multipart.
    Malformed(MultipartError),
    /// One file is over `max_bytes`.
    TooLarge { max_bytes: u64 },
    /// More than `MAX_FILES` files.
    TooMany,
    /// The files would cross a limit of the case (count or bytes, stored files included).
    Case(CaseLimit),
    /// A file that is not an accepted image or PDF; `name` as the client gave it.
    NotAccepted { name: String },
    /// The temporary file could not be written (disk full).
    Storage(std::io::Error),
}

impl UploadProblem {
    /// Every problem but a malformed body as a use-case error, with the message that says
    /// which limit or rule: both front ends answer from it.
    pub fn into_service(self) -> Result<ServiceError, MultipartError> {
        Ok(match self {
            UploadProblem::Malformed(e) => return Err(e),
            UploadProblem::TooLarge { max_bytes } => ServiceError::Limit {
                limit: Limit::TooLarge,
                code: "payload_too_large",
                message: format!("单个文件不能超过{}MB", max_bytes / (1024 * 1024)),
            },
            UploadProblem::TooMany => ServiceError::Refused {
                code: "too_many_files",
                message: format!("每次最多上传{MAX_FILES}个文件"),
            },
            UploadProblem::Case(limit) => limit.into(),
            UploadProblem::NotAccepted { name } => ServiceError::Limit {
                limit: Limit::Unsupported,
                code: "unsupported_media_type",
                message: format!("文件“{name}”不是 JPEG、PNG、HEIC、WEBP 图片或 PDF 文件"),
            },
            UploadProblem::Storage(e) => ServiceError::Storage(e.to_string()),
        })
    }
}

/// Uploads running at once on this node; beyond the bound a request is refused at once
/// (503 with Retry-After) instead of queueing without end.
#[derive(Clone)]
pub struct UploadSlots(Arc<Semaphore>);

impl UploadSlots {
    pub fn new(bound: usize) -> UploadSlots {
        UploadSlots(Arc::new(Semaphore::new(bound.max(1))))
    }

    /// A slot held until the returned permit is dropped.
    pub fn try_take(&self) -> Result<OwnedSemaphorePermit, ServiceError> {
        self.0
            .clone()
            .try_acquire_owned()
            .map_err(|_| ServiceError::Limit {
                limit: Limit::Full {
                    retry_after_secs: 5,
                },
                code: "uploads_busy",
                message: "同时上传的人数已满，请稍后重试".into(),
            })
    }
}

/// The status an upload problem answers with, for a page that shows it beside its field.
pub fn problem_status(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::Limit { limit, .. } => crate::routes::limit_status(*limit),
        ServiceError::Storage(_) => StatusCode::INSUFFICIENT_STORAGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Which parts are files, and how big one may be.
pub struct FileParts {
    pub is_file: fn(&Field) -> bool,
    pub max_bytes: u64,
    /// An empty part is a file input left empty (pages), not an empty file.
    pub skip_empty: bool,
}

impl FileParts {
    /// Reads every remaining part into temporary files of `blobs`, starting with `first` if
    /// one was already taken from the stream; parts that are not files are read and
    /// dropped. On any problem the files read so far are removed (dropping them does).
    pub async fn read(
        &self,
        payload: &mut Multipart,
        mut first: Option<Field>,
        blobs: &BlobStore,
        room: Room,
    ) -> Result<Vec<Upload>, UploadProblem> {
        let mut uploads: Vec<Upload> = Vec::new();
        let mut total = 0u64;
        loop {
            let mut field = match first.take() {
                Some(f) => f,
                None => match payload.try_next().await.map_err(UploadProblem::Malformed)? {
                    Some(f) => f,
                    None => break,
                },
            };
            if !(self.is_file)(&field) {
                while field
                    .try_next()
                    .await
                    .map_err(UploadProblem::Malformed)?
                    .is_some()
                {}
                continue;
            }
            let name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(clean_file_name);
            // Counted before a part's bytes are kept: no limit is crossed by reading. On the
            // pages an empty part is an input left empty, so there the first chunk decides.
            let full = |count: usize| {
                if count == MAX_FILES {
                    Err(UploadProblem::TooMany)
                } else if count as u64 >= room.files {
                    Err(UploadProblem::Case(CaseLimit::Files(room.limits.files)))
                } else {
                    Ok(())
                }
            };
            if !self.skip_empty {
                full(uploads.len())?;
            }
            let mut spool = blobs.spool().map_err(UploadProblem::Storage)?;
            while let Some(chunk) = field.try_next().await.map_err(UploadProblem::Malformed)? {
                full(uploads.len())?;
                let len = chunk.len() as u64;
                if spool.len() + len > self.max_bytes {
                    return Err(UploadProblem::TooLarge {
                        max_bytes: self.max_bytes,
                    });
                }
                if total + len > room.bytes {
                    return Err(UploadProblem::Case(CaseLimit::Bytes(room.limits.bytes)));
                }
                spool.write(&chunk).map_err(UploadProblem::Storage)?;
                total += len;
            }
            if self.skip_empty && spool.is_empty() {
                continue;
            }
            let Some(mime) = sniff_mime(spool.head()) else {
                return Err(UploadProblem::NotAccepted {
                    name: name.unwrap_or_default(),
                });
            };
            uploads.push(Upload {
                name: name.unwrap_or_else(|| clean_file_name("")),
                mime,
                file: spool.finish().map_err(UploadProblem::Storage)?,
            });
        }
        Ok(uploads)
    }
}
