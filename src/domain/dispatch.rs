//! Dispatch by the city's unified intake unit (Order 121 Art. 13, 14, 41): the unit
//! (统一接收投诉举报的工作机构, `Actor::Dispatcher`) sends a case to the competent county bureau;
//! a bureau without competence returns it to the unit with a reason and never sends it
//! sideways itself ("不得自行移送"); the first bureau to receive a case keeps it (Art. 14), so a
//! case is returned only before the bureau decides on it.

use super::action::ActionKind;
use super::case::{CaseKind, CaseState};
use super::policy::Clock;
use super::workflow::{Actor, Refusal};

/// The states from which a bureau may return a case: before it accepted a complaint or
/// decided on a report.
pub fn may_return_from(state: CaseState) -> bool {
    matches!(
        state,
        CaseState::PendingAcceptance | CaseState::PendingVerification
    )
}

/// The dispatch steps `actor` may take on a case in `state`, given whether the case's rules
/// have a unified intake unit (`unified`, Order 121).
pub fn dispatch_steps(state: CaseState, actor: Actor, unified: bool) -> Vec<ActionKind> {
    let bureau_staff = matches!(actor, Actor::Admin | Actor::Supervisor | Actor::Mediator);
    match state {
        CaseState::AwaitingDispatch if actor == Actor::Dispatcher => {
            vec![ActionKind::Dispatch, ActionKind::Note]
        }
        CaseState::AwaitingDispatch if actor == Actor::Admin => vec![ActionKind::Dispatch],
        s if unified && bureau_staff && may_return_from(s) => {
            vec![ActionKind::ReturnToDispatcher]
        }
        _ => Vec::new(),
    }
}

/// A transfer to another bureau of the city, refused where the unified intake unit dispatches.
pub fn sideways_transfer_refusal(unified: bool, bureau: Option<&str>) -> Option<Refusal> {
    (unified && bureau.is_some()).then(|| Refusal::Invalid {
        field: "bureau",
        code: "return_to_dispatcher",
        message: "依《市场监督管理投诉举报处理办法》第四十一条，不得自行移送：本局无管辖权的，请退回统一接收机构（return_to_dispatcher）重新分送".to_owned(),
    })
}

/// Where a dispatched case starts: the first state of its track at the receiving bureau,
/// whose acceptance (or verification) clock starts on the day of dispatch.
pub fn dispatched_state(kind: CaseKind) -> CaseState {
    CaseState::initial(kind)
}

/// The clock a dispatched case starts with: acceptance for a complaint, verification for a
/// report (never ODR: the consumer's choice of it is the receiving bureau's to offer).
pub fn first_clock(kind: CaseKind) -> Clock {
    match kind {
        CaseKind::Complaint => Clock::Acceptance,
        CaseKind::Report => Clock::Verification,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::{Command, Facts, decide};

    fn facts(unified_dispatch: bool) -> Facts {
        Facts {
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
            rating_open_until: None,
            already_rated: false,
            has_referral: false,
            referral_submitted: false,
            party_messages_today: 0,
            odr_answered: false,
            verification_extended: false,
            unified_dispatch,
        }
    }

    #[test]
    fn a_return_waits_for_dispatch_and_a_dispatch_starts_the_track_afresh() {
        let c = CaseKind::Complaint;
        let back = Command::ReturnToDispatcher {
            reason: "经营地在新会区".into(),
        };
        let to = |s, a, cmd: &Command, f| decide(c, s, a, cmd, &f).map(|o| o.to);
        assert_eq!(
            to(
                CaseState::PendingAcceptance,
                Actor::Mediator,
                &back,
                facts(true)
            ),
            Ok(Some(CaseState::AwaitingDispatch))
        );
        let send = Command::Dispatch {
            bureau: "440705".into(),
        };
        assert_eq!(
            to(
                CaseState::AwaitingDispatch,
                Actor::Dispatcher,
                &send,
                facts(true)
            ),
            Ok(Some(CaseState::PendingAcceptance))
        );
        assert_eq!(
            decide(
                CaseKind::Report,
                CaseState::AwaitingDispatch,
                Actor::Dispatcher,
                &send,
                &facts(true)
            )
            .map(|o| o.to),
            Ok(Some(CaseState::PendingVerification))
        );
        let sideways = Command::Transfer {
            bureau: Some("440705".into()),
            outside: None,
            reason: "经营地在新会区".into(),
        };
        assert!(matches!(
            to(
                CaseState::PendingAcceptance,
                Actor::Mediator,
                &sideways,
                facts(true)
            ),
            Err(Refusal::Invalid {
                code: "return_to_dispatcher",
                ..
            })
        ));
        assert_eq!(
            to(
                CaseState::PendingAcceptance,
                Actor::Mediator,
                &sideways,
                facts(false)
            ),
            Ok(Some(CaseState::PendingAcceptance))
        );
    }

    #[test]
    fn only_the_unit_dispatches_and_only_order_121_bureaus_return() {
        assert_eq!(
            dispatch_steps(CaseState::AwaitingDispatch, Actor::Dispatcher, true),
            [ActionKind::Dispatch, ActionKind::Note]
        );
        assert!(dispatch_steps(CaseState::AwaitingDispatch, Actor::Mediator, true).is_empty());
        assert_eq!(
            dispatch_steps(CaseState::PendingAcceptance, Actor::Mediator, true),
            [ActionKind::ReturnToDispatcher]
        );
        assert!(dispatch_steps(CaseState::PendingAcceptance, Actor::Mediator, false).is_empty());
        assert!(dispatch_steps(CaseState::InMediation, Actor::Supervisor, true).is_empty());
        assert!(dispatch_steps(CaseState::PendingAcceptance, Actor::Dispatcher, true).is_empty());
        assert!(sideways_transfer_refusal(true, Some("440705")).is_some());
        assert!(sideways_transfer_refusal(true, None).is_none());
        assert!(sideways_transfer_refusal(false, Some("440705")).is_none());
    }
}
