//! Trends, hot terms, alerts, similar cases, and the index across restarts and rebuilds.

use chrono::Datelike;
use serde_json::json;

use super::common::{Backend, TestApp, china_morning, has_flag};
use super::*;

/// Files a complaint received at 10:00 on the given day.
async fn file_on(app: &TestApp, day: (i32, u32, u32), body: &Value) -> String {
    app.set_now(china_morning(day.0, day.1, day.2));
    let mut body = body.clone();
    body["purchase"]["date"] = json!("2024-01-01");
    app.file(&body).await.0
}

async fn trends_count_calendar_buckets_with_last_year(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let skin = complaint(
        "面膜过敏",
        "面膜过敏红肿",
        "goods.cosmetics.skincare",
        "440703",
        "甲公司",
    );
    let salon = complaint(
        "美容院跑路",
        "美容院关门",
        "services.beauty_salon",
        "440704",
        "乙美容院",
    );
    for day in [
        (2026, 7, 1),
        (2026, 7, 31),
        (2026, 8, 15),
        (2026, 9, 30),
        (2025, 7, 10),
    ] {
        file_on(&app, day, &skin).await;
    }
    // 07:00 on 1 October China time is still 30 September in UTC: it belongs to Q4.
    app.set_now(china_morning(2026, 10, 1) - chrono::Duration::hours(3));
    app.file(&{
        let mut b = salon.clone();
        b["purchase"]["date"] = json!("2024-01-01");
        b
    })
    .await;
    file_on(&app, (2026, 10, 20), &salon).await;
    app.set_now(china_morning(2026, 11, 20));
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    wait_indexed(&app, &analyst, 7).await;
    let (s, t) = app
        .get_as(
            "/api/v1/trends?from=2026-07-01&to=2026-10-31&interval=month&by=category&top=1",
            &analyst,
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let b = t["buckets"].as_array().unwrap();
    let summary: Vec<(&str, u64, u64)> = b
        .iter()
        .map(|x| {
            (
                x["key"].as_str().unwrap(),
                x["count"].as_u64().unwrap(),
                x["previous_year_count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("2026-07", 2, 1),
            ("2026-08", 1, 0),
            ("2026-09", 1, 0),
            ("2026-10", 2, 0)
        ]
    );
    assert_eq!(b[0]["split"][0]["label"], "护肤品");
    assert_eq!(b[0]["from"], "2026-07-01");
    assert_eq!(b[0]["to"], "2026-07-31");
    let (_, q) = app
        .get_as(
            "/api/v1/trends?from=2026-07-01&to=2026-12-31&interval=quarter",
            &analyst,
        )
        .await;
    let q: Vec<(&str, u64)> = q["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["key"].as_str().unwrap(), x["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(q, [("2026-Q3", 4), ("2026-Q4", 2)]);
    assert_eq!(
        app.get_as("/api/v1/trends?interval=fortnight", &analyst)
            .await
            .0,
        400
    );
    assert_eq!(
        app.get_as("/api/v1/trends?from=2026-12-01&to=2026-01-01", &analyst)
            .await
            .0,
        422
    );
}

async fn a_burst_is_the_top_hot_term_and_raises_an_alert(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let usual = [
        ("面膜过敏", "面膜用后过敏红肿，要求退货退款。"),
        ("口红掉色", "口红掉色严重，与宣传不符，要求退款。"),
        ("洗面奶刺痛", "洗面奶用后刺痛，客服不处理，要求退货。"),
    ];
    // Eight ordinary weeks (2026-09-07 … 2026-11-01): two complaints a week.
    for week in 0..8u64 {
        let monday =
            chrono::NaiveDate::from_ymd_opt(2026, 9, 7).unwrap() + chrono::Days::new(7 * week);
        for (i, (title, text)) in usual.iter().cycle().skip(week as usize).take(2).enumerate() {
            let day = monday + chrono::Days::new(i as u64);
            let c = complaint(
                title,
                text,
                "goods.cosmetics.skincare",
                "440703",
                "日常商家",
            );
            file_on(&app, (2026, day.month(), day.day()), &c).await;
        }
    }
    // The week of 2026-11-02: eight complaints in everyday words plus one new one.
    for i in 0..8u32 {
        let (title, text) = usual[i as usize % usual.len()];
        let c = complaint(
            &format!("{title}，含荧光剂"),
            &format!("{text}含荧光剂。"),
            "goods.cosmetics.whitening_spot",
            "440703",
            "江门市白雪美妆店",
        );
        file_on(&app, (2026, 11, 2 + i % 5), &c).await;
    }
    app.set_now(china_morning(2026, 11, 20));
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    wait_indexed(&app, &analyst, 24).await;
    let (s, hot) = app.get_as("/api/v1/hot-terms?from=2026-11-02&to=2026-11-08&baseline_from=2026-09-07&baseline_to=2026-11-01", &analyst).await;
    assert_eq!(s, 200, "{hot}");
    assert_eq!(hot["terms"][0]["term"], "荧光剂", "{hot}");
    assert_eq!(hot["terms"][0]["count"], 8);
    assert_eq!(hot["terms"][0]["baseline_count"], 0);
    // Per day: 8 cases in 7 days against none in 56; new, so no lift to show.
    assert_eq!(hot["terms"][0]["per_day"], 1.14, "{hot}");
    assert_eq!(hot["terms"][0]["baseline_per_day"], 0.0, "{hot}");
    assert_eq!(
        hot["terms"][0].get("lift"),
        Some(&serde_json::Value::Null),
        "{hot}"
    );
    assert_eq!(hot["terms"][0]["examples"].as_array().unwrap().len(), 3);
    let terms: Vec<&str> = hot["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    assert!(
        !terms.contains(&"退款"),
        "everyday words are not hot: {terms:?}"
    );
    let (_, alerts) = app
        .get_as("/api/v1/alerts?week_of=2026-11-04", &analyst)
        .await;
    let keys: Vec<&str> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"江门市白雪美妆店") && keys.contains(&"goods.cosmetics.whitening_spot"),
        "{alerts}"
    );
    assert!(!keys.contains(&"日常商家"), "{alerts}");
    let (_, quiet) = app
        .get_as("/api/v1/alerts?week_of=2026-10-28", &analyst)
        .await;
    assert_eq!(quiet["alerts"], json!([]));
}

async fn duplicates_are_flagged_and_found_similar(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let c = complaint(
        "烟酰胺精华烂脸",
        "用了烟酰胺精华两周后烂脸，要求退款并赔偿。",
        "goods.cosmetics.skincare",
        "440703",
        "江门市某店",
    );
    let first = app.file(&c).await.0;
    let second = app.file(&c).await.0;
    let other = app
        .file(&complaint(
            "冰箱不制冷",
            "新买的冰箱不制冷。",
            "goods.appliances",
            "440703",
            "江门市某店",
        ))
        .await
        .0;
    wait_indexed(&app, &analyst, 3).await;
    let (_, v) = app
        .get_as(&format!("/api/v1/cases/{second}"), &analyst)
        .await;
    assert!(has_flag(&v, "likely_duplicate"), "{v}");
    let (s, sim) = app
        .get_as(&format!("/api/v1/similar/{second}"), &analyst)
        .await;
    assert_eq!(s, 200, "{sim}");
    let dups: Vec<&str> = sim["likely_duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["case_no"].as_str().unwrap())
        .collect();
    assert_eq!(dups, [first.as_str()]);
    assert!(!sim.to_string().contains(&other));
    assert_eq!(
        app.get_as("/api/v1/similar/TS-2026-999999", &analyst)
            .await
            .0,
        404
    );
}

async fn the_index_survives_restarts_and_rebuilds_while_serving(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    for i in 0..6 {
        app.file(&complaint(
            &format!("染发剂过敏{i}"),
            "染发剂导致头皮过敏。",
            "goods.cosmetics.haircare_dye",
            "440705",
            "某理发店",
        ))
        .await;
    }
    wait_indexed(&app, &analyst, 6).await;
    // Cases written while no server runs are indexed when one starts again.
    let app = app.restart().await;
    let analyst = app
        .login_token("ana@jm.gov.cn", common::accounts::PASSWORD)
        .await;
    app.file(&complaint(
        "染发剂过敏7",
        "染发剂导致头皮过敏。",
        "goods.cosmetics.haircare_dye",
        "440705",
        "某理发店",
    ))
    .await;
    wait_indexed(&app, &analyst, 7).await;
    // A rebuild from the command line swaps in while the server keeps answering.
    let out = run_on(&app, &["reindex"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("reindexed 7 case(s)"));
    app.file(&complaint(
        "染发剂过敏8",
        "染发剂导致头皮过敏。",
        "goods.cosmetics.haircare_dye",
        "440705",
        "某理发店",
    ))
    .await;
    let page = wait_indexed(&app, &analyst, 8).await;
    assert_eq!(page["facets"]["district"]["440705"], 8, "nothing doubled");
    let dirs = std::fs::read_dir(app.data_dir().join("search"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("index-")
        })
        .count();
    assert_eq!(dirs, 1, "the old index directory is removed after the swap");
}

async fn exports_are_capped_background_jobs_with_masked_text(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let other = app.add_user("ana2@jm.gov.cn", "analyst", &[], None).await;
    for i in 0..4 {
        app.file(&complaint(
            &format!("面膜过敏{i}，请回电13812345678"),
            "面膜过敏。",
            "goods.cosmetics.skincare",
            "440703",
            "甲公司",
        ))
        .await;
    }
    app.file(&complaint(
        "冰箱坏了",
        "冰箱不制冷。",
        "goods.appliances",
        "440703",
        "乙公司",
    ))
    .await;
    wait_indexed(&app, &analyst, 5).await;
    let (s, job) = app
        .post_as(
            "/api/v1/exports",
            &analyst,
            &json!({"q": "面膜", "district": "440703"}),
        )
        .await;
    assert_eq!(s, 202, "{job}");
    let path = format!("/api/v1/exports/{}", job["id"]);
    let status = export_finished(&app, &path, &analyst).await;
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(status["row_count"], 4);
    let csv = app.get_text_as(&format!("{path}/download"), &analyst).await;
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(
        csv.contains("138****5678") && !csv.contains("13812345678"),
        "{csv}"
    );
    assert!(!csv.contains("冰箱"));
    assert_eq!(
        app.get_as(&path, &other).await.0,
        404,
        "someone else's export"
    );
    let (s, _) = app
        .post_as("/api/v1/exports", &analyst, &json!({"q": "title:("}))
        .await;
    assert_eq!(s, 422);
}

/// Consumer text that a spreadsheet would run as a formula is written as text.
async fn exported_text_never_starts_a_formula(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    app.file(&complaint(
        "=HYPERLINK(\"https://evil.example/phish\",\"面膜退款\")",
        "=HYPERLINK(\"https://evil.example/phish\",\"点此退款\") 面膜过敏。",
        "goods.cosmetics.skincare",
        "440703",
        "+甲公司",
    ))
    .await;
    wait_indexed(&app, &analyst, 1).await;
    let (s, job) = app
        .post_as("/api/v1/exports", &analyst, &json!({"q": "面膜"}))
        .await;
    assert_eq!(s, 202, "{job}");
    let path = format!("/api/v1/exports/{}", job["id"]);
    let status = export_finished(&app, &path, &analyst).await;
    assert_eq!(status["status"], "done", "{status}");
    let csv = app.get_text_as(&format!("{path}/download"), &analyst).await;
    let row = csv
        .lines()
        .nth(1)
        .unwrap_or_else(|| panic!("no row in {csv}"));
    assert!(
        row.contains(",\"'=HYPERLINK(\"\"https://evil.example/phish"),
        "{row}"
    );
    assert!(row.contains(",\"'+甲公司\","), "{row}");
    assert!(!row.contains(",\"=") && !row.contains(",\"+"), "{row}");
}

/// The export's status once it is done or failed (polled for up to 10 s).
pub async fn export_finished(app: &TestApp, path: &str, token: &str) -> Value {
    let mut status = json!(null);
    for _ in 0..200 {
        status = app.get_as(path, token).await.1;
        if status["status"] == "done" || status["status"] == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    status
}

/// A file that cannot be written (here a plain file where the exports folder belongs) ends
/// the export as failed, with the reason, and nothing to download.
async fn an_export_that_cannot_be_written_fails(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    std::fs::write(app.data_dir().join("exports"), b"not a folder").unwrap();
    let (s, job) = app
        .post_as("/api/v1/exports", &analyst, &json!({"q": "面膜"}))
        .await;
    assert_eq!(s, 202, "{job}");
    let path = format!("/api/v1/exports/{}", job["id"]);
    let status = export_finished(&app, &path, &analyst).await;
    assert_eq!(status["status"], "failed", "{status}");
    assert!(
        status["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{status}"
    );
    assert_eq!(status["download"], json!(null));
    let (s, _) = app.get_as(&format!("{path}/download"), &analyst).await;
    assert_eq!(s, 404);
}

/// Dates outside 2000-01-01 ..= a year from today, too many buckets and oversized counts are
/// field errors (422), never a panicked worker or a server error; the edges themselves pass.
async fn dates_and_counts_out_of_bounds_are_field_errors(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    app.set_now(china_morning(2026, 11, 20));
    let refused = [
        ("/api/v1/hot-terms?to=-262143-01-01", "to"),
        ("/api/v1/trends?from=%2B262142-12-31&interval=day", "from"),
        (
            "/api/v1/trends?interval=day&from=2000-01-01&by=respondent&top=100",
            "interval",
        ),
        ("/api/v1/trends?from=1999-12-31&to=2000-01-31", "from"),
        ("/api/v1/trends?to=2027-11-21", "to"),
        ("/api/v1/trends?by=state&top=101", "top"),
        ("/api/v1/trends?by=state&top=0", "top"),
        ("/api/v1/search?from=-262143-01-01", "from"),
        ("/api/v1/search?to=%2B262142-12-31", "to"),
        ("/api/v1/search?from=2026-02-01&to=2026-01-01", "from"),
        ("/api/v1/alerts?week_of=-262143-01-01", "week_of"),
        ("/api/v1/alerts?week_of=%2B262142-12-31", "week_of"),
        ("/api/v1/alerts?baseline_weeks=4294967295", "baseline_weeks"),
        (
            "/api/v1/hot-terms?from=2026-11-01&to=2026-11-07&baseline_from=-262143-01-01",
            "baseline_from",
        ),
        ("/api/v1/hot-terms?limit=100000", "limit"),
    ];
    for (path, field) in refused {
        let (s, v) = app.get_as(path, &analyst).await;
        assert_eq!(s, 422, "{path}: {v}");
        assert_eq!(v["fields"][0]["field"], field, "{path}: {v}");
        let message = v["fields"][0]["message"].as_str().unwrap_or_default();
        assert!(!message.is_ascii(), "a Chinese message for {path}: {v}");
    }
    let accepted = [
        "/api/v1/trends?from=2000-01-01&to=2027-11-20&interval=month",
        "/api/v1/trends?from=2026-10-17&to=2027-11-20&interval=day&by=respondent&top=100",
        "/api/v1/hot-terms?from=2000-01-01&to=2000-01-07",
        "/api/v1/alerts?week_of=2027-11-20",
        "/api/v1/search?from=2000-01-01&to=2027-11-20",
    ];
    for path in accepted {
        let (s, v) = app.get_as(path, &analyst).await;
        assert_eq!(s, 200, "{path}: {v}");
    }
    let (s, v) = app
        .post_as(
            "/api/v1/exports",
            &analyst,
            &json!({"from": "-262143-01-01"}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "from", "{v}");
}

on_both_backends!(
    dates_and_counts_out_of_bounds_are_field_errors,
    an_export_that_cannot_be_written_fails,
    exported_text_never_starts_a_formula,
    exports_are_capped_background_jobs_with_masked_text,
    trends_count_calendar_buckets_with_last_year,
    a_burst_is_the_top_hot_term_and_raises_an_alert,
    duplicates_are_flagged_and_found_similar,
    the_index_survives_restarts_and_rebuilds_while_serving,
);
