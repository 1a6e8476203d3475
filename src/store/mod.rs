//! Persistence: one diesel `MultiConnection` over SQLite (embedded default) and PostgreSQL.
//!
//! Repositories in the submodules take `&mut Db` and never open transactions themselves: the
//! service layer owns the transaction boundary (one per use case).

pub mod accounts;
pub mod aftercare;
pub mod blob_refs;
pub mod bulletin;
pub mod bulletins;
pub mod businesses;
pub mod cases;
pub mod chain_upgrade;
mod columns;
pub mod disclosures;
pub mod documents;
pub mod email_verifications;
pub mod enterprise_keys;
pub mod enterprises;
pub mod event_personal;
pub mod events;
pub mod history;
pub mod leases;
pub mod models;
pub mod outbox;
pub mod phone_codes;
pub mod reference;
pub mod reports;
pub mod retention;
pub mod rights_holders;
pub mod schema;
pub mod scorecards;
pub mod screening;
pub mod search;
pub mod snapshot;
pub mod subjects;
#[cfg(test)]
pub(crate) mod test_db;
pub mod warnings;
pub mod webhooks;
pub mod wechat_grants;
pub mod work_orders;
pub mod workflow;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend; queries written with the diesel DSL run on both.
#[derive(diesel::MultiConnection)]
pub enum Db {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<Db>>;
pub type PooledDb = PooledConnection<ConnectionManager<Db>>;

/// Where the data lives, parsed from `ODRDESK_DATABASE_URL` or derived from the data dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseUrl::Postgres(url.to_owned())
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            DatabaseUrl::Sqlite(path.to_owned())
        }
    }

    pub fn default_for(data_dir: &Path) -> Self {
        DatabaseUrl::Sqlite(
            data_dir
                .join("odrdesk.sqlite3")
                .to_string_lossy()
                .into_owned(),
        )
    }

    fn connection_string(&self) -> &str {
        match self {
            DatabaseUrl::Postgres(s) | DatabaseUrl::Sqlite(s) => s,
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Postgres(_) => "postgresql",
            DatabaseUrl::Sqlite(_) => "sqlite",
        }
    }

    /// The URL with any password removed, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
            DatabaseUrl::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let creds = &url[scheme_end + 3..at];
                    let user = creds.split(':').next().unwrap_or("");
                    format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
                }
                _ => url.clone(),
            },
        }
    }
}

/// Per-connection SQLite settings: durability (every acknowledged write is on disk), concurrent
/// readers with one writer, waiting instead of failing when another process writes, and
/// deleted rows overwritten with zeros (erased personal data does not linger in free pages).
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<Db, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut Db) -> Result<(), diesel::r2d2::Error> {
        if let Db::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                 PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                 PRAGMA secure_delete = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// On SQLite, copies the write-ahead log into the database file and empties it, so that
/// rows just erased leave no old copy in the `-wal` file; nothing on PostgreSQL. A reader
/// holding an old snapshot makes it stop early without an error (the next pass finishes).
pub fn checkpoint_truncate(conn: &mut Db) -> Result<(), DieselError> {
    if let Db::Sqlite(c) = conn {
        c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")?;
    }
    Ok(())
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("the database is busy or unreachable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        if is_transient(&e) {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Other(e.to_string())
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

/// Errors worth a retry later (lock contention, a restarting server), as opposed to bugs.
pub fn is_transient(e: &DieselError) -> bool {
    match e {
        DieselError::DatabaseError(kind, info) => {
            let msg = info.message();
            matches!(
                kind,
                DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::ClosedConnection
            ) || msg.contains("database is locked")
                || msg.contains("database is busy")
                || msg.contains("terminating connection")
                || msg.contains("server closed the connection")
        }
        DieselError::BrokenTransactionManager => true,
        _ => false,
    }
}

pub fn is_unique_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Opens a pool, creating the SQLite file's directory if needed. Does not migrate.
pub fn connect(url: &DatabaseUrl, max_size: u32) -> Result<DbPool, StoreError> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", dir.display())))?;
    }
    let manager = ConnectionManager::<Db>::new(url.connection_string());
    Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)
        .map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// Applies pending migrations of the connection's backend, then upgrades events still in
/// chain format 1 (`chain_upgrade`); returns how many migrations ran. A case whose log the
/// upgrade refuses is logged by its number and left in format 1: the service still starts.
/// On PostgreSQL an advisory lock keeps two starting nodes from migrating at once.
pub fn migrate(conn: &mut Db) -> Result<usize, StoreError> {
    let (applied, upgraded) = migrate_with(conn, &mut |_, _| {})?;
    for refused in &upgraded.refused {
        tracing::error!(case_no = %refused.case_no, seq = refused.seq, "chain upgrade refused: {refused}");
    }
    Ok(applied)
}

/// `migrate`, reporting the chain upgrade's progress as (cases done, cases in all).
pub fn migrate_with(
    conn: &mut Db,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(usize, chain_upgrade::Upgraded), StoreError> {
    let failed = |e| StoreError::Other(format!("migration failed: {e}"));
    match conn {
        Db::Sqlite(c) => {
            let applied = c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|v| v.len())
                .map_err(failed)?;
            Ok((applied, chain_upgrade::upgrade(conn, progress)?))
        }
        Db::Pg(c) => {
            const LOCK: &str = "SELECT pg_advisory_lock(7215008245)";
            c.batch_execute(LOCK)?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len())
                .map_err(failed)
                .and_then(|applied| Ok((applied, chain_upgrade::upgrade(conn, progress)?)));
            conn.batch_execute("SELECT pg_advisory_unlock(7215008245)")?;
            result
        }
    }
}

/// Applies the migrations that come before `name` (a migration folder's name after its
/// version), so a test can write rows as an older version did.
#[cfg(test)]
pub(crate) fn migrate_before(conn: &mut Db, name: &str) -> Result<(), StoreError> {
    fn run<C: MigrationHarness<B>, B: diesel::backend::Backend>(
        c: &mut C,
        source: EmbeddedMigrations,
        name: &str,
    ) -> Result<(), StoreError> {
        let failed = |e| StoreError::Other(format!("migration failed: {e}"));
        for m in c.pending_migrations(source).map_err(failed)? {
            if m.name().to_string().ends_with(name) {
                return Ok(());
            }
            c.run_migration(&*m).map_err(failed)?;
        }
        Ok(())
    }
    match conn {
        Db::Sqlite(c) => run(c, SQLITE_MIGRATIONS, name),
        Db::Pg(c) => run(c, POSTGRES_MIGRATIONS, name),
    }
}

/// Runs `f` in a write transaction. On SQLite it begins with `BEGIN IMMEDIATE`, taking the
/// write lock up front: a transaction that first reads and later writes could otherwise fail
/// at once with "database is locked" when another writer got in between, instead of waiting
/// out `busy_timeout`. On PostgreSQL it is an ordinary transaction.
pub fn write_transaction<T, E>(
    conn: &mut Db,
    f: impl FnOnce(&mut Db) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    // Only the outermost SQLite transaction is special; nested calls become savepoints.
    let immediate = match conn {
        Db::Sqlite(sqlite) => matches!(
            AnsiTransactionManager::transaction_manager_status_mut(sqlite).transaction_depth(),
            Ok(None)
        ),
        Db::Pg(_) => false,
    };
    if !immediate {
        return diesel::Connection::transaction(conn, f);
    }
    let Db::Sqlite(sqlite) = conn else {
        unreachable!("checked above")
    };
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    let result = f(conn);
    let Db::Sqlite(sqlite) = conn else {
        unreachable!("the connection's backend does not change")
    };
    match result {
        Ok(value) => match AnsiTransactionManager::commit_transaction(sqlite) {
            Ok(()) => Ok(value),
            Err(e) => {
                // The commit error is the one to report; a failed rollback only adds noise.
                if let Err(rollback) = AnsiTransactionManager::rollback_transaction(sqlite) {
                    tracing::warn!(error = %rollback, "rollback after a failed commit failed");
                }
                Err(e.into())
            }
        },
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(sqlite)?;
            Err(e)
        }
    }
}
