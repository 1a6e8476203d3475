//! `odrdesk retention run` (anonymise cases whose retention period is over, delete ephemera)
//! and `odrdesk subject export|erase` (PIPL Art. 45 and 47 requests).

use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use super::workflow::as_of_or;
use crate::blobs::BlobStore;
use crate::config::Settings;
use crate::domain::retention::ErasureBasis;
use crate::service::admin::open;
use crate::service::retention::{self, By};
use crate::service::subject_requests::{self, SubjectInput};

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Anonymise closed cases whose retention period is over (at most `[retention] batch`
    /// per run) and delete expired codes, sessions, messages and keys; prints counts per kind.
    Run {
        /// Run as of this date (YYYY-MM-DD); default: today.
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// Only count what would be removed.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct SubjectArgs {
    /// The subject's mobile number.
    #[arg(long, conflicts_with = "id_number")]
    pub phone: Option<String>,
    /// The subject's ID number.
    #[arg(long)]
    pub id_number: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SubjectCommand {
    /// Write everything held about a complainant or reporter as JSON.
    Export {
        #[command(flatten)]
        who: SubjectArgs,
        /// The JSON file to write (created with owner-only permissions where supported).
        #[arg(long)]
        out: PathBuf,
    },
    /// Anonymise every case of the subject (refused while any is open).
    Erase {
        #[command(flatten)]
        who: SubjectArgs,
        /// The PIPL Art. 47 ground.
        #[arg(long, value_enum)]
        basis: BasisArg,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BasisArg {
    PurposeAchieved,
    ServiceEnded,
    ConsentWithdrawn,
    Unlawful,
    Other,
}

impl From<BasisArg> for ErasureBasis {
    fn from(b: BasisArg) -> Self {
        match b {
            BasisArg::PurposeAchieved => ErasureBasis::PurposeAchieved,
            BasisArg::ServiceEnded => ErasureBasis::ServiceEnded,
            BasisArg::ConsentWithdrawn => ErasureBasis::ConsentWithdrawn,
            BasisArg::Unlawful => ErasureBasis::Unlawful,
            BasisArg::Other => ErasureBasis::Other,
        }
    }
}

pub fn run(
    settings: &Settings,
    command: &RetentionCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let RetentionCommand::Run { as_of, dry_run } = command;
    let now = as_of_or(*as_of, now)?;
    let mut conn = open(settings)?;
    let blobs = BlobStore::open(&settings.attachments_dir()).context("attachments directory")?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 件 (剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(if *dry_run { "清点" } else { "匿名化" });
    let report = retention::run(
        &mut conn,
        Some(&blobs),
        &settings.retention,
        now,
        *dry_run,
        |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )?;
    bar.finish_and_clear();
    let verb = if *dry_run {
        "would anonymise"
    } else {
        "anonymised"
    };
    println!("{verb} {} case(s)", report.total_cases());
    for (kind, n) in &report.cases {
        println!("  {kind}: {n}");
    }
    let e = &report.ephemera;
    let verb = if *dry_run { "would delete" } else { "deleted" };
    println!(
        "{verb}: {} phone code(s), {} phone session(s), {} session(s), {} outbox message(s), {} webhook delivery(ies), {} idempotency key(s), {} e-mail verification(s)",
        e.phone_codes,
        e.phone_sessions,
        e.sessions,
        e.outbox,
        e.webhook_deliveries,
        e.idempotency_keys,
        e.email_verifications
    );
    if report.more {
        println!("more cases are due: run again");
    }
    Ok(())
}

pub fn subject(
    settings: &Settings,
    command: &SubjectCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let who = match command {
        SubjectCommand::Export { who, .. } | SubjectCommand::Erase { who, .. } => who,
    };
    let key = subject_requests::parse_key(&SubjectInput {
        phone: who.phone.clone(),
        id_number: who.id_number.clone(),
    })?;
    let mut conn = open(settings)?;
    match command {
        SubjectCommand::Export { out, .. } => {
            let export = subject_requests::export(&mut conn, &key, "cli", now)?;
            let json = serde_json::to_vec_pretty(&export)?;
            write_private(out, &json).with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "{} case(s) written to {}",
                export.cases.len(),
                out.display()
            );
        }
        SubjectCommand::Erase { basis, .. } => {
            let blobs =
                BlobStore::open(&settings.attachments_dir()).context("attachments directory")?;
            let by = By {
                actor: "cli",
                role: "admin",
            };
            let report =
                subject_requests::erase(&mut conn, Some(&blobs), &key, (*basis).into(), by, now)?;
            println!(
                "anonymised {} case(s), {} already anonymised",
                report.anonymised.len(),
                report.already.len()
            );
        }
    }
    Ok(())
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
