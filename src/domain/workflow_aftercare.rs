//! Who may record a termination notice or a follow-up visit, and when.

use chrono::NaiveDate;

use super::{A, Actor, Refusal, S};
use crate::domain::case::{CaseKind, CaseState};

/// Staff record how a terminated complaint's parties were told (Order 121 Art. 23), and the
/// follow-up visit of a settled complaint (Art. 26). A report has neither.
pub(super) fn offer(kind: CaseKind, state: CaseState, staff: bool, out: &mut Vec<A>) {
    if staff {
        // Any issued document may need correcting; the case view offers it where one exists.
        out.push(A::CorrectDocument);
    }
    if !staff || kind != CaseKind::Complaint {
        return;
    }
    match state {
        S::MediationTerminated => out.push(A::RecordNotice),
        S::Settled => out.extend([A::FollowUp, A::RecordSignedAgreement]),
        _ => {}
    }
}

/// The parties of a settled complaint confirm its 调解书 on line (Order 121 Art. 24); the
/// service checks that one awaits them (`agreement::confirm_refusal`).
pub(super) fn offer_confirmation(kind: CaseKind, state: CaseState, actor: Actor, out: &mut Vec<A>) {
    if kind == CaseKind::Complaint
        && state == S::Settled
        && matches!(actor, Actor::Consumer | Actor::Enterprise)
    {
        out.push(A::ConfirmAgreement);
    }
}

/// A notice is recorded once given: its date is not in the future.
pub(super) fn check_notice(
    date: NaiveDate,
    today: NaiveDate,
) -> Result<Option<CaseState>, Refusal> {
    if date > today {
        return Err(Refusal::Invalid {
            field: "date",
            code: "date_in_future",
            message: "告知日期不能晚于今天".into(),
        });
    }
    Ok(None)
}
