//! `odrdesk gen`: a realistic corpus of complaints and reports for tests and demos.
//!
//! Every case goes through the normal intake path: a wire `ComplaintInput` or `ReportInput`
//! is keyed in by staff, dated when the case was "received", and parsed, routed and stored by
//! `service::intake::receive_on`, one transaction per case. Nothing is
//! written to the tables directly, so the corpus obeys every rule real intake enforces, and
//! an interrupted run leaves only whole cases behind.
//!
//! Before the first case, some of the generated businesses are registered (`registry`), a
//! share of them in ODR. After intake, each case lives its life (`lifecycle` plans dated
//! steps, `playback` applies them through `service::actions`, one transaction per step): it is
//! accepted or not, mediated, settled or terminated, answered through ODR, verified, merged,
//! transferred, rated, always with the time of the step as "now", and never after the end of
//! `--to`. Cases received shortly before then are still open.
//!
//! The same seed gives the same cases and lives: texts, parties, dates and outcomes come from
//! `fastrand` seeded with it (case numbers and tracking tokens are assigned by intake as usual).

mod case;
mod corpus;
mod cosmetics;
mod dates;
mod lifecycle;
mod playback;
mod registry;
mod reports;
mod run;
mod sectors;
#[cfg(test)]
mod tests;
mod texts;
mod wording;

use anyhow::{Context, bail};
use chrono::{DateTime, Months, NaiveDate, Utc};
use fastrand::Rng;

pub use case::{Draft, Generator};
pub use dates::{Slot, day_weight, plan};
pub use run::run;
#[cfg(test)]
use run::{PLAN_SALT, facts, horizon, life_rng};

use crate::clock::china_date;
use crate::intake::{FieldIssue, NewCase};
use crate::reference::Reference;
use crate::service::Ctx;
use crate::service::intake::{Channel, check};

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
    /// Only receive the cases (no workflow steps afterwards), 64 to a transaction: several
    /// times faster, for large search and load-test datasets.
    #[arg(long)]
    pub received_only: bool,
}

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

/// Staff intake of a case received at `at`, as the generator keys every case in.
pub fn staff_receipt(at: DateTime<Utc>) -> Channel {
    Channel::Staff { received_at: at }
}

/// Parses a draft exactly as staff intake would, received at `at`.
pub fn parse(
    draft: &Draft,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    reference: &Reference,
) -> Result<NewCase, String> {
    let ctx = Ctx {
        reference: reference.clone(),
        public_url: String::new(),
        now,
        screening: crate::domain::screening::Thresholds::default(),
        notices: crate::notify::NoticeSettings::default(),
    };
    check(&draft.wire(), &staff_receipt(at), &ctx).map_err(|issues| refusal(&issues))
}

/// Field problems in one line: `field code (message); …`.
pub(crate) fn refusal(issues: &[FieldIssue]) -> String {
    issues
        .iter()
        .map(|i| format!("{} {} ({})", i.field, i.code, i.message))
        .collect::<Vec<_>>()
        .join("; ")
}
