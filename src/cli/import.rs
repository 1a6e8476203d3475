//! `odrdesk import FILE.csv`: loads figures of past quarters for the bulletin's year-on-year
//! change. The whole file is checked first; the accepted rows are then written in one
//! transaction, replacing rows with the same key, so importing a file twice changes nothing.
//!
//! Exit status: 0 when every row was accepted, 2 when some were rejected (the rest is still
//! imported unless `--strict`), 1 when the file or the database cannot be used.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};

use crate::bulletin::history::{self, ImportReport, RejectedRow};
use crate::config::Settings;
use crate::domain::csv_cell::text_cell;
use crate::domain::taxonomy::Taxonomy;
use crate::service::admin;

/// Files with more rows than this show a progress bar while they are written.
const PROGRESS_FROM_ROWS: usize = 2000;
/// Rejected rows listed on stderr; `--report` has them all.
const LISTED_REJECTIONS: usize = 50;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// CSV file with the columns period,table,code,count (others are ignored), UTF-8.
    pub file: PathBuf,
    /// Check the file and report what would be imported, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Import nothing if any row is rejected.
    #[arg(long)]
    pub strict: bool,
    /// Also write the rejected rows (line, column, message) to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub report: Option<PathBuf>,
}

/// Runs the import and ends the process with status 2 when rows were rejected.
#[expect(
    clippy::let_underscore_must_use,
    reason = "flushing before exit: there is nowhere left to report a failure"
)]
pub fn run(settings: &Settings, args: &ImportArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let all_accepted = import(settings, args, now)?;
    if !all_accepted {
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        std::process::exit(2);
    }
    Ok(())
}

/// True when no row was rejected.
fn import(settings: &Settings, args: &ImportArgs, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let file =
        File::open(&args.file).with_context(|| format!("无法打开文件 {}", args.file.display()))?;
    let report = history::parse(BufReader::new(file), Taxonomy::builtin());
    if let Some(fatal) = &report.fatal {
        bail!("{}：{fatal}；未导入任何数据", args.file.display());
    }
    list_rejections(&report.rejected, args.report.is_some());
    if let Some(path) = &args.report {
        write_rejections(path, &report.rejected)
            .with_context(|| format!("无法写入报告 {}；未导入任何数据", path.display()))?;
    }
    let all_accepted = report.rejected.is_empty();

    if args.strict && !all_accepted {
        println!(
            "严格模式：{} 行被拒绝，未导入任何数据（可导入 {} 行，{}）",
            report.rejected.len(),
            report.rows.len(),
            skipped_text(&report)
        );
        return Ok(false);
    }
    if args.dry_run {
        println!(
            "试运行，未写入数据库：可导入 {} 行{}，{}，拒绝 {} 行",
            report.rows.len(),
            periods_text(&report.periods()),
            skipped_text(&report),
            report.rejected.len()
        );
        return Ok(all_accepted);
    }

    let written = write(settings, &report, now)?;
    println!(
        "已导入 {written} 行{}，{}，拒绝 {} 行",
        periods_text(&report.periods()),
        skipped_text(&report),
        report.rejected.len()
    );
    Ok(all_accepted)
}

/// Writes all accepted rows in one transaction; a failure leaves the table as it was.
fn write(settings: &Settings, report: &ImportReport, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut conn = admin::open(settings)?;
    let bar = progress_bar(report.rows.len());
    let written = admin::import_history(&mut conn, &report.rows, now, &|rows| bar.inc(rows as u64));
    bar.finish_and_clear();
    written.context("写入数据库失败，未导入任何数据")
}

fn progress_bar(rows: usize) -> ProgressBar {
    if rows <= PROGRESS_FROM_ROWS {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(rows as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 行 ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("导入历史数据");
    bar
}

fn list_rejections(rejected: &[RejectedRow], has_report_file: bool) {
    for row in rejected.iter().take(LISTED_REJECTIONS) {
        eprintln!("第 {} 行，{} 列：{}", row.line, row.column, row.message);
    }
    mention_unlisted(rejected.len(), LISTED_REJECTIONS, has_report_file);
}

/// After the first `listed` of `total` refused rows on stderr: how many more, and where.
pub(crate) fn mention_unlisted(total: usize, listed: usize, has_report_file: bool) {
    let Some(more) = total.checked_sub(listed).filter(|m| *m > 0) else {
        return;
    };
    if has_report_file {
        eprintln!("……另有 {more} 行被拒绝，见报告文件");
    } else {
        eprintln!("……另有 {more} 行被拒绝；用 --report FILE.csv 输出全部");
    }
}

/// The rejected rows as CSV: `line,column,message`.
fn write_rejections(path: &Path, rejected: &[RejectedRow]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(["line", "column", "message"])?;
    for row in rejected {
        writer.write_record([
            row.line.to_string().as_str(),
            &text_cell(&row.column),
            &text_cell(&row.message),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// `（期间 2024-Q3、2024-Q4）`, or nothing when there are no rows.
fn periods_text(periods: &[String]) -> String {
    const LISTED: usize = 12;
    if periods.is_empty() {
        return String::new();
    }
    let shown = periods[..periods.len().min(LISTED)].join("、");
    if periods.len() > LISTED {
        format!("（期间 {shown} 等 {} 个）", periods.len())
    } else {
        format!("（期间 {shown}）")
    }
}

/// `跳过 3 行（其他表：odr 1、rate 2）`.
fn skipped_text(report: &ImportReport) -> String {
    const LISTED: usize = 8;
    if report.skipped == 0 {
        return "跳过 0 行".to_owned();
    }
    let tables: &BTreeMap<String, usize> = &report.skipped_tables;
    let mut shown: Vec<String> = tables
        .iter()
        .take(LISTED)
        .map(|(table, n)| format!("{table} {n}"))
        .collect();
    if tables.len() > LISTED {
        shown.push("…".to_owned());
    }
    format!("跳过 {} 行（其他表：{}）", report.skipped, shown.join("、"))
}
