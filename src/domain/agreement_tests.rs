use chrono::NaiveDate;

use super::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).unwrap_or_default()
}

fn issued(id: i64) -> Entry {
    Entry::Issued {
        document_id: id,
        kind: DocKind::MediationAgreement,
        number: format!("调〔2026〕第{id}号"),
        sha256: format!("sha{id}"),
    }
}

fn confirmed(id: i64, party: Party, d: u32) -> Entry {
    Entry::Confirmed {
        document_id: id,
        party,
        on: day(d),
    }
}

const WRITTEN: Entry = Entry::Settled {
    form: AgreementForm::Written,
};

#[test]
fn no_settlement_no_state() {
    assert_eq!(derive(&[]), None);
    assert_eq!(derive(&[issued(1)]), None);
    assert_eq!(derive(&[WRITTEN, issued(1), Entry::Reopened]), None);
}

#[test]
fn performed_at_once_or_waived_has_no_document() {
    for (form, status, label) in [
        (
            AgreementForm::PerformedAtOnce,
            Status::PerformedAtOnce,
            "当场履行完毕，不制作调解书",
        ),
        (
            AgreementForm::Waived,
            Status::Waived,
            "双方同意不制作调解书",
        ),
    ] {
        let state = derive(&[Entry::Settled { form }]).expect("settled");
        assert_eq!(state.status, status);
        assert_eq!(state.label, label);
        assert_eq!(state.document_id, None);
        assert!(!state.awaits(Party::Consumer));
    }
}

#[test]
fn each_party_confirms_then_both_have() {
    let state = derive(&[WRITTEN, issued(7)]).expect("settled");
    assert_eq!(state.status, Status::AwaitingBoth);
    assert_eq!(state.number.as_deref(), Some("调〔2026〕第7号"));
    let state = derive(&[WRITTEN, issued(7), confirmed(7, Party::Consumer, 9)]).expect("s");
    assert_eq!(state.label, "待经营者确认");
    assert_eq!(state.consumer_confirmed_on, Some(day(9)));
    let state = derive(&[WRITTEN, issued(7), confirmed(7, Party::Business, 9)]).expect("s");
    assert_eq!(state.label, "待投诉人确认");
    let both = [
        WRITTEN,
        issued(7),
        confirmed(7, Party::Business, 9),
        confirmed(7, Party::Consumer, 12),
    ];
    let state = derive(&both).expect("s");
    assert_eq!(state.status, Status::ConfirmedOnline);
    assert_eq!(state.label, "双方已在线确认（2026年10月12日）");
}

#[test]
fn a_correction_is_confirmed_afresh_and_old_confirmations_do_not_count() {
    let log = [
        WRITTEN,
        issued(7),
        confirmed(7, Party::Consumer, 9),
        issued(8),
        confirmed(7, Party::Business, 10),
    ];
    let state = derive(&log).expect("s");
    assert_eq!(state.document_id, Some(8));
    assert_eq!(state.status, Status::AwaitingBoth);
    assert_eq!(
        confirm_refusal(Some(&state), Party::Consumer, 7).map(|r| r.0),
        Some("not_current_agreement")
    );
    assert_eq!(confirm_refusal(Some(&state), Party::Consumer, 8), None);
}

#[test]
fn the_signed_paper_copy_settles_it() {
    let log = [
        WRITTEN,
        issued(7),
        confirmed(7, Party::Consumer, 9),
        Entry::Signed {
            document_id: 7,
            attachment_id: 3,
            on: day(10),
        },
    ];
    let state = derive(&log).expect("s");
    assert_eq!(state.label, "已上传双方签字的纸质调解书");
    assert_eq!(state.signed_attachment_id, Some(3));
    assert_eq!(
        confirm_refusal(Some(&state), Party::Business, 7).map(|r| r.0),
        Some("signed_on_paper")
    );
    assert_eq!(
        sign_refusal(Some(&state), 7).map(|r| r.0),
        Some("already_signed")
    );
}

#[test]
fn a_second_confirmation_is_refused_by_name() {
    let state = derive(&[WRITTEN, issued(7), confirmed(7, Party::Business, 9)]).expect("s");
    let (code, message) = confirm_refusal(Some(&state), Party::Business, 7).expect("refused");
    assert_eq!(code, "already_confirmed");
    assert_eq!(message, "经营者已确认过本调解书，不能重复确认");
    assert_eq!(
        confirm_refusal(None, Party::Consumer, 7).map(|r| r.0),
        Some("no_agreement")
    );
    let waived = derive(&[Entry::Settled {
        form: AgreementForm::Waived,
    }]);
    assert_eq!(
        confirm_refusal(waived.as_ref(), Party::Consumer, 7).map(|r| r.0),
        Some("no_agreement")
    );
}
