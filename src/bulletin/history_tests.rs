use super::*;

fn run(input: &[u8]) -> ImportReport {
    parse(input, Taxonomy::builtin())
}

fn row(period: &str, table: &str, code: &str, count: i64) -> HistoryRow {
    HistoryRow {
        period: period.to_owned(),
        table: table.to_owned(),
        code: code.to_owned(),
        count,
    }
}

/// The single rejection of a file, as (line, column).
fn only_rejection(report: &ImportReport) -> (u64, &str, &str) {
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    let r = &report.rejected[0];
    (r.line, r.column.as_str(), r.message.as_str())
}

#[test]
fn a_good_file_gives_every_row() {
    let report = run(b"period,table,code,count\n\
        2025-Q3,totals,complaints,1234\n\
        2025-Q3,totals,reports,56\n\
        2025-Q3,totals,recovered_fen,987654321\n\
        2025-Q3,district,440703,300\n\
        2025-Q3,district,440700,4\n\
        2025-Q3,category,goods.cosmetics,120\n\
        2025-Q3,category,services,7\n\
        2025-Q3,nature,after_sales,88\n\
        2025-Q3,channel,mini_program,99\n\
        2025-q4,totals,complaints,0\n");
    assert_eq!(report.fatal, None);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.skipped, 0);
    assert_eq!(report.rows.len(), 10);
    assert_eq!(report.rows[0], row("2025-Q3", "totals", "complaints", 1234));
    assert_eq!(
        report.rows[2],
        row("2025-Q3", "totals", "recovered_fen", 987_654_321)
    );
    assert_eq!(
        report.rows[5],
        row("2025-Q3", "category", "goods.cosmetics", 120)
    );
    // The label is normalised.
    assert_eq!(report.rows[9], row("2025-Q4", "totals", "complaints", 0));
    assert_eq!(report.periods(), ["2025-Q3", "2025-Q4"]);
}

#[test]
fn a_bom_crlf_and_padding_are_accepted() {
    let report =
        run(b"\xEF\xBB\xBFperiod,table,code,count\r\n 2025-Q1 , nature , quality , 12 \r\n");
    assert_eq!(report.fatal, None);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.rows, [row("2025-Q1", "nature", "quality", 12)]);
}

#[test]
fn columns_are_found_by_name_in_any_order() {
    let report = run(b"Count,CODE,period,Table\n5,web,2024-Q2,channel\n");
    assert_eq!(report.rows, [row("2024-Q2", "channel", "web", 5)]);
}

#[test]
fn the_open_data_layout_imports_as_is() {
    let report = run(
        "period,table,code,label,count,share,yoy,numerator,denominator\n\
        2025-Q3,totals,complaints,投诉,100,,0.1,,\n\
        2025-Q3,district,440703,蓬江区,40,0.4,,,\n\
        2025-Q3,rates,acceptance_on_time,按时受理率,,0.98,,98,100\n\
        2025-Q3,odr,cases,在线纠纷解决,12,,,,\n\
        2025-Q3,rates,mediation_success,调解成功率,,0.5,,5,10\n"
            .as_bytes(),
    );
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.rows.len(), 2);
    assert_eq!(report.skipped, 3);
    assert_eq!(report.skipped_tables["rates"], 2);
    assert_eq!(report.skipped_tables["odr"], 1);
}

#[test]
fn each_kind_of_problem_is_rejected_with_its_line_and_column() {
    let cases: [(&str, &str, &str); 16] = [
        ("2025-Q5,totals,complaints,1", "period", "季度"),
        (
            "2025-07-01~2025-08-15,totals,complaints,1",
            "period",
            "季度",
        ),
        (",totals,complaints,1", "period", "缺少期间"),
        ("2025-Q3,,complaints,1", "table", "缺少表名"),
        ("2025-Q3,totals,cases,1", "code", "complaints、reports"),
        ("2025-Q3,district,110101,1", "code", "行政区划"),
        (
            "2025-Q3,category,goods.cosmetics.skincare,1",
            "code",
            "两级",
        ),
        ("2025-Q3,category,goods.nothing,1", "code", "类别"),
        ("2025-Q3,nature,bad_service,1", "code", "投诉性质"),
        ("2025-Q3,channel,fax,1", "code", "受理渠道"),
        ("2025-Q3,channel,,1", "code", "缺少代码"),
        ("2025-Q3,totals,complaints,-3", "count", "负数"),
        ("2025-Q3,totals,complaints,1.5", "count", "整数"),
        ("2025-Q3,totals,complaints,1e3", "count", "整数"),
        ("2025-Q3,totals,complaints,", "count", "缺少数值"),
        ("2025-Q3,totals,complaints", "count", "缺少这一列"),
    ];
    for (data, column, needle) in cases {
        let input = format!("period,table,code,count\n2025-Q3,nature,price,1\n{data}\n");
        let report = run(input.as_bytes());
        let (line, got_column, message) = only_rejection(&report);
        assert_eq!((line, got_column), (3, column), "{data}: {message}");
        assert!(message.contains(needle), "{data}: {message}");
        assert_eq!(report.rows.len(), 1, "{data}");
    }
}

#[test]
fn line_numbers_count_blank_lines_and_quoted_newlines() {
    let report = run(
        b"period,table,code,count\n\n\"2025-Q3\",totals,reports,\"1\"\n\
        2025-Q3,nature,\"pri\nce\",2\n2025-Q3,nature,other,x\n",
    );
    let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [4, 6], "{:?}", report.rejected);
    assert_eq!(report.rows.len(), 1);
}

#[test]
fn a_duplicate_is_rejected_on_its_second_occurrence() {
    let report = run(b"period,table,code,count\n\
        2025-Q3,nature,price,1\n\
        2025-Q3,nature,quality,2\n\
        2025-q3,nature,price,3\n\
        2025-Q4,nature,price,4\n");
    let (line, column, message) = only_rejection(&report);
    assert_eq!((line, column), (4, "code"));
    assert!(message.contains("第 2 行"), "{message}");
    assert_eq!(report.rows.len(), 3);
    assert_eq!(report.rows[0].count, 1, "the first occurrence is kept");
}

#[test]
fn a_rejected_row_does_not_claim_its_key() {
    let report = run(b"period,table,code,count\n\
        2025-Q3,nature,price,-1\n\
        2025-Q3,nature,price,1\n");
    assert_eq!(only_rejection(&report).0, 2);
    assert_eq!(report.rows, [row("2025-Q3", "nature", "price", 1)]);
}

#[test]
fn huge_numbers_are_refused_and_the_limit_is_inclusive() {
    let report = run(b"period,table,code,count\n\
        2025-Q3,totals,recovered_fen,1000000000000\n\
        2025-Q3,totals,complaints,1000000000001\n\
        2025-Q3,totals,reports,99999999999999999999999999999999999999\n\
        2025-Q4,totals,reports,-0\n\
        2025-Q4,totals,complaints,000000000000000000000000007\n");
    let lines: Vec<(u64, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.column.as_str()))
        .collect();
    assert_eq!(lines, [(3, "count"), (4, "count")]);
    assert!(report.rejected[1].message.contains("过大"));
    assert_eq!(report.rows[0].count, MAX_COUNT);
    assert_eq!(report.rows[1].count, 0);
    assert_eq!(report.rows[2].count, 7);
}

#[test]
fn non_utf8_bytes_reject_only_the_rows_that_need_them() {
    // GBK bytes in an ignored column are fine; in a required one the row is refused.
    let report = run(b"period,table,code,label,count\n\
        2025-Q3,district,440703,\xC5\xEE\xBD\xAD\xC7\xF8,5\n\
        2025-Q3,nature,\xC5\xEE,,5\n\
        \xFF\xFE,nature,price,1\n");
    assert_eq!(report.rows, [row("2025-Q3", "district", "440703", 5)]);
    let got: Vec<(u64, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.column.as_str()))
        .collect();
    assert_eq!(got, [(3, "code"), (4, "period")]);
    assert!(report.rejected[1].message.contains("UTF-8"));
}

#[test]
fn empty_input_and_a_missing_header_are_fatal() {
    assert_eq!(run(b"").fatal, Some(FileError::Empty));
    assert_eq!(run(b"\n\n").fatal, Some(FileError::Empty));
    let no_header = run(b"2025-Q3,totals,complaints,1\n");
    assert_eq!(
        no_header.fatal,
        Some(FileError::MissingColumns(
            ["period", "table", "code", "count"]
                .map(String::from)
                .to_vec()
        ))
    );
    assert!(no_header.rows.is_empty());
    let missing = run(b"period,table,value\n2025-Q3,totals,1\n");
    let message = missing.fatal.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("code、count"), "{message}");
    assert_eq!(
        run(b"period,table,code,count,Count\n").fatal,
        Some(FileError::DuplicateColumn("count".to_owned()))
    );
}

#[test]
fn a_header_alone_and_blank_rows_give_nothing() {
    let report = run(b"period,table,code,count\n,,,\n  , ,\n");
    assert_eq!(report, ImportReport::default());
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"period,table,code,count\n\r\"\xEF\xBB\xBF\xFF-0123456789Q.totals";
    for _ in 0..2000 {
        let len = (next() % 200) as usize;
        let mut input: Vec<u8> = if next().is_multiple_of(2) {
            b"period,table,code,count\n".to_vec()
        } else {
            Vec::new()
        };
        for _ in 0..len {
            let pick = next() as usize;
            input.push(if pick.is_multiple_of(3) {
                (pick >> 8) as u8
            } else {
                alphabet[(pick >> 8) % alphabet.len()]
            });
        }
        let report = run(&input);
        assert!(
            report
                .rows
                .iter()
                .all(|r| (0..=MAX_COUNT).contains(&r.count))
        );
    }
}
