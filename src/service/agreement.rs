//! The 调解书 after a settlement (Order 121 Art. 24): the parties confirm it on line, or staff
//! record the paper copy signed by both; its state is read from the event log
//! (`domain::agreement::derive`) whenever a case is shown or acted on.

use serde_json::{Value, json};

use super::ServiceError;
use super::access::Access;
use super::case_view::LoadedCase;
use super::documents::DOCUMENT_ISSUED;
use crate::clock::china_date;
use crate::domain::action::ActionKind;
use crate::domain::agreement::{self, AgreementState, Entry, Party};
use crate::domain::documents::{AgreementForm, DocKind};
use crate::domain::event_payload::EventPayload;
use crate::domain::workflow::{Actor, Command};
use crate::intake::FieldIssue;
use crate::store::models::EventRow;
use crate::store::{Db, cases};

/// The log's steps that concern the 调解书.
fn entries(events: &[EventRow]) -> Vec<Entry> {
    events.iter().filter_map(entry).collect()
}

fn entry(e: &EventRow) -> Option<Entry> {
    let payload = EventPayload::parse(&e.payload);
    let int = |key: &str| payload.as_ref().and_then(|p| p.int_of(key));
    let text = |key: &str| {
        payload
            .as_ref()
            .and_then(|p| p.str_of(key))
            .map(str::to_owned)
    };
    let on = china_date(e.at.and_utc());
    match e.kind.as_str() {
        // Only a settlement in mediation is put on paper; an ODR one is the parties' own.
        "settle" => Some(Entry::Settled {
            form: text("agreement_form")
                .and_then(|f| AgreementForm::parse(&f))
                .unwrap_or_default(),
        }),
        "reopen" => Some(Entry::Reopened),
        DOCUMENT_ISSUED => Some(Entry::Issued {
            document_id: int("document_id")?,
            kind: DocKind::parse(&text("kind")?)?,
            number: text("number").unwrap_or_default(),
            sha256: text("sha256").unwrap_or_default(),
        }),
        "confirm_agreement" => Some(Entry::Confirmed {
            document_id: int("document_id")?,
            party: match e.actor_role.as_str() {
                "enterprise" => Party::Business,
                _ => Party::Consumer,
            },
            on,
        }),
        "record_signed_agreement" => Some(Entry::Signed {
            document_id: int("document_id")?,
            attachment_id: int("attachment_id")?,
            on,
        }),
        _ => None,
    }
}

/// The 调解书 state of the case, if a settlement in mediation stands.
pub fn state_of(loaded: &LoadedCase) -> Option<AgreementState> {
    if loaded.kind() != crate::domain::case::CaseKind::Complaint {
        return None;
    }
    agreement::derive(&entries(&loaded.events))
}

/// The 调解书 state as `access` may see it: the parties do not get the scan's file id.
pub fn view_for(loaded: &LoadedCase, access: Access) -> Option<AgreementState> {
    let state = state_of(loaded)?;
    Some(match access {
        Access::Staff(_) | Access::Analyst => state,
        _ => AgreementState {
            signed_attachment_id: None,
            ..state
        },
    })
}

/// Takes out of `actions` the 调解书 steps that have nothing to act on now, and the
/// correction where the case has no document.
pub(super) fn offer(loaded: &LoadedCase, access: Access, actions: &mut Vec<ActionKind>) {
    let state = state_of(loaded);
    let party = match access.actor() {
        Some(Actor::Enterprise) => Some(Party::Business),
        Some(Actor::Consumer) => Some(Party::Consumer),
        _ => None,
    };
    let awaits = party.is_some_and(|p| state.as_ref().is_some_and(|s| s.awaits(p)));
    let unsigned = state
        .as_ref()
        .is_some_and(|s| s.document_id.is_some() && s.status != agreement::Status::SignedOnPaper);
    let has_documents = loaded.events.iter().any(|e| e.kind == DOCUMENT_ISSUED);
    actions.retain(|a| match a {
        ActionKind::ConfirmAgreement => awaits,
        ActionKind::RecordSignedAgreement => unsigned,
        ActionKind::CorrectDocument => has_documents,
        _ => true,
    });
}

/// Checks a 调解书 step against the log and returns the facts its event records: the
/// number and SHA-256 of the text confirmed, or the signed scan's file.
pub(super) fn check(
    conn: &mut Db,
    loaded: &LoadedCase,
    actor: Actor,
    command: &Command,
) -> Result<Vec<(&'static str, Value)>, ServiceError> {
    let state = state_of(loaded);
    let refuse = |field: &str, (code, message): (&str, String)| {
        ServiceError::Invalid(vec![FieldIssue {
            field: field.into(),
            code: code.into(),
            message,
        }])
    };
    match command {
        Command::ConfirmAgreement { document_id } => {
            let party = match actor {
                Actor::Enterprise => Party::Business,
                _ => Party::Consumer,
            };
            match (
                agreement::confirm_refusal(state.as_ref(), party, *document_id),
                state,
            ) {
                (None, Some(state)) => Ok(vec![
                    ("number", json!(state.number)),
                    ("sha256", json!(state.sha256)),
                ]),
                (refusal, _) => Err(refuse(
                    "document_id",
                    refusal.unwrap_or(("no_agreement", "本案没有待确认的调解书".into())),
                )),
            }
        }
        Command::RecordSignedAgreement {
            document_id,
            attachment_id,
        } => {
            if let Some(refusal) = agreement::sign_refusal(state.as_ref(), *document_id) {
                return Err(refuse("document_id", refusal));
            }
            let file = cases::attachments_of(conn, loaded.case.id)?
                .into_iter()
                .find(|a| a.id == *attachment_id)
                .ok_or_else(|| {
                    refuse(
                        "attachment_id",
                        ("unknown_attachment", "本案没有该附件".into()),
                    )
                })?;
            let number = state.and_then(|s| s.number);
            Ok(vec![
                ("number", json!(number)),
                ("attachment_sha256", json!(file.sha256)),
            ])
        }
        _ => Ok(Vec::new()),
    }
}
