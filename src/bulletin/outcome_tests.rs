use chrono::{NaiveDate, NaiveDateTime};

use super::*;
use crate::domain::case::CaseKind;
use crate::domain::routing::Flags;
use crate::reference::ReferenceData;
use crate::service::case_view::{LoadedCase, clocks_of};
use crate::store::models::{CaseRow, EventRow, NewCaseRow, NewEventRow};
use crate::store::workflow::ReferralRow;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// A complaint with a serious adverse reaction: received, accepted into mediation, its
/// referral submitted; as (kind, UTC time, state entered).
const LOG: [(&str, &str, Option<&str>); 3] = [
    ("submitted", "2026-03-02 02:00", Some("pending_acceptance")),
    ("accept", "2026-03-04 03:00", Some("in_mediation")),
    ("submit_referral", "2026-03-05 03:00", None),
];

fn case_row(policy_version: &str, received: NaiveDate) -> CaseRow {
    let now = at("2026-03-02 02:00");
    CaseRow {
        id: 7,
        data: NewCaseRow {
            received_date: received,
            policy_version: policy_version.into(),
            due_date: received,
            district: "310101".into(),
            event_count: 3,
            ..NewCaseRow::example("TS-2026-000007", now)
        },
    }
}

fn event_row(seq: usize, (kind, when, to): (&str, &str, Option<&str>)) -> EventRow {
    EventRow {
        id: seq as i64 + 1,
        data: NewEventRow {
            case_id: 7,
            case_seq: seq as i32 + 1,
            kind: kind.into(),
            actor: String::new(),
            actor_role: String::new(),
            at: at(when),
            from_state: None,
            to_state: to.map(|s| s.parse().unwrap()),
            reason: None,
            payload: "{}".into(),
            prev_hash: String::new(),
            hash: String::new(),
            personal_digest: None,
            chain_format: 2,
        },
    }
}

#[test]
fn case_view_and_bulletin_derive_the_same_clocks_for_a_case_with_a_referral() {
    let reference = ReferenceData::builtin().snapshot();
    let received = day("2026-03-02");
    let as_of = day("2026-04-01");
    let policy_version = reference.policy.select(received).unwrap().id.clone();
    let loaded = LoadedCase {
        case: case_row(&policy_version, received),
        respondent_uscc: None,
        mail_notices: Vec::new(),
        events: LOG
            .iter()
            .enumerate()
            .map(|(i, e)| event_row(i, *e))
            .collect(),
        referral: Some(ReferralRow {
            case_id: 7,
            severity: Severity::Serious,
            opened_on: received,
            due_date: received,
            submitted_on: Some(day("2026-03-05")),
        }),
    };
    let cohort_case = CohortCase {
        id: 7,
        kind: CaseKind::Complaint,
        state: CaseState::InMediation,
        received_date: received,
        district: "310101".into(),
        category: None,
        nature: "quality".into(),
        channel: "web".parse().unwrap(),
        purchase_online: None,
        flags: Flags::default(),
        policy_version,
    };
    let cohort_events: Vec<CohortEvent> = LOG
        .iter()
        .map(|(kind, when, to)| CohortEvent {
            case_id: 7,
            kind: (*kind).into(),
            at: at(when),
            to_state: to.map(|s| s.parse().unwrap()),
            reason: None,
        })
        .collect();

    let page = clocks_of(&loaded, &reference, as_of).unwrap();
    let (_, bulletin) = cohort_clocks(
        &cohort_case,
        &cohort_events,
        Some(Severity::Serious),
        &reference,
        as_of,
    );

    assert_eq!(bulletin, page);
    let referral = page
        .iter()
        .find(|c| c.name == Clock::AdverseSerious)
        .expect("the referral clock runs from the day received");
    assert_eq!(referral.started, received);
    assert_eq!(referral.ended, Some(day("2026-03-05")));
}
