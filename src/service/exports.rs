//! CSV exports of a search: recorded as queued, written on a blocking thread, then marked
//! done or failed. Shared by `POST /api/v1/exports` and the analyst pages.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::slots::JobSlots;
use super::{ServiceError, analysis, on_pool};
use crate::auth::{Principal, Role};
use crate::clock::Clock;
use crate::search::query::{self, Filters};
use crate::search::{SearchError, SearchIndex};
use crate::store::search::{self as rows, ExportRow};
use crate::store::{Db, DbPool, StoreError};
use chrono::{DateTime, Utc};

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ExportStatus {
    pub id: i64,
    /// queued, running, done, failed or expired (the file was deleted for its age).
    pub status: String,
    pub row_count: Option<i64>,
    pub error: Option<String>,
    /// The people's CSV: Chinese headers and names, China time (UTC+08:00).
    pub download: Option<String>,
    /// The machine CSV: codes and UTC times (`?format=machine`).
    pub download_machine: Option<String>,
}

impl ExportStatus {
    pub fn queued(id: i64) -> ExportStatus {
        ExportStatus {
            id,
            status: "queued".into(),
            row_count: None,
            error: None,
            download: None,
            download_machine: None,
        }
    }

    pub fn of(row: &ExportRow) -> ExportStatus {
        let status = match row.expired_at {
            Some(_) => "expired".to_owned(),
            None => row.status.clone(),
        };
        let done = status == "done";
        let download = format!("/api/v1/exports/{}/download", row.id);
        ExportStatus {
            id: row.id,
            row_count: row.row_count,
            error: row.error.clone(),
            download: done.then(|| download.clone()),
            download_machine: done.then(|| format!("{download}?format=machine")),
            status,
        }
    }
}

/// One export as its requester sees it: the status and the filters it was asked with.
pub struct Export {
    pub status: ExportStatus,
    /// The filters as recorded (JSON).
    pub params: String,
}

/// What the export use cases need from the running server.
pub struct Exports {
    pub pool: DbPool,
    pub search: SearchIndex,
    pub clock: Arc<dyn Clock>,
    /// `<data dir>/exports`.
    pub dir: PathBuf,
    /// Bounds the exports being written at once.
    pub slots: JobSlots,
}

/// Which of an export's two files: the people's (Chinese headers and names, China time) or
/// the machine's (codes, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvForm {
    People,
    Machine,
}

impl CsvForm {
    pub const ALL: [CsvForm; 2] = [CsvForm::People, CsvForm::Machine];

    fn suffix(self) -> &'static str {
        match self {
            CsvForm::People => "",
            CsvForm::Machine => "-machine",
        }
    }
}

fn file_of(dir: &Path, id: i64, form: CsvForm) -> PathBuf {
    dir.join(format!("{id}{}.csv", form.suffix()))
}

/// The name a download is saved under.
pub fn download_name(id: i64, form: CsvForm) -> String {
    format!("odrdesk-export-{id}{}.csv", form.suffix())
}

/// Attempts at recording how a write ended before giving up (the next start marks it failed).
const RECORD_ATTEMPTS: u32 = 3;

impl Exports {
    fn path_of(&self, id: i64, form: CsvForm) -> PathBuf {
        file_of(&self.dir, id, form)
    }

    /// Queues a CSV export of a search (`params` is what is recorded as asked for) and writes
    /// it in the background; returns the export's id.
    pub async fn start(
        &self,
        principal: &Principal,
        filters: &Filters,
        params: String,
    ) -> Result<i64, ServiceError> {
        let scope = analysis::scope(principal)?;
        let user_id = principal.require_staff()?.id;
        analysis::check_filter_dates(filters, crate::clock::china_date(self.clock.now()))?;
        let live = self.search.live();
        // Reject a malformed query now rather than in the background.
        let q = query::build(&live, filters, &scope)?;
        let slot = self.slots.take(user_id)?;
        let now = self.clock.now().naive_utc();
        let id = on_pool(&self.pool, move |conn| {
            Ok(rows::create_export(conn, user_id, &params, now)?)
        })
        .await?;
        let (people, machine) = (
            self.path_of(id, CsvForm::People),
            self.path_of(id, CsvForm::Machine),
        );
        let (pool, clock) = (self.pool.clone(), self.clock.clone());
        tokio::task::spawn_blocking(move || {
            let outcome = write_file(&people, |p| {
                crate::search::export::write_csv(&live, &*q, p, &machine)
            });
            record_outcome(&pool, &*clock, id, outcome);
            drop(slot);
        });
        Ok(id)
    }

    /// The requester's export (admins see all); someone else's is "not found".
    async fn own_row(&self, principal: &Principal, id: i64) -> Result<ExportRow, ServiceError> {
        let user = principal.require_role(&analysis::ANALYSTS)?.clone();
        let row = on_pool(&self.pool, move |conn| Ok(rows::find_export(conn, id)?)).await?;
        row.filter(|r| r.requested_by == user.id || user.role == Role::Admin)
            .ok_or(ServiceError::NotFound)
    }

    pub async fn own(&self, principal: &Principal, id: i64) -> Result<Export, ServiceError> {
        let row = self.own_row(principal, id).await?;
        Ok(Export {
            status: ExportStatus::of(&row),
            params: row.params,
        })
    }

    /// The finished file of the requester's export; not found until it is done.
    pub async fn file(
        &self,
        principal: &Principal,
        id: i64,
        form: CsvForm,
    ) -> Result<Vec<u8>, ServiceError> {
        let row = self.own_row(principal, id).await?;
        if row.expired_at.is_some() {
            return Err(ServiceError::Gone(EXPIRED.into()));
        }
        if row.status != "done" {
            return Err(ServiceError::NotFound);
        }
        let path = self.path_of(row.id, form);
        tokio::task::spawn_blocking(move || std::fs::read(path))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .map_err(|_| ServiceError::NotFound)
    }
}

const EXPIRED: &str = "导出文件已过保存期限并已删除，请重新导出";

/// Deletes the files of exports finished more than `ttl_days` before `now` and records them
/// as expired; the number expired. A file already gone counts as deleted, and a file that
/// cannot be deleted leaves its row for the next pass.
pub fn expire(
    conn: &mut Db,
    dir: &Path,
    now: DateTime<Utc>,
    ttl_days: u32,
) -> Result<usize, ServiceError> {
    let before = (now - chrono::Duration::days(i64::from(ttl_days))).naive_utc();
    let mut expired = 0;
    for id in rows::exports_to_expire(conn, before)? {
        let removed = CsvForm::ALL.map(|form| match std::fs::remove_file(file_of(dir, id, form)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        });
        if let Some(Err(e)) = removed.iter().find(|r| r.is_err()) {
            tracing::warn!(export = id, error = %e, "expired export not deleted");
            continue;
        }
        rows::mark_export_expired(conn, id, now.naive_utc())?;
        expired += 1;
    }
    Ok(expired)
}

/// Writes the file into its folder (made if missing): the number of rows, or why not.
fn write_file(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<usize, SearchError>,
) -> Result<i64, String> {
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
        .map_err(SearchError::from)
        .and_then(|()| write(path))
        .map(|n| n as i64)
        .map_err(|e| e.to_string())
}

/// Marks the export done or failed. The database may be briefly unavailable, so this tries a
/// few times; an export left queued is marked failed when a node next starts.
fn record_outcome(pool: &DbPool, clock: &dyn Clock, id: i64, outcome: Result<i64, String>) {
    if let Err(error) = &outcome {
        tracing::warn!(export = id, %error, "export not written");
    }
    for attempt in 1..=RECORD_ATTEMPTS {
        let recorded = pool.get().map_err(StoreError::from).and_then(|mut conn| {
            rows::finish_export(&mut conn, id, outcome.clone(), clock.now().naive_utc())
                .map_err(StoreError::from)
        });
        match recorded {
            Ok(()) => return,
            Err(e) if attempt == RECORD_ATTEMPTS => {
                tracing::error!(export = id, error = %e, "export outcome not recorded");
            }
            Err(e) => {
                tracing::warn!(export = id, error = %e, "recording export outcome; retrying");
                std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
            }
        }
    }
}
