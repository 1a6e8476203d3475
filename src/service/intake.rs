//! Receiving a new case, however it came in: parse the wire input into typed values (every
//! field problem at once), then store it through the group-commit writer.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::group_commit::{Committer, Submission};
use super::submit::{Idempotency, Submitted};
use super::{Ctx, ServiceError};
use crate::intake::input::{ComplaintInput, ReportInput};
use crate::intake::{FieldIssue, IntakeContext, NewCase, parse_complaint, parse_report};

/// A complaint or a report as sent. Serialises as the input itself, so the same content
/// hashes the same whichever front end received it.
#[derive(Debug, Serialize)]
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
}

/// The input as a new case, or every field problem.
pub fn check(
    input: &IntakeInput,
    channel: &Channel,
    ctx: &Ctx,
) -> Result<NewCase, Vec<FieldIssue>> {
    let (staff, received_at) = match channel {
        Channel::Public { .. } => (false, ctx.now),
        Channel::Staff { received_at } => (true, *received_at),
    };
    let intake = IntakeContext {
        now: ctx.now,
        received_at,
        staff,
        calendar: &ctx.reference.calendar,
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
    let consumer_openid = match channel {
        Channel::Public { openid } => openid,
        Channel::Staff { .. } => None,
    };
    writer
        .submit(Submission {
            ctx,
            case,
            idem,
            consumer_openid,
        })
        .await
}
