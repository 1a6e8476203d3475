//! Keeping the index in step with the database: the follower indexes the cases of events past
//! the checkpoint (idempotently, a case at a time); `rebuild` writes a whole new index.

use std::collections::BTreeSet;
use std::time::Duration;

use super::index::{self, Checkpoint, SearchError, SearchIndex, version_tag};
use crate::store::{Db, DbPool, StoreError, search};

/// Events are re-read this far behind the checkpoint: on PostgreSQL ids are handed out at
/// insert but become visible at commit, so a lower id can appear after a higher one.
const LOOKBACK: i64 = 1000;
const BATCH: i64 = 2000;

#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for FollowError {
    fn from(e: diesel::result::Error) -> Self {
        FollowError::Store(e.into())
    }
}

/// Remembers recently indexed event ids so the lookback window costs nothing when idle.
#[derive(Default)]
pub struct Follower {
    seen: BTreeSet<i64>,
}

impl Follower {
    /// Indexes whatever is new; returns how many events it applied.
    pub fn step(&mut self, conn: &mut Db, search: &SearchIndex) -> Result<usize, FollowError> {
        let live = search.live();
        let checkpoint = live.checkpoint()?;
        let from = (checkpoint.event_id - LOOKBACK).max(0);
        let events = search::events_after(conn, from, BATCH + LOOKBACK)?;
        let fresh: Vec<(i64, i64)> = events
            .into_iter()
            .filter(|(id, _)| !self.seen.contains(id))
            .collect();
        if fresh.is_empty() {
            return Ok(0);
        }
        let cases: BTreeSet<i64> = fresh.iter().map(|(_, case)| *case).collect();
        let ids: Vec<i64> = cases.into_iter().collect();
        let sources = search::load_sources(conn, &ids)?;
        let top = fresh
            .iter()
            .map(|(id, _)| *id)
            .max()
            .unwrap_or(0)
            .max(checkpoint.event_id);
        live.upsert(
            &sources,
            &Checkpoint {
                event_id: top,
                version: version_tag(),
            },
        )?;
        self.seen.extend(fresh.iter().map(|(id, _)| *id));
        let floor = top - LOOKBACK;
        self.seen = self.seen.split_off(&floor);
        Ok(fresh.len())
    }
}

/// Builds a complete new index from the database into a fresh directory and publishes it.
/// `progress` is told the total and then each batch done. One thread reads batches of cases
/// while this one indexes them, and the directory is committed once, at the end.
pub fn rebuild(
    conn: &mut Db,
    search: &SearchIndex,
    progress: &dyn Fn(u64, u64),
) -> Result<u64, FollowError> {
    // Events after this point are picked up by the follower of the new index.
    let upto = search::max_event_id(conn)?;
    let total = search::count_cases(conn)? as u64;
    let name = index::new_dir_name();
    let dir = search.root().join(&name);
    let live = index::open_dir(&dir)?;
    progress(total, 0);
    let (batches, arriving) = std::sync::mpsc::sync_channel(2);
    let done = std::thread::scope(|scope| -> Result<u64, FollowError> {
        let reader = scope.spawn(move || -> Result<(), FollowError> {
            let mut after = 0i64;
            loop {
                let ids = search::case_ids_after(conn, after, REBUILD_BATCH)?;
                let Some(&last) = ids.last() else {
                    return Ok(());
                };
                after = last;
                if batches.send(search::load_sources(conn, &ids)?).is_err() {
                    return Ok(()); // the indexer stopped on an error of its own
                }
            }
        });
        let mut done = 0u64;
        let indexed = arriving.iter().try_for_each(|sources| {
            live.add_new(&sources)?;
            done += sources.len() as u64;
            progress(total, done);
            Ok::<_, FollowError>(())
        });
        drop(arriving);
        let read = reader.join().unwrap_or_else(|_| {
            Err(FollowError::Search(SearchError::Io(std::io::Error::other(
                "the thread reading cases panicked",
            ))))
        });
        indexed.and(read).map(|()| done)
    })?;
    live.commit(&Checkpoint {
        event_id: upto,
        version: version_tag(),
    })?;
    live.release_writer()?;
    index::publish(search.root(), &name)?;
    Ok(done)
}

/// Cases read from the database at a time by a rebuild.
const REBUILD_BATCH: i64 = 2000;

/// Background loop of a serving node: follow the log, pick up swapped indexes, and rebuild
/// at start if the stored version is stale.
pub fn spawn(
    pool: DbPool,
    search: SearchIndex,
    stale: bool,
    every: Duration,
) -> Option<tokio::sync::oneshot::Sender<()>> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    runtime.spawn(async move {
        let mut follower = Follower::default();
        let mut rebuild_pending = stale;
        loop {
            tokio::select! {
                _ = &mut stop_rx => break,
                () = tokio::time::sleep(every) => {}
            }
            let (pool, search_now) = (pool.clone(), search.clone());
            let do_rebuild = std::mem::take(&mut rebuild_pending);
            let mut f = std::mem::take(&mut follower);
            let pass = tokio::task::spawn_blocking(move || {
                let result = (|| -> Result<usize, FollowError> {
                    let mut conn = pool.get().map_err(StoreError::from)?;
                    if do_rebuild {
                        tracing::info!("search index version changed; rebuilding");
                        rebuild(&mut conn, &search_now, &|_, _| {})?;
                    }
                    if search_now.follow_swap()? {
                        f = Follower::default();
                        search_now.remove_stale_dirs();
                    }
                    f.step(&mut conn, &search_now)
                })();
                (f, result)
            })
            .await;
            let failed = match pass {
                Ok((f, Ok(_))) => {
                    follower = f;
                    false
                }
                Ok((f, Err(e))) => {
                    follower = f;
                    tracing::warn!(error = %e, "search follower pass failed; will retry");
                    true
                }
                Err(e) => {
                    tracing::error!(error = %e, "search follower pass aborted; will retry");
                    true
                }
            };
            // A stale index stays due for a rebuild until one succeeds.
            rebuild_pending |= do_rebuild && failed;
        }
    });
    Some(stop_tx)
}
