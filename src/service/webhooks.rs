//! Webhook events for ODR businesses: queued in the transaction of the step that causes them
//! (keyed by that step, so a retried transaction makes no second), and delivered by the
//! sender (`crate::webhooks`) through `claim` and `record`.
//!
//! What a business is told is decided by `domain::webhook`; a report never makes an event
//! (Order 121 Art. 37), and a body carries ids and types only: the business reads the case,
//! and the consumer's words, with its API key, so no personal data sits in its logs.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::ServiceError;
use super::case_view::LoadedCase;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::policy::Clock;
use crate::domain::webhook::{
    EventBody, EventData, EventType, event_for_step, next_attempt, reaches_business,
};
use crate::domain::workflow::{Actor, Command};
use crate::store::webhooks::{self as store, DeliveryRow, NewDelivery, Outcome};
use crate::store::{Db, StoreError};
use crate::webhooks::seal::{ServerKey, WebhookSecret};

/// The case and the moment an event is about.
pub struct About<'a> {
    pub case_id: i64,
    pub case_no: &'a str,
    pub kind: CaseKind,
    pub respondent_uscc: Option<&'a str>,
    pub state: CaseState,
    pub now: DateTime<Utc>,
}

impl<'a> About<'a> {
    pub fn of(loaded: &'a LoadedCase, state: CaseState, now: DateTime<Utc>) -> About<'a> {
        About {
            case_id: loaded.case.id,
            case_no: &loaded.case.case_no,
            kind: loaded.kind(),
            respondent_uscc: loaded.respondent_uscc.as_deref(),
            state,
            now,
        }
    }
}

/// The event id of the event `event_type` caused by `cause` on a case: the same for a retried
/// transaction, so the delivery is queued once.
fn event_id(case_no: &str, cause: &str, event_type: EventType) -> String {
    let digest = Sha256::digest(format!("{case_no}/{cause}/{}", event_type.as_str()));
    format!("evt_{}", &hex::encode(digest)[..32])
}

/// Queues `event_type` for the case's business if it has an endpoint switched on. `cause`
/// names what caused it (the step's event, a reminder's clock and due date).
pub fn queue(
    conn: &mut Db,
    about: &About,
    event_type: EventType,
    cause: &str,
    due_date: Option<NaiveDate>,
) -> Result<bool, ServiceError> {
    if !reaches_business(about.kind) {
        return Ok(false);
    }
    let Some(uscc) = about.respondent_uscc else {
        return Ok(false);
    };
    if !store::endpoint_of(conn, uscc)?.is_some_and(|e| e.enabled) {
        return Ok(false);
    }
    let id = event_id(about.case_no, cause, event_type);
    let body = EventBody {
        id: id.clone(),
        event_type,
        created_at: about.now,
        data: EventData {
            case_no: about.case_no.to_owned(),
            state: about.state.as_str().to_owned(),
            api_path: format!("/api/v1/cases/{}", about.case_no),
            due_date,
        },
    };
    let body = serde_json::to_string(&body)
        .map_err(|e| StoreError::Other(format!("webhook body: {e}")))?;
    let now = about.now.naive_utc();
    Ok(store::enqueue(
        conn,
        &NewDelivery {
            event_id: &id,
            uscc,
            case_id: about.case_id,
            case_no: about.case_no,
            event_type: event_type.as_str(),
            body: &body,
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
        },
    )?)
}

/// After a step: the event it sends the business, if any (`domain::webhook::event_for_step`),
/// keyed by the step's sequence number on the case.
pub fn after_step(
    conn: &mut Db,
    about: &About,
    (actor, command): (Actor, &Command),
    to: Option<CaseState>,
    step_seq: i32,
) -> Result<(), ServiceError> {
    if let Some(event_type) = event_for_step(about.kind, actor, command, to) {
        queue(conn, about, event_type, &format!("event-{step_seq}"), None)?;
    }
    Ok(())
}

/// A new complaint routed straight to its business for direct negotiation.
pub fn after_intake(conn: &mut Db, about: &About) -> Result<(), ServiceError> {
    if about.state == CaseState::OdrNegotiation {
        queue(conn, about, EventType::CaseCreated, "received", None)?;
    }
    Ok(())
}

/// The ODR negotiation clock of a case is about to run out: the business is the one to act.
pub fn reminder(
    conn: &mut Db,
    about: &About,
    clock: Clock,
    due: NaiveDate,
) -> Result<(), ServiceError> {
    // Only the ODR negotiation clock is the business's own deadline: the bureau's internal
    // clocks (acceptance, adverse-reaction referral, …) never reach the business.
    if about.state == CaseState::OdrNegotiation && clock == Clock::OdrNegotiation {
        let cause = format!("reminder-{clock:?}-{due}");
        queue(
            conn,
            about,
            EventType::CaseDeadlineReminder,
            &cause,
            Some(due),
        )?;
    }
    Ok(())
}

/// A delivery ready to send: where, the body and the secret to sign it with.
pub struct Due {
    pub row: DeliveryRow,
    pub url: String,
    pub secret: Option<WebhookSecret>,
}

/// How long a sender holds a claimed delivery: well past one request's timeout.
pub const LEASE: Duration = Duration::seconds(60);

/// Claims up to `limit` due deliveries for this sender.
pub fn claim(
    conn: &mut Db,
    key: &ServerKey,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Due>, ServiceError> {
    let now = now.naive_utc();
    let rows = store::claim_due(conn, now, now + LEASE, limit)?;
    let mut due = Vec::with_capacity(rows.len());
    for row in rows {
        let endpoint = store::endpoint_of(conn, &row.uscc)?;
        let (url, secret) = match endpoint {
            Some(e) if e.enabled => (e.url, key.open(&e.secret_sealed)),
            _ => (String::new(), None),
        };
        due.push(Due { row, url, secret });
    }
    Ok(due)
}

/// Records one attempt: a 2xx is delivered; anything else is tried again on the schedule
/// of `domain::webhook::next_attempt`, until a day has passed (then dead).
pub fn record(
    conn: &mut Db,
    row: &DeliveryRow,
    status: Option<u16>,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool, ServiceError> {
    let now = now.naive_utc();
    let outcome = match (status, error) {
        (Some(s), None) if (200..300).contains(&s) => Outcome::Delivered,
        (status, error) => Outcome::Failed {
            next: next_attempt(row.created_at, row.attempts.saturating_add(1), now),
            error: error.unwrap_or_else(|| format!("HTTP {}", status.unwrap_or_default())),
        },
    };
    Ok(store::record(
        conn,
        row,
        status.map(i32::from),
        &outcome,
        now,
    )?)
}
