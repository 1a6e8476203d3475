//! The SQLite side of a backup: a consistent copy of a live database through SQLite's online
//! backup API (`rusqlite`, on the same bundled SQLite as diesel), the schema a database is at,
//! and the PostgreSQL settings a base backup needs.
//!
//! The copy runs inside one read transaction on the source: in WAL mode (which every
//! connection of the service sets) a reader never blocks a writer and sees one snapshot, so
//! the copy is of a single committed state however long it takes, and the pages are copied
//! in steps so the source's lock is taken and released briefly each time.

use std::path::Path;
use std::time::Duration;

use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection as Sqlite, OpenFlags};

use super::{Db, SQLITE_MIGRATIONS, StoreError};

/// Pages copied per step (4 KiB pages: 4 MiB per step).
const PAGES_PER_STEP: i32 = 1024;
/// Pause after a step that found the source busy.
const BUSY_PAUSE: Duration = Duration::from_millis(20);

fn sqlite_error(what: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError::Other(format!("{what}: {e}"))
}

/// Copies the live database at `source` to a new file `dest`, consistent as of one moment;
/// `progress(done_pages, total_pages)` after each step. The copy is checked
/// (`PRAGMA quick_check`) and left in rollback-journal mode, one self-contained file.
pub fn copy_online(
    source: &Path,
    dest: &Path,
    progress: &dyn Fn(u64, u64),
) -> Result<(), StoreError> {
    if !source.is_file() {
        return Err(StoreError::Other(format!(
            "no SQLite database at {}",
            source.display()
        )));
    }
    // Never create: a missing file is an error above, not an empty backup.
    let src = Sqlite::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_error("open the database"))?;
    src.busy_timeout(Duration::from_secs(10))
        .map_err(sqlite_error("set busy timeout"))?;
    // The read transaction that pins one snapshot for every step of the copy.
    src.execute_batch("BEGIN DEFERRED; SELECT count(*) FROM sqlite_schema;")
        .map_err(sqlite_error("start the read transaction"))?;
    let mut dst = Sqlite::open(dest).map_err(sqlite_error("create the copy"))?;
    {
        let backup = Backup::new(&src, &mut dst).map_err(sqlite_error("start the copy"))?;
        loop {
            let step = backup
                .step(PAGES_PER_STEP)
                .map_err(sqlite_error("copy pages"))?;
            let p = backup.progress();
            let total = u64::try_from(p.pagecount).unwrap_or(0);
            let left = u64::try_from(p.remaining).unwrap_or(0);
            progress(total.saturating_sub(left), total);
            match step {
                StepResult::Done => break,
                StepResult::More => {}
                _ => std::thread::sleep(BUSY_PAUSE),
            }
        }
    }
    src.execute_batch("COMMIT")
        .map_err(sqlite_error("end the read transaction"))?;
    drop(src);
    dst.pragma_update(None, "journal_mode", "DELETE")
        .map_err(sqlite_error("set the copy's journal mode"))?;
    let check: String = dst
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .map_err(sqlite_error("check the copy"))?;
    if check != "ok" {
        return Err(StoreError::Other(format!(
            "the copy fails its check: {check}"
        )));
    }
    dst.close()
        .map_err(|(_, e)| sqlite_error("close the copy")(e))?;
    std::fs::File::open(dest)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::Other(format!("sync the copy: {e}")))
}

/// A SQLite file opened as it is: no migration, no connection settings (so a copy stays in
/// its journal mode).
pub fn open_file(path: &Path) -> Result<Db, StoreError> {
    let conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| StoreError::Other(format!("open {}: {e}", path.display())))?;
    Ok(Db::Sqlite(conn))
}

/// The newest migration applied to the database (diesel's version: the folder name before
/// its first `_`, without dashes).
pub fn latest_migration(conn: &mut Db) -> Result<Option<String>, StoreError> {
    let applied = match conn {
        Db::Sqlite(c) => c.applied_migrations(),
        Db::Pg(c) => c.applied_migrations(),
    }
    .map_err(|e| StoreError::Other(format!("read applied migrations: {e}")))?;
    Ok(applied.iter().map(ToString::to_string).max())
}

/// Whether this build knows the SQLite migration `version` (so a backup made at it can be
/// restored and brought up to date by this build).
pub fn knows_sqlite_migration(version: &str) -> bool {
    MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS).is_ok_and(|all| {
        all.iter()
            .any(|m| m.name().version().to_string() == version)
    })
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    setting: String,
}

/// The PostgreSQL server settings `names` (those it has), as (name, value).
pub fn pg_settings(conn: &mut Db, names: &[&str]) -> Result<Vec<(String, String)>, StoreError> {
    let Db::Pg(pg) = conn else {
        return Err(StoreError::Other("not a PostgreSQL database".into()));
    };
    let list = names
        .iter()
        .map(|n| format!("'{}'", n.replace('\'', "")))
        .collect::<Vec<_>>()
        .join(",");
    let rows: Vec<Setting> = diesel::sql_query(format!(
        "SELECT name::text AS name, setting::text AS setting FROM pg_settings \
         WHERE name IN ({list}) ORDER BY name"
    ))
    .load(pg)
    .map_err(StoreError::from)?;
    Ok(rows.into_iter().map(|s| (s.name, s.setting)).collect())
}
