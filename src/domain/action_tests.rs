use super::*;
use crate::domain::aftercare::{ConsumerView, Fulfilled, NoticeMeans, NoticeParty};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::codes::{NotAcceptReason, PauseReason, TerminationReason};
use crate::domain::workflow::{Actor, Command, Recipient, allowed};

#[test]
fn every_kind_round_trips_through_its_string() {
    for kind in ActionKind::ALL {
        assert_eq!(ActionKind::parse(kind.as_str()), Some(kind));
        let wire = serde_json::to_value(kind).expect("serialisable");
        assert_eq!(wire, serde_json::json!(kind.as_str()));
        assert_eq!(serde_json::from_value::<ActionKind>(wire).ok(), Some(kind));
    }
    assert_eq!(ActionKind::parse("nothing"), None);
}

const ACTORS: [Actor; 7] = [
    Actor::Admin,
    Actor::Supervisor,
    Actor::Mediator,
    Actor::Enterprise,
    Actor::Consumer,
    Actor::System,
    Actor::Dispatcher,
];

#[test]
fn every_allowed_step_has_a_label_and_consistent_fields() {
    for kind in [CaseKind::Complaint, CaseKind::Report] {
        for state in CaseState::ALL {
            for actor in ACTORS {
                for action in allowed(kind, state, actor) {
                    assert!(ActionKind::ALL.contains(&action));
                    assert!(!action.label_zh().is_empty() && !action.event_label_zh().is_empty());
                    let fields = action.fields();
                    for (i, f) in fields.iter().enumerate() {
                        assert!(!f.label.is_empty(), "{action:?}.{}", f.name);
                        let later = &fields[i + 1..];
                        assert!(
                            later.iter().all(|g| g.form_name() != f.form_name()),
                            "{action:?} posts {} twice",
                            f.form_name()
                        );
                    }
                }
            }
        }
    }
}

/// One command of every kind.
pub(crate) fn one_of_each() -> Vec<Command> {
    let text = || "说明".to_owned();
    vec![
        Command::Accept,
        Command::NotAccept {
            reason: NotAcceptReason::TimeBarred,
            detail: Some(text()),
        },
        Command::Transfer {
            bureau: Some("440704".into()),
            outside: None,
            reason: text(),
        },
        Command::Pause {
            reason: PauseReason::Testing,
        },
        Command::Resume,
        Command::Settle {
            agreement: text(),
            recovered_fen: 12950,
            represented_consent: true,
            agreement_form: Default::default(),
            performance_due: None,
        },
        Command::Terminate {
            reason: TerminationReason::FraudulentClaim,
            detail: None,
            police_unit: Some("江门市公安局蓬江分局".into()),
            referred_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 8),
        },
        Command::Withdraw,
        Command::Reopen { reason: None },
        Command::MergeInto {
            case_no: "TS202644070300001".into(),
        },
        Command::Assign {
            user: "m@example.gov.cn".into(),
        },
        Command::Note { text: text() },
        Command::Message {
            to: Recipient::Enterprise,
            text: text(),
        },
        Command::OdrAnswer { proposal: text() },
        Command::ConsumerAccept,
        Command::ConsumerReject { reason: None },
        Command::Rate {
            score: 5,
            comment: Some(text()),
        },
        Command::OpenCase { detail: None },
        Command::NotOpen { reason: text() },
        Command::NotifyReporter { text: None },
        Command::SubmitReferral,
        Command::OdrExpire,
        Command::ExtendVerification { reason: text() },
        Command::JoinInto {
            case_no: "TS202644070300002".into(),
            consent: true,
        },
        Command::SetRepresentatives {
            first: "TS202644070300002".into(),
            second: Some("TS202644070300003".into()),
        },
        Command::RequestIdentity {
            due: chrono::NaiveDate::from_ymd_opt(2026, 5, 15).expect("a date"),
            detail: Some(text()),
        },
        Command::ProvideIdentity { detail: None },
        Command::Dispatch {
            bureau: "440705".into(),
        },
        Command::ReturnToDispatcher { reason: text() },
        Command::MarkRepeated {
            case_no: "JB-2026-000001".into(),
            detail: Some(text()),
        },
        Command::MergeReport {
            case_no: "JB-2026-000001".into(),
        },
        Command::OpenLeadReport { detail: text() },
        Command::ReferReporter {
            authority: "江门市公安局".into(),
            detail: Some(text()),
        },
        Command::RecordNotice {
            party: NoticeParty::Business,
            means: NoticeMeans::Phone,
            date: chrono::NaiveDate::from_ymd_opt(2026, 10, 9).unwrap_or_default(),
            detail: Some(text()),
        },
        Command::FollowUp {
            fulfilled: Fulfilled::Partly,
            view: ConsumerView::Neutral,
            detail: Some(text()),
        },
        Command::ConfirmAgreement { document_id: 7 },
        Command::RecordSignedAgreement {
            document_id: 7,
            attachment_id: 3,
        },
        Command::CorrectDocument {
            document_id: 7,
            reason: text(),
            fields: Default::default(),
        },
    ]
}

#[test]
fn a_command_of_each_kind_is_that_kind() {
    let commands = one_of_each();
    let kinds: Vec<ActionKind> = commands.iter().map(Command::kind).collect();
    assert_eq!(kinds, ActionKind::ALL);
    for command in commands.iter().filter(|c| !c.kind().is_sweep_only()) {
        let body = serde_json::to_value(command).expect("serialisable");
        assert_eq!(body["action"], command.kind().as_str());
        for key in body.as_object().expect("an object").keys() {
            assert!(
                key == "action"
                    || key == "outside"
                    || command.kind().fields().iter().any(|f| f.name == key),
                "{:?} has no field spec for {key}",
                command.kind()
            );
        }
    }
}

#[test]
fn parties_see_no_internal_step_and_joint_steps_by_name_only() {
    use super::PartyLine;
    for internal in [
        ActionKind::Note,
        ActionKind::Assign,
        ActionKind::Message,
        ActionKind::SubmitReferral,
    ] {
        assert_eq!(internal.party_line(), PartyLine::Hidden, "{internal:?}");
    }
    assert_eq!(ActionKind::JoinInto.party_line(), PartyLine::LabelOnly);
    assert_eq!(ActionKind::Settle.party_line(), PartyLine::Full);
}
