//! Joint complaints (Order 121 Art. 12) in the store: who joined whom, whom they chose to
//! represent them, and the checks the workflow cannot make without reading other cases.

use serde::Serialize;

use super::ServiceError;
use super::access::Caller;
use super::case_view::{LoadedCase, find_visible};
use crate::domain::case::{CaseKind, CaseNo};
use crate::domain::event_payload::EventPayload;
use crate::domain::joint::{self, JOINED_INTO};
use crate::domain::workflow::{Refusal, is_closed};
use crate::intake::FieldIssue;
use crate::store::models::{CaseRow, NewCaseLink};
use crate::store::{Db, cases, workflow};

/// A joint complaint as staff see it on its lead case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JointView {
    /// The joint complaint's own case number first, then the complaints that joined it.
    pub members: Vec<String>,
    /// The case numbers of the one or two representatives, once chosen.
    pub representatives: Vec<String>,
}

pub(crate) fn refusal(r: Refusal) -> ServiceError {
    match r {
        Refusal::Invalid {
            field,
            code,
            message,
        } => ServiceError::Invalid(vec![FieldIssue {
            field: field.into(),
            code: code.into(),
            message,
        }]),
        other => ServiceError::Invalid(vec![FieldIssue {
            field: "action".into(),
            code: "refused".into(),
            message: format!("{other:?}"),
        }]),
    }
}

fn invalid(field: &str, code: &str, message: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldIssue {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }])
}

/// The joint complaint's members: `case` itself, then the complaints that joined it.
pub fn members(conn: &mut Db, case: &CaseRow) -> Result<Vec<String>, ServiceError> {
    let mut out = vec![case.case_no.clone()];
    out.extend(
        workflow::links_of(conn, case.id)?
            .into_iter()
            .filter(|(_, relation, outgoing)| relation == JOINED_INTO && !*outgoing)
            .map(|(case_no, _, _)| case_no),
    );
    Ok(out)
}

/// The representatives last chosen on the case, as stored with the step.
fn representatives(loaded: &LoadedCase) -> Vec<String> {
    let last = loaded
        .events
        .iter()
        .rev()
        .find(|e| e.kind == "set_representatives")
        .and_then(|e| EventPayload::parse(&e.payload));
    last.map(|p| {
        ["first", "second"]
            .iter()
            .filter_map(|k| p.str_of(k).map(str::to_owned))
            .collect()
    })
    .unwrap_or_default()
}

/// The joint complaint led by this case, if others joined it.
pub fn view(conn: &mut Db, loaded: &LoadedCase) -> Result<Option<JointView>, ServiceError> {
    let members = members(conn, &loaded.case)?;
    if members.len() < 2 {
        return Ok(None);
    }
    Ok(Some(JointView {
        members,
        representatives: representatives(loaded),
    }))
}

/// Whether others joined this case.
pub fn is_joint(conn: &mut Db, case: &CaseRow) -> Result<bool, ServiceError> {
    Ok(members(conn, case)?.len() > 1)
}

/// The respondent as the case names it: its USCC if given, else its name.
fn respondent(conn: &mut Db, case: &CaseRow, uscc: Option<String>) -> Result<String, ServiceError> {
    if let Some(uscc) = uscc {
        return Ok(uscc);
    }
    let name = cases::parties_of(conn, case.id)?
        .into_iter()
        .find(|p| p.role == "respondent")
        .and_then(|p| p.name.clone())
        .unwrap_or_default();
    Ok(name.trim().to_owned())
}

/// Links `loaded` into the joint complaint `target_no`, after checking that it is an open
/// complaint the caller can see, against the same business, and not itself a member.
pub fn join(
    conn: &mut Db,
    caller: &Caller,
    loaded: &LoadedCase,
    target_no: &str,
) -> Result<(), ServiceError> {
    let case = &loaded.case;
    if is_joint(conn, case)? {
        return Err(invalid(
            "case_no",
            "already_joint",
            "本案已是共同投诉：请将其他投诉并入本案",
        ));
    }
    // A case the actor cannot see answers exactly like one that does not exist.
    let (target, target_uscc) = target_no
        .parse::<CaseNo>()
        .ok()
        .and_then(|n| find_visible(conn, &n.to_string(), caller).transpose())
        .transpose()?
        .map(|(target, uscc, _)| (target, uscc))
        .filter(|(t, _)| t.id != case.id && t.kind == CaseKind::Complaint && !is_closed(t.state))
        .ok_or_else(|| {
            invalid(
                "case_no",
                "unknown_case",
                "找不到可并入的办理中投诉（须为本辖区未办结的投诉）",
            )
        })?;
    let ours = respondent(conn, case, loaded.respondent_uscc.clone())?;
    let theirs = respondent(conn, &target, target_uscc)?;
    if ours.is_empty() || ours != theirs {
        return Err(invalid(
            "case_no",
            "different_business",
            "共同投诉须针对同一经营者：两件投诉的被投诉人不同",
        ));
    }
    cases::insert_link(
        conn,
        &NewCaseLink {
            case_id: case.id,
            linked_case_id: target.id,
            relation: JOINED_INTO.into(),
        },
    )?;
    Ok(())
}

/// Checks the representatives chosen against the joint complaint's members.
pub fn check_representatives(
    conn: &mut Db,
    case: &CaseRow,
    first: &str,
    second: Option<&str>,
) -> Result<(), ServiceError> {
    let members = members(conn, case)?;
    joint::representatives(&members, first, second)
        .map(|_| ())
        .map_err(refusal)
}

/// A joint complaint's settlement records the consent of those represented.
pub fn check_settlement(
    conn: &mut Db,
    case: &CaseRow,
    represented_consent: bool,
) -> Result<(), ServiceError> {
    joint::check_settlement(is_joint(conn, case)?, represented_consent).map_err(refusal)
}
