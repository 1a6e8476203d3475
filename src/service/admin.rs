//! Operations for command-line tools that run beside a live server on the same data: opening
//! the database, migrating it, loading reference data and rebuilding the search index.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::ServiceError;
use crate::bulletin::history::HistoryRow;
use crate::config::Settings;
use crate::reference::{Reference, ReferenceData, load_calendar_year};
use crate::search::SearchIndex;
use crate::search::follower::{Follower, rebuild};
use crate::store::chain_upgrade::Upgraded;
use crate::store::{self, Db, PooledDb, StoreError, write_transaction};

/// One connection to the configured database, migrated; tools need no more than one.
pub fn open(settings: &Settings) -> Result<PooledDb, ServiceError> {
    let mut conn = connect(settings)?;
    store::migrate(&mut conn)?;
    Ok(conn)
}

/// Applies pending migrations and upgrades the event log's chain format (a case whose log
/// does not verify is refused by its number); returns how many migrations ran and what the
/// upgrade did, reporting its progress as (cases done, cases in all).
pub fn migrate(
    settings: &Settings,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(usize, Upgraded), ServiceError> {
    Ok(store::migrate_with(&mut *connect(settings)?, progress)?)
}

fn connect(settings: &Settings) -> Result<PooledDb, ServiceError> {
    let pool = store::connect(&settings.database, 1)?;
    Ok(pool.get().map_err(StoreError::from)?)
}

/// The reference data in force: the built-in tables with the calendars and policy loaded
/// into the database since.
pub fn reference(conn: &mut Db) -> Result<Reference, ServiceError> {
    let data = ReferenceData::builtin();
    data.reload(conn)?;
    Ok(data.snapshot())
}

/// Checks and stores one year's holiday calendar (TOML); returns the year.
pub fn load_calendar(
    conn: &mut Db,
    toml_text: &str,
    now: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    write_transaction(conn, |conn| load_calendar_year(conn, toml_text, now))
}

/// For bulk loading: on SQLite, commits stop waiting for the disk. Each commit still stays
/// whole (WAL), so an interrupted load keeps only whole transactions.
pub fn relax_durability(conn: &mut Db) -> Result<(), ServiceError> {
    if let Db::Sqlite(sqlite) = conn {
        diesel::connection::SimpleConnection::batch_execute(sqlite, "PRAGMA synchronous = NORMAL")?;
    }
    Ok(())
}

/// Rebuilds the search index under `dir` from the database and swaps it in; `progress` gets
/// (total, done). Returns how many cases were indexed.
pub fn reindex(conn: &mut Db, dir: &Path, progress: &dyn Fn(u64, u64)) -> anyhow::Result<u64> {
    let (search, _) = SearchIndex::open(dir)?;
    Ok(rebuild(conn, &search, progress)?)
}

/// The search index under `dir`, brought up to date with the database; `None` when it cannot
/// be opened (a missing directory).
pub fn caught_up_index(conn: &mut Db, dir: &Path) -> Option<SearchIndex> {
    let (search, _) = SearchIndex::open(dir).ok()?;
    let mut follower = Follower::default();
    // A busy index (a server holds its writer) stays as far as it got.
    while let Ok(n) = follower.step(conn, &search) {
        if n == 0 {
            break;
        }
    }
    if let Err(e) = search.follow_swap() {
        tracing::warn!(error = %e, "search index not reopened after catching up");
    }
    Some(search)
}

/// Rows of past quarters' figures written per step of `progress`.
const HISTORY_CHUNK: usize = 500;

/// Writes imported figures of past quarters in one transaction, replacing rows with the same
/// key; `progress` gets the rows written after each chunk. Returns how many were written.
pub fn import_history(
    conn: &mut Db,
    rows: &[HistoryRow],
    now: DateTime<Utc>,
    progress: &dyn Fn(usize),
) -> Result<usize, ServiceError> {
    let at = now.naive_utc();
    write_transaction(conn, |conn| {
        let mut written = 0;
        for chunk in rows.chunks(HISTORY_CHUNK) {
            written += store::history::upsert(conn, chunk, at)?;
            progress(chunk.len());
        }
        Ok(written)
    })
}
