//! Figures of past quarters, from before odrdesk kept records, read from a CSV file so that the
//! bulletin can show year-on-year change. The layout is the long one of the bulletin's CSV open
//! data (`period,table,code,count`, extra columns ignored), so a published file imports as-is.
//!
//! [`parse`] is pure and total: any byte input yields a report, never a panic.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use csv::{ByteRecord, ReaderBuilder};

use super::period::Period;
use crate::domain::taxonomy::Taxonomy;

/// The breakdown tables kept; rows of any other table in the file are skipped.
pub const TABLES: [&str; 5] = ["totals", "district", "category", "nature", "channel"];

/// Codes of the `totals` table.
pub const TOTAL_CODES: [&str; 3] = ["complaints", "reports", "recovered_fen"];

/// The largest count accepted (10^12); money in fen stays far below `i64::MAX` with room to add.
pub const MAX_COUNT: i64 = 1_000_000_000_000;

const REQUIRED_COLUMNS: [&str; 4] = ["period", "table", "code", "count"];
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One accepted figure: `count` for `code` in `table` during the quarter `period`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HistoryRow {
    /// Normalised quarter label, e.g. `2025-Q3`.
    pub period: String,
    pub table: String,
    pub code: String,
    pub count: i64,
}

/// A data row that was refused, with the first problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    pub column: String,
    pub message: String,
}

/// A problem with the file as a whole; nothing in it can be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("文件为空：第一行应为列名 period,table,code,count")]
    Empty,
    #[error("缺少必需的列：{}（第一行应为列名，如 period,table,code,count）", .0.join("、"))]
    MissingColumns(Vec<String>),
    #[error("列名 {0} 出现了不止一次")]
    DuplicateColumn(String),
    #[error("无法读取文件：{0}")]
    Unreadable(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Accepted rows, in file order.
    pub rows: Vec<HistoryRow>,
    pub rejected: Vec<RejectedRow>,
    /// Rows of tables that are not ours (for instance rates in the open data).
    pub skipped: usize,
    /// How many rows each skipped table had, so that a misspelt table name shows up.
    pub skipped_tables: BTreeMap<String, usize>,
    /// Set when the file cannot be used at all; `rows` is then empty.
    pub fatal: Option<FileError>,
}

impl ImportReport {
    fn fatal(error: FileError) -> ImportReport {
        ImportReport {
            fatal: Some(error),
            ..ImportReport::default()
        }
    }

    /// The distinct periods of the accepted rows, sorted.
    pub fn periods(&self) -> Vec<String> {
        let mut periods: Vec<String> = self.rows.iter().map(|r| r.period.clone()).collect();
        periods.sort();
        periods.dedup();
        periods
    }
}

/// Where each required column is in a record.
struct Columns {
    period: usize,
    table: usize,
    code: usize,
    count: usize,
}

/// Reads and validates a whole file. Never fails and never panics: problems with the file end
/// up in `fatal`, problems with a row in `rejected`.
pub fn parse(reader: impl Read, taxonomy: &Taxonomy) -> ImportReport {
    let mut csv = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = ByteRecord::new();
    match csv.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return ImportReport::fatal(FileError::Empty),
        Err(e) => return ImportReport::fatal(FileError::Unreadable(e.to_string())),
    }
    let columns = match find_columns(&record) {
        Ok(columns) => columns,
        Err(e) => return ImportReport::fatal(e),
    };

    let mut report = ImportReport::default();
    // First line of each accepted (period, table, code), to name it in a duplicate's message.
    let mut seen: HashMap<(String, String, String), u64> = HashMap::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                report.rows.clear();
                report.fatal = Some(FileError::Unreadable(e.to_string()));
                return report;
            }
        }
        if record
            .iter()
            .all(|field| field.iter().all(u8::is_ascii_whitespace))
        {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        match check_row(&record, &columns, taxonomy) {
            Verdict::Skip(table) => {
                report.skipped += 1;
                *report.skipped_tables.entry(table).or_default() += 1;
            }
            Verdict::Reject { column, message } => report.rejected.push(RejectedRow {
                line,
                column: column.to_owned(),
                message,
            }),
            Verdict::Accept(row) => {
                let key = (row.period.clone(), row.table.clone(), row.code.clone());
                if let Some(first) = seen.get(&key) {
                    report.rejected.push(RejectedRow {
                        line,
                        column: "code".to_owned(),
                        message: format!(
                            "与第 {first} 行重复：同一期间、同一表中的代码 {} 只能出现一次",
                            row.code
                        ),
                    });
                } else {
                    seen.insert(key, line);
                    report.rows.push(row);
                }
            }
        }
    }
    report
}

/// Finds the required columns by name (trimmed, case-insensitive), ignoring a UTF-8 BOM.
fn find_columns(header: &ByteRecord) -> Result<Columns, FileError> {
    let mut found: [Option<usize>; 4] = [None; 4];
    for (index, raw) in header.iter().enumerate() {
        let raw = if index == 0 {
            raw.strip_prefix(UTF8_BOM).unwrap_or(raw)
        } else {
            raw
        };
        let name = String::from_utf8_lossy(raw).trim().to_ascii_lowercase();
        if let Some(slot) = REQUIRED_COLUMNS.iter().position(|c| *c == name) {
            if found[slot].is_some() {
                return Err(FileError::DuplicateColumn(name));
            }
            found[slot] = Some(index);
        }
    }
    match found {
        [Some(period), Some(table), Some(code), Some(count)] => Ok(Columns {
            period,
            table,
            code,
            count,
        }),
        _ => Err(FileError::MissingColumns(
            REQUIRED_COLUMNS
                .iter()
                .zip(found)
                .filter(|(_, slot)| slot.is_none())
                .map(|(name, _)| (*name).to_owned())
                .collect(),
        )),
    }
}

enum Verdict {
    Accept(HistoryRow),
    Skip(String),
    Reject {
        column: &'static str,
        message: String,
    },
}

fn reject(column: &'static str, message: impl Into<String>) -> Verdict {
    Verdict::Reject {
        column,
        message: message.into(),
    }
}

/// The table decides first whether the row is ours at all; then period, code and count.
fn check_row(record: &ByteRecord, columns: &Columns, taxonomy: &Taxonomy) -> Verdict {
    let table = match text(record, columns.table) {
        Ok("") => return reject("table", "缺少表名"),
        Ok(t) => t,
        Err(message) => return reject("table", message),
    };
    if !TABLES.contains(&table) {
        return Verdict::Skip(shorten(table));
    }
    let period = match text(record, columns.period) {
        Ok("") => return reject("period", "缺少期间"),
        Ok(p) => match Period::parse_quarter(p) {
            Ok(period) => period.label,
            Err(_) => {
                return reject(
                    "period",
                    format!("期间“{}”应写作 2025-Q3 这样的季度", shorten(p)),
                );
            }
        },
        Err(message) => return reject("period", message),
    };
    let code = match text(record, columns.code) {
        Ok("") => return reject("code", "缺少代码"),
        Ok(c) => c,
        Err(message) => return reject("code", message),
    };
    if let Err(message) = check_code(table, code, taxonomy) {
        return reject("code", message);
    }
    let count = match text(record, columns.count) {
        Ok(c) => match parse_count(c) {
            Ok(n) => n,
            Err(message) => return reject("count", message),
        },
        Err(message) => return reject("count", message),
    };
    Verdict::Accept(HistoryRow {
        period,
        table: table.to_owned(),
        code: code.to_owned(),
        count,
    })
}

/// A field as trimmed UTF-8 text; a missing field (a short row) is an error of its own.
fn text(record: &ByteRecord, index: usize) -> Result<&str, String> {
    let Some(raw) = record.get(index) else {
        return Err("该行缺少这一列（列数少于表头）".to_owned());
    };
    std::str::from_utf8(raw)
        .map(str::trim)
        .map_err(|_| "不是有效的 UTF-8 文本，请将文件另存为 UTF-8 编码".to_owned())
}

fn check_code(table: &str, code: &str, taxonomy: &Taxonomy) -> Result<(), String> {
    let known = match table {
        "totals" => TOTAL_CODES.contains(&code),
        "district" => taxonomy.district(code).is_some(),
        "nature" => taxonomy.nature(code).is_some(),
        "channel" => taxonomy.channel(code).is_some(),
        "category" => {
            if taxonomy.category(code).is_some() && code.split('.').count() > 2 {
                return Err(format!(
                    "类别 {} 过细：只接受两级类别，如 goods.cosmetics",
                    shorten(code)
                ));
            }
            taxonomy.category(code).is_some()
        }
        _ => false,
    };
    if known {
        return Ok(());
    }
    let code = shorten(code);
    Err(match table {
        "totals" => format!("未知的合计项 {code}，应为 complaints、reports 或 recovered_fen"),
        "district" => format!("未知的行政区划代码 {code}"),
        "nature" => format!("未知的投诉性质代码 {code}"),
        "channel" => format!("未知的受理渠道代码 {code}"),
        _ => format!("未知的商品或服务类别代码 {code}"),
    })
}

/// A non-negative whole number of at most [`MAX_COUNT`], digits only.
fn parse_count(raw: &str) -> Result<i64, String> {
    if raw.is_empty() {
        return Err("缺少数值".to_owned());
    }
    let negative = raw.strip_prefix('-');
    let digits = negative.unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("“{}”不是整数，应只含数字", shorten(raw)));
    }
    let significant = digits.trim_start_matches('0');
    if negative.is_some() && !significant.is_empty() {
        return Err("不能为负数".to_owned());
    }
    // More than 13 significant digits is above 10^12 whatever they are, and may not fit i64.
    let too_large = || format!("数值过大：不能超过 {MAX_COUNT}");
    if significant.len() > 13 {
        return Err(too_large());
    }
    let value: i64 = if significant.is_empty() {
        0
    } else {
        significant.parse().map_err(|_| too_large())?
    };
    if value > MAX_COUNT {
        return Err(too_large());
    }
    Ok(value)
}

/// Cuts a quoted value to a readable length for a message.
fn shorten(value: &str) -> String {
    const LIMIT: usize = 40;
    if value.chars().count() <= LIMIT {
        return value.to_owned();
    }
    let head: String = value.chars().take(LIMIT).collect();
    format!("{head}…")
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
