//! Evidence uploads: files are stored first (content-addressed), then recorded in one
//! transaction with an event; if the record fails, files no other row uses are removed.
//! A case holds at most `CaseLimits` of files, counting what it already has.

use chrono::{DateTime, Utc};

use serde_json::json;

use super::track::{AttachmentView, authorised_case};
use super::{Limit, ServiceError};
use crate::blobs::{BlobStore, TmpFile};
use crate::secrets::TrackingToken;
use crate::store::events::{self, EventDraft, truncate_to_micros};
use crate::store::models::NewAttachment;
use crate::store::{Db, cases, write_transaction};

/// How many files, and how many bytes in all, one case may hold.
#[derive(Debug, Clone, Copy)]
pub struct CaseLimits {
    pub files: u64,
    pub bytes: u64,
}

impl CaseLimits {
    /// The room of a case that holds no file yet (one being filed).
    pub fn whole(self) -> Room {
        Room {
            files: self.files,
            bytes: self.bytes,
            limits: self,
        }
    }
}

/// What a case may still take.
#[derive(Debug, Clone, Copy)]
pub struct Room {
    pub files: u64,
    pub bytes: u64,
    pub limits: CaseLimits,
}

/// Which per-case limit an upload would cross.
#[derive(Debug, Clone, Copy)]
pub enum CaseLimit {
    Files(u64),
    Bytes(u64),
}

impl From<CaseLimit> for ServiceError {
    fn from(limit: CaseLimit) -> Self {
        match limit {
            CaseLimit::Files(n) => ServiceError::Limit {
                limit: Limit::TooMany,
                code: "case_attachment_count",
                message: format!("每件最多{n}个附件，本次上传会超出"),
            },
            CaseLimit::Bytes(b) => ServiceError::Limit {
                limit: Limit::TooLarge,
                code: "case_attachment_bytes",
                message: format!("每件附件合计不能超过{}MB，本次上传会超出", b / MIB),
            },
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// A file received into a temporary file and type-checked, not yet stored.
pub struct Upload {
    pub name: String,
    pub mime: &'static str,
    pub file: TmpFile,
}

/// The case behind the number and token, and what it may still take; a full case is
/// refused before any file is read.
pub fn room(
    conn: &mut Db,
    case_no: &str,
    token: Option<&TrackingToken>,
    limits: CaseLimits,
) -> Result<Room, ServiceError> {
    let case = authorised_case(conn, case_no, token)?;
    let room = room_of(conn, case.id, limits)?;
    if room.files == 0 {
        return Err(CaseLimit::Files(limits.files).into());
    }
    Ok(room)
}

pub(super) fn room_of(
    conn: &mut Db,
    case_id: i64,
    limits: CaseLimits,
) -> Result<Room, ServiceError> {
    let (files, bytes) = cases::attachment_totals(conn, case_id)?;
    Ok(Room {
        files: limits.files.saturating_sub(files),
        bytes: limits.bytes.saturating_sub(bytes),
        limits,
    })
}

impl Room {
    /// The limit `uploads` would cross, if any.
    pub(super) fn refuses(&self, uploads: &[Upload]) -> Option<CaseLimit> {
        let bytes: u64 = uploads.iter().map(|u| u.file.len).sum();
        if uploads.len() as u64 > self.files {
            Some(CaseLimit::Files(self.limits.files))
        } else if bytes > self.bytes {
            Some(CaseLimit::Bytes(self.limits.bytes))
        } else {
            None
        }
    }
}

/// Direction marks and overrides, which can make `invoice\u{202E}gnp.exe` read as
/// `invoiceexe.png`.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Keeps a client's file name readable but harmless: no directories, no control characters,
/// no direction overrides.
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .take(120)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "附件".to_owned()
    } else {
        cleaned
    }
}

pub fn attach(
    conn: &mut Db,
    blobs: &BlobStore,
    case_no: &str,
    token: Option<&TrackingToken>,
    uploads: Vec<Upload>,
    limits: CaseLimits,
    now: DateTime<Utc>,
) -> Result<Vec<AttachmentView>, ServiceError> {
    let case = authorised_case(conn, case_no, token)?;
    super::retention::refuse_if_anonymised(conn, case.id)?;
    if uploads.is_empty() {
        return Err(ServiceError::Refused {
            code: "no_file",
            message: "请选择要上传的文件（字段名 file）".into(),
        });
    }
    if let Some(limit) = room_of(conn, case.id, limits)?.refuses(&uploads) {
        return Err(limit.into());
    }
    let mut stored: Vec<(String, &Upload)> = Vec::new();
    for upload in &uploads {
        match blobs.adopt(&upload.file) {
            Ok(()) => stored.push((upload.file.sha256.clone(), upload)),
            Err(e) => {
                discard_unreferenced(conn, blobs, &stored);
                return Err(ServiceError::Storage(e.to_string()));
            }
        }
    }
    let at = truncate_to_micros(now.naive_utc());
    let recorded = write_transaction(conn, |conn| {
        // Counted again, the case locked, after the files came in: uploads to one case at once
        // are recorded one after the other, each against what the others stored.
        cases::lock_case(conn, case.id)?;
        super::retention::refuse_if_anonymised(conn, case.id)?;
        if let Some(limit) = room_of(conn, case.id, limits)?.refuses(&uploads) {
            return Err(ServiceError::from(limit));
        }
        for (sha, upload) in &stored {
            cases::insert_attachment(
                conn,
                &NewAttachment {
                    case_id: case.id,
                    sha256: sha.clone(),
                    mime: upload.mime.into(),
                    size_bytes: upload.file.len as i64,
                    original_name: upload.name.clone(),
                    created_at: at,
                },
            )?;
        }
        events::append(
            conn,
            case.id,
            EventDraft {
                kind: "attachment_added".into(),
                actor: "public".into(),
                actor_role: "submitter".into(),
                at,
                from_state: None,
                to_state: None,
                reason: None,
                payload: json!({
                    "files": stored.iter().map(|(sha, u)| json!({"sha256": sha, "mime": u.mime, "size_bytes": u.file.len})).collect::<Vec<_>>(),
                }),
            },
        )?;
        Ok(cases::attachments_of(conn, case.id)?)
    });
    match recorded {
        Ok(rows) => Ok(rows.iter().map(AttachmentView::from).collect()),
        Err(e) => {
            discard_unreferenced(conn, blobs, &stored);
            Err(e)
        }
    }
}

pub(super) fn discard_unreferenced(conn: &mut Db, blobs: &BlobStore, stored: &[(String, &Upload)]) {
    for (sha, _) in stored {
        // Another case may hold the same file; only an unreferenced blob goes.
        if let Ok(false) = cases::blob_is_referenced(conn, sha) {
            blobs.remove(sha);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clean_file_name;

    #[test]
    fn file_names_lose_paths_and_controls() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\a\\发票.pdf"), "发票.pdf");
        assert_eq!(clean_file_name("..\u{0}hidden\n.png"), "hidden.png");
        assert_eq!(clean_file_name("/"), "附件");
        assert_eq!(clean_file_name("....."), "附件");
        assert_eq!(clean_file_name("invoice\u{202E}gnp.exe"), "invoicegnp.exe");
    }
}
