//! The analyst API's query string (`from`, `to`, `interval`, `by`, `top`, `limit`,
//! `baseline_*`, `week_of`, …): checking it must answer with parameters or field errors, and
//! asking the index with parameters that passed must not panic, at any date chrono can read.
//! Runs against one empty index opened once.

#![no_main]

use std::sync::OnceLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use odrdesk::http::analyst::TrendOptions;
use odrdesk::search::index::{self, Live};
use odrdesk::search::query::Filters;
use odrdesk::search::{alerts, hot, trends};
use odrdesk::service::analysis::{
    AlertOptions, HotOptions, alert_params, check_filter_dates, hot_params, trend_span, trend_top,
};

fn live() -> &'static Live {
    static LIVE: OnceLock<Live> = OnceLock::new();
    LIVE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        index::open_dir(&dir.path().join("index")).expect("empty index")
    })
}

/// The clock's day, at the bounds of chrono's calendar as well as today.
const TODAYS: [NaiveDate; 3] = [
    NaiveDate::MIN,
    NaiveDate::MAX,
    match NaiveDate::from_ymd_opt(2026, 11, 20) {
        Some(d) => d,
        None => NaiveDate::MIN,
    },
];

fuzz_target!(|query: &str| {
    let live = live();
    let Ok(filters) = serde_urlencoded::from_str::<Filters>(query) else {
        return;
    };
    for today in TODAYS {
        let _ = check_filter_dates(&filters, today);
        if let Ok(options) = serde_urlencoded::from_str::<TrendOptions>(query) {
            let interval = options.interval.unwrap_or_default();
            if let (Ok(span), Ok(top)) = (
                trend_span(&filters, interval, today),
                trend_top(options.top),
            ) {
                let split = options.by.map(|by| (by, top));
                let _ = trends::trends(live, &filters, &None, span, interval, split);
            }
        }
        if let Ok(options) = serde_urlencoded::from_str::<HotOptions>(query)
            && let Ok(params) = hot_params(&filters, &options, today)
        {
            let _ = hot::hot_terms(live, &filters, &None, &params);
        }
        if let Ok(options) = serde_urlencoded::from_str::<AlertOptions>(query)
            && let Ok(params) = alert_params(&options, today)
        {
            let _ = alerts::alerts(live, &filters, &None, &params);
        }
    }
});
