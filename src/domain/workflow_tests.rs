use chrono::NaiveDate;

use super::*;
use crate::domain::codes::PauseReason;

fn facts() -> Facts {
    Facts {
        today: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        rating_open_until: None,
        already_rated: false,
        has_referral: false,
        referral_submitted: false,
        party_messages_today: 0,
        odr_answered: false,
        verification_extended: false,
        unified_dispatch: false,
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
        represented_consent: false,
        agreement_form: Default::default(),
        performance_due: None,
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
    f.rating_open_until = Some(NaiveDate::from_ymd_opt(2026, 11, 21).unwrap());
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

fn message(to: Recipient) -> Command {
    Command::Message {
        to,
        text: "请联系我".into(),
    }
}

fn refusal_code(r: Result<Option<CaseState>, Refusal>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(Refusal::Invalid { code, .. }) => code,
        Err(Refusal::NotAllowed { .. }) => "not_allowed",
        Err(Refusal::TooMany) => "too_many",
    }
}

#[test]
fn parties_write_to_the_mediator_or_while_negotiating_to_the_other_side() {
    use CaseKind::{Complaint as C, Report as R};
    use Recipient::*;
    let cases = [
        // (kind, state, actor, to, expected)
        (C, S::PendingAcceptance, Actor::Consumer, Mediator, "ok"),
        (
            C,
            S::PendingAcceptance,
            Actor::Consumer,
            Enterprise,
            "not_negotiating",
        ),
        (C, S::OdrNegotiation, Actor::Consumer, Enterprise, "ok"),
        (C, S::InMediation, Actor::Consumer, Enterprise, "ok"),
        (C, S::MediationPaused, Actor::Consumer, Enterprise, "ok"),
        (
            C,
            S::InMediation,
            Actor::Consumer,
            Reporter,
            "recipient_not_allowed",
        ),
        (
            C,
            S::InMediation,
            Actor::Consumer,
            Complainant,
            "recipient_not_allowed",
        ),
        (R, S::PendingVerification, Actor::Consumer, Mediator, "ok"),
        (
            R,
            S::PendingVerification,
            Actor::Consumer,
            Enterprise,
            "not_for_report",
        ),
        (
            R,
            S::PendingVerification,
            Actor::Consumer,
            Reporter,
            "recipient_not_allowed",
        ),
        (C, S::OdrNegotiation, Actor::Enterprise, Complainant, "ok"),
        (C, S::InMediation, Actor::Enterprise, Complainant, "ok"),
        (
            C,
            S::PendingAcceptance,
            Actor::Enterprise,
            Complainant,
            "not_negotiating",
        ),
        (C, S::PendingAcceptance, Actor::Enterprise, Mediator, "ok"),
        (
            C,
            S::InMediation,
            Actor::Enterprise,
            Reporter,
            "recipient_not_allowed",
        ),
        (
            C,
            S::InMediation,
            Actor::Enterprise,
            Enterprise,
            "recipient_not_allowed",
        ),
        (C, S::PendingAcceptance, Actor::Mediator, Complainant, "ok"),
        (R, S::PendingVerification, Actor::Mediator, Reporter, "ok"),
    ];
    for (kind, state, actor, to, expected) in cases {
        let got = refusal_code(go(kind, state, actor, message(to)));
        assert_eq!(got, expected, "{kind:?} {state:?} {actor:?} → {to:?}");
    }
}

#[test]
fn a_party_writes_at_most_ten_messages_a_day_and_staff_any_number() {
    let mut f = facts();
    f.party_messages_today = PARTY_MESSAGES_PER_DAY - 1;
    let d = |f: &Facts, actor, c: &Command| {
        decide(CaseKind::Complaint, S::OdrNegotiation, actor, c, f).map(|o| o.to)
    };
    let answer = Command::OdrAnswer {
        proposal: "退款".into(),
    };
    assert_eq!(
        d(&f, Actor::Consumer, &message(Recipient::Mediator)),
        Ok(None)
    );
    assert_eq!(d(&f, Actor::Enterprise, &answer), Ok(None));
    f.party_messages_today = PARTY_MESSAGES_PER_DAY;
    assert_eq!(
        d(&f, Actor::Consumer, &message(Recipient::Mediator)),
        Err(Refusal::TooMany)
    );
    assert_eq!(d(&f, Actor::Enterprise, &answer), Err(Refusal::TooMany));
    assert_eq!(
        d(&f, Actor::Mediator, &message(Recipient::Complainant)),
        Ok(None)
    );
}

#[test]
fn a_business_answers_an_odr_negotiation_once() {
    let mut f = facts();
    let answer = Command::OdrAnswer {
        proposal: "退款".into(),
    };
    let d = |f: &Facts| {
        decide(
            CaseKind::Complaint,
            S::OdrNegotiation,
            Actor::Enterprise,
            &answer,
            f,
        )
    };
    assert_eq!(d(&f).map(|o| o.to), Ok(None));
    f.odr_answered = true;
    assert!(
        matches!(d(&f), Err(Refusal::NotAllowed { allowed }) if !allowed.contains(&ActionKind::OdrAnswer))
    );
    assert!(
        !allowed_after(
            CaseKind::Complaint,
            S::OdrNegotiation,
            Actor::Enterprise,
            true,
            false
        )
        .contains(&ActionKind::OdrAnswer)
    );
}

#[test]
fn a_supplement_is_a_bounded_message_to_the_mediator() {
    assert_eq!(
        supplement("  发票在附件里  "),
        Ok(Command::Message {
            to: Recipient::Mediator,
            text: "发票在附件里".into()
        })
    );
    assert_eq!(supplement(" ").unwrap_err().code, "length");
    assert!(supplement(&"字".repeat(SUPPLEMENT_MAX_CHARS)).is_ok());
    assert!(supplement(&"字".repeat(SUPPLEMENT_MAX_CHARS + 1)).is_err());
}

#[test]
fn a_supervisor_extends_a_report_verification_once_with_a_reason() {
    use CaseKind::Report as R;
    let extend = |reason: &str| Command::ExtendVerification {
        reason: reason.into(),
    };
    let in_verification = |actor, cmd| go(R, S::PendingVerification, actor, cmd);
    assert_eq!(
        in_verification(Actor::Supervisor, extend("需调取监控")),
        Ok(None)
    );
    assert_eq!(
        in_verification(Actor::Admin, extend("需调取监控")),
        Ok(None)
    );
    assert_eq!(
        refusal_code(in_verification(Actor::Mediator, extend("需调取监控"))),
        "not_allowed"
    );
    assert_eq!(
        refusal_code(in_verification(Actor::Supervisor, extend("  "))),
        "required"
    );
    assert_eq!(
        refusal_code(go(R, S::CaseOpened, Actor::Supervisor, extend("迟了"))),
        "not_allowed"
    );
    let extended = Facts {
        verification_extended: true,
        ..facts()
    };
    let again = decide(
        R,
        S::PendingVerification,
        Actor::Supervisor,
        &extend("再延一次"),
        &extended,
    )
    .map(|o| o.to);
    assert_eq!(refusal_code(again), "already_extended");
}

#[test]
fn a_report_pauses_for_identification_and_resumes_to_verification() {
    use CaseKind::{Complaint as C, Report as R};
    let pause = |reason| Command::Pause { reason };
    assert_eq!(
        go(
            R,
            S::PendingVerification,
            Actor::Mediator,
            pause(PauseReason::RightsHolderIdentification)
        ),
        Ok(Some(S::VerificationPaused))
    );
    assert_eq!(
        go(
            R,
            S::PendingVerification,
            Actor::Mediator,
            pause(PauseReason::Testing)
        ),
        Ok(Some(S::VerificationPaused))
    );
    assert_eq!(
        go(R, S::VerificationPaused, Actor::Mediator, Command::Resume),
        Ok(Some(S::PendingVerification))
    );
    // Nothing is decided while paused but resuming.
    assert_eq!(
        refusal_code(go(
            R,
            S::VerificationPaused,
            Actor::Mediator,
            Command::OpenCase { detail: None }
        )),
        "not_allowed"
    );
    assert_eq!(
        refusal_code(go(
            C,
            S::InMediation,
            Actor::Mediator,
            pause(PauseReason::RightsHolderIdentification)
        )),
        "not_for_complaint"
    );
    assert_eq!(
        refusal_code(go(
            R,
            S::PendingVerification,
            Actor::Mediator,
            pause(PauseReason::Recusal)
        )),
        "not_for_report"
    );
}
