//! Backups of the embedded SQLite installation and restoring them (README "Operations").
//!
//! `create` copies the live database through SQLite's online backup API into a staging
//! directory beside the archive, then writes one archive of that copy, the attachment files
//! the copy refers to and the server key. Which files: an attachment file is written before
//! the row that refers to it is committed, so every file the copy refers to was on disk when
//! the copy was taken; files no row of the copy refers to (uploads in flight, orphans) are
//! left out, as the copy could not use them. A file removed after the copy was taken (its
//! case anonymised meanwhile) is listed in the manifest as missing, and reported.
//!
//! `restore` checks the whole archive before writing anything, restores into a staging
//! directory beside the target, migrates it, verifies the audit chain as `odrdesk audit
//! verify` does, rebuilds the search index as `odrdesk reindex` does, and only then renames
//! the staging directory to the target.

use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{ServiceError, admin, audit};
use crate::backup::read::{self, ArchiveError};
use crate::backup::{self, DATABASE, EntryPath, FORMAT_VERSION, Manifest, SERVER_KEY};
use crate::blobs::BlobStore;
use crate::config::Settings;
use crate::domain::pitr::{self, SettingCheck};
use crate::store::{DatabaseUrl, Db, blob_refs, snapshot};

/// What a long step reports: a stage begins (with its size), or part of it is done.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    Begin { stage: Stage, total: u64 },
    Advance(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Database pages copied.
    CopyDatabase,
    /// Bytes written into the archive.
    WriteArchive,
    /// Bytes of the archive checked.
    CheckArchive,
    /// Bytes restored.
    Extract,
    /// Cases indexed.
    Reindex,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "odrdesk backup copies the embedded SQLite database; a PostgreSQL database is backed up \
         with pg_dump -Fc, or with pg_basebackup and WAL archiving for point-in-time recovery \
         (README \"Operations\"). `odrdesk backup --check` reports the server settings a base \
         backup needs."
    )]
    Postgres,
    #[error(
        "a backup restores the embedded SQLite installation only; restoring onto PostgreSQL is \
         not supported (restore PostgreSQL from pg_dump or a base backup, README \"Operations\")"
    )]
    RestoreOntoPostgres,
    #[error(
        "restore puts the database at {expected}; the configured database is {configured}: \
         leave out --database-url (ODRDESK_DATABASE_URL) when restoring"
    )]
    DatabaseElsewhere {
        expected: String,
        configured: String,
    },
    #[error("the target directory {0} is not empty; restore only into a new or empty directory")]
    TargetNotEmpty(PathBuf),
    #[error("the archive was refused, nothing was written")]
    Archive(#[from] ArchiveError),
    #[error(
        "the archive's database is at schema {0}, which this odrdesk does not know (made by a \
         newer version?); restore it with that version"
    )]
    UnknownSchema(String),
    #[error("the restored audit log is broken ({0}); the restore was abandoned")]
    AuditBroken(audit::BrokenLink),
    #[error("{what}")]
    Io { what: String, source: io::Error },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

impl From<crate::store::StoreError> for BackupError {
    fn from(e: crate::store::StoreError) -> Self {
        BackupError::Service(e.into())
    }
}

/// A directory next to `near` that is removed when dropped unless it was `keep`t.
struct Staging {
    path: PathBuf,
    keep: bool,
}

impl Staging {
    fn new(parent: &Path, label: &str) -> Result<Staging, BackupError> {
        let path = parent.join(format!(
            ".odrdesk-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        remove_stale(parent, label);
        // Owner-only: a staging directory holds a plain copy of the database.
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&path)
            .map_err(io_error(format!("create {}", path.display())))?;
        Ok(Staging { path, keep: false })
    }
}

/// A staging directory older than this was left by a killed run (SIGKILL skips `Drop`).
const STALE_STAGING: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes staging directories of `label` that killed runs left in `parent`, so a plain copy
/// of the database does not outlive its backup by more than a day.
fn remove_stale(parent: &Path, label: &str) {
    let prefix = format!(".odrdesk-{label}-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_STAGING);
        if old
            && name.to_string_lossy().starts_with(&prefix)
            && let Err(e) = fs::remove_dir_all(entry.path())
        {
            tracing::warn!(error = %e, "stale staging directory not removed");
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep
            && let Err(e) = fs::remove_dir_all(&self.path)
        {
            tracing::warn!(error = %e, path = %self.path.display(), "staging directory not removed");
        }
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

#[derive(Debug)]
pub struct BackupReport {
    pub manifest: Manifest,
    pub bytes: u64,
}

/// Writes a backup of the SQLite installation in `settings` to `out`.
pub fn create(
    settings: &Settings,
    out: &Path,
    now: DateTime<Utc>,
    progress: &dyn Fn(Step),
) -> Result<BackupReport, BackupError> {
    let DatabaseUrl::Sqlite(db_path) = &settings.database else {
        return Err(BackupError::Postgres);
    };
    let staging = Staging::new(&parent_of(out), "backup")?;
    let copy = staging.path.join(DATABASE);
    progress(Step::Begin {
        stage: Stage::CopyDatabase,
        total: 0,
    });
    let last = std::cell::Cell::new(0u64);
    snapshot::copy_online(Path::new(db_path), &copy, &|done, total| {
        if last.get() == 0 {
            progress(Step::Begin {
                stage: Stage::CopyDatabase,
                total,
            });
        }
        progress(Step::Advance(done.saturating_sub(last.get())));
        last.set(done);
    })?;
    let (schema, referenced) = {
        let mut conn = snapshot::open_file(&copy)?;
        let schema = snapshot::latest_migration(&mut conn)?.unwrap_or_default();
        let referenced = blob_refs::all_referenced(&mut conn).map_err(ServiceError::from)?;
        (schema, referenced)
    };
    let blobs = BlobStore::open(&settings.attachments_dir())
        .map_err(io_error("open the attachment store"))?;
    let mut sources: Vec<(EntryPath, PathBuf)> = Vec::new();
    let mut missing = Vec::new();
    let key = settings.data_dir.join(SERVER_KEY);
    for (name, path) in [(DATABASE, copy.clone()), (SERVER_KEY, key)] {
        if let (Some(entry), true) = (EntryPath::parse(name), path.is_file()) {
            sources.push((entry, path));
        }
    }
    for sha in referenced {
        let path = blobs.path_of(&sha);
        match EntryPath::attachment(&sha) {
            Some(entry) if path.is_file() => sources.push((entry, path)),
            _ => missing.push(sha),
        }
    }
    let total: u64 = sources
        .iter()
        .map(|(_, p)| fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    progress(Step::Begin {
        stage: Stage::WriteArchive,
        total,
    });
    let mut writer =
        backup::Writer::create(out, now).map_err(io_error(format!("create {}", out.display())))?;
    let tick = |n: u64| progress(Step::Advance(n));
    for (entry, path) in sources {
        let what = format!("write {} into the archive", entry.as_str());
        writer.add(entry, &path, &tick).map_err(io_error(what))?;
    }
    let manifest = writer
        .finish(Manifest {
            format_version: FORMAT_VERSION,
            odrdesk_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: now,
            schema,
            files: Vec::new(),
            missing_attachments: missing,
        })
        .map_err(io_error(format!("finish {}", out.display())))?;
    let bytes = fs::metadata(out).map_or(0, |m| m.len());
    Ok(BackupReport { manifest, bytes })
}

#[derive(Debug)]
pub struct RestoreReport {
    pub manifest: Manifest,
    pub audit: audit::AuditReport,
    pub indexed: u64,
}

/// Restores the archive at `archive` into `settings.data_dir`, which must be new or empty.
pub fn restore(
    settings: &Settings,
    archive: &Path,
    progress: &dyn Fn(Step),
) -> Result<RestoreReport, BackupError> {
    let target = settings.data_dir.clone();
    let expected = DatabaseUrl::default_for(&target);
    match &settings.database {
        DatabaseUrl::Postgres(_) => return Err(BackupError::RestoreOntoPostgres),
        configured if *configured != expected => {
            return Err(BackupError::DatabaseElsewhere {
                expected: expected.redacted(),
                configured: configured.redacted(),
            });
        }
        _ => {}
    }
    if !is_new_or_empty(&target)? {
        return Err(BackupError::TargetNotEmpty(target));
    }
    let size = fs::metadata(archive).map_or(0, |m| m.len());
    let tick = |n: u64| progress(Step::Advance(n));
    progress(Step::Begin {
        stage: Stage::CheckArchive,
        total: size,
    });
    let manifest = read::verify(archive, &tick)?;
    if !snapshot::knows_sqlite_migration(&manifest.schema) {
        return Err(BackupError::UnknownSchema(manifest.schema));
    }
    let parent = parent_of(&target);
    fs::create_dir_all(&parent).map_err(io_error(format!("create {}", parent.display())))?;
    let mut staging = Staging::new(&parent, "restore")?;
    progress(Step::Begin {
        stage: Stage::Extract,
        total: manifest.files.iter().map(|f| f.size).sum(),
    });
    read::extract(archive, &staging.path, &tick)?;
    let (audit, indexed) = check_and_index(&staging.path, progress)?;
    if target.exists() {
        fs::remove_dir(&target).map_err(io_error(format!("replace {}", target.display())))?;
    }
    fs::rename(&staging.path, &target).map_err(io_error(format!(
        "move the restored data to {}",
        target.display()
    )))?;
    staging.keep = true;
    backup::sync_parent(&target).map_err(io_error("flush the target's directory"))?;
    Ok(RestoreReport {
        manifest,
        audit,
        indexed,
    })
}

fn is_new_or_empty(dir: &Path) -> Result<bool, BackupError> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(io_error(format!("read {}", dir.display()))(e)),
    }
}

/// Migrates the restored database, verifies its audit chain and builds its search index.
fn check_and_index(
    dir: &Path,
    progress: &dyn Fn(Step),
) -> Result<(audit::AuditReport, u64), BackupError> {
    let settings = Settings::for_data_dir(dir, None);
    let mut conn = admin::open(&settings)?;
    let report = match audit::verify(&mut conn)? {
        Ok(report) => report,
        Err(broken) => return Err(BackupError::AuditBroken(broken)),
    };
    let begun = std::cell::Cell::new(false);
    let done = std::cell::Cell::new(0u64);
    let indexed = admin::reindex(&mut conn, &dir.join("search"), &|total, now| {
        if !begun.replace(true) {
            progress(Step::Begin {
                stage: Stage::Reindex,
                total,
            });
        }
        progress(Step::Advance(now.saturating_sub(done.replace(now))));
    })
    .map_err(|e| ServiceError::Internal(format!("rebuild the search index: {e:#}")))?;
    Ok((report, indexed))
}

/// The SQLite file of the installation, or `None` on PostgreSQL.
pub fn sqlite_path(settings: &Settings) -> Option<&str> {
    match &settings.database {
        DatabaseUrl::Sqlite(path) => Some(path),
        DatabaseUrl::Postgres(_) => None,
    }
}

/// The settings of the PostgreSQL server behind `conn` that a base backup with WAL archiving
/// needs, judged.
pub fn postgres_readiness(conn: &mut Db) -> Result<Vec<SettingCheck>, ServiceError> {
    let found = snapshot::pg_settings(conn, &pitr::SETTINGS)?;
    Ok(pitr::assess(&found))
}
