//! `odrdesk backup`, `odrdesk restore` and `odrdesk blobs sweep` (README "Operations"): the
//! use cases are `service::backup` and `service::blob_sweep`; this shows their progress on a
//! terminal and prints what they did.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use anyhow::bail;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use crate::blobs::BlobStore;
use crate::config::Settings;
use crate::service::admin;
use crate::service::backup::{self, Stage, Step};
use crate::service::blob_sweep;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The archive to write (written as FILE.partial, renamed when whole).
    #[arg(long, value_name = "FILE", required_unless_present = "check")]
    pub out: Option<PathBuf>,
    /// Report what backing up this database needs instead: on PostgreSQL, the server
    /// settings a base backup with WAL archiving needs.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The archive written by `odrdesk backup`.
    #[arg(value_name = "FILE")]
    pub archive: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum BlobsCommand {
    /// Remove attachment files no row refers to that are older than the grace period.
    Sweep {
        /// Count what would be removed; remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// Seconds an unreferenced file is kept (an upload in flight). Default: 3600.
        #[arg(long, value_name = "SECONDS")]
        grace_secs: Option<u64>,
    },
}

/// A progress bar on standard error (drawn only on a terminal), one stage after another.
fn bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {percent}% ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn show(bar: &ProgressBar, step: Step) {
    match step {
        Step::Begin { stage, total } => {
            bar.set_message(match stage {
                Stage::CopyDatabase => "复制数据库",
                Stage::WriteArchive => "写入备份文件",
                Stage::CheckArchive => "校验备份文件",
                Stage::Extract => "恢复文件",
                Stage::Reindex => "重建索引",
            });
            bar.set_length(total);
            bar.set_position(0);
        }
        Step::Advance(n) => bar.inc(n),
    }
}

pub fn backup(settings: &Settings, args: &BackupArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    if args.check {
        return check(settings);
    }
    let Some(out) = &args.out else {
        bail!("name the archive to write with --out FILE");
    };
    let bar = bar();
    let made = backup::create(settings, out, now, &|step| show(&bar, step));
    bar.finish_and_clear();
    let report = made?;
    let m = &report.manifest;
    println!(
        "backup written to {}: {} file(s), {} byte(s) compressed, schema {}",
        out.display(),
        m.files.len() + 1,
        report.bytes,
        m.schema
    );
    if !m.missing_attachments.is_empty() {
        eprintln!(
            "warning: {} attachment file(s) the database refers to were not on disk and are \
             not in the archive: {}",
            m.missing_attachments.len(),
            m.missing_attachments.join(", ")
        );
    }
    Ok(())
}

fn check(settings: &Settings) -> anyhow::Result<()> {
    if let Some(path) = backup::sqlite_path(settings) {
        println!(
            "SQLite database {path}: nothing to configure; `odrdesk backup --out FILE` copies \
             it online"
        );
        return Ok(());
    }
    println!("{}", backup::BackupError::Postgres);
    let mut conn = admin::open(settings)?;
    let checks = backup::postgres_readiness(&mut conn)?;
    for c in &checks {
        println!(
            "{:<16} {:<24} {}",
            c.name,
            c.value.as_deref().unwrap_or("(not reported)"),
            if c.ok {
                "ok".to_owned()
            } else {
                format!("needs {}", c.needs)
            }
        );
    }
    let unmet: Vec<&str> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name.as_str())
        .collect();
    if !unmet.is_empty() {
        bail!(
            "the server is not ready for base backups with WAL archiving: set {}",
            unmet.join(", ")
        );
    }
    println!("the server is ready for pg_basebackup with WAL archiving");
    Ok(())
}

/// `explicit`: whether the target was named (`--data-dir` or `ODRDESK_DATA_DIR`), not taken
/// from a configuration file or the default.
pub fn restore(settings: &Settings, args: &RestoreArgs, explicit: bool) -> anyhow::Result<()> {
    if !explicit {
        bail!("name the directory to restore into with --data-dir DIR (a new or empty one)");
    }
    let bar = bar();
    let restored = backup::restore(settings, &args.archive, &|step| show(&bar, step));
    bar.finish_and_clear();
    let report = restored?;
    println!(
        "restored {} into {}: backup of {}, schema {}; audit log intact: {} case(s), {} \
         event(s), {} document(s); {} case(s) indexed",
        args.archive.display(),
        settings.data_dir.display(),
        report.manifest.created_at.to_rfc3339(),
        report.manifest.schema,
        report.audit.cases,
        report.audit.events,
        report.audit.documents,
        report.indexed
    );
    if !report.manifest.missing_attachments.is_empty() {
        eprintln!(
            "warning: the backup lacked {} attachment file(s) its database refers to: {}",
            report.manifest.missing_attachments.len(),
            report.manifest.missing_attachments.join(", ")
        );
    }
    Ok(())
}

pub fn blobs(settings: &Settings, command: &BlobsCommand, now: SystemTime) -> anyhow::Result<()> {
    let BlobsCommand::Sweep {
        dry_run,
        grace_secs,
    } = command;
    let grace = grace_secs.map_or(blob_sweep::DEFAULT_GRACE, Duration::from_secs);
    let mut conn = admin::open(settings)?;
    let blobs = BlobStore::open(&settings.attachments_dir())?;
    let r = blob_sweep::sweep(&mut conn, &blobs, now, grace, *dry_run)?;
    let verb = if *dry_run { "would remove" } else { "removed" };
    println!(
        "examined {} attachment file(s): {} referenced, {} unreferenced but younger than {}s \
         (kept); {verb} {} orphan(s), {} byte(s), and {} stale upload file(s)",
        r.examined,
        r.referenced,
        r.young,
        grace.as_secs(),
        r.removed,
        r.removed_bytes,
        r.stale_uploads
    );
    Ok(())
}
