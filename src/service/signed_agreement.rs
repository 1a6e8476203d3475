//! The paper 调解书 signed by both parties: staff upload its scan, which is stored as a file of
//! the case and recorded by the `record_signed_agreement` step, in one transaction.

use super::access::{Access, Caller};
use super::actions::apply;
use super::attachments::CaseLimits;
use super::attachments::{Room, Upload, discard_unreferenced, room_of};
use super::case_view::{CaseView, load_visible, render};
use super::{Ctx, ServiceError};
use crate::blobs::BlobStore;
use crate::domain::workflow::Command;
use crate::store::events::truncate_to_micros;
use crate::store::models::NewAttachment;
use crate::store::{Db, cases, write_transaction};

/// The room the case has for the scan; only the staff handling the case may upload it.
pub fn room(
    conn: &mut Db,
    case_no: &str,
    caller: &Caller,
    limits: CaseLimits,
) -> Result<Room, ServiceError> {
    let (loaded, access) = load_visible(conn, case_no, caller)?;
    if !matches!(access, Access::Staff(_)) {
        return Err(ServiceError::Forbidden);
    }
    let room = room_of(conn, loaded.case.id, limits)?;
    if room.files == 0 {
        return Err(super::attachments::CaseLimit::Files(limits.files).into());
    }
    Ok(room)
}

/// Stores the scan of the signed 调解书 `document_id` and records it; answers the case as
/// the caller sees it afterwards.
#[expect(clippy::too_many_arguments, reason = "one use case with its inputs")]
pub fn record(
    conn: &mut Db,
    ctx: &Ctx,
    blobs: &BlobStore,
    case_no: &str,
    caller: &Caller,
    document_id: i64,
    mut uploads: Vec<Upload>,
    limits: CaseLimits,
) -> Result<CaseView, ServiceError> {
    if uploads.len() != 1 {
        return Err(ServiceError::Refused {
            code: "one_file",
            message: "请上传一份双方签字的纸质调解书扫描件（字段名 file）".into(),
        });
    }
    let upload = uploads.remove(0);
    blobs
        .adopt(&upload.file)
        .map_err(|e| ServiceError::Storage(e.to_string()))?;
    let stored = [(upload.file.sha256.clone(), &upload)];
    let recorded = write_transaction(conn, |conn| {
        let (loaded, access) = load_visible(conn, case_no, caller)?;
        let actor = match access {
            Access::Staff(actor) => actor,
            _ => return Err(ServiceError::Forbidden),
        };
        let case_id = loaded.case.id;
        cases::lock_case(conn, case_id)?;
        if let Some(limit) = room_of(conn, case_id, limits)?.refuses(std::slice::from_ref(&upload))
        {
            return Err(ServiceError::from(limit));
        }
        let attachment_id = cases::insert_attachment_id(
            conn,
            &NewAttachment {
                case_id,
                sha256: upload.file.sha256.clone(),
                mime: upload.mime.into(),
                size_bytes: i64::try_from(upload.file.len).unwrap_or(i64::MAX),
                original_name: upload.name.clone(),
                created_at: truncate_to_micros(ctx.now.naive_utc()),
            },
        )?;
        let command = Command::RecordSignedAgreement {
            document_id,
            attachment_id,
        };
        apply(conn, ctx, &loaded, caller, actor, &command)?;
        let (reloaded, _) = load_visible(conn, case_no, &Caller::System)?;
        render(conn, &ctx.reference, &reloaded, access, ctx.now)
    });
    if recorded.is_err() {
        discard_unreferenced(conn, blobs, &stored);
    }
    recorded
}
