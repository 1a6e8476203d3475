//! Order 121 Art. 27, 34, 35 in the state machine: repeated, merged and referred reports, and
//! leads found in mediation.

use chrono::NaiveDate;

use super::*;

fn go(
    kind: CaseKind,
    state: CaseState,
    actor: Actor,
    cmd: Command,
) -> Result<Option<CaseState>, Refusal> {
    let facts = Facts {
        today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        rating_open_until: None,
        already_rated: false,
        has_referral: false,
        referral_submitted: false,
        party_messages_today: 0,
        odr_answered: false,
        verification_extended: false,
        unified_dispatch: true,
    };
    decide(kind, state, actor, &cmd, &facts).map(|o| o.to)
}

fn field_of(r: Result<Option<CaseState>, Refusal>) -> Option<&'static str> {
    match r {
        Err(Refusal::Invalid { field, .. }) => Some(field),
        _ => None,
    }
}

#[test]
fn a_pending_report_may_end_as_repeated_merged_or_referred() {
    use CaseKind::Report as R;
    let verifying = |cmd| go(R, S::PendingVerification, Actor::Mediator, cmd);
    let earlier = || "JB-2026-000001".to_owned();
    assert_eq!(
        verifying(Command::MarkRepeated {
            case_no: earlier(),
            detail: None
        }),
        Ok(Some(S::Repeated))
    );
    assert_eq!(
        verifying(Command::MergeReport { case_no: earlier() }),
        Ok(Some(S::Merged))
    );
    assert_eq!(
        verifying(Command::ReferReporter {
            authority: "江门市公安局".into(),
            detail: None
        }),
        Ok(Some(S::ReferredElsewhere))
    );
    assert_eq!(
        field_of(verifying(Command::MergeReport {
            case_no: " ".into()
        })),
        Some("case_no")
    );
    assert_eq!(
        field_of(verifying(Command::ReferReporter {
            authority: String::new(),
            detail: None
        })),
        Some("where")
    );
    // Final states, reopened by a supervisor only.
    for end in [S::Repeated, S::ReferredElsewhere] {
        assert!(is_closed(end));
        assert!(allowed(R, end, Actor::Supervisor).contains(&A::Reopen));
        assert!(!allowed(R, end, Actor::Consumer).contains(&A::Rate));
    }
    // Not while paused, not by a reporter, and never on a complaint.
    let refer = || Command::ReferReporter {
        authority: "江门市公安局".into(),
        detail: None,
    };
    assert!(go(R, S::VerificationPaused, Actor::Mediator, refer()).is_err());
    assert!(go(R, S::PendingVerification, Actor::Consumer, refer()).is_err());
    assert!(matches!(
        go(
            CaseKind::Complaint,
            S::PendingAcceptance,
            Actor::Mediator,
            refer()
        ),
        Err(Refusal::NotAllowed { .. })
    ));
    // A report merges as a report (Art. 35), not as a complaint does.
    assert!(!allowed(R, S::PendingVerification, Actor::Mediator).contains(&A::MergeInto));
}

#[test]
fn a_lead_is_opened_from_any_mediation_and_changes_nothing_on_the_complaint() {
    use CaseKind::Complaint as C;
    let lead = |detail: &str| Command::OpenLeadReport {
        detail: detail.into(),
    };
    for state in [S::InMediation, S::MediationPaused] {
        assert_eq!(
            go(C, state, Actor::Mediator, lead("另有过期商品在售")),
            Ok(None)
        );
        assert_eq!(
            field_of(go(C, state, Actor::Mediator, lead(" "))),
            Some("detail")
        );
        assert!(go(C, state, Actor::Enterprise, lead("x")).is_err());
        assert!(go(C, state, Actor::Consumer, lead("x")).is_err());
    }
    for state in [S::PendingAcceptance, S::Settled, S::OdrNegotiation] {
        assert!(
            go(C, state, Actor::Mediator, lead("x")).is_err(),
            "{state:?}"
        );
    }
    assert!(
        go(
            CaseKind::Report,
            S::PendingVerification,
            Actor::Mediator,
            lead("x")
        )
        .is_err()
    );
}
