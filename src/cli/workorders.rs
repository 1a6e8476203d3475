//! `odrdesk workorders import FILE.xlsx|FILE.csv` and `odrdesk workorders export`: the 12315
//! platform's work orders in as cases (one transaction per row, keyed by 登记编号, so running
//! it again changes nothing), and their handling results out for filing back.
//!
//! Import exit status: 0 when every row was imported (or was already), 2 when some were
//! refused (the rest is still imported), 1 when the file or the database cannot be used.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Settings;
use crate::domain::csv_cell::text_cell;
use crate::service::workorder_files::{Format, MAX_BYTES, too_large};
use crate::service::workorders::{OrderFile, Refusal, Tally, import_file};
use crate::service::{Ctx, admin, workorders_export};

/// Files with more rows than this show a progress bar.
const PROGRESS_FROM_ROWS: usize = 200;
/// Refused rows listed on stderr; `--report` has them all.
const LISTED_REFUSALS: usize = 50;

#[derive(Debug, Subcommand)]
pub enum WorkordersCommand {
    /// Import work orders downloaded from the 12315 platform (.xlsx or UTF-8 .csv); exit 2
    /// when rows were refused.
    Import {
        file: PathBuf,
        /// Check every row and report what would happen, without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Also write the refused rows (line, 登记编号, reasons) to this CSV file.
        #[arg(long, value_name = "FILE.csv")]
        report: Option<PathBuf>,
    },
    /// Write the handling results of imported work orders whose case changed in a period.
    Export {
        /// First day (YYYY-MM-DD, China time).
        #[arg(long)]
        from: NaiveDate,
        /// Last day, included.
        #[arg(long)]
        to: NaiveDate,
        /// The file to write: .xlsx or .csv.
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
}

#[expect(
    clippy::let_underscore_must_use,
    reason = "flushing before exit: there is nowhere left to report a failure"
)]
pub fn run(
    settings: &Settings,
    command: &WorkordersCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    match command {
        WorkordersCommand::Import {
            file,
            dry_run,
            report,
        } => {
            if !import(settings, file, *dry_run, report.as_deref(), now)? {
                let _ = std::io::stdout().flush();
                let _ = std::io::stderr().flush();
                std::process::exit(2);
            }
            Ok(())
        }
        WorkordersCommand::Export { from, to, out } => export(settings, *from, *to, out),
    }
}

/// True when no row was refused.
fn import(
    settings: &Settings,
    file: &Path,
    dry_run: bool,
    report_file: Option<&Path>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let unusable = |why: String| anyhow::anyhow!("{}：{why}；未导入任何工单", file.display());
    let size = std::fs::metadata(file)
        .map_err(|e| unusable(format!("无法读取文件：{e}")))?
        .len();
    if size > MAX_BYTES {
        return Err(unusable(too_large()));
    }
    let bytes = std::fs::read(file).map_err(|e| unusable(format!("无法读取文件：{e}")))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let orders = OrderFile::read(&name, &bytes).map_err(unusable)?;
    let mut conn = admin::open(settings)?;
    let ctx = Ctx {
        reference: admin::reference(&mut conn)?,
        public_url: settings.public_url.clone(),
        now,
        screening: settings.screening,
        notices: crate::notify::NoticeSettings::from_settings(settings),
    };
    let bar = progress_bar(orders.len());
    let by = format!("cli:{}", whoami());
    let report = import_file(&mut conn, &ctx, &by, &orders, !dry_run, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let tally = &report.tally;
    list_refusals(&tally.refused, report_file.is_some());
    if let Some(path) = report_file {
        write_refusals(path, &tally.refused)
            .with_context(|| format!("无法写入报告 {}", path.display()))?;
    }
    if dry_run {
        println!("试运行，未写入数据库：将新建案件 {}", counts(tally));
    } else {
        println!("已导入：新建案件 {}", counts(tally));
    }
    Ok(tally.refused.is_empty())
}

/// The counts of an import, after "新建案件".
fn counts(tally: &Tally) -> String {
    format!(
        "{} 件，无法确定辖区留待统一接收机构分送 {} 件，内容未变 {} 件，内容有变更并已记录 {} 件，拒绝 {} 行",
        tally.created,
        tally.left_for_dispatch,
        tally.unchanged,
        tally.changed,
        tally.refused.len()
    )
}

/// The operating-system user running the command, for the import's log line.
fn whoami() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

fn export(settings: &Settings, from: NaiveDate, to: NaiveDate, out: &Path) -> anyhow::Result<()> {
    if from > to {
        bail!("--from 不能晚于 --to");
    }
    let mut conn = admin::open(settings)?;
    let format = out
        .to_str()
        .and_then(Format::of_name)
        .context("只能导出为 .xlsx 或 .csv 文件")?;
    let (count, bytes) = workorders_export::results_file(&mut conn, from, to, format)?;
    std::fs::write(out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
    println!(
        "已导出 {count} 件工单的处理结果（{from} 至 {to}）到 {}",
        out.display()
    );
    Ok(())
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
    bar.set_message("导入 12315 工单");
    bar
}

fn list_refusals(refused: &[Refusal], has_report_file: bool) {
    for r in refused.iter().take(LISTED_REFUSALS) {
        let no = if r.registration_no.is_empty() {
            "无"
        } else {
            &r.registration_no
        };
        eprintln!(
            "第 {} 行（登记编号 {no}）：{}",
            r.line,
            r.reasons.join("；")
        );
    }
    super::import::mention_unlisted(refused.len(), LISTED_REFUSALS, has_report_file);
}

/// The refused rows as CSV: `line,registration_no,reasons`.
fn write_refusals(path: &Path, refused: &[Refusal]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(["line", "registration_no", "reasons"])?;
    for r in refused {
        writer.write_record([
            r.line.to_string().as_str(),
            &text_cell(&r.registration_no),
            &text_cell(&r.reasons.join("；")),
        ])?;
    }
    writer.flush()?;
    Ok(())
}
