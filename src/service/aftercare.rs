//! Termination notices and follow-up visits as the service sees them: which delivered mail
//! told a party, which steps recorded a notice, and which settled complaints the follow-up
//! sample draws. The rules themselves are in `domain::aftercare`.

use chrono::NaiveDate;

use super::ServiceError;
use crate::clock::china_date;
use crate::domain::action::ActionKind;
use crate::domain::aftercare::{Fulfilled, NoticeParty, recorded_notice, told};
use crate::domain::clocks::ClockEvent;
use crate::domain::event_payload::EventPayload;
use crate::store::models::{CaseRow, EventRow};
use crate::store::{Db, outbox};

/// The outbox key of the termination mail to `party` for the step numbered `seq` (the key
/// `mail::after_action` gives every mail of a step).
fn notice_key(case_no: &str, seq: i32, party: NoticeParty) -> String {
    format!("{case_no}/event-{seq}/{}", party.mail_recipient())
}

/// Parties told of a termination by mail the sender delivered, as clock events on the China
/// date it was sent. A mail still queued or failing tells nobody.
pub fn mail_notices(
    conn: &mut Db,
    case: &CaseRow,
    events: &[EventRow],
) -> Result<Vec<ClockEvent>, ServiceError> {
    let keys: Vec<(String, NoticeParty)> = events
        .iter()
        .filter(|e| e.kind == ActionKind::Terminate.as_str())
        .flat_map(|e| {
            NoticeParty::ALL
                .iter()
                .map(move |p| (notice_key(&case.case_no, e.case_seq, *p), *p))
        })
        .collect();
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let wanted: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
    let sent = outbox::sent_times(conn, &wanted)?;
    Ok(sent
        .into_iter()
        .filter_map(|(key, at)| {
            let (_, party) = keys.iter().find(|(k, _)| *k == key)?;
            Some(told(*party, china_date(at.and_utc())))
        })
        .collect())
}

/// Notices staff recorded (`record_notice`), as clock events on the day each was given.
pub fn recorded_notices(events: &[EventRow]) -> Vec<ClockEvent> {
    events
        .iter()
        .filter(|e| e.kind == ActionKind::RecordNotice.as_str())
        .filter_map(|e| {
            let p = EventPayload::parse(&e.payload)?;
            let (party, on) = recorded_notice(p.str_of("party"), p.str_of("date"))?;
            Some(told(party, on))
        })
        .collect()
}

/// The China date of the complaint's last termination.
pub fn terminated_on(events: &[EventRow]) -> Option<NaiveDate> {
    events
        .iter()
        .rev()
        .find(|e| e.kind == ActionKind::Terminate.as_str())
        .map(|e| china_date(e.at.and_utc()))
}

/// What the latest follow-up visit found, if the complaint had one since it was settled.
pub fn latest_follow_up(events: &[EventRow]) -> Option<Fulfilled> {
    events
        .iter()
        .rev()
        .take_while(|e| e.kind != ActionKind::Reopen.as_str())
        .find(|e| e.kind == ActionKind::FollowUp.as_str())
        .and_then(|e| EventPayload::parse(&e.payload))
        .and_then(|p| p.str_of("fulfilled").and_then(Fulfilled::parse))
}
