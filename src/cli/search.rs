//! `odrdesk reindex`: rebuild the search index from the database into a new directory and
//! swap it in atomically; running servers keep searching the old one until then.

use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Settings;
use crate::service::admin;

pub fn reindex(settings: &Settings) -> anyhow::Result<()> {
    let mut conn = admin::open(settings)?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} 件 ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("重建索引");
    let started = std::time::Instant::now();
    let done = admin::reindex(
        &mut conn,
        &settings.data_dir.join("search"),
        &|total, done| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "reindexed {done} case(s) in {secs:.1}s ({:.0} cases/s); servers switch to the new index within a second",
        done as f64 / secs.max(0.001)
    );
    Ok(())
}
