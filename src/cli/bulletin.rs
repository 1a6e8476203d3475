//! `odrdesk bulletin 2026-Q3`: compute a bulletin from the records and write it as HTML, PDF,
//! JSON and/or CSV. Nothing is stored; publishing goes through the admin API and pages.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use indicatif::ProgressBar;

use crate::bulletin::hot;
use crate::bulletin::model::{Bulletin, HotIssue};
use crate::bulletin::period::Period;
use crate::bulletin::render;
use crate::config::Settings;
use crate::search::SearchIndex;
use crate::service::admin;
use crate::service::bulletins::{self, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Html,
    Pdf,
    Json,
    Csv,
    All,
}

#[derive(Debug, clap::Args)]
pub struct BulletinArgs {
    /// A quarter such as 2026-Q3 (China Standard Time dates); or give --from and --to.
    pub period: Option<String>,
    /// First day of a custom period (YYYY-MM-DD).
    #[arg(long, requires = "to", conflicts_with = "period")]
    pub from: Option<NaiveDate>,
    /// Last day of a custom period (YYYY-MM-DD), inclusive.
    #[arg(long, requires = "from")]
    pub to: Option<NaiveDate>,
    #[arg(long, value_enum, default_value = "all")]
    pub format: Format,
    /// Directory to write into (created if missing).
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// Judge running deadlines as of this date (default: today); pin it for reproducible output.
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
}

pub fn period_of(args: &BulletinArgs) -> anyhow::Result<Period> {
    Ok(match (&args.period, args.from, args.to) {
        (Some(label), None, None) => Period::parse_quarter(label)?,
        (None, Some(from), Some(to)) => Period::span(from, to)?,
        _ => bail!("give a quarter such as 2026-Q3, or --from and --to"),
    })
}

/// The period's hot terms from the node's index, brought up to date first. A missing or busy
/// index (a server holds its writer) leaves hot issues from what is indexed so far.
fn hot_issues(search: Option<SearchIndex>, period: &Period) -> Vec<HotIssue> {
    let Some(search) = search else {
        return Vec::new();
    };
    hot::from_index(&search.live(), period).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "hot issues unavailable");
        Vec::new()
    })
}

fn file_stem(period: &Period) -> String {
    format!("bulletin-{}", period.label.replace('~', "_"))
}

fn write(dir: &Path, name: String, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

pub fn write_formats(
    b: &Bulletin,
    period: &Period,
    format: Format,
    dir: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stem = file_stem(period);
    let wants = |f: Format| format == f || format == Format::All;
    let mut written = Vec::new();
    // The PDF is printed from the HTML; neither is rendered unless asked for.
    let html = (wants(Format::Html) || wants(Format::Pdf)).then(|| render::html(b));
    if let (true, Some(html)) = (wants(Format::Html), &html) {
        written.push(write(dir, format!("{stem}.html"), html.as_bytes())?);
    }
    if wants(Format::Json) {
        written.push(write(
            dir,
            format!("{stem}.json"),
            render::json(b).as_bytes(),
        )?);
    }
    if wants(Format::Csv) {
        written.push(write(
            dir,
            format!("{stem}.csv"),
            render::csv(b).as_bytes(),
        )?);
    }
    if let (true, Some(html)) = (wants(Format::Pdf), &html) {
        let pdf = render::pdf(html)?;
        written.push(write(dir, format!("{stem}.pdf"), &pdf)?);
    }
    Ok(written)
}

pub fn run(settings: &Settings, args: &BulletinArgs, today: NaiveDate) -> anyhow::Result<()> {
    let period = period_of(args)?;
    let as_of = args.as_of.unwrap_or(today);
    let spinner = ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner.set_message("更新检索索引");
    let mut conn = admin::open(settings)?;
    let reference = admin::reference(&mut conn)?;
    let search = admin::caught_up_index(&mut conn, &settings.data_dir.join("search"));
    let hot = hot_issues(search, &period);
    spinner.set_message(format!("统计 {}", period.label));
    let req = Request {
        reference: &reference,
        period: period.clone(),
        as_of,
        hot,
    };
    let bulletin = bulletins::preview(&mut conn, &req)?;
    spinner.set_message("生成文件");
    let written = write_formats(&bulletin, &period, args.format, &args.out)?;
    spinner.finish_and_clear();
    let t = &bulletin.figures.totals;
    println!(
        "{}: {} complaint(s), {} report(s), {} fen recovered; inputs {}",
        period.label, t.complaints, t.reports, t.recovered_fen, bulletin.inputs_hash
    );
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(())
}
