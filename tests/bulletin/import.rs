//! `odrdesk import`: the real binary loads past quarters' figures into `history_aggregates`,
//! on both backends. Re-importing is idempotent; `--strict` and `--dry-run` write nothing;
//! rejected rows give exit status 2 and a report.

use crate::common;
use crate::on_both_backends;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::binary::odrdesk_on;
use common::{Backend, TestApp};
use diesel::prelude::*;
use odrdesk::bulletin::history::HistoryRow;
use odrdesk::store::history;
use odrdesk::store::schema::history_aggregates as h;

/// The bulletin's own open-data layout: extra columns, and tables that are not imported.
const OPEN_DATA: &str = "\u{feff}period,table,code,label,count,share,yoy,numerator,denominator
2025-Q3,totals,complaints,投诉,1200,,0.1,,
2025-Q3,totals,reports,举报,300,,,,
2025-Q3,totals,recovered_fen,挽回经济损失（分）,123456789012,,,,
2025-Q3,rate,acceptance_on_time,投诉按时受理率,,0.98,,98,100
2025-Q3,channel,web,网页,500,0.4167,,,
2025-Q3,district,440703,蓬江区,400,0.3333,,,
2025-Q3,category,goods.cosmetics,化妆品,250,0.2083,,,
2025-Q3,nature,quality,质量,310,0.2583,,,
2025-Q3,hot_issue,,过敏,42,,,,
2025-Q4,totals,complaints,投诉,1100,,,,
";

/// Two good rows around three bad ones (lines 3, 4 and 5).
const WITH_BAD_ROWS: &str = "period,table,code,count
2024-Q1,totals,complaints,10
2024-Q1,district,999999,5
2024-Q5,totals,reports,1
2024-Q1,totals,complaints,11
2024-Q2,nature,price,-
";

fn write_file(app: &TestApp, name: &str, contents: &[u8]) -> PathBuf {
    let path = app.data_dir().join(name);
    std::fs::write(&path, contents).expect("write csv");
    path
}

/// Runs `odrdesk import FILE args…` against the app's database.
fn import(app: &TestApp, file: &Path, args: &[&str]) -> Output {
    let mut cmd = odrdesk_on(app);
    cmd.arg("import").arg(file).args(args);
    tokio::task::block_in_place(|| cmd.output()).expect("run odrdesk")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The whole table, in key order.
fn stored(app: &TestApp) -> Vec<(String, String, String, i64)> {
    let mut rows: Vec<(String, String, String, i64)> = h::table
        .select((h::period, h::tbl, h::code, h::count))
        .load(&mut app.db())
        .expect("read history_aggregates");
    rows.sort();
    rows
}

fn stored_count(app: &TestApp) -> i64 {
    h::table
        .count()
        .get_result(&mut app.db())
        .expect("count history_aggregates")
}

fn key(period: &str, table: &str, code: &str, count: i64) -> (String, String, String, i64) {
    (period.into(), table.into(), code.into(), count)
}

async fn imports_the_open_data_layout_idempotently(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let file = write_file(&app, "history.csv", OPEN_DATA.as_bytes());

    let out = import(&app, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("已导入 8 行"), "{text}");
    assert!(text.contains("2025-Q3、2025-Q4"), "{text}");
    assert!(text.contains("跳过 2 行"), "{text}");
    let first = stored(&app);
    assert_eq!(first.len(), 8);
    assert!(first.contains(&key("2025-Q3", "totals", "recovered_fen", 123_456_789_012)));
    assert!(first.contains(&key("2025-Q3", "category", "goods.cosmetics", 250)));
    assert!(first.contains(&key("2025-Q4", "totals", "complaints", 1100)));

    let again = import(&app, &file, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(stored(&app), first, "a second import changes nothing");

    // A corrected figure replaces the stored one; other rows stay.
    let fix = write_file(
        &app,
        "fix.csv",
        b"period,table,code,count\n2025-Q3,totals,complaints,1250\n",
    );
    let out = import(&app, &fix, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after = stored(&app);
    assert_eq!(after.len(), 8);
    assert!(after.contains(&key("2025-Q3", "totals", "complaints", 1250)));

    let mut conn = app.db();
    assert_eq!(history::periods(&mut conn).unwrap(), ["2025-Q3", "2025-Q4"]);
    let q4 = history::load_period(&mut conn, "2025-Q4").unwrap();
    assert_eq!(
        q4,
        [HistoryRow {
            period: "2025-Q4".into(),
            table: "totals".into(),
            code: "complaints".into(),
            count: 1100,
        }]
    );
    let q3: Vec<(String, String)> = history::load_period(&mut conn, "2025-Q3")
        .unwrap()
        .into_iter()
        .map(|r| (r.table, r.code))
        .collect();
    let mut sorted = q3.clone();
    sorted.sort();
    assert_eq!(q3, sorted, "sorted by table, then code");
    assert!(
        history::load_period(&mut conn, "2019-Q1")
            .unwrap()
            .is_empty()
    );
}

async fn rejected_rows_give_status_2_and_a_report(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let file = write_file(&app, "bad.csv", WITH_BAD_ROWS.as_bytes());
    let report = app.data_dir().join("rejected.csv");

    let out = import(&app, &file, &["--report", report.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("第 3 行，code 列"), "{err}");
    assert!(err.contains("第 4 行，period 列"), "{err}");
    assert!(err.contains("第 5 行，code 列：与第 2 行重复"), "{err}");
    assert!(err.contains("第 6 行，count 列"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(stdout(&out).contains("已导入 1 行"), "{}", stdout(&out));
    assert!(stdout(&out).contains("拒绝 4 行"), "{}", stdout(&out));
    assert_eq!(stored(&app), [key("2024-Q1", "totals", "complaints", 10)]);

    let written = std::fs::read_to_string(&report).expect("report file");
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("line,column,message"));
    let bad: Vec<&str> = lines.map(|l| l.split(',').next().unwrap_or("")).collect();
    assert_eq!(bad, ["3", "4", "5", "6"], "{written}");
}

async fn strict_refuses_the_whole_file(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let file = write_file(&app, "bad.csv", WITH_BAD_ROWS.as_bytes());
    let out = import(&app, &file, &["--strict"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).contains("未导入任何数据"), "{}", stdout(&out));
    assert!(stderr(&out).contains("第 3 行"), "{}", stderr(&out));
    assert_eq!(stored_count(&app), 0);

    // A clean file passes in strict mode.
    let good = write_file(&app, "good.csv", OPEN_DATA.as_bytes());
    let out = import(&app, &good, &["--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stored_count(&app), 8);
}

async fn dry_run_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let good = write_file(&app, "good.csv", OPEN_DATA.as_bytes());
    let out = import(&app, &good, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("可导入 8 行"), "{}", stdout(&out));
    let bad = write_file(&app, "bad.csv", WITH_BAD_ROWS.as_bytes());
    let out = import(&app, &bad, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stored_count(&app), 0);
}

async fn unusable_files_fail_with_status_1(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let cases: [(&str, &[u8], &str); 3] = [
        ("empty.csv", b"", "文件为空"),
        (
            "headless.csv",
            b"2025-Q3,totals,complaints,1\n",
            "缺少必需的列",
        ),
        ("binary.csv", b"\x00\xFF\xFE\x01\n\x02", "缺少必需的列"),
    ];
    for (name, contents, needle) in cases {
        let file = write_file(&app, name, contents);
        let out = import(&app, &file, &[]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(needle), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let out = import(&app, &app.data_dir().join("missing.csv"), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("无法打开文件"), "{}", stderr(&out));
    assert_eq!(stored_count(&app), 0);
}

/// Several thousand rows, across the write chunks, in one run.
async fn a_large_file_imports_whole(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut csv = String::from("period,table,code,count\n");
    let codes = [
        ("totals", "complaints"),
        ("totals", "reports"),
        ("totals", "recovered_fen"),
        ("district", "440703"),
        ("district", "440704"),
        ("nature", "quality"),
        ("channel", "phone"),
    ];
    let mut rows = 0;
    for year in 2000..2200 {
        for q in 1..=4 {
            for (table, code) in codes {
                csv.push_str(&format!("{year}-Q{q},{table},{code},{}\n", year + q));
                rows += 1;
            }
        }
    }
    let file = write_file(&app, "large.csv", csv.as_bytes());
    let out = import(&app, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stored_count(&app), rows);
    let out = import(&app, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stored_count(&app), rows);
    assert_eq!(history::periods(&mut app.db()).unwrap().len(), 800);
}

on_both_backends!(
    imports_the_open_data_layout_idempotently,
    rejected_rows_give_status_2_and_a_report,
    strict_refuses_the_whole_file,
    dry_run_writes_nothing,
    unusable_files_fail_with_status_1,
    a_large_file_imports_whole,
);
