//! Receiving a new case, however it came in: parse the wire input into typed values (every
//! field problem at once), then store it through the group-commit writer.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::group_commit::{Committer, Submission};
use super::submit::{Idempotency, Submitted, submit};
use super::{Ctx, Db, ServiceError};
use crate::intake::input::{ComplaintInput, ReportInput};
use crate::intake::{FieldIssue, IntakeContext, NewCase, parse_complaint, parse_report};
use crate::store::write_transaction;

/// A complaint or a report as sent. Serialises as the input itself, so the same content
/// hashes the same whichever front end received it.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum IntakeInput {
    Complaint(ComplaintInput),
    Report(ReportInput),
}

/// How a case came in.
#[derive(Debug, Clone)]
pub enum Channel {
    /// Online and received now; `openid` when the consumer signed in through the
    /// mini-program.
    Public { openid: Option<String> },
    /// Keyed in by staff, with when the bureau actually received it.
    Staff { received_at: DateTime<Utc> },
    /// A 12315 work order whose competent bureau is not known: opened awaiting dispatch by
    /// the city's unified intake unit (Order 121 Art. 41), received when the platform says.
    ForDispatch { received_at: DateTime<Utc> },
}

/// The input as a new case, or every field problem.
pub fn check(
    input: &IntakeInput,
    channel: &Channel,
    ctx: &Ctx,
) -> Result<NewCase, Vec<FieldIssue>> {
    let (staff, received_at) = match channel {
        Channel::Public { .. } => (false, ctx.now),
        Channel::Staff { received_at } | Channel::ForDispatch { received_at } => {
            (true, *received_at)
        }
    };
    let intake = IntakeContext {
        now: ctx.now,
        received_at,
        staff,
        unplaced: matches!(channel, Channel::ForDispatch { .. }),
        policy: &ctx.reference.policy,
    };
    match input {
        IntakeInput::Complaint(c) => parse_complaint(c, &intake),
        IntakeInput::Report(r) => parse_report(r, &intake),
    }
}

/// Parses and stores a new case; answers once the transaction holding it has committed. A
/// retry with the same idempotency key and content answers with the first case.
pub async fn receive(
    writer: &Committer,
    ctx: Ctx,
    input: &IntakeInput,
    channel: Channel,
    idem: Option<Idempotency>,
) -> Result<Submitted, ServiceError> {
    let case = check(input, &channel, &ctx).map_err(ServiceError::Invalid)?;
    let consumer_openid = channel.openid();
    writer
        .submit(Submission {
            ctx,
            case,
            idem,
            consumer_openid,
        })
        .await
}

impl Channel {
    fn openid(self) -> Option<String> {
        match self {
            Channel::Public { openid } => openid,
            Channel::Staff { .. } | Channel::ForDispatch { .. } => None,
        }
    }
}

/// Parses and stores a new case on the caller's connection, in one transaction of its own,
/// without the group-commit writer: for the generator, which runs beside no server. The
/// parsed case comes back with the answer, for callers that go on to act on it.
pub fn receive_on(
    conn: &mut Db,
    ctx: &Ctx,
    input: &IntakeInput,
    channel: Channel,
) -> Result<(NewCase, Submitted), ServiceError> {
    let case = check(input, &channel, ctx).map_err(ServiceError::Invalid)?;
    let submitted = submit(conn, ctx, case.clone(), None, channel.openid())?;
    Ok((case, submitted))
}

/// Receives many cases in one transaction, each in its own savepoint: for bulk loading,
/// where sharing one commit is much faster. The first case refused or failed rolls them all
/// back and is named by its position.
pub fn receive_batch(
    conn: &mut Db,
    cases: impl IntoIterator<Item = (Ctx, IntakeInput, Channel)>,
) -> Result<Vec<(NewCase, Submitted)>, (usize, ServiceError)> {
    let mut failed_at = 0;
    write_transaction(conn, |conn| {
        let mut received = Vec::new();
        for (i, (ctx, input, channel)) in cases.into_iter().enumerate() {
            failed_at = i;
            received.push(receive_on(conn, &ctx, &input, channel)?);
        }
        Ok(received)
    })
    .map_err(|e| (failed_at, e))
}
