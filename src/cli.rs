//! Command line: every subcommand shares `--data-dir`, `ODRDESK_DATABASE_URL` and the config
//! file with `serve`, so tools and a running server always agree on the data.

pub mod accounts;
pub mod backup;
pub mod bulletin;
pub mod documents;
pub mod import;
pub mod retention;
pub mod scorecard;
pub mod search;
pub mod workflow;
pub mod workorders;

use std::net::TcpListener;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::app::{AppState, serve};
use crate::clock::Clock;
use crate::clock::SystemClock;
use crate::config::{CommonArgs, Settings};
use crate::service::admin;

#[derive(Debug, Parser)]
#[command(name = "odrdesk", version, about = "消费投诉举报与在线纠纷解决服务")]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (migrates the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ODRDESK_LISTEN")]
        listen: Option<String>,
    },
    /// Apply pending database migrations, upgrade the audit chain to format 2 (progress bar), and exit.
    Migrate,
    /// Staff and enterprise accounts: `add` (password on standard input).
    User {
        #[command(subcommand)]
        command: accounts::UserCommand,
    },
    /// Registered businesses: `add` registers or updates one by USCC.
    Enterprise {
        #[command(subcommand)]
        command: accounts::EnterpriseCommand,
    },
    /// Mini-program API keys: `issue` prints a new key once.
    Apikey {
        #[command(subcommand)]
        command: accounts::ApikeyCommand,
    },
    /// The mail outbox: `status` lists waiting messages, `send` delivers those due now.
    Outbox {
        #[command(subcommand)]
        command: crate::notify::ops::OutboxCommand,
    },
    /// Deadline sweep: move unanswered ODR cases, mark overdue clocks, queue reminders.
    Sweep {
        /// Run as of this date (YYYY-MM-DD), for operations and tests; default: now.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// The hash-chained audit log: `verify`.
    Audit {
        #[command(subcommand)]
        command: workflow::AuditCommand,
    },
    /// Rebuild the search index from the database (progress bar), swapping it in atomically.
    Reindex,
    /// Holiday calendars: `load FILE` adds or replaces a year.
    Calendar {
        #[command(subcommand)]
        command: workflow::CalendarCommand,
    },
    /// Write a realistic demo corpus of complaints and reports through normal intake.
    Gen(crate::r#gen::GenArgs),
    /// Compute the public bulletin of a period and write it as HTML, PDF, JSON and CSV.
    Bulletin(bulletin::BulletinArgs),
    /// Credit scorecards of cosmetics and beauty businesses for a quarter, as CSV or JSON.
    Scorecard(scorecard::ScorecardArgs),
    /// Issued documents (文书): `print` prints those without a PDF now (progress bar).
    Documents {
        #[command(subcommand)]
        command: documents::DocumentsCommand,
    },
    /// Load figures of past quarters from a CSV file (period,table,code,count) for
    /// year-on-year change; exit 2 when rows were rejected.
    Import(import::ImportArgs),
    /// 12315 work orders: `import FILE.xlsx|FILE.csv` opens their cases (exit 2 when rows
    /// were refused), `export` writes their handling results for filing back.
    Workorders {
        #[command(subcommand)]
        command: workorders::WorkordersCommand,
    },
    /// Back up the embedded SQLite installation into one archive while it serves (progress
    /// bar); `--check` says what a PostgreSQL server needs for base backups instead.
    Backup(backup::BackupArgs),
    /// Restore a backup archive into a new or empty --data-dir, checking it first.
    Restore(backup::RestoreArgs),
    /// The attachment store: `sweep` removes files no row refers to.
    Blobs {
        #[command(subcommand)]
        command: backup::BlobsCommand,
    },
    /// Retention periods: `run` anonymises cases whose period is over (progress bar).
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
    /// Data subject requests: `export` everything held about a person, `erase` their cases.
    Subject {
        #[command(subcommand)]
        command: retention::SubjectCommand,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve { listen } => listen.clone(),
        Command::User { .. } | Command::Enterprise { .. } | Command::Apikey { .. } => None,
        Command::Migrate | Command::Outbox { .. } => None,
        Command::Gen(_) | Command::Bulletin(_) => None,
        Command::Sweep { .. } | Command::Audit { .. } | Command::Calendar { .. } => None,
        Command::Reindex | Command::Import(_) | Command::Documents { .. } => None,
        Command::Workorders { .. } | Command::Retention { .. } | Command::Subject { .. } => None,
        Command::Scorecard(_) => None,
        Command::Backup(_) | Command::Restore(_) | Command::Blobs { .. } => None,
    };
    let data_dir_named = cli.common.data_dir.is_some();
    let settings = Settings::resolve(&cli.common, listen.as_deref())?;
    crate::telemetry::init(settings.log_format);
    match cli.command {
        Command::Serve { .. } => run_server(settings),
        Command::User { command } => accounts::user(&settings, command, SystemClock.now()),
        Command::Enterprise { command } => {
            accounts::enterprise(&settings, command, SystemClock.now())
        }
        Command::Apikey { command } => accounts::apikey(&settings, command, SystemClock.now()),
        Command::Outbox { command } => {
            crate::notify::ops::run(&settings, &command, crate::clock::Clock::now(&SystemClock))
        }
        Command::Sweep { as_of } => workflow::run_sweep(&settings, as_of, SystemClock.now()),
        Command::Audit { command } => workflow::audit(&settings, &command),
        Command::Reindex => search::reindex(&settings),
        Command::Calendar { command } => workflow::calendar(&settings, &command, SystemClock.now()),
        Command::Gen(args) => crate::r#gen::run(&settings, &args, &SystemClock),
        Command::Bulletin(args) => bulletin::run(
            &settings,
            &args,
            crate::clock::china_date(SystemClock.now()),
        ),
        Command::Scorecard(args) => scorecard::run(
            &settings,
            &args,
            crate::clock::china_date(SystemClock.now()),
        ),
        Command::Import(args) => import::run(&settings, &args, SystemClock.now()),
        Command::Documents { command } => documents::run(&settings, &command),
        Command::Workorders { command } => workorders::run(&settings, &command, SystemClock.now()),
        Command::Backup(args) => backup::backup(&settings, &args, SystemClock.now()),
        Command::Restore(args) => backup::restore(&settings, &args, data_dir_named),
        Command::Blobs { command } => backup::blobs(
            &settings,
            &command,
            std::time::SystemTime::from(SystemClock.now()),
        ),
        Command::Retention { command } => retention::run(&settings, &command, SystemClock.now()),
        Command::Subject { command } => retention::subject(&settings, &command, SystemClock.now()),
        Command::Migrate => {
            let bar = indicatif::ProgressBar::hidden();
            let (applied, upgraded) = admin::migrate(&settings, &mut |done, total| {
                if done == 1 {
                    upgrade_bar(&bar, total);
                }
                bar.set_position(done as u64);
            })?;
            bar.finish_and_clear();
            println!(
                "{applied} migration(s) applied to {}; {} event(s) of {} case(s) upgraded to chain format 2",
                settings.database.redacted(),
                upgraded.events,
                upgraded.cases
            );
            if upgraded.refused.is_empty() {
                return Ok(());
            }
            for refused in &upgraded.refused {
                eprintln!("{refused}");
            }
            let numbers: Vec<&str> = upgraded
                .refused
                .iter()
                .map(|r| r.case_no.as_str())
                .collect();
            anyhow::bail!(
                "the event log of {} case(s) does not verify and stays in chain format 1: {}",
                numbers.len(),
                numbers.join(", ")
            )
        }
    }
}

fn run_server(settings: Settings) -> anyhow::Result<()> {
    let listen = settings.listen;
    let database = settings.database.redacted();
    let listener =
        TcpListener::bind(listen).with_context(|| format!("cannot listen on {listen}"))?;
    actix_web::rt::System::new().block_on(async move {
        let state = AppState::open(settings, Arc::new(SystemClock))?;
        tracing::info!(%listen, %database, "odrdesk serving");
        serve(listener, state)?.await?;
        tracing::info!("odrdesk stopped");
        anyhow::Ok(())
    })
}

/// The chain upgrade's bar, drawn only on a terminal.
fn upgrade_bar(bar: &indicatif::ProgressBar, total: usize) {
    bar.set_length(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 件 (剩余 {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("升级审计链");
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
}
