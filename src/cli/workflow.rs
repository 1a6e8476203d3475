//! `odrdesk sweep`, `odrdesk audit verify` and `odrdesk calendar load`: operations on the
//! workflow that run beside a live server on the same data.

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clap::Subcommand;

use crate::clock::china_offset;
use crate::config::Settings;
use crate::service::admin::{self, open};
use crate::service::{Ctx, audit, sweep};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every event's hash and link; exit 1 naming the first broken one.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Load (or replace) one year's holidays and make-up working days from a TOML file in the
    /// format of reference/calendar/2026.toml.
    Load { file: std::path::PathBuf },
}

/// `--as-of YYYY-MM-DD` runs the sweep as at 09:00 China time that day.
pub fn run_sweep(
    settings: &Settings,
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let now = as_of_or(as_of, now)?;
    let mut conn = open(settings)?;
    let ctx = Ctx {
        reference: admin::reference(&mut conn)?,
        public_url: settings.public_url.clone(),
        now,
        screening: settings.screening,
        notices: crate::notify::NoticeSettings::from_settings(settings),
    };
    let report = sweep::sweep(&mut conn, &ctx)?;
    println!(
        "swept {} open case(s): {} ODR case(s) moved to acceptance, {} clock(s) marked overdue, {} reminder(s) queued",
        report.examined, report.odr_expired, report.overdue_marked, report.reminders
    );
    Ok(())
}

/// 09:00 China time on `as_of`, or `now` without it.
pub fn as_of_or(as_of: Option<NaiveDate>, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    match as_of {
        Some(day) => day
            .and_hms_opt(9, 0, 0)
            .and_then(|t| china_offset().from_local_datetime(&t).single())
            .map(|t| t.with_timezone(&Utc))
            .context("invalid --as-of date"),
        None => Ok(now),
    }
}

pub fn audit(settings: &Settings, command: &AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify => {
            let mut conn = open(settings)?;
            match audit::verify(&mut conn)? {
                Ok(report) => {
                    println!(
                        "audit log intact: {} case(s), {} event(s), {} document(s)",
                        report.cases, report.events, report.documents
                    );
                    Ok(())
                }
                Err(broken) => bail!("audit log broken: {broken}"),
            }
        }
    }
}

pub fn calendar(
    settings: &Settings,
    command: &CalendarCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    match command {
        CalendarCommand::Load { file } => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let mut conn = open(settings)?;
            let year = admin::load_calendar(&mut conn, &text, now)?;
            println!("calendar {year} loaded; running servers pick it up within a minute");
            Ok(())
        }
    }
}
