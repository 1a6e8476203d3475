//! `odrdesk gen`: a realistic corpus of complaints and reports for tests and demos.
//!
//! Every case goes through the normal intake path: a wire `ComplaintInput` or `ReportInput`
//! is parsed by `intake::parse_*` under a staff intake context dated when the case was
//! "received", then stored by `service::submit::submit`, one transaction per case. Nothing is
//! written to the tables directly, so the corpus obeys every rule real intake enforces, and
//! an interrupted run leaves only whole cases behind.
//!
//! The same seed gives the same cases: texts, parties and dates come from `fastrand` seeded
//! with it (case numbers and tracking tokens are assigned by intake as usual).

mod case;
mod corpus;
mod cosmetics;
mod dates;
mod reports;
mod sectors;
#[cfg(test)]
mod tests;
mod texts;

use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Months, NaiveDate, Utc};
use fastrand::Rng;
use indicatif::{ProgressBar, ProgressStyle};

pub use case::{Draft, Generator};
pub use dates::{Slot, day_weight, plan};

use crate::clock::{Clock, china_date};
use crate::config::Settings;
use crate::intake::{IntakeContext, NewCase, parse_complaint, parse_report};
use crate::reference::{Reference, ReferenceData};
use crate::service::submit::submit;
use crate::service::{Ctx, ServiceError};
use crate::store::{self, Db, StoreError};

#[derive(Debug, Clone, clap::Args)]
pub struct GenArgs {
    /// How many complaints and reports to write (about 85% complaints).
    #[arg(long)]
    pub cases: usize,
    /// The same seed writes the same cases.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// First day received, YYYY-MM-DD (China time); default: three years before --to.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day received, YYYY-MM-DD; default: today. Not in the future.
    #[arg(long)]
    pub to: Option<NaiveDate>,
}

/// Arrival times use their own stream, so a case's content does not depend on `--cases`.
const PLAN_SALT: u64 = 0x9e37_79b9_7f4a_7c15;
/// Cases between progress bar updates.
const BATCH: usize = 64;

/// `weights` must not be empty; a zero total picks the first entry.
pub(crate) fn weighted<T: Copy>(rng: &mut Rng, weights: &[(T, u32)]) -> T {
    let total: u32 = weights.iter().map(|(_, w)| *w).sum();
    let mut x = if total == 0 { 0 } else { rng.u32(0..total) };
    for (value, w) in weights {
        if x < *w {
            return *value;
        }
        x -= w;
    }
    weights[0].0
}

/// `items` must not be empty.
pub(crate) fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[rng.usize(0..items.len())]
}

/// The received-date range: `--from`/`--to`, or the three years up to today.
pub fn date_range(args: &GenArgs, now: DateTime<Utc>) -> anyhow::Result<(NaiveDate, NaiveDate)> {
    let today = china_date(now);
    let to = args.to.unwrap_or(today);
    if to > today {
        bail!("--to {to} is in the future (today is {today})");
    }
    let from = match args.from {
        Some(from) => from,
        None => to
            .checked_sub_months(Months::new(36))
            .context("--to is too early")?,
    };
    if from > to {
        bail!("--from {from} is after --to {to}");
    }
    Ok((from, to))
}

/// Parses a draft exactly as staff intake would, received at `slot.at`.
pub fn parse(
    draft: &Draft,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    reference: &Reference,
) -> Result<NewCase, String> {
    let ctx = IntakeContext {
        now,
        received_at: at,
        staff: true,
        calendar: &reference.calendar,
        policy: &reference.policy,
    };
    let parsed = match draft {
        Draft::Complaint(c) => parse_complaint(c, &ctx),
        Draft::Report(r) => parse_report(r, &ctx),
    };
    parsed.map_err(|issues| {
        issues
            .iter()
            .map(|i| format!("{} {} ({})", i.field, i.code, i.message))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[derive(Debug, Default)]
struct Counts {
    complaints: usize,
    reports: usize,
    linked_reports: usize,
}

pub fn run(settings: &Settings, args: &GenArgs, clock: &dyn Clock) -> anyhow::Result<()> {
    let started = Instant::now();
    let (from, to) = date_range(args, clock.now())?;
    let pool = store::connect(&settings.database, 1)?;
    let mut conn = pool.get().map_err(StoreError::from)?;
    store::migrate(&mut conn)?;
    if let Db::Sqlite(sqlite) = &mut *conn {
        // Still one transaction per case, and WAL keeps the file consistent at any interrupt;
        // skipping the fsync at every commit makes bulk loading several times faster.
        diesel::connection::SimpleConnection::batch_execute(sqlite, "PRAGMA synchronous = NORMAL")?;
    }
    let data = ReferenceData::builtin();
    data.reload(&mut conn)?;
    let reference = data.snapshot();

    let slots = plan(
        &mut Rng::with_seed(args.seed ^ PLAN_SALT),
        args.cases,
        from,
        to,
        clock.now(),
    );
    let mut generator = Generator::new(args.seed);
    let bar = ProgressBar::new(args.cases as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} cases ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut counts = Counts::default();
    for (batch_no, batch) in slots.chunks(BATCH).enumerate() {
        for (i, slot) in batch.iter().enumerate() {
            let draft = generator.draft(slot);
            let now = clock.now();
            let case = parse(&draft, slot.at, now, &reference).map_err(|issues| {
                anyhow::anyhow!(
                    "generated case {} was refused by intake: {issues}",
                    batch_no * BATCH + i + 1
                )
            })?;
            match &draft {
                Draft::Complaint(_) if case.nature.as_str() == "counterfeit" => {
                    counts.complaints += 1;
                    counts.linked_reports += 1;
                }
                Draft::Complaint(_) => counts.complaints += 1,
                Draft::Report(_) => counts.reports += 1,
            }
            let ctx = Ctx {
                reference: reference.clone(),
                public_url: settings.public_url.clone(),
                now,
            };
            store_case(&mut conn, &ctx, case)?;
        }
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "generated {} case(s) received {from} to {to}: {} complaint(s), {} report(s), \
         {} linked report(s) opened for counterfeit complaints; seed {}, {:.1} s ({:.0} cases/s)",
        args.cases,
        counts.complaints,
        counts.reports,
        counts.linked_reports,
        args.seed,
        secs,
        args.cases as f64 / secs.max(1e-9),
    );
    Ok(())
}

/// One case, one transaction; a busy database is retried a few times.
fn store_case(conn: &mut Db, ctx: &Ctx, case: NewCase) -> anyhow::Result<()> {
    let mut attempt = 0;
    loop {
        match submit(conn, ctx, case.clone(), None, None) {
            Ok(_) => return Ok(()),
            Err(ServiceError::Store(StoreError::Unavailable(e))) if attempt < 5 => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "database busy; retrying");
                std::thread::sleep(std::time::Duration::from_millis(200 * attempt));
            }
            Err(e) => return Err(e).context("storing a generated case"),
        }
    }
}
