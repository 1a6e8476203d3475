//! The spreadsheets of the 12315 exchange: the platform's export read into rows of text with
//! their line numbers, within bounds (xlsx through calamine, CSV through csv), and the results
//! written back (xlsx through rust_xlsxwriter, or CSV). Bytes in and out, so the command line
//! and the admin page's upload read and write the same way.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use chrono::NaiveDate;
use rust_xlsxwriter::Workbook;

use super::workorders_export::{HEADERS, WorkOrderResult};
use crate::domain::csv_cell::text_cell;

/// The largest file read.
pub const MAX_BYTES: u64 = 20 * 1024 * 1024;
/// The most data rows read from one file.
pub const MAX_ROWS: usize = 50_000;

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
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("无法读取表格文件：{e}"))?;
    let range = match book.worksheet_range_at(0) {
        None => return Ok(Vec::new()),
        Some(range) => range.map_err(|e| format!("无法读取第一个工作表：{e}"))?,
    };
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push((first_row + i + 1, cells));
        }
        if rows.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(rows)
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
