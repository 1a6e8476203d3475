//! `odrdesk scorecard --quarter 2026Q3 --format csv|json --out FILE`: a quarter's credit
//! scorecards of cosmetics and beauty businesses, written for the credit system.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use indicatif::ProgressBar;

use crate::config::Settings;
use crate::scorecard::export;
use crate::service::{admin, scorecards};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ScorecardArgs {
    /// A quarter such as 2026Q3 (China Standard Time dates).
    #[arg(long)]
    pub quarter: String,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Judge running deadlines as of this date (default: today); pin it for reproducible output.
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
}

pub fn run(settings: &Settings, args: &ScorecardArgs, today: NaiveDate) -> anyhow::Result<()> {
    let quarter = scorecards::parse_quarter(&args.quarter)?;
    let as_of = args.as_of.unwrap_or(today);
    let spinner = ProgressBar::new_spinner();
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner.set_message(format!("统计 {quarter} 信用评分"));
    let mut conn = admin::open(settings)?;
    let reference = admin::reference(&mut conn)?;
    let set = scorecards::for_quarter(&mut conn, &reference, quarter, as_of, &settings.scorecard)?;
    spinner.set_message("生成文件");
    let bytes = match args.format {
        Format::Csv => export::csv(&set)?,
        Format::Json => export::json(&set).into_bytes(),
    };
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&args.out, bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    tracing::info!(
        target: "odrdesk::audit",
        by = "command line",
        quarter = %quarter,
        format = match args.format {
            Format::Csv => "csv",
            Format::Json => "json",
        },
        scorecards = set.scorecards.len(),
        "credit scorecards exported"
    );
    spinner.finish_and_clear();
    println!(
        "{quarter}: {} scorecard(s) as of {as_of}; wrote {}",
        set.scorecards.len(),
        args.out.display()
    );
    Ok(())
}
