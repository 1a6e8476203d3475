//! The spreadsheets of the 12315 exchange: the platform's export read into rows of text with
//! their line numbers, within bounds (xlsx through calamine, CSV through csv), and the results
//! written back (xlsx through rust_xlsxwriter, or CSV). Bytes in and out, so the command line
//! and the admin page's upload read and write the same way.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, XlsxError};
use chrono::NaiveDate;
use rust_xlsxwriter::Workbook;

use super::workorders_export::{HEADERS, WorkOrderResult};
use crate::domain::csv_cell::text_cell;

/// The largest file read.
pub const MAX_BYTES: u64 = 20 * 1024 * 1024;
/// The most data rows read from one file.
pub const MAX_ROWS: usize = 50_000;
/// Columns a work-order sheet may span at most (the 12315 export has a few dozen).
pub const MAX_COLUMNS: usize = 200;

/// A row of the file: its line (1 = the first line or sheet row) and its cells as text.
pub type Line = (usize, Vec<String>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    /// The format by a file name's extension.
    pub fn of_name(name: &str) -> Option<Format> {
        let (_, ext) = name.rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
            "xlsx" | "xlsm" | "xls" | "ods" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// Why a file is refused by its size before it is read.
pub fn too_large() -> String {
    format!(
        "文件超过 {} MB，请分成几个文件导入",
        MAX_BYTES / 1024 / 1024
    )
}

/// Every non-empty row of the file's first sheet, header first; or why the file is unusable.
/// `name` tells the format by its extension.
pub fn read_rows(name: &str, bytes: &[u8]) -> Result<Vec<Line>, String> {
    let format = Format::of_name(name).ok_or("只能导入 .xlsx 或 .csv 文件")?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_large());
    }
    let rows = match format {
        Format::Xlsx => read_xlsx(bytes)?,
        Format::Csv => read_csv(bytes)?,
    };
    if rows.is_empty() {
        return Err("文件为空".into());
    }
    if rows.len() - 1 > MAX_ROWS {
        return Err(format!("文件超过 {MAX_ROWS} 行，请分成几个文件导入"));
    }
    Ok(rows)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Line>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.take(MAX_BYTES));
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "文件不是 UTF-8 编码的 CSV，请另存为 UTF-8".to_owned(),
            _ => format!("CSV 格式错误：{e}"),
        })?;
        let line = record.position().map_or(rows.len() + 1, |p| {
            usize::try_from(p.line()).unwrap_or(usize::MAX)
        });
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push((line, cells));
        }
        if rows.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(rows)
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Line>, String> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("无法读取表格文件：{e}"))?;
    let Some(first) = book.sheet_names().into_iter().next() else {
        return Ok(Vec::new());
    };
    let unreadable = |e: XlsxError| format!("无法读取第一个工作表：{e}");
    // Cells are streamed, never laid out as a rows × columns grid: a sheet of two cells at
    // A1 and XFD1048576 would otherwise ask for billions of them.
    let mut reader = book.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut found: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let (mut first_col, mut last_col) = (u32::MAX, 0);
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        if row as usize > MAX_ROWS {
            return Err(format!("文件超过 {MAX_ROWS} 行，请分成几个文件导入"));
        }
        if col as usize >= MAX_COLUMNS {
            return Err(format!(
                "工作表超过 {MAX_COLUMNS} 列，请只保留工单的各列后再导入"
            ));
        }
        first_col = first_col.min(col);
        last_col = last_col.max(col);
        found.entry(row).or_default().push((col, text));
    }
    let width = (last_col + 1).saturating_sub(first_col) as usize;
    Ok(found
        .into_iter()
        .map(|(row, cells)| {
            let mut line = vec![String::new(); width];
            for (col, text) in cells {
                line[(col - first_col) as usize] = text;
            }
            (row as usize + 1, line)
        })
        .collect())
}

/// A cell as text: whole numbers without `.0` (registration numbers and phones typed as
/// numbers), dates and times as `2026-05-06 10:12:00`, errors and blanks as nothing.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| d.as_f64().to_string()),
    }
}

fn date_text(day: Option<NaiveDate>) -> String {
    day.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The results as an xlsx or CSV file.
pub fn write_results(format: Format, results: &[WorkOrderResult]) -> anyhow::Result<Vec<u8>> {
    match format {
        Format::Xlsx => write_xlsx(results),
        Format::Csv => write_csv(results),
    }
}

fn text_cells(r: &WorkOrderResult) -> [String; 6] {
    [
        r.registration_no.clone(),
        r.case_no.clone(),
        r.state.clone(),
        date_text(r.accepted_on),
        date_text(r.closed_on),
        r.outcome.clone(),
    ]
}

fn write_csv(results: &[WorkOrderResult]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADERS)?;
    for r in results {
        let mut record: Vec<String> = text_cells(r)
            .iter()
            .map(|c| text_cell(c).into_owned())
            .collect();
        record.push(r.recovered_yuan().unwrap_or_default());
        writer.write_record(&record)?;
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("CSV: {}", e.error()))
}

fn write_xlsx(results: &[WorkOrderResult]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("处理结果")?;
    for (col, header) in (0u16..).zip(HEADERS) {
        sheet.write_string(0, col, header)?;
    }
    for (row, r) in (1u32..).zip(results) {
        for (col, text) in (0u16..).zip(text_cells(r)) {
            if !text.is_empty() {
                sheet.write_string(row, col, text)?;
            }
        }
        if let Some(fen) = r.recovered_fen {
            // Fen to yuan: exact for any sum below 2^53 fen.
            sheet.write_number(row, 6, fen as f64 / 100.0)?;
        }
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(5, 60)?;
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for &(row, col, text) in cells {
            sheet.write_string(row, col, text).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_sheet_reaching_far_away_is_refused_without_laying_it_out() {
        let head = [(0, 0, "工单编号"), (0, 1, "登记时间"), (1, 0, "W1")];
        let far = sheet(&[head[0], head[1], head[2], (1_048_575, 16_383, "x")]);
        assert!(far.len() < 16 * 1024, "a small file: {}", far.len());
        let started = std::time::Instant::now();
        let refused = read_rows("orders.xlsx", &far).unwrap_err();
        assert!(refused.contains("50000 行"), "{refused}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));

        let wide = sheet(&[head[0], head[1], head[2], (1, 500, "x")]);
        let refused = read_rows("orders.xlsx", &wide).unwrap_err();
        assert!(refused.contains("200 列"), "{refused}");
    }

    #[test]
    fn a_sheet_keeps_its_line_numbers_and_columns_from_the_first_used_one() {
        let book = sheet(&[
            (1, 1, "工单编号"),
            (1, 3, "诉求"),
            (3, 1, "W1"),
            (3, 2, "x"),
        ]);
        let rows = read_rows("orders.xlsx", &book).unwrap();
        let want = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            rows,
            [
                (2, want(&["工单编号", "", "诉求"])),
                (4, want(&["W1", "x", ""]))
            ]
        );
    }
}
