//! Imported figures of past quarters (`history_aggregates`), read by the bulletin for
//! year-on-year change. Writes run inside the caller's transaction.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::history_aggregates as h;
use crate::bulletin::history::HistoryRow;

/// Codes per DELETE, well below the bind-parameter limits of SQLite and PostgreSQL.
const DELETE_BATCH: usize = 500;

/// Writes `rows`, replacing any stored row with the same (period, table, code), so that
/// loading the same figures twice changes nothing. Returns how many rows were written.
/// Call it inside a transaction: the delete and the insert must commit together.
pub fn upsert(conn: &mut Db, rows: &[HistoryRow], at: NaiveDateTime) -> Result<usize, DieselError> {
    let mut codes_by_table: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for row in rows {
        codes_by_table
            .entry((row.period.as_str(), row.table.as_str()))
            .or_default()
            .push(row.code.as_str());
    }
    for ((period, table), codes) in codes_by_table {
        for codes in codes.chunks(DELETE_BATCH) {
            diesel::delete(
                h::table
                    .filter(h::period.eq(period))
                    .filter(h::tbl.eq(table))
                    .filter(h::code.eq_any(codes)),
            )
            .execute(conn)?;
        }
    }
    // One statement per row: batch inserts are not available on the multi-backend connection.
    let mut written = 0;
    for row in rows {
        written += diesel::insert_into(h::table)
            .values((
                h::period.eq(&row.period),
                h::tbl.eq(&row.table),
                h::code.eq(&row.code),
                h::count.eq(row.count),
                h::imported_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(written)
}

/// Every imported figure of one quarter (`2025-Q3`), sorted by table, then code.
pub fn load_period(conn: &mut Db, period: &str) -> Result<Vec<HistoryRow>, DieselError> {
    let rows: Vec<(String, String, String, i64)> = h::table
        .filter(h::period.eq(period))
        .select((h::period, h::tbl, h::code, h::count))
        .load(conn)?;
    let mut rows: Vec<HistoryRow> = rows
        .into_iter()
        .map(|(period, table, code, count)| HistoryRow {
            period,
            table,
            code,
            count,
        })
        .collect();
    // Sorted here rather than in SQL: PostgreSQL collations may ignore punctuation in codes.
    rows.sort_by(|a, b| (&a.table, &a.code).cmp(&(&b.table, &b.code)));
    Ok(rows)
}

/// The quarters that have imported figures, sorted.
pub fn periods(conn: &mut Db) -> Result<Vec<String>, DieselError> {
    let mut periods: Vec<String> = h::table.select(h::period).distinct().load(conn)?;
    periods.sort();
    Ok(periods)
}
