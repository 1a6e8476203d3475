use chrono::NaiveDate;

use super::*;

fn facts() -> Facts {
    Facts {
        today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        closed_on: None,
        rating_days: 20,
        already_rated: false,
        has_referral: false,
        referral_submitted: false,
    }
}

fn go(
    kind: CaseKind,
    state: CaseState,
    actor: Actor,
    cmd: Command,
) -> Result<Option<CaseState>, Refusal> {
    decide(kind, state, actor, &cmd, &facts()).map(|o| o.to)
}

#[test]
fn complaint_paths() {
    use CaseKind::Complaint as C;
    assert_eq!(
        go(C, S::PendingAcceptance, Actor::Mediator, Command::Accept),
        Ok(Some(S::InMediation))
    );
    assert_eq!(
        go(
            C,
            S::InMediation,
            Actor::Mediator,
            Command::Pause {
                reason: PauseReason::Testing
            }
        ),
        Ok(Some(S::MediationPaused))
    );
    assert_eq!(
        go(C, S::MediationPaused, Actor::Mediator, Command::Resume),
        Ok(Some(S::InMediation))
    );
    let settle = Command::Settle {
        agreement: "退款".into(),
        recovered_fen: 12900,
    };
    assert_eq!(
        go(C, S::InMediation, Actor::Mediator, settle),
        Ok(Some(S::Settled))
    );
    assert_eq!(
        go(
            C,
            S::OdrNegotiation,
            Actor::Consumer,
            Command::ConsumerReject { reason: None }
        ),
        Ok(Some(S::PendingAcceptance))
    );
    assert_eq!(
        go(C, S::OdrNegotiation, Actor::System, Command::OdrExpire),
        Ok(Some(S::PendingAcceptance))
    );
    assert_eq!(
        go(
            C,
            S::OdrNegotiation,
            Actor::Consumer,
            Command::ConsumerAccept
        ),
        Ok(Some(S::Settled))
    );
    let to_bureau = Command::Transfer {
        bureau: Some("440705".into()),
        outside: None,
        reason: "经营地在新会".into(),
    };
    assert_eq!(
        go(C, S::PendingAcceptance, Actor::Mediator, to_bureau),
        Ok(Some(S::PendingAcceptance))
    );
    let outside = Command::Transfer {
        bureau: None,
        outside: Some(true),
        reason: "外市".into(),
    };
    assert_eq!(
        go(C, S::PendingAcceptance, Actor::Mediator, outside),
        Ok(Some(S::TransferredOut))
    );
    assert_eq!(
        go(
            C,
            S::Settled,
            Actor::Supervisor,
            Command::Reopen { reason: None }
        ),
        Ok(Some(S::PendingAcceptance))
    );
}

#[test]
fn illegal_actions_list_what_is_allowed() {
    let refusal = go(
        CaseKind::Complaint,
        S::PendingAcceptance,
        Actor::Mediator,
        Command::Resume,
    )
    .unwrap_err();
    let Refusal::NotAllowed { allowed } = refusal else {
        panic!("expected NotAllowed")
    };
    assert!(allowed.contains(&ActionKind::Accept) && allowed.contains(&ActionKind::NotAccept));
    assert!(!allowed.contains(&ActionKind::Resume));
    // Mediators cannot reopen; enterprises cannot accept; reports have no mediation.
    assert!(
        go(
            CaseKind::Complaint,
            S::Settled,
            Actor::Mediator,
            Command::Reopen { reason: None }
        )
        .is_err()
    );
    assert!(
        go(
            CaseKind::Complaint,
            S::PendingAcceptance,
            Actor::Enterprise,
            Command::Accept
        )
        .is_err()
    );
    assert!(
        go(
            CaseKind::Report,
            S::PendingVerification,
            Actor::Mediator,
            Command::Accept
        )
        .is_err()
    );
    assert_eq!(
        go(
            CaseKind::Report,
            S::PendingVerification,
            Actor::Mediator,
            Command::OpenCase { detail: None }
        ),
        Ok(Some(S::CaseOpened))
    );
}

#[test]
fn rating_window_and_score() {
    let mut f = facts();
    f.closed_on = Some(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    let rate = |score| Command::Rate {
        score,
        comment: None,
    };
    let d = |f: &Facts, c: Command| decide(CaseKind::Complaint, S::Settled, Actor::Consumer, &c, f);
    assert_eq!(d(&f, rate(5)), Ok(Outcome { to: None }));
    assert!(matches!(
        d(&f, rate(6)),
        Err(Refusal::Invalid {
            code: "score_range",
            ..
        })
    ));
    f.today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    assert!(matches!(
        d(&f, rate(4)),
        Err(Refusal::Invalid {
            code: "rating_closed",
            ..
        })
    ));
}

#[test]
fn staff_never_message_the_business_a_report_names() {
    let message = |to| Command::Message {
        to,
        text: "请说明情况".into(),
    };
    let refused = go(
        CaseKind::Report,
        S::PendingVerification,
        Actor::Mediator,
        message(Recipient::Enterprise),
    );
    assert!(
        matches!(
            refused,
            Err(Refusal::Invalid {
                field: "to",
                code: "not_for_report",
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        go(
            CaseKind::Report,
            S::PendingVerification,
            Actor::Mediator,
            message(Recipient::Reporter),
        ),
        Ok(None)
    );
    assert_eq!(
        go(
            CaseKind::Complaint,
            S::InMediation,
            Actor::Mediator,
            message(Recipient::Enterprise),
        ),
        Ok(None)
    );
}
