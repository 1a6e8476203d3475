//! The deadline sweep: moves unanswered ODR cases to the bureau, marks overdue clocks once,
//! and reminds assignees two working days before a due date. Runs every minute on one node
//! (a lease) and as `odrdesk sweep --as-of`.

use serde::Serialize;
use serde_json::json;

use super::access::Caller;
use super::actions::apply;
use super::case_view::{clocks_of, load_visible};
use super::{Ctx, ServiceError, mail, webhooks};
use crate::domain::policy::Clock;
use crate::domain::workflow::{Actor, Command};
use crate::store::events::{self, EventDraft};
use crate::store::{Db, workflow, write_transaction};

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct SweepReport {
    pub examined: usize,
    pub odr_expired: usize,
    pub overdue_marked: usize,
    pub reminders: usize,
}

/// How far back the sweep and the desk's notice list look for terminated complaints whose
/// parties may not all have been told (the clock itself is 7 working days).
pub const NOTICE_LOOKBACK_DAYS: u64 = 60;

pub fn sweep(conn: &mut Db, ctx: &Ctx) -> Result<SweepReport, ServiceError> {
    sweep_while(conn, ctx, |_| Ok(true))
}

/// Like `sweep`, but first asks `still_ours` inside each case's transaction and stops the pass
/// when it says no. A serving node renews its lease there, so a pass that outlasts the lease
/// stops instead of running beside another node's.
pub fn sweep_while(
    conn: &mut Db,
    ctx: &Ctx,
    mut still_ours: impl FnMut(&mut Db) -> Result<bool, diesel::result::Error>,
) -> Result<SweepReport, ServiceError> {
    let mut report = SweepReport::default();
    // Terminated complaints are closed, but their termination notice clock may still run.
    let since = ctx
        .today()
        .checked_sub_days(chrono::Days::new(NOTICE_LOOKBACK_DAYS))
        .unwrap_or(chrono::NaiveDate::MIN);
    let mut case_nos = workflow::open_case_nos(conn)?;
    case_nos.extend(workflow::terminated_case_nos(conn, since)?);
    for case_no in case_nos {
        // One transaction per case: a failure leaves the others swept.
        let swept = write_transaction(conn, |conn| {
            if !still_ours(conn)? {
                return Ok(false);
            }
            sweep_case(conn, ctx, &case_no, &mut report).map(|()| true)
        })?;
        if !swept {
            break;
        }
        report.examined += 1;
    }
    Ok(report)
}

fn sweep_case(
    conn: &mut Db,
    ctx: &Ctx,
    case_no: &str,
    report: &mut SweepReport,
) -> Result<(), ServiceError> {
    let today = ctx.today();
    let (loaded, _) = load_visible(conn, case_no, &Caller::System)?;
    let clocks = clocks_of(&loaded, &ctx.reference, today)?;
    let odr_over = clocks
        .iter()
        .any(|c| c.name == Clock::OdrNegotiation && c.is_running() && c.overdue);
    if odr_over {
        apply(
            conn,
            ctx,
            &loaded,
            &Caller::System,
            Actor::System,
            &Command::OdrExpire,
        )?;
        report.odr_expired += 1;
        return Ok(());
    }
    for clock in clocks
        .iter()
        .filter(|c| c.is_running() && c.name != Clock::Rating)
    {
        let marker = json!({ "clock": clock.name, "due": clock.due });
        if clock.overdue {
            let marked = loaded.events.iter().any(|e| {
                e.kind == "clock_overdue"
                    && serde_json::from_str::<serde_json::Value>(&e.payload)
                        .is_ok_and(|p| p == marker)
            });
            if !marked {
                events::append(
                    conn,
                    loaded.case.id,
                    EventDraft {
                        kind: "clock_overdue".into(),
                        actor: "system".into(),
                        actor_role: "system".into(),
                        at: ctx.now.naive_utc(),
                        from_state: None,
                        to_state: None,
                        reason: None,
                        payload: marker,
                    },
                )?;
                report.overdue_marked += 1;
            }
        } else if (1..=2).contains(&clock.remaining_working_days) {
            let about = webhooks::About::of(&loaded, loaded.state(), ctx.now);
            webhooks::reminder(conn, &about, clock.name, clock.due)?;
            if mail::reminder(conn, ctx, &loaded, &clock.label, clock.due)? {
                report.reminders += 1;
            }
        }
    }
    Ok(())
}
