use chrono::NaiveDate;

use super::*;
use crate::domain::policy::{DayUnit, PolicyTable};

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

/// Clocks under Order 20's rules (working-day mediation), on 2026's holiday calendar.
fn run(
    kind: CaseKind,
    events: &[ClockEvent],
    referral: Option<Clock>,
    today: NaiveDate,
) -> Vec<ClockView> {
    run_under("samr-order-20", kind, events, referral, today)
}

fn run_under(
    policy: &str,
    kind: CaseKind,
    events: &[ClockEvent],
    referral: Option<Clock>,
    today: NaiveDate,
) -> Vec<ClockView> {
    let table = PolicyTable::builtin();
    let calendar = WorkCalendar::builtin();
    let policy = table.get(policy).unwrap();
    derive(&ClockInputs {
        kind,
        events,
        referral,
        policy,
        calendar: &calendar,
        today,
    })
}

#[test]
fn acceptance_across_national_day_then_mediation_with_a_pause() {
    use CaseState::*;
    let events = [
        ev("submitted", d(9, 30), Some(PendingAcceptance)),
        ev("accept", d(10, 14), Some(InMediation)),
    ];
    let clocks = run(CaseKind::Complaint, &events, None, d(10, 14));
    assert_eq!(clocks[0].name, Clock::Acceptance);
    assert_eq!(clocks[0].due, d(10, 15));
    assert_eq!(clocks[0].verdict, Some(Verdict::Timely));
    // 45 working days from Oct 14: no holidays left in 2026 after October.
    assert_eq!(clocks[1].name, Clock::Mediation);
    assert_eq!(clocks[1].due, d(12, 16));
    assert_eq!(clocks[1].remaining_working_days, 45);

    // Paused for testing Oct 19 (Mon) to Oct 26 (Mon): 5 working days added.
    let mut paused = events.to_vec();
    paused.push(ev("pause", d(10, 19), Some(MediationPaused)));
    let during = run(CaseKind::Complaint, &paused, None, d(10, 21));
    assert!(during[1].paused && during[1].is_running());
    assert_eq!(during[1].due, d(12, 18), "two paused working days so far");
    paused.push(ev("resume", d(10, 26), Some(InMediation)));
    let after = run(CaseKind::Complaint, &paused, None, d(10, 27));
    assert!(!after[1].paused);
    assert_eq!(after[1].due, d(12, 23));
    paused.push(ev("settle", d(12, 22), Some(Settled)));
    let done = run(CaseKind::Complaint, &paused, None, d(12, 30));
    assert_eq!(done[1].verdict, Some(Verdict::Timely));
    assert!(!done[1].overdue);
    assert_eq!(done[2].name, Clock::Rating);
    assert_eq!(done[2].due, NaiveDate::from_ymd_opt(2027, 1, 11).unwrap());
}

#[test]
fn a_paused_clock_is_not_overdue_until_it_runs_again() {
    use CaseState::*;
    // Mediation due Dec 16, paused after it passed: it stands still, so not overdue.
    let mut events = vec![
        ev("submitted", d(9, 30), Some(PendingAcceptance)),
        ev("accept", d(10, 14), Some(InMediation)),
        ev("pause", d(12, 21), Some(MediationPaused)),
    ];
    let paused = run(CaseKind::Complaint, &events, None, d(12, 28));
    assert!(paused[1].paused && !paused[1].overdue);
    events.push(ev("resume", d(12, 29), Some(InMediation)));
    let resumed = run(CaseKind::Complaint, &events, None, d(12, 30));
    assert!(resumed[1].overdue, "due {}", resumed[1].due);
    assert!(!CLOCKED_STATES.contains(&MediationPaused));
}

#[test]
fn odr_failure_starts_acceptance_then_late_verdict_is_frozen() {
    use CaseState::*;
    let events = [
        ev("submitted", d(11, 2), Some(OdrNegotiation)),
        ev("odr_expire", d(11, 17), Some(PendingAcceptance)),
        ev("accept", d(11, 27), Some(InMediation)),
    ];
    let clocks = run(CaseKind::Complaint, &events, None, d(11, 30));
    assert_eq!(
        (clocks[0].name, clocks[0].due),
        (Clock::OdrNegotiation, d(11, 16))
    );
    assert_eq!(clocks[0].verdict, Some(Verdict::Late));
    assert_eq!(
        (clocks[1].name, clocks[1].started, clocks[1].due),
        (Clock::Acceptance, d(11, 17), d(11, 26))
    );
    assert_eq!(clocks[1].verdict, Some(Verdict::Late));
    assert!(!clocks[1].overdue, "a frozen verdict is not overdue");
}

#[test]
fn overdue_provisional_and_referral_clocks() {
    use CaseState::*;
    let events = [ev("submitted", d(12, 20), Some(PendingVerification))];
    let clocks = run(
        CaseKind::Report,
        &events,
        None,
        NaiveDate::from_ymd_opt(2027, 1, 20).unwrap(),
    );
    assert_eq!(clocks[0].name, Clock::Verification);
    assert!(
        clocks[0].provisional,
        "due in 2027, whose calendar is not loaded"
    );
    assert!(clocks[0].overdue);
    assert!(clocks[0].remaining_working_days < 0);

    let events = [
        ev("submitted", d(11, 20), Some(PendingAcceptance)),
        ev("submit_referral", d(11, 21), None),
    ];
    let clocks = run(
        CaseKind::Complaint,
        &events,
        Some(Clock::AdverseSerious),
        d(11, 22),
    );
    let referral = clocks
        .iter()
        .find(|c| c.name == Clock::AdverseSerious)
        .unwrap();
    assert_eq!(referral.due, d(12, 5));
    assert_eq!(referral.verdict, Some(Verdict::Timely));
}

#[test]
fn an_extension_adds_fifteen_working_days_to_the_running_verification_only() {
    use CaseState::*;
    let calendar = WorkCalendar::builtin();
    let received = d(9, 1);
    let submitted = ev("submitted", received, Some(PendingVerification));
    let due = |events: &[ClockEvent]| {
        let clocks = run(CaseKind::Report, events, None, d(9, 10));
        current_stage(&clocks).unwrap().due
    };
    let plain = due(std::slice::from_ref(&submitted));
    // Sunday 2026-09-20 is a make-up working day.
    assert_eq!(plain, d(9, 21));
    let extended = due(&[submitted.clone(), ev("extend_verification", d(9, 10), None)]);
    assert_eq!(extended, calendar.add_working_days(plain, 15).date);
    assert!(extended > plain);
    // A reopened report verifies afresh, without the old extension.
    let reopened = [
        submitted,
        ev("extend_verification", d(9, 10), None),
        ev("open_case", d(9, 11), Some(CaseOpened)),
        ev("reopen", d(9, 14), Some(PendingVerification)),
    ];
    let clocks = run(CaseKind::Report, &reopened, None, d(9, 14));
    let fresh = current_stage(&clocks).unwrap();
    assert_eq!(fresh.due, calendar.add_working_days(d(9, 14), 15).date);
}

#[test]
fn a_paused_verification_stands_still_and_resumes_later() {
    use CaseState::*;
    let events = [
        ev("submitted", d(11, 2), Some(PendingVerification)),
        ev("pause", d(11, 4), Some(VerificationPaused)),
        ev("resume", d(11, 11), Some(PendingVerification)),
    ];
    // 15 working days from Mon 11-02 is Mon 11-23; the pause took five working days.
    let clocks = run(CaseKind::Report, &events[..1], None, d(11, 3));
    assert_eq!(current_stage(&clocks).unwrap().due, d(11, 23));
    let clocks = run(CaseKind::Report, &events, None, d(11, 12));
    assert_eq!(clocks.len(), 1, "resuming continues the same clock");
    assert_eq!(current_stage(&clocks).unwrap().due, d(11, 30));
    let paused = run(CaseKind::Report, &events[..2], None, d(12, 31));
    let stage = current_stage(&paused).unwrap();
    assert!(stage.paused && !stage.overdue, "{stage:?}");
}

fn mediation_under_121(events: &[ClockEvent], today: NaiveDate) -> ClockView {
    let clocks = run_under("samr-order-121", CaseKind::Complaint, events, None, today);
    clocks
        .into_iter()
        .find(|c| c.name == Clock::Mediation)
        .unwrap()
}

#[test]
fn order_121_mediation_counts_sixty_calendar_days_and_its_pauses() {
    use CaseState::*;
    let mut events = vec![
        ev("submitted", d(9, 10), Some(PendingAcceptance)),
        ev("accept", d(9, 15), Some(InMediation)),
    ];
    // Day 60 is Sat Nov 14: due Mon Nov 16, counted in calendar days.
    let running = mediation_under_121(&events, d(9, 16));
    assert_eq!(running.due, d(11, 16));
    assert_eq!(running.unit, DayUnit::Calendar);
    assert_eq!(running.remaining_days, 61);
    assert!(!running.provisional);

    // Testing from Mon Oct 12 to Mon Oct 19: seven calendar days are not counted.
    events.push(ev("pause", d(10, 12), Some(MediationPaused)));
    let during = mediation_under_121(&events, d(10, 14));
    assert!(during.paused);
    // Two days paused so far: day 62 is Mon Nov 16.
    assert_eq!(during.due, d(11, 16));
    let later = mediation_under_121(&events, d(10, 16));
    // Four days: day 64 is Wed Nov 18.
    assert_eq!(later.due, d(11, 18));
    events.push(ev("resume", d(10, 19), Some(InMediation)));
    let after = mediation_under_121(&events, d(10, 20));
    // Day 67 is Sat Nov 21: due Mon Nov 23.
    assert_eq!(after.due, d(11, 23));
    assert!(!after.paused);
    events.push(ev("settle", d(11, 23), Some(Settled)));
    assert_eq!(
        mediation_under_121(&events, d(11, 30)).verdict,
        Some(Verdict::Timely)
    );
}

#[test]
fn order_121_mediation_overdue_the_day_after_its_working_day_end() {
    use CaseState::*;
    let events = [
        ev("submitted", d(9, 10), Some(PendingAcceptance)),
        ev("accept", d(9, 15), Some(InMediation)),
    ];
    let on_saturday = mediation_under_121(&events, d(11, 14));
    assert!(!on_saturday.overdue);
    assert_eq!(on_saturday.remaining_days, 2);
    assert!(!mediation_under_121(&events, d(11, 16)).overdue);
    let late = mediation_under_121(&events, d(11, 18));
    assert!(late.overdue);
    assert_eq!(late.remaining_days, -2);
}

#[test]
fn termination_notice_runs_until_both_parties_are_told() {
    use crate::domain::aftercare::{TOLD_BUSINESS, TOLD_CONSUMER};
    use CaseState::*;
    let mut events = vec![
        ev("submitted", d(9, 21), Some(PendingAcceptance)),
        ev("accept", d(9, 22), Some(InMediation)),
        ev("terminate", d(9, 30), Some(MediationTerminated)),
        ev(TOLD_CONSUMER, d(10, 9), None),
    ];
    let notice = |events: &[ClockEvent], today| {
        run_under("samr-order-121", CaseKind::Complaint, events, None, today)
            .into_iter()
            .find(|c| c.name == Clock::TerminationNotice)
    };
    // 7 working days across the National Day holiday (Oct 10 a make-up working day).
    let c = notice(&events, d(10, 15)).unwrap();
    assert_eq!((c.due, c.ended, c.overdue), (d(10, 15), None, false));
    assert!(
        notice(&events, d(10, 16)).unwrap().overdue,
        "one party told is not both"
    );
    events.push(ev(TOLD_BUSINESS, d(10, 16), None));
    let c = notice(&events, d(10, 20)).unwrap();
    assert_eq!((c.ended, c.verdict), (Some(d(10, 16)), Some(Verdict::Late)));
    // A reopened complaint has nobody to tell.
    let reopened = [
        events[..3].to_vec(),
        vec![ev("reopen", d(10, 9), Some(PendingAcceptance))],
    ]
    .concat();
    assert_eq!(notice(&reopened, d(10, 20)), None);
}
