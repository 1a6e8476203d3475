//! `odrdesk documents print`: prints the issued documents (文书) that have no PDF yet, now,
//! with a progress bar. It takes the printer's lease, so a serving node never prints the same
//! documents beside it; while a node holds it, the command waits for that pass to end.

use std::time::{Duration, Instant};

use anyhow::bail;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use crate::blobs::BlobStore;
use crate::clock::SystemClock;
use crate::config::Settings;
use crate::printer::print_under_lease;
use crate::service::admin;

#[derive(Debug, Subcommand)]
pub enum DocumentsCommand {
    /// Print every document not printed yet to PDF (headless Chromium); exit 1 if any failed.
    Print,
}

/// How long to wait for a node's pass to end.
const WAIT_FOR_LEASE: Duration = Duration::from_secs(300);

pub fn run(settings: &Settings, command: &DocumentsCommand) -> anyhow::Result<()> {
    match command {
        DocumentsCommand::Print => print(settings),
    }
}

fn print(settings: &Settings) -> anyhow::Result<()> {
    let mut conn = admin::open(settings)?;
    let blobs = BlobStore::open(&settings.attachments_dir())?;
    let holder = format!("cli-{}", uuid::Uuid::new_v4());
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 份 ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("打印文书");
    let progress = |total: u64, done: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let started = Instant::now();
    let mut totals = (0, 0, 0);
    loop {
        match print_under_lease(&mut conn, &blobs, &SystemClock, &holder, &progress)? {
            None if started.elapsed() > WAIT_FOR_LEASE => {
                bar.finish_and_clear();
                bail!("另一节点正在打印文书，等待超时，请稍后重试");
            }
            None => {
                bar.set_message("等待其他节点完成打印");
                std::thread::sleep(Duration::from_secs(1));
            }
            Some(report) => {
                totals.0 += report.printed;
                totals.1 += report.failed;
                totals.2 += report.skipped;
                // A pass takes a batch; go on while it printed something and nothing failed.
                if report.printed == 0 || report.failed > 0 {
                    break;
                }
                bar.set_message("打印文书");
            }
        }
    }
    bar.finish_and_clear();
    let (printed, failed, skipped) = totals;
    println!("printed {printed} document(s); {skipped} printed elsewhere; {failed} failed");
    if failed > 0 {
        bail!("{failed} 份文书打印失败（详见日志），下次打印时将重试");
    }
    Ok(())
}
