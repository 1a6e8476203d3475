//! An export is two files: the people's CSV (Chinese headers and names, China time), which
//! a spreadsheet opens as it is, and the machine CSV (codes, UTC), named as such. Both keep
//! the formula guard and the masked free text.

use serde_json::json;

use super::analysis::export_finished;
use super::common::browser::Browser;
use super::common::{Backend, TestApp, china_morning};
use super::*;

/// The header and first row of a CSV, without the byte-order mark.
fn header_and_row(csv: &str) -> (&str, &str) {
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    (lines.next().unwrap(), lines.next().unwrap_or_default())
}

async fn the_peoples_csv_speaks_chinese_and_the_machine_csv_codes(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    // 16:05 in China is 08:05 UTC.
    app.set_now(china_morning(2026, 12, 6) + chrono::Duration::minutes(6 * 60 + 5));
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let mut c = complaint(
        "面膜过敏",
        "面膜过敏，请回电 13812345678。",
        "goods.cosmetics.skincare",
        "440703",
        "=甲公司",
    );
    c["purchase"]["date"] = json!("2026-12-01");
    app.file(&c).await;
    wait_indexed(&app, &analyst, 1).await;
    let (s, job) = app
        .post_as("/api/v1/exports", &analyst, &json!({"q": "面膜"}))
        .await;
    assert_eq!(s, 202, "{job}");
    let id = job["id"].as_i64().unwrap();
    let path = format!("/api/v1/exports/{id}");
    let status = export_finished(&app, &path, &analyst).await;
    assert_eq!(status["status"], "done", "{status}");
    assert_eq!(status["download"], json!(format!("{path}/download")));
    assert_eq!(
        status["download_machine"],
        json!(format!("{path}/download?format=machine"))
    );

    let people = app.get_text_as(&format!("{path}/download"), &analyst).await;
    assert!(
        people.starts_with('\u{feff}'),
        "opens as UTF-8 in a spreadsheet"
    );
    let (header, row) = header_and_row(&people);
    assert!(
        header.starts_with("案件编号,收到时间（北京时间，UTC+08:00）,类型,状态,类别,性质,辖区"),
        "{header}"
    );
    for words in ["\"2026-12-06 16:05\"", "\"投诉\"", "\"质量\"", "\"蓬江区\""] {
        assert!(row.contains(words), "{words} in {row}");
    }
    for code in [
        "complaint",
        "quality",
        "440703",
        "goods.cosmetics",
        "T08:05",
        "+00:00",
    ] {
        assert!(!row.contains(code), "{code} in the people's CSV: {row}");
    }

    let machine = app
        .get_text_as(&format!("{path}/download?format=machine"), &analyst)
        .await;
    let (header, row) = header_and_row(&machine);
    assert!(header.starts_with("case_no,received_at,kind,state,category,nature,district"));
    for code in [
        "\"2026-12-06T08:05:00+00:00\"",
        "\"complaint\"",
        "\"goods.cosmetics.skincare\"",
        "\"quality\"",
        "\"440703\"",
    ] {
        assert!(row.contains(code), "{code} in {row}");
    }

    for (name, row) in [("people's", header_and_row(&people).1), ("machine", row)] {
        assert!(
            row.contains(",\"'=甲公司\","),
            "formula guard on the {name} CSV: {row}"
        );
        assert!(
            row.contains("138****5678") && !row.contains("13812345678"),
            "masked text on the {name} CSV: {row}"
        );
    }

    let (s, v) = app
        .get_as(&format!("{path}/download?format=xlsx"), &analyst)
        .await;
    assert_eq!(
        (s, v["fields"][0]["field"].as_str()),
        (422, Some("format")),
        "{v}"
    );

    // The export page offers both, each named for what it is.
    let mut web = Browser::signed_in(&app, "ana@jm.gov.cn", "/analyst/search").await;
    let page = web.get(&format!("/analyst/exports/{id}")).await;
    assert!(
        page.body.contains("下载 CSV 文件") && page.body.contains("机器可读 CSV"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("{path}/download?format=machine"))
    );
}

on_both_backends!(the_peoples_csv_speaks_chinese_and_the_machine_csv_codes);
