//! An analyst clicks a bar of a trend chart and lands on the list of the cases it counts.

use std::time::{Duration, Instant};

use chrono::TimeZone;
use odrdesk::clock::china_offset;
use serde_json::json;

use super::World;
use crate::common::sample_complaint;

const ANALYST: &str = "ana@jm.gov.cn";

fn china(y: i32, m: u32, d: u32) -> chrono::DateTime<chrono::Utc> {
    china_offset()
        .with_ymd_and_hms(y, m, d, 10, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trend_bar_opens_the_cases_it_counts() {
    let w = World::start().await;
    // Two complaints in September, three in October, one in November.
    let days = [(9, 8), (9, 21), (10, 9), (10, 12), (10, 26), (11, 3)];
    for (i, (m, d)) in days.into_iter().enumerate() {
        w.app.set_now(china(2026, m, d));
        let mut c = sample_complaint();
        c["purchase"]["date"] = json!(format!("2026-{m:02}-01"));
        c["complainant"]["phone"] = json!(format!("1390000{i:04}"));
        let (s, v) = w.app.post_json("/api/v1/complaints", &c).await;
        assert_eq!(s, 201, "{v}");
    }
    w.app.set_now(china(2026, 11, 20));
    w.app.add_user(ANALYST, "analyst", &[], None).await;
    w.sign_in(ANALYST, "/analyst").await;
    let b = &w.browser;

    // The index follows the database within moments; wait for all six cases.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        w.open("/analyst/search?from=2026-09-01&to=2026-11-30")
            .await;
        let total = b.text(&b.find("#total").await).await;
        if total == "6" {
            break;
        }
        assert!(Instant::now() < deadline, "index has {total} of 6 cases");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    b.photograph("analyst-search").await;

    w.open("/analyst/trends?interval=month&from=2026-09-01&to=2026-11-30")
        .await;
    b.photograph("analyst-trends").await;
    let october = b.find("svg a[aria-label^='2026年10月']").await;
    let label = b.attr(&october, "aria-label").await.unwrap_or_default();
    assert!(label.contains("3件"), "{label}");
    b.follow(&october).await;
    let url = b.wait_for_url("/analyst/search").await;
    assert!(url.contains("2026-10-01"), "{url}");
    assert_eq!(
        b.text(&b.find("#total").await).await,
        "3",
        "the bar's cases, no more"
    );
    assert_eq!(b.find_all("li.hit").await.len(), 3);
    b.photograph("analyst-trend-cases").await;

    w.open("/analyst/hot?from=2026-10-01&to=2026-10-31").await;
    b.photograph("analyst-hot").await;
    w.browser.quit().await;
}
