use chrono::NaiveDate;

use super::*;
use crate::domain::policy::{PolicyError, PolicyTable};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).expect("a date")
}

fn version(id: &str) -> PolicyVersion {
    PolicyTable::builtin().get(id).expect("a version").clone()
}

fn codes(options: &[GroundOption]) -> Vec<&'static str> {
    options.iter().map(|g| g.code).collect()
}

#[test]
fn each_order_lists_its_own_grounds_with_their_articles() {
    let o20 = CaseGrounds::offered(&version("samr-order-20"), None, d(5, 1));
    assert_eq!(
        codes(&o20.not_accept),
        [
            "outside_authority",
            "handled_elsewhere",
            "not_consumer_dispute",
            "time_barred",
            "materials_missing",
            "other_legal_ground"
        ]
    );
    let o20_end = codes(&o20.termination);
    assert_eq!(o20_end.len(), 8, "seven grounds, the first split in two");
    for absent in [
        "party_deceased",
        "testing_fees_disputed",
        "fraudulent_claim",
    ] {
        assert!(!o20_end.contains(&absent), "{absent}");
    }
    assert!(o20_end.contains(&"no_testing_agreement"));

    let o121 = version("samr-order-121");
    let end = CaseGrounds::offered(&o121, None, d(5, 1)).termination;
    assert_eq!(
        codes(&end),
        [
            "withdrawn",
            "settled_by_parties",
            "party_absent",
            "agreement_impossible",
            "testing_fees_disputed",
            "time_limit",
            "not_accept_ground",
            "fraudulent_claim",
            "party_deceased",
            "other_legal_ground"
        ]
    );
    let deceased = end.iter().find(|g| g.code == "party_deceased").expect("7");
    assert_eq!(deceased.basis, "第121号令第二十三条第七项");
    let fees = end
        .iter()
        .find(|g| g.code == "testing_fees_disputed")
        .expect("4");
    assert_eq!(fees.label, "双方对检测、鉴定费用承担无法达成一致");
    assert!(end.iter().all(|g| g.basis.starts_with("第121号令")));
}

#[test]
fn identity_unverified_is_offered_once_a_request_lapsed_unanswered() {
    let o121 = version("samr-order-121");
    let offered = |r: Option<&IdentityRequest>, today| {
        codes(&CaseGrounds::offered(&o121, r, today).not_accept).contains(&"identity_unverified")
    };
    let asked = IdentityRequest {
        requested_on: d(5, 6),
        due: d(5, 15),
        answered_on: None,
    };
    assert!(!offered(None, d(5, 20)));
    assert!(!offered(Some(&asked), d(5, 15)));
    assert!(offered(Some(&asked), d(5, 16)));
    let answered = IdentityRequest {
        answered_on: Some(d(5, 12)),
        ..asked
    };
    assert!(!offered(Some(&answered), d(5, 20)));

    let not_accept = |r: Option<&IdentityRequest>, today| {
        let command = Command::NotAccept {
            reason: NotAcceptReason::IdentityUnverified,
            detail: None,
        };
        check(&o121, &command, r, today)
    };
    assert!(not_accept(Some(&asked), d(5, 16)).is_ok());
    assert!(matches!(
        not_accept(Some(&asked), d(5, 15)),
        Err(Refusal::Invalid {
            field: "reason",
            code: "identity_not_expired",
            ..
        })
    ));
    assert!(not_accept(None, d(5, 16)).is_err());
}

#[test]
fn a_ground_outside_the_case_version_is_refused_on_reason() {
    let o20 = version("samr-order-20");
    let command = Command::Terminate {
        reason: TerminationReason::PartyDeceased,
        detail: None,
        police_unit: None,
        referred_on: None,
    };
    assert!(matches!(
        check(&o20, &command, None, d(3, 2)),
        Err(Refusal::Invalid {
            field: "reason",
            code: "not_in_policy",
            ..
        })
    ));
    assert!(check(&version("samr-order-121"), &command, None, d(5, 2)).is_ok());
    let identity = Command::NotAccept {
        reason: NotAcceptReason::IdentityUnverified,
        detail: None,
    };
    assert!(matches!(
        check(&o20, &identity, None, d(3, 2)),
        Err(Refusal::Invalid {
            field: "reason",
            code: "not_in_policy",
            ..
        })
    ));
}

#[test]
fn a_fraud_ground_needs_its_police_referral() {
    let o121 = version("samr-order-121");
    let terminate = |unit: Option<&str>, on: Option<NaiveDate>| Command::Terminate {
        reason: TerminationReason::FraudulentClaim,
        detail: Some("索要高额赔偿并威胁曝光".into()),
        police_unit: unit.map(Into::into),
        referred_on: on,
    };
    let field = |c: &Command| match check(&o121, c, None, d(6, 1)) {
        Err(Refusal::Invalid { field, code, .. }) => Some((field, code)),
        _ => None,
    };
    assert_eq!(
        field(&terminate(None, Some(d(6, 1)))),
        Some(("police_unit", "required"))
    );
    assert_eq!(
        field(&terminate(Some("江门市公安局"), None)),
        Some(("referred_on", "required"))
    );
    assert_eq!(
        field(&terminate(Some("江门市公安局"), Some(d(6, 2)))),
        Some(("referred_on", "in_future"))
    );
    assert_eq!(field(&terminate(Some("江门市公安局"), Some(d(6, 1)))), None);
    let absent = Command::Terminate {
        reason: TerminationReason::PartyAbsent,
        detail: None,
        police_unit: Some("江门市公安局".into()),
        referred_on: None,
    };
    assert_eq!(field(&absent), Some(("police_unit", "not_referred")));
}

#[test]
fn identity_requests_look_ahead_and_answers_need_a_request() {
    let o121 = version("samr-order-121");
    let request = |due| Command::RequestIdentity { due, detail: None };
    assert!(check(&o121, &request(d(5, 15)), None, d(5, 8)).is_ok());
    assert!(check(&o121, &request(d(5, 8)), None, d(5, 8)).is_err());
    let provide = Command::ProvideIdentity { detail: None };
    assert!(check(&o121, &provide, None, d(5, 8)).is_err());
    let asked = IdentityRequest {
        requested_on: d(5, 6),
        due: d(5, 15),
        answered_on: None,
    };
    assert!(check(&o121, &provide, Some(&asked), d(5, 20)).is_ok());
}

const ONE_VERSION: &str = r#"
[[versions]]
id = "local-2027"
effective_from = "2027-01-01"
GROUNDS
[versions.clocks]
acceptance = { days = 7, unit = "working" }
mediation = { days = 60, unit = "calendar" }
termination_notice = { days = 7, unit = "working" }
verification = { days = 15, unit = "working" }
odr_negotiation = { days = 10, unit = "working" }
rating = { days = 20, unit = "calendar" }
adverse_general = { days = 30, unit = "calendar" }
adverse_serious = { days = 15, unit = "calendar" }
adverse_public_concern = { days = 3, unit = "calendar" }
"#;

fn table(grounds: &str, id: &str) -> Result<PolicyTable, PolicyError> {
    PolicyTable::from_toml(
        &ONE_VERSION
            .replace("GROUNDS", grounds)
            .replace("local-2027", id),
    )
}

#[test]
fn stored_tables_without_grounds_get_the_law_or_every_code() {
    let unknown = table("", "local-2027").expect("parses");
    let v = &unknown.versions[0];
    assert_eq!(v.not_accept_grounds.len(), NotAcceptReason::ALL.len());
    assert_eq!(v.termination_grounds.len(), TerminationReason::ALL.len());
    let o121 = table("", "samr-order-121").expect("parses");
    assert_eq!(
        o121.versions[0].termination_grounds,
        version("samr-order-121").termination_grounds
    );
}

#[test]
fn grounds_with_unknown_or_repeated_codes_do_not_load() {
    let unknown = table(
        r#"termination_grounds = [{ code = "gave_up", basis = "x" }]"#,
        "local-2027",
    );
    assert!(matches!(unknown, Err(PolicyError::Parse(_))), "{unknown:?}");
    let twice = table(
        r#"not_accept_grounds = [{ code = "time_barred" }, { code = "time_barred" }]"#,
        "local-2027",
    );
    assert!(
        matches!(
            twice,
            Err(PolicyError::DuplicateGround {
                code: "time_barred",
                ..
            })
        ),
        "{twice:?}"
    );
    let own = table(
        r#"not_accept_grounds = [{ code = "time_barred", basis = "本地规定" }]"#,
        "local-2027",
    )
    .expect("parses");
    assert_eq!(own.versions[0].not_accept_grounds.len(), 1);
    assert_eq!(
        own.versions[0].termination_grounds.len(),
        TerminationReason::ALL.len()
    );
}
