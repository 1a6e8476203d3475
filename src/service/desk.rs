//! Reads behind the mediators' workbench pages: the case page's extras (who holds the case,
//! to whom it can go) and evidence files, each for a caller who may see the case.

use super::access::{Access, Caller};
use super::case_view::{self, CaseView, StaffCaseView, load_visible};
use super::{Ctx, ServiceError};
use crate::store::models::{AttachmentRow, EventRow};
use crate::store::{Db, accounts, cases};

/// A case as its page on the desk shows it.
pub struct DeskCase {
    /// The same view as `GET /api/v1/cases/{no}`.
    pub view: StaffCaseView,
    /// The event log, oldest first, for the timeline and the internal notes.
    pub events: Vec<EventRow>,
    /// The assignee's e-mail.
    pub assignee: Option<String>,
    /// Who the case could be assigned to in its district: (e-mail, role).
    pub workers: Vec<(String, String)>,
}

/// The case for staff who handle it; anyone else (analysts included) gets "not found".
pub fn desk_case(
    conn: &mut Db,
    ctx: &Ctx,
    case_no: &str,
    caller: &Caller,
) -> Result<DeskCase, ServiceError> {
    let (loaded, access) = load_visible(conn, case_no, caller)?;
    if !matches!(access, Access::Staff(_)) {
        return Err(ServiceError::NotFound);
    }
    let CaseView::Staff(mut view) =
        case_view::render(conn, &ctx.reference, &loaded, access, ctx.now)?
    else {
        return Err(ServiceError::NotFound);
    };
    // The page names only linked cases the caller may open: a repeated complaint may be
    // linked to a case another bureau now handles.
    let mut reachable = Vec::new();
    for link in std::mem::take(&mut view.links) {
        if case_view::find_visible(conn, &link.case_no, caller)?.is_some() {
            reachable.push(link);
        }
    }
    view.links = reachable;
    let assignee = match view.assignee_id {
        Some(id) => accounts::find_user(conn, id)?.map(|u| u.email),
        None => None,
    };
    let workers = accounts::case_workers(conn, Some(std::slice::from_ref(&view.district)))?;
    Ok(DeskCase {
        view: *view,
        events: loaded.events,
        assignee,
        workers,
    })
}

/// Staff who may take cases in `districts` (all when `None`): (e-mail, role).
pub fn case_workers(
    conn: &mut Db,
    districts: Option<&[String]>,
) -> Result<Vec<(String, String)>, ServiceError> {
    Ok(accounts::case_workers(conn, districts)?)
}

/// Evidence file `id` of a case, for staff who handle the case.
pub fn attachment(
    conn: &mut Db,
    case_no: &str,
    caller: &Caller,
    id: i64,
) -> Result<AttachmentRow, ServiceError> {
    let (loaded, access) = load_visible(conn, case_no, caller)?;
    if !matches!(access, Access::Staff(_)) {
        return Err(ServiceError::NotFound);
    }
    cases::attachments_of(conn, loaded.case.id)?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(ServiceError::NotFound)
}
