//! Report clocks under Order 121: the policy's extension length, and the fresh period a
//! merged report with new facts starts (Art. 35).

use chrono::NaiveDate;

use super::*;
use crate::domain::policy::{ClockRule, PolicyTable};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn ev(kind: &str, on: NaiveDate, to: Option<CaseState>) -> ClockEvent {
    ClockEvent {
        kind: kind.into(),
        on,
        to_state: to,
    }
}

fn verification_due(policy: &PolicyVersion, events: &[ClockEvent], today: NaiveDate) -> NaiveDate {
    let calendar = WorkCalendar::builtin();
    let clocks = derive(&ClockInputs {
        kind: CaseKind::Report,
        events,
        referral: None,
        policy,
        calendar: &calendar,
        today,
    });
    current_stage(&clocks).unwrap().due
}

#[test]
fn the_extension_is_as_long_as_the_policy_says() {
    let table = PolicyTable::builtin();
    let order_121 = table.get("samr-order-121").unwrap();
    let events = [
        ev("submitted", d(11, 2), Some(CaseState::PendingVerification)),
        ev("extend_verification", d(11, 10), None),
    ];
    // 15 working days from Mon 11-02 is Mon 11-23; 15 more is Mon 12-14.
    assert_eq!(
        verification_due(order_121, &events[..1], d(11, 10)),
        d(11, 23)
    );
    assert_eq!(verification_due(order_121, &events, d(11, 10)), d(12, 14));
    let shorter = PolicyVersion {
        verification_extension: ClockRule {
            days: 5,
            ..order_121.verification_extension.clone()
        },
        ..order_121.clone()
    };
    assert_eq!(verification_due(&shorter, &events, d(11, 10)), d(11, 30));
}

#[test]
fn a_merged_report_restarts_verification_from_its_receipt() {
    let table = PolicyTable::builtin();
    let order_121 = table.get("samr-order-121").unwrap();
    let merged = ev(
        REPORT_MERGED,
        d(11, 12),
        Some(CaseState::PendingVerification),
    )
    .with_reason(Some("2026-11-09"));
    assert_eq!(
        merged.on,
        d(11, 9),
        "the restart counts from the later report's receipt"
    );
    let events = [
        ev("submitted", d(11, 2), Some(CaseState::PendingVerification)),
        ev("extend_verification", d(11, 4), None),
        merged,
    ];
    // 15 working days from Mon 11-09 is Mon 11-30; the old extension went with the old period.
    assert_eq!(verification_due(order_121, &events, d(11, 12)), d(11, 30));
    // Other events keep their own date whatever their reason says.
    let note = ev("not_open", d(11, 12), None).with_reason(Some("2026-01-01"));
    assert_eq!(note.on, d(11, 12));
    // An unreadable restart date leaves the event's own date.
    let odd = ev(REPORT_MERGED, d(11, 12), None).with_reason(Some("soon"));
    assert_eq!(odd.on, d(11, 12));
}
