//! CSV export of a search: newest first, capped. Its text comes from the index, which holds
//! free text masked already (see `schema::document`).

use std::io::Write;
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::index::{Live, SearchError};
use crate::domain::csv_cell::text_cell;

/// The most rows one export holds; narrow the search for more.
pub const MAX_ROWS: usize = 100_000;

/// Every cell of the export is text: quoted, and never read as a formula.
fn csv_field(s: &str) -> String {
    format!("\"{}\"", text_cell(s).replace('"', "\"\""))
}

/// Writes the matching cases to `path` (via a temporary file) and returns the row count.
pub fn write_csv(live: &Live, query: &dyn Query, path: &Path) -> Result<usize, SearchError> {
    let searcher = live.reader.searcher();
    let docs: Vec<(Option<i64>, DocAddress)> = searcher.search(
        query,
        &TopDocs::with_limit(MAX_ROWS)
            .order_by_fast_field::<i64>("received_ts", tantivy::Order::Desc),
    )?;
    let tmp = path.with_extension("csv.tmp");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    // A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
    out.write_all("\u{feff}".as_bytes())?;
    writeln!(
        out,
        "case_no,received_at,kind,state,category,nature,district,respondent,title,description"
    )?;
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
        let received = chrono::DateTime::from_timestamp(ts, 0)
            .unwrap_or_default()
            .to_rfc3339();
        let row = [
            text(f.case_no),
            received,
            text(f.kind),
            text(f.state),
            text(f.category),
            text(f.nature),
            text(f.district),
            text(f.respondent_exact),
            text(f.title),
            text(f.description),
        ];
        let line: Vec<String> = row.iter().map(|v| csv_field(v)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    out.into_inner()
        .map_err(|e| SearchError::Io(e.into_error()))?
        .sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(docs.len())
}
