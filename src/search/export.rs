//! CSV exports of a search: newest first, capped. Its text comes from the index, which holds
//! free text masked already (see `schema::document`).
//!
//! One pass writes two files: the people's CSV (Chinese headers and names, China time),
//! which a spreadsheet opens as it is, and the machine CSV (codes, UTC in RFC 3339), for
//! programs that join it with other data.

use std::io::Write;
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::index::{Live, SearchError};
use crate::clock::china_offset;
use crate::domain::csv_cell::text_cell;
use crate::domain::labels::code_label;

/// The most rows one export holds; narrow the search for more.
pub const MAX_ROWS: usize = 100_000;

/// What a column holds, which says how people read it.
#[derive(Clone, Copy)]
enum Cell {
    Text,
    /// An instant: UTC for machines, China time for people.
    Time,
    /// A code of this `domain::labels` dimension: its Chinese name for people.
    Code(&'static str),
}

/// The columns: (machine header, people's header, what it holds).
const COLUMNS: [(&str, &str, Cell); 10] = [
    ("case_no", "案件编号", Cell::Text),
    ("received_at", "收到时间（北京时间，UTC+08:00）", Cell::Time),
    ("kind", "类型", Cell::Code("kind")),
    ("state", "状态", Cell::Code("state")),
    ("category", "类别", Cell::Code("category")),
    ("nature", "性质", Cell::Code("nature")),
    ("district", "辖区", Cell::Code("district")),
    ("respondent", "被投诉（举报）方", Cell::Text),
    ("title", "标题", Cell::Text),
    ("description", "情况说明", Cell::Text),
];

/// Every cell of the export is text: quoted, and never read as a formula.
fn csv_field(s: &str) -> String {
    format!("\"{}\"", text_cell(s).replace('"', "\"\""))
}

/// One file being written: through a temporary name, renamed into place when complete.
struct Sheet<'a> {
    path: &'a Path,
    out: std::io::BufWriter<std::fs::File>,
}

impl<'a> Sheet<'a> {
    fn create(
        path: &'a Path,
        headers: impl Iterator<Item = &'static str>,
    ) -> Result<Self, SearchError> {
        let file = std::fs::File::create(path.with_extension("csv.tmp"))?;
        let mut sheet = Sheet {
            path,
            out: std::io::BufWriter::new(file),
        };
        // A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
        sheet.out.write_all("\u{feff}".as_bytes())?;
        writeln!(sheet.out, "{}", headers.collect::<Vec<_>>().join(","))?;
        Ok(sheet)
    }

    fn row(&mut self, cells: impl Iterator<Item = String>) -> Result<(), SearchError> {
        let line: Vec<String> = cells.map(|c| csv_field(&c)).collect();
        writeln!(self.out, "{}", line.join(","))?;
        Ok(())
    }

    fn finish(self) -> Result<(), SearchError> {
        self.out
            .into_inner()
            .map_err(|e| SearchError::Io(e.into_error()))?
            .sync_all()?;
        std::fs::rename(self.path.with_extension("csv.tmp"), self.path)?;
        Ok(())
    }
}

/// Writes the matching cases to `people` and `machine` (each via a temporary file) and
/// returns the row count.
pub fn write_csv(
    live: &Live,
    query: &dyn Query,
    people: &Path,
    machine: &Path,
) -> Result<usize, SearchError> {
    let searcher = live.reader.searcher();
    let docs: Vec<(Option<i64>, DocAddress)> = searcher.search(
        query,
        &TopDocs::with_limit(MAX_ROWS)
            .order_by_fast_field::<i64>("received_ts", tantivy::Order::Desc),
    )?;
    let mut for_people = Sheet::create(people, COLUMNS.iter().map(|c| c.1))?;
    let mut for_machines = Sheet::create(machine, COLUMNS.iter().map(|c| c.0))?;
    let f = &live.fields;
    for (_, addr) in &docs {
        let doc: TantivyDocument = searcher.doc(*addr)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let ts = doc
            .get_first(f.received_ts)
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        let received = chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default();
        let codes = [
            text(f.case_no),
            received.to_rfc3339(),
            text(f.kind),
            text(f.state),
            text(f.category),
            text(f.nature),
            text(f.district),
            text(f.respondent_exact),
            text(f.title),
            text(f.description),
        ];
        let china_time = received
            .with_timezone(&china_offset())
            .format("%Y-%m-%d %H:%M")
            .to_string();
        for_people.row(
            codes
                .iter()
                .zip(COLUMNS)
                .map(|(code, (_, _, cell))| match cell {
                    Cell::Time => china_time.clone(),
                    Cell::Code(d) => code_label(d, code).unwrap_or_else(|| code.clone()),
                    Cell::Text => code.clone(),
                }),
        )?;
        for_machines.row(codes.into_iter())?;
    }
    for_people.finish()?;
    for_machines.finish()?;
    Ok(docs.len())
}
