//! `odrdesk workorders`: the real binary imports a 12315 export written as a real xlsx file
//! (columns shuffled, some missing, one extra, a merged cell, a date as a spreadsheet date and
//! a registration number as a number) on both backends: cases in the right bureaus received
//! at their registration time, refused rows reported, re-import idempotent, a changed row
//! logged once, `--dry-run` writing nothing; then the results exported as xlsx and CSV.

use crate::common;
use crate::on_both_backends;

use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::binary::run_on;
use common::{Backend, TestApp};
use diesel::prelude::*;
use odrdesk::clock::{Clock, china_date, china_offset};
use odrdesk::store::schema::{case_events, cases, work_orders};
use rust_xlsxwriter::{Format, Workbook};
use serde_json::json;

/// The columns as this file has them: shuffled, without 事发地 and others, with 备注.
const HEADERS: [&str; 11] = [
    "诉求内容",
    "备注",
    "企业地址",
    "登记编号",
    "投诉人",
    "类型",
    "问题类别",
    "登记时间",
    "企业名称",
    "联系电话",
    "投诉人地址",
];

#[derive(Clone)]
struct Row {
    claim: &'static str,
    address: &'static str,
    no: &'static str,
    kind: &'static str,
    category: &'static str,
    /// Registered at (China time), written as a spreadsheet date.
    at: Option<(u32, u32, u32)>,
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            claim: "在店内购买面霜，使用后脸部红肿，要求退款",
            address: "江门市新会区会城今古洲路1号",
            no: "W-0001",
            kind: "投诉",
            category: "护肤品 质量问题",
            at: Some((20, 10, 30)),
        },
        Row {
            claim: "网店收款后不发货",
            address: "广州市天河区体育西路",
            no: "W-0002",
            kind: "投诉",
            category: "护肤品 售后服务",
            at: Some((21, 9, 0)),
        },
        Row {
            claim: "想问一下面霜的备案",
            address: "江门市蓬江区港口路",
            no: "W-0003",
            kind: "咨询",
            category: "护肤品",
            at: None,
        },
        Row {
            claim: "",
            address: "江门市蓬江区港口路",
            no: "W-0004",
            kind: "投诉",
            category: "护肤品 质量问题",
            at: None,
        },
        Row {
            claim: "美容院无证经营并虚假宣传祛斑效果",
            address: "鹤山市沙坪街道某路",
            no: "2026112200005",
            kind: "举报",
            category: "美容美发 虚假宣传",
            at: Some((22, 14, 0)),
        },
    ]
}

/// A spreadsheet's serial day number of 2026-11-`day` `h`:`m`.
fn serial(day: u32, h: u32, m: u32) -> f64 {
    let at = NaiveDate::from_ymd_opt(2026, 11, day)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap();
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (at - epoch).num_seconds() as f64 / 86_400.0
}

fn write_xlsx(path: &Path, rows: &[Row]) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let col = |h: &str| HEADERS.iter().position(|x| *x == h).unwrap() as u16;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        if !r.claim.is_empty() {
            sheet.write_string(row, col("诉求内容"), r.claim).unwrap();
        }
        sheet.write_string(row, col("企业地址"), r.address).unwrap();
        match r.no.parse::<f64>() {
            // A registration number typed as a number.
            Ok(n) => sheet.write_number(row, col("登记编号"), n).unwrap(),
            Err(_) => sheet.write_string(row, col("登记编号"), r.no).unwrap(),
        };
        sheet.write_string(row, col("类型"), r.kind).unwrap();
        sheet
            .write_string(row, col("问题类别"), r.category)
            .unwrap();
        sheet
            .write_string(row, col("企业名称"), "江门某美妆店")
            .unwrap();
        if let Some((d, h, m)) = r.at {
            sheet
                .write_number_with_format(row, col("登记时间"), serial(d, h, m), &date)
                .unwrap();
        }
        if r.kind == "投诉" {
            sheet.write_string(row, col("投诉人"), "张三").unwrap();
            sheet
                .write_string(row, col("联系电话"), "13800138000")
                .unwrap();
            sheet
                .write_string(row, col("投诉人地址"), "江门市蓬江区建设路2号")
                .unwrap();
        }
    }
    // A merged cell in the extra column: calamine leaves all but its first cell empty.
    let merged = Format::new();
    sheet
        .merge_range(1, col("备注"), 2, col("备注"), "同一来电", &merged)
        .unwrap();
    book.save(path).unwrap();
}

fn workorders(app: &TestApp, args: &[&str]) -> Output {
    let mut all = vec!["workorders"];
    all.extend_from_slice(args);
    run_on(app, &all)
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn counts(app: &TestApp) -> (i64, i64) {
    let mut conn = app.db();
    let c = cases::table.count().get_result(&mut conn).unwrap();
    let e = case_events::table.count().get_result(&mut conn).unwrap();
    (c, e)
}

/// `(case_no, kind, district, received_at)` of the case a registration number became.
fn case_of(app: &TestApp, no: &str) -> (String, String, String, chrono::NaiveDateTime) {
    work_orders::table
        .inner_join(cases::table)
        .filter(work_orders::registration_no.eq(no))
        .select((
            cases::case_no,
            cases::kind,
            cases::district,
            cases::received_at,
        ))
        .first(&mut app.db())
        .unwrap()
}

fn china(day: u32, h: u32, m: u32) -> chrono::NaiveDateTime {
    china_offset()
        .with_ymd_and_hms(2026, 11, day, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
        .naive_utc()
}

fn path(app: &TestApp, name: &str) -> PathBuf {
    app.data_dir().join(name)
}

async fn import_reimport_change_and_export(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let file = path(&app, "orders.xlsx");
    write_xlsx(&file, &rows());
    let report = path(&app, "refused.csv");

    // A dry run checks every row and writes nothing.
    let dry = workorders(&app, &["import", file.to_str().unwrap(), "--dry-run"]);
    assert_eq!(dry.status.code(), Some(2), "{}", text(&dry.stderr));
    assert!(
        text(&dry.stdout).contains("将新建案件 2 件，无法确定辖区留待统一接收机构分送 1 件"),
        "{}",
        text(&dry.stdout)
    );
    assert_eq!(counts(&app), (0, 0), "a dry run writes nothing");

    let out = workorders(
        &app,
        &[
            "import",
            file.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("新建案件 2 件"),
        "{}",
        text(&out.stdout)
    );
    let err = text(&out.stderr);
    assert!(
        !err.contains("W-0002"),
        "left for the dispatcher, not refused: {err}"
    );
    assert!(err.contains("第 4 行（登记编号 W-0003）：类型"), "{err}");
    assert!(
        err.contains("第 5 行（登记编号 W-0004）：诉求内容"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let written = std::fs::read_to_string(&report).unwrap();
    let refused: Vec<&str> = written.lines().skip(1).map(|l| &l[..1]).collect();
    assert_eq!(refused, ["4", "5"], "{written}");

    let (complaint_no, kind, district, received) = case_of(&app, "W-0001");
    assert_eq!((kind.as_str(), district.as_str()), ("complaint", "440705"));
    assert_eq!(
        received,
        china(20, 10, 30),
        "received at its registration time"
    );
    let (report_no, kind, district, received) = case_of(&app, "2026112200005");
    assert_eq!((kind.as_str(), district.as_str()), ("report", "440784"));
    assert_eq!(received, china(22, 14, 0));
    let (_, _, district, _) = case_of(&app, "W-0002");
    assert_eq!(district, "440700", "the city stands in until dispatch");
    let before = counts(&app);
    assert_eq!(before.0, 3);

    // The same file again changes nothing.
    let again = workorders(&app, &["import", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    assert!(
        text(&again.stdout).contains("内容未变 3 件"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(counts(&app), before);

    // One row changed on the platform: one event on its case, no second case.
    let mut changed = rows();
    changed[0].claim = "在店内购买面霜，使用后脸部红肿，要求退款并赔偿医药费";
    let file2 = path(&app, "orders-2.xlsx");
    write_xlsx(&file2, &changed);
    let out = workorders(&app, &["import", file2.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("内容有变更并已记录 1 件"),
        "{}",
        text(&out.stdout)
    );
    let after = counts(&app);
    assert_eq!(after, (before.0, before.1 + 1));
    let logged: Vec<String> = case_events::table
        .inner_join(cases::table)
        .filter(cases::case_no.eq(&complaint_no))
        .filter(case_events::kind.eq("work_order_changed"))
        .select(case_events::payload)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(logged.len(), 1);
    assert!(logged[0].contains("W-0001"), "{}", logged[0]);
    let out = workorders(&app, &["import", file2.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("内容未变 3 件"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(counts(&app), after);

    // The bureau handles the complaint: accepted, then settled with money recovered.
    app.set_now(Utc::now() + Duration::minutes(5));
    let med = app
        .add_user("med@example.com", "mediator", &["440705"], None)
        .await;
    let act = format!("/api/v1/cases/{complaint_no}/actions");
    let (s, v) = app.post_as(&act, &med, &json!({"action": "accept"})).await;
    assert_eq!(s, 200, "{v}");
    let settle = json!({"action": "settle", "agreement": "退款并赔偿", "recovered_fen": 25850});
    let (s, v) = app.post_as(&act, &med, &settle).await;
    assert_eq!(s, 200, "{v}");

    // Staff see the change on the case's timeline.
    let page = app
        .get_text_as(&format!("/desk/cases/{complaint_no}"), &med)
        .await;
    assert!(
        page.contains("12315 工单内容有变更，登记编号 W-0001，请对照平台工单核对"),
        "{page}"
    );

    let today = china_date(Utc::now());
    let from = (today - Duration::days(1)).to_string();
    let to = (today + Duration::days(1)).to_string();
    let xlsx = path(&app, "results.xlsx");
    let out = workorders(
        &app,
        &[
            "export",
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut book = open_workbook_auto(&xlsx).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let sheet: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let s = |v: &str| Data::String(v.to_owned());
    assert_eq!(
        sheet[0],
        [
            "登记编号",
            "案件编号",
            "处理状态",
            "受理日期",
            "办结日期",
            "处理结果",
            "挽回经济损失（元）"
        ]
        .map(s)
    );
    assert_eq!(sheet.len(), 4, "{sheet:?}");
    assert_eq!(
        &sheet[3][..3],
        &[s("W-0002"), sheet[3][1].clone(), s("待分送")]
    );
    let settled_on = china_date(app.clock.now()).to_string();
    assert_eq!(
        sheet[2],
        [
            s("W-0001"),
            s(&complaint_no),
            s("调解成功"),
            s(&settled_on),
            s(&settled_on),
            s("调解成功：达成协议：退款并赔偿；挽回经济损失 ¥258.50"),
            Data::Float(258.5),
        ]
    );
    assert_eq!(
        &sheet[1][..3],
        &[s("2026112200005"), s(&report_no), s("待核查")]
    );
    assert_eq!(sheet[1][5], Data::Empty, "nothing decided yet");

    let csv = path(&app, "results.csv");
    let out = workorders(
        &app,
        &[
            "export",
            "--from",
            &from,
            "--to",
            &to,
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&csv).unwrap();
    assert!(written.contains(&format!(
        "W-0001,{complaint_no},调解成功,{settled_on},{settled_on},调解成功：达成协议：退款并赔偿；挽回经济损失 ¥258.50,258.50"
    )), "{written}");
    assert!(
        !written.contains("张三") && !written.contains("13800138000"),
        "{written}"
    );

    // A period with no change: nothing.
    let out = workorders(
        &app,
        &[
            "export",
            "--from",
            "2020-01-01",
            "--to",
            "2020-01-31",
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 1);
}

async fn unusable_files_fail_with_status_1(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.csv", b"", "文件为空"),
        (
            "headless.csv",
            b"W1,\xe6\x8a\x95\xe8\xaf\x89,x\n",
            "缺少必需的列",
        ),
        ("notes.txt", b"hello", "只能导入"),
        (
            "broken.xlsx",
            b"PK\x03\x04 not a workbook",
            "无法读取表格文件",
        ),
    ];
    for (name, contents, message) in cases {
        let file = path(&app, name);
        std::fs::write(&file, contents).unwrap();
        let out = workorders(&app, &["import", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(message),
            "{name}: {}",
            text(&out.stderr)
        );
        assert!(
            !text(&out.stderr).contains("panicked"),
            "{}",
            text(&out.stderr)
        );
    }
    // A workbook with an empty sheet.
    let empty = path(&app, "empty.xlsx");
    let mut book = Workbook::new();
    book.add_worksheet();
    book.save(&empty).unwrap();
    let out = workorders(&app, &["import", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("文件为空"),
        "{}",
        text(&out.stderr)
    );
    // Numbers where text is expected: a 类型 of 1 is refused, not a panic.
    let numbers = path(&app, "numbers.xlsx");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["登记编号", "类型", "诉求内容"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 7.0).unwrap();
    sheet.write_number(1, 1, 1.0).unwrap();
    sheet.write_number(1, 2, 3.5).unwrap();
    book.save(&numbers).unwrap();
    let out = workorders(&app, &["import", numbers.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("第 2 行（登记编号 7）：类型：类型「1」"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(counts(&app).0, 0);

    // A CSV export of the platform, with a BOM, imports like the xlsx.
    let file = path(&app, "orders.csv");
    std::fs::write(
        &file,
        "\u{feff}登记编号,类型,企业名称,企业地址,诉求内容,问题类别,登记时间,投诉人,联系电话,投诉人地址\n\
         C-1,投诉,某店,江门市新会区会城,面霜过敏,护肤品 质量,2026-11-20 10:30,李四,13900139000,江门市江海区\n",
    )
    .unwrap();
    let out = workorders(&app, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(case_of(&app, "C-1").2, "440705");
    assert_eq!(counts(&app).0, 1);
}

on_both_backends!(
    import_reimport_change_and_export,
    unusable_files_fail_with_status_1
);
