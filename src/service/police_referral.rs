//! Order 121 Art. 42: terminating mediation for suspected fraud or extortion records the
//! referral to the police as its own staff-only event (`police_referral`), logged just before
//! the termination; the termination's own event keeps only its neutral ground, so no party
//! view, mail or timeline can carry the referral.

use chrono::{DateTime, Utc};

use super::ServiceError;
use crate::domain::codes::TerminationReason;
use crate::domain::grounds::{POLICE_REFERRAL, PoliceReferral};
use crate::domain::workflow::{Actor, Command};
use crate::store::Db;
use crate::store::events::{self, EventDraft};

/// The referral a termination carries, and the command as its event stores it.
pub fn split(command: &Command) -> (Option<PoliceReferral>, Command) {
    match command {
        Command::Terminate {
            reason: reason @ TerminationReason::FraudulentClaim,
            detail,
            police_unit: Some(unit),
            referred_on: Some(on),
        } => (
            Some(PoliceReferral {
                police_unit: unit.trim().to_owned(),
                referred_on: *on,
                detail: detail
                    .as_deref()
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .map(Into::into),
            }),
            Command::Terminate {
                reason: *reason,
                detail: None,
                police_unit: None,
                referred_on: None,
            },
        ),
        other => (None, other.clone()),
    }
}

/// Appends the referral's event inside the caller's transaction.
pub fn record(
    conn: &mut Db,
    case_id: i64,
    actor_name: &str,
    actor: Actor,
    now: DateTime<Utc>,
    referral: &PoliceReferral,
) -> Result<(), ServiceError> {
    events::append(
        conn,
        case_id,
        EventDraft {
            kind: POLICE_REFERRAL.into(),
            actor: actor_name.into(),
            actor_role: actor.as_str().into(),
            at: now.naive_utc(),
            from_state: None,
            to_state: None,
            reason: Some(TerminationReason::FraudulentClaim.as_str().into()),
            payload: referral.payload(),
        },
    )?;
    Ok(())
}
