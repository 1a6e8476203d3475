//! Carries planned steps out through `service::actions::perform`, one transaction per step, as
//! the HTTP API does: staff steps as a mediator of the bureau the case is with, ODR answers
//! as the business, the complainant's steps with the tracking token, expiry as the sweep.

use anyhow::Context;

use super::lifecycle::{By, Step};
use crate::auth::{Role, StaffUser};
use crate::domain::workflow::Command;
use crate::secrets::TrackingToken;
use crate::service::access::Caller;
use crate::service::actions::perform;
use crate::service::{Ctx, Db, ServiceError};

/// The stored case the steps act on.
pub struct Subject<'a> {
    pub case_no: &'a str,
    /// The competent bureau at intake.
    pub district: &'a str,
    /// The complainant's token; `None` for a case nobody tracks (a linked report).
    pub token: Option<&'a TrackingToken>,
    pub respondent_uscc: Option<&'a str>,
}

/// Applies `steps` in order, each dated at its own moment.
pub fn play(conn: &mut Db, base: &Ctx, subject: &Subject, steps: &[Step]) -> anyhow::Result<()> {
    let mut district = subject.district.to_owned();
    for step in steps {
        let caller = caller(step.by, &district, subject)
            .with_context(|| format!("no one to act on generated case {}", subject.case_no))?;
        let ctx = Ctx {
            now: step.at,
            ..base.clone()
        };
        let done = retry(conn, |conn| {
            perform(conn, &ctx, subject.case_no, &caller, &step.command)
        });
        // A server sharing the database may have moved the case meanwhile (its sweep expires
        // ODR periods that ended before the generated "now"): the rest of this plan no
        // longer applies, and the case keeps the state it was given.
        if let Err(ServiceError::NotAllowed { state, .. }) = &done {
            tracing::warn!(
                case_no = subject.case_no,
                state = state.as_str(),
                step = step.command.kind().as_str(),
                "generated case changed by someone else; its remaining steps are skipped"
            );
            return Ok(());
        }
        done.with_context(|| {
            format!(
                "{} on generated case {} at {}",
                step.command.kind().as_str(),
                subject.case_no,
                step.at
            )
        })?;
        match &step.command {
            Command::Transfer {
                bureau: Some(to), ..
            }
            | Command::Dispatch { bureau: to } => district.clone_from(to),
            _ => {}
        }
    }
    Ok(())
}

fn caller(by: By, district: &str, subject: &Subject) -> Option<Caller> {
    let staff = |email: String, role, bureaus, uscc| {
        Caller::Staff(StaffUser {
            id: 0,
            email,
            role,
            bureaus,
            uscc,
        })
    };
    Some(match by {
        By::Staff => staff(
            format!("mediator.{district}@example.gov.cn"),
            Role::Mediator,
            vec![district.to_owned()],
            None,
        ),
        By::Enterprise => {
            let uscc = subject.respondent_uscc?;
            staff(
                format!("odr.{}@example.com", uscc.to_ascii_lowercase()),
                Role::Enterprise,
                Vec::new(),
                Some(uscc.to_owned()),
            )
        }
        By::Consumer => Caller::TokenHolder(subject.token?.clone()),
        By::System => Caller::System,
        By::Dispatcher => staff(
            "dispatch@example.gov.cn".to_owned(),
            Role::Dispatcher,
            Vec::new(),
            None,
        ),
    })
}

/// A busy database is retried (a server sharing the file may hold the write lock for a
/// while on a loaded machine); anything else is an error.
pub fn retry<T>(
    conn: &mut Db,
    mut f: impl FnMut(&mut Db) -> Result<T, ServiceError>,
) -> Result<T, ServiceError> {
    let mut attempt = 0;
    loop {
        match f(conn) {
            Err(e) if e.is_transient() && attempt < 10 => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "database busy; retrying");
                std::thread::sleep(std::time::Duration::from_millis(200 * attempt));
            }
            other => return other,
        }
    }
}
