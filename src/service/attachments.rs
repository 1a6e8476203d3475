//! Evidence uploads: files are stored first (content-addressed), then recorded in one
//! transaction with an event; if the record fails, files no other row uses are removed.

use chrono::{DateTime, Utc};

use serde_json::json;

use super::ServiceError;
use super::track::{AttachmentView, authorised_case};
use crate::blobs::BlobStore;
use crate::secrets::TrackingToken;
use crate::store::events::{self, EventDraft, truncate_to_micros};
use crate::store::models::NewAttachment;
use crate::store::{Db, cases, write_transaction};

pub const MAX_ATTACHMENTS_PER_CASE: i64 = 30;

/// A file received and type-checked, not yet stored.
pub struct Upload {
    pub name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
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
    now: DateTime<Utc>,
) -> Result<Vec<AttachmentView>, ServiceError> {
    let case = authorised_case(conn, case_no, token)?;
    if uploads.is_empty() {
        return Err(ServiceError::Refused {
            code: "no_file",
            message: "请选择要上传的文件（字段名 file）".into(),
        });
    }
    let existing = cases::count_attachments(conn, case.id)?;
    if existing + uploads.len() as i64 > MAX_ATTACHMENTS_PER_CASE {
        return Err(ServiceError::Refused {
            code: "too_many_attachments",
            message: format!("每件最多上传{MAX_ATTACHMENTS_PER_CASE}个附件"),
        });
    }
    let mut stored: Vec<(String, &Upload)> = Vec::new();
    for upload in &uploads {
        match blobs.put(&upload.bytes) {
            Ok(sha) => stored.push((sha, upload)),
            Err(e) => {
                discard_unreferenced(conn, blobs, &stored);
                return Err(ServiceError::Storage(e.to_string()));
            }
        }
    }
    let at = truncate_to_micros(now.naive_utc());
    let recorded = write_transaction(conn, |conn| {
        for (sha, upload) in &stored {
            cases::insert_attachment(
                conn,
                &NewAttachment {
                    case_id: case.id,
                    sha256: sha.clone(),
                    mime: upload.mime.into(),
                    size_bytes: upload.bytes.len() as i64,
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
                    "files": stored.iter().map(|(sha, u)| json!({"sha256": sha, "mime": u.mime, "size_bytes": u.bytes.len()})).collect::<Vec<_>>(),
                }),
            },
        )?;
        cases::attachments_of(conn, case.id)
    });
    match recorded {
        Ok(rows) => Ok(rows.iter().map(AttachmentView::from).collect()),
        Err(e) => {
            discard_unreferenced(conn, blobs, &stored);
            Err(e.into())
        }
    }
}

fn discard_unreferenced(conn: &mut Db, blobs: &BlobStore, stored: &[(String, &Upload)]) {
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
