//! Correcting an issued document (更正): a new document of the same kind, numbered afresh,
//! filled from the replaced one's stored fields with only the kind's own fields changed, and
//! naming the one it replaces. The replaced document stays as issued.

use std::collections::HashMap;

use super::access::Caller;
use super::case_view::LoadedCase;
use super::documents::{Draft, Issued, issue};
use super::{Ctx, ServiceError};
use crate::domain::documents::{COMMON_FIELDS, DocKind};
use crate::domain::workflow::{Actor, Command};
use crate::intake::FieldIssue;
use crate::store::documents::{self as store, DocumentRow};
use crate::store::{Db, StoreError};

fn refused(field: &str, code: &str, message: String) -> ServiceError {
    ServiceError::Invalid(vec![FieldIssue {
        field: field.into(),
        code: code.into(),
        message,
    }])
}

/// The document a correction replaces, and its kind, once the correction is found sound:
/// a document of this case not yet replaced, and only the kind's own fields changed.
fn replaced(
    conn: &mut Db,
    loaded: &LoadedCase,
    document_id: i64,
    fields: &std::collections::BTreeMap<String, String>,
) -> Result<(DocumentRow, DocKind), ServiceError> {
    let rows = store::of_case(conn, loaded.case.id)?;
    let row = rows
        .iter()
        .find(|r| r.id == document_id)
        .cloned()
        .ok_or_else(|| refused("document_id", "unknown_document", "本案没有该文书".into()))?;
    if let Some(later) = rows.iter().find(|r| r.replaces_id == Some(row.id)) {
        return Err(refused(
            "document_id",
            "already_replaced",
            format!("该文书已由{}更正，请更正最新的文书", later.number),
        ));
    }
    let kind = DocKind::parse(&row.kind)
        .ok_or_else(|| StoreError::Other(format!("document {} of kind {}", row.id, row.kind)))?;
    if let Some(key) = fields.keys().find(|k| !kind.fields().contains(&k.as_str())) {
        return Err(refused(
            "fields",
            "not_correctable",
            format!(
                "「{key}」不能更正：{}只能更正 {}",
                kind.label_zh(),
                kind.fields().join("、")
            ),
        ));
    }
    Ok((row, kind))
}

/// Checks a correction before its step is logged.
pub(super) fn check(
    conn: &mut Db,
    loaded: &LoadedCase,
    command: &Command,
) -> Result<(), ServiceError> {
    if let Command::CorrectDocument {
        document_id,
        fields,
        ..
    } = command
    {
        replaced(conn, loaded, *document_id, fields)?;
    }
    Ok(())
}

/// Issues the corrected document.
pub(super) fn correct(
    conn: &mut Db,
    ctx: &Ctx,
    loaded: &LoadedCase,
    caller: &Caller,
    actor: Actor,
    document_id: i64,
    changes: &std::collections::BTreeMap<String, String>,
) -> Result<Issued, ServiceError> {
    let (row, kind) = replaced(conn, loaded, document_id, changes)?;
    let stored: serde_json::Map<String, serde_json::Value> = store::fields_of(conn, row.id)?
        .and_then(|f| serde_json::from_str(&f).ok())
        .unwrap_or_default();
    let fields: HashMap<&'static str, String> = COMMON_FIELDS
        .iter()
        .chain(kind.fields())
        .map(|&key| {
            let value = changes.get(key).map_or_else(
                || {
                    stored
                        .get(key)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned()
                },
                |v| v.trim().to_owned(),
            );
            (key, value)
        })
        .collect();
    let case = &loaded.case;
    let policy = ctx
        .reference
        .policy
        .of_case(&row.policy_version, case.received_date)
        .ok_or_else(|| {
            ServiceError::Storage(format!("no policy version {}", row.policy_version))
        })?;
    let draft = Draft {
        case_id: case.id,
        kind,
        policy,
        bureau: &row.bureau,
        fields,
        replaces: Some((row.id, row.number.clone())),
    };
    issue(conn, ctx, draft, caller, actor)
}
