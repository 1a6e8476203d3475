//! `odrdesk retention run` (anonymise cases whose retention period is over, delete ephemera)
//! and `odrdesk subject export|erase` (PIPL Art. 45 and 47 requests).

use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use super::workflow::as_of_or;
use crate::blobs::BlobStore;
use crate::clock::china_date;
use crate::config::Settings;
use crate::domain::retention::ErasureBasis;
use crate::service::admin::open;
use crate::service::retention::{self, By, Files};
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
        /// Let a run that is not a dry run take an `--as-of` after today. Only on a copy
        /// restored for a drill: it anonymises cases before their retention period ends.
        #[arg(long)]
        allow_future_as_of: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct SubjectArgs {
    /// The subject's mobile number; `-` reads it from standard input (recommended: a value
    /// on the command line is visible to every user of the machine in the process list).
    #[arg(long, conflicts_with = "id_number")]
    pub phone: Option<String>,
    /// The subject's ID number; `-` reads it from standard input (recommended).
    #[arg(long)]
    pub id_number: Option<String>,
}

/// The value of a key argument: `-` stands for the first line of standard input.
fn from_stdin_if_dash(arg: Option<&String>) -> anyhow::Result<Option<String>> {
    match arg.map(String::as_str) {
        Some("-") => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("cannot read the key from standard input")?;
            Ok(Some(line.trim().to_owned()))
        }
        other => Ok(other.map(str::to_owned)),
    }
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
        /// The case numbers to erase, comma-separated (from the export); required when the
        /// parties found have different names or ID numbers.
        #[arg(long, value_delimiter = ',')]
        cases: Option<Vec<String>>,
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

/// Anonymisation cannot be undone: a date typed ahead of today (2072 for 2027) would take
/// every case whose period ends before it. Counting (`--dry-run`) is always allowed.
fn refuse_a_run_ahead_of_today(
    as_of: Option<NaiveDate>,
    today: NaiveDate,
    allowed: bool,
) -> anyhow::Result<()> {
    match as_of {
        Some(day) if day > today && !allowed => anyhow::bail!(
            "--as-of {day} lies ahead of today ({today}): the run would anonymise cases before \
             their retention period ends. Add --dry-run to count what will be due by then, or \
             --allow-future-as-of on a copy restored for a drill"
        ),
        _ => Ok(()),
    }
}

pub fn run(
    settings: &Settings,
    command: &RetentionCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let RetentionCommand::Run {
        as_of,
        dry_run,
        allow_future_as_of,
    } = command;
    refuse_a_run_ahead_of_today(*as_of, china_date(now), *dry_run || *allow_future_as_of)?;
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
    let outbox = settings.outbox_dir();
    let files = Files {
        blobs: &blobs,
        outbox: &outbox,
    };
    let report = retention::run(
        &mut conn,
        Some(&files),
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
        "{verb}: {} phone code(s), {} phone session(s), {} session(s), {} outbox message(s), {} webhook delivery(ies), {} idempotency key(s), {} e-mail verification(s), {} WeChat grant(s), {} mail file(s)",
        e.phone_codes,
        e.phone_sessions,
        e.sessions,
        e.outbox,
        e.webhook_deliveries,
        e.idempotency_keys,
        e.email_verifications,
        e.wechat_grants,
        e.mail_files
    );
    if report.more {
        println!("more is due: run again");
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
        phone: from_stdin_if_dash(who.phone.as_ref())?,
        id_number: from_stdin_if_dash(who.id_number.as_ref())?,
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
        SubjectCommand::Erase { basis, cases, .. } => {
            let blobs =
                BlobStore::open(&settings.attachments_dir()).context("attachments directory")?;
            let by = By {
                actor: "cli",
                role: "admin",
            };
            let outbox = settings.outbox_dir();
            let files = Files {
                blobs: &blobs,
                outbox: &outbox,
            };
            let report = subject_requests::erase(
                &mut conn,
                Some(&files),
                &key,
                (*basis).into(),
                cases.as_deref(),
                by,
                now,
            )?;
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
