//! Evidence files read from a multipart body, for the API and the pages alike: each held to
//! the size limit, counted, and typed by sniffing its content (never by its name).

use actix_multipart::{Field, Multipart, MultipartError};
use futures_util::TryStreamExt;

use crate::blobs::sniff_mime;
use crate::service::attachments::{Upload, clean_file_name};

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
    /// A file that is not an accepted image or PDF; `name` as the client gave it.
    NotAccepted { name: String },
}

/// Which parts are files, and how big one may be.
pub struct FileParts {
    pub is_file: fn(&Field) -> bool,
    pub max_bytes: u64,
    /// An empty part is a file input left empty (pages), not an empty file.
    pub skip_empty: bool,
}

impl FileParts {
    /// Reads every remaining part, starting with `first` if one was already taken from the
    /// stream. Parts that are not files are read and dropped.
    pub async fn read(
        &self,
        payload: &mut Multipart,
        mut first: Option<Field>,
    ) -> Result<Vec<Upload>, UploadProblem> {
        let mut uploads = Vec::new();
        loop {
            let mut field = match first.take() {
                Some(f) => f,
                None => match payload.try_next().await.map_err(UploadProblem::Malformed)? {
                    Some(f) => f,
                    None => break,
                },
            };
            let file = (self.is_file)(&field);
            let name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(clean_file_name);
            let mut bytes = Vec::new();
            while let Some(chunk) = field.try_next().await.map_err(UploadProblem::Malformed)? {
                if !file {
                    continue;
                }
                if (bytes.len() + chunk.len()) as u64 > self.max_bytes {
                    return Err(UploadProblem::TooLarge {
                        max_bytes: self.max_bytes,
                    });
                }
                bytes.extend_from_slice(&chunk);
            }
            if !file || (self.skip_empty && bytes.is_empty()) {
                continue;
            }
            if uploads.len() == MAX_FILES {
                return Err(UploadProblem::TooMany);
            }
            let Some(mime) = sniff_mime(&bytes) else {
                return Err(UploadProblem::NotAccepted {
                    name: name.unwrap_or_default(),
                });
            };
            uploads.push(Upload {
                name: name.unwrap_or_else(|| clean_file_name("")),
                mime,
                bytes,
            });
        }
        Ok(uploads)
    }
}
