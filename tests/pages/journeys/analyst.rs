//! An analyst signs in, searches, opens a hit, clicks a bar of the trend chart and a hot
//! term, each leading to the cases it counts, and exports the list as CSV.

use std::time::{Duration, Instant};

use serde_json::json;

use super::Journey;
use crate::common::webdriver::PATIENCE;
use crate::common::{china_morning, sample_complaint};

const ANALYST: &str = "ana@jm.gov.cn";

/// Complaints about a prepaid gym card in September and October, then a run of face-mask
/// complaints in the week before 20 November: the face masks are the hot term.
async fn file_cases(j: &Journey) {
    let app = &j.w.app;
    let days = [(9, 8), (10, 12), (11, 16), (11, 17), (11, 18), (11, 19)];
    for (i, (m, d)) in days.into_iter().enumerate() {
        app.set_now(china_morning(2026, m, d));
        let mut c = sample_complaint();
        c["purchase"]["date"] = json!(format!("2026-{m:02}-01"));
        c["complainant"]["phone"] = json!(format!("1390000{i:04}"));
        if m < 11 {
            c["title"] = json!("健身房预付卡无法退费");
            c["description"] = json!("办理的健身年卡，门店停业后拒绝退还余额。");
        }
        let (s, v) = app.post_json("/api/v1/complaints", &c).await;
        assert_eq!(s, 201, "{v}");
    }
    app.set_now(china_morning(2026, 11, 20));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_searches_follows_a_hit_a_trend_bar_a_hot_term_and_exports() {
    let j = Journey::start("analyst").await;
    file_cases(&j).await;
    j.w.app.add_user(ANALYST, "analyst", &[], None).await;
    let b = j.browser();

    j.sign_in(ANALYST, "/analyst", "案件检索").await;
    // The index follows the database within moments: search again until it has them.
    let deadline = Instant::now() + PATIENCE;
    loop {
        b.fill("#q", "面膜").await;
        j.go("form[role=search] button[type=submit]").await;
        if j.text("#total").await == "4" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the index never held the 4 cases"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    j.step("searched").await;
    let hit = j.text("li.hit h3 a .case-no").await;
    let case = j.go("li.hit h3 a").await;
    assert!(j.text("h1").await.contains(&hit), "{case}");
    j.step("hit").await;

    j.go("nav.subnav a[href='/analyst/trends']").await;
    j.step("trends").await;
    let bars = b.find_all("svg a").await;
    let latest = bars.last().expect("bars in the chart");
    let label = b.attr(latest, "aria-label").await.unwrap_or_default();
    assert!(label.ends_with("：4件"), "{label}");
    b.follow(latest).await;
    assert!(
        b.url().await.contains("/analyst/search?"),
        "the bar's cases"
    );
    assert_eq!(j.text("#total").await, "4", "the bar's count, no more");
    j.step("trend-bar").await;

    j.go("nav.subnav a[href='/analyst/hot']").await;
    j.step("hot").await;
    let term = j.text("section table td a").await;
    j.go("section table td a").await;
    assert!(
        b.url().await.contains("/analyst/search?"),
        "the term's cases"
    );
    assert_eq!(j.text("#total").await, "4", "the week's cases with {term}");
    j.step("hot-term").await;

    let pending = j.go("form[action='/analyst/exports'] button").await;
    assert!(pending.contains("导出 #"), "{pending}");
    // The export page reloads itself until the file is ready.
    b.wait_for("下载 CSV 文件").await;
    j.step("export").await;
    let (kind, csv) = j.download("main a.button[download]").await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4, "a header and the four cases");
    j.sign_out().await;
    j.finish().await;
}
