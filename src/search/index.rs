//! The live index on disk: `<data-dir>/search/CURRENT` names the directory in use; a rebuild
//! writes a new directory and swaps the pointer atomically, so searches keep using the old
//! one until the new one is complete. Each commit carries the event checkpoint and the
//! schema/analyzer version as its payload.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use super::analyzer;
use super::schema::{self, Fields, SCHEMA_VERSION};
use crate::store::search::CaseSource;

const WRITER_HEAP: usize = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index files: {0}")]
    Io(#[from] std::io::Error),
    #[error("query: {0}")]
    Query(String),
}

/// What a commit records: how far the event log is indexed, and with which schema/analyzer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Checkpoint {
    pub event_id: i64,
    pub version: String,
}

pub fn version_tag() -> String {
    format!(
        "schema-{SCHEMA_VERSION}+{}",
        analyzer::analyzer_fingerprint()
    )
}

/// One opened index directory.
pub struct Live {
    pub dir: PathBuf,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    writer: Mutex<Option<IndexWriter>>,
}

impl Live {
    fn open_dir(dir: &Path) -> Result<Live, SearchError> {
        fs::create_dir_all(dir)?;
        let (schema, fields) = schema::build();
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Io(std::io::Error::other(e.to_string())))?;
        let index = Index::open_or_create(mmap, schema)?;
        analyzer::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Live {
            dir: dir.to_owned(),
            index,
            reader,
            fields,
            writer: Mutex::new(None),
        })
    }

    pub fn checkpoint(&self) -> Result<Checkpoint, SearchError> {
        let payload = self.index.load_metas()?.payload;
        Ok(payload
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default())
    }

    /// Replaces the documents of these cases and commits with the new checkpoint.
    pub fn upsert(
        &self,
        sources: &[CaseSource],
        checkpoint: &Checkpoint,
    ) -> Result<(), SearchError> {
        self.with_writer(|writer| {
            for s in sources {
                writer.delete_term(Term::from_field_u64(self.fields.case_id, s.case.id as u64));
                writer.add_document(schema::document(&self.fields, s))?;
            }
            Ok(())
        })?;
        self.commit(checkpoint)
    }

    /// Adds documents of cases this directory does not hold yet, without committing: how a
    /// rebuild fills a fresh directory before its one commit.
    pub fn add_new(&self, sources: &[CaseSource]) -> Result<(), SearchError> {
        self.with_writer(|writer| {
            for s in sources {
                writer.add_document(schema::document(&self.fields, s))?;
            }
            Ok(())
        })
    }

    /// Commits what was added, recording the checkpoint, and makes it searchable.
    pub fn commit(&self, checkpoint: &Checkpoint) -> Result<(), SearchError> {
        self.with_writer(|writer| {
            let mut commit = writer.prepare_commit()?;
            commit.set_payload(&serde_json::to_string(checkpoint).unwrap_or_default());
            commit.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        Ok(())
    }

    fn with_writer<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let writer = match guard.take() {
            Some(writer) => writer,
            None => self.index.writer(WRITER_HEAP)?,
        };
        f(guard.insert(writer))
    }

    /// Lets go of the writer lock (before another process may open this directory to write).
    pub fn release_writer(&self) -> Result<(), SearchError> {
        if let Some(w) = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take() {
            w.wait_merging_threads()?;
        }
        Ok(())
    }
}

/// The index in use by this process; swapped when `CURRENT` changes.
#[derive(Clone)]
pub struct SearchIndex {
    root: PathBuf,
    live: Arc<RwLock<Arc<Live>>>,
}

fn current_file(root: &Path) -> PathBuf {
    root.join("CURRENT")
}

fn read_current(root: &Path) -> Option<String> {
    fs::read_to_string(current_file(root))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Points `CURRENT` at `name` atomically (write a temporary file, fsync, rename).
pub fn publish(root: &Path, name: &str) -> Result<(), SearchError> {
    let tmp = root.join("CURRENT.tmp");
    fs::write(&tmp, name)?;
    fs::File::open(&tmp)?.sync_all()?;
    fs::rename(&tmp, current_file(root))?;
    fs::File::open(root)?.sync_all()?;
    Ok(())
}

/// A fresh directory name for a (re)build.
pub fn new_dir_name() -> String {
    format!("index-{}", uuid::Uuid::new_v4().simple())
}

impl SearchIndex {
    /// Opens the current index, creating an empty one on first use. Returns whether the stored
    /// version differs from this build's (then the caller rebuilds).
    pub fn open(root: &Path) -> Result<(SearchIndex, bool), SearchError> {
        fs::create_dir_all(root)?;
        let name = match read_current(root) {
            Some(name) => name,
            None => {
                let name = new_dir_name();
                Live::open_dir(&root.join(&name))?;
                publish(root, &name)?;
                name
            }
        };
        let (live, stale) = match Live::open_dir(&root.join(&name)) {
            Ok(live) => {
                let stored = live.checkpoint()?;
                let stale = stored.version != version_tag()
                    && (stored.event_id > 0 || !stored.version.is_empty());
                (live, stale)
            }
            // Written by an older schema: start from an empty directory and rebuild. The old
            // one is removed with the other stale directories.
            Err(SearchError::Index(tantivy::TantivyError::SchemaError(_))) => {
                let fresh = new_dir_name();
                let live = Live::open_dir(&root.join(&fresh))?;
                publish(root, &fresh)?;
                (live, true)
            }
            Err(e) => return Err(e),
        };
        Ok((
            SearchIndex {
                root: root.to_owned(),
                live: Arc::new(RwLock::new(Arc::new(live))),
            },
            stale,
        ))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn live(&self) -> Arc<Live> {
        self.live.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Switches to the directory `CURRENT` names if a rebuild published a new one; removes the
    /// directory given up. Returns whether it switched.
    pub fn follow_swap(&self) -> Result<bool, SearchError> {
        let Some(name) = read_current(&self.root) else {
            return Ok(false);
        };
        let old = self.live();
        if old.dir == self.root.join(&name) {
            return Ok(false);
        }
        let fresh = Live::open_dir(&self.root.join(&name))?;
        *self.live.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(fresh);
        old.release_writer()?;
        tracing::info!(index = %name, "search index switched");
        Ok(true)
    }

    /// Directories no longer named by `CURRENT` (left by rebuilds); safe to delete once no
    /// process uses them.
    pub fn remove_stale_dirs(&self) {
        let current = read_current(&self.root);
        let Ok(entries) = fs::read_dir(&self.root) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("index-")
                && Some(&name) != current.as_ref()
                && e.path() != self.live().dir
                && let Err(err) = fs::remove_dir_all(e.path())
            {
                tracing::warn!(error = %err, dir = %e.path().display(), "old index not removed");
            }
        }
    }
}

/// Opens a directory for a rebuild (used by `reindex`).
pub fn open_dir(dir: &Path) -> Result<Live, SearchError> {
    Live::open_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_written_with_another_schema_is_replaced_and_reported_stale() {
        let dir = tempfile::tempdir().unwrap();
        let name = new_dir_name();
        let mut builder = tantivy::schema::Schema::builder();
        builder.add_text_field("something_else", tantivy::schema::STRING);
        std::fs::create_dir_all(dir.path().join(&name)).unwrap();
        let old = tantivy::directory::MmapDirectory::open(dir.path().join(&name)).unwrap();
        Index::open_or_create(old, builder.build()).unwrap();
        publish(dir.path(), &name).unwrap();
        let (search, stale) = SearchIndex::open(dir.path()).unwrap();
        assert!(stale, "an index of another schema must be rebuilt");
        assert_ne!(read_current(dir.path()).unwrap(), name);
        assert_eq!(search.live().checkpoint().unwrap(), Checkpoint::default());
    }

    #[test]
    fn an_index_from_another_version_is_reported_stale_and_a_swap_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let (search, stale) = SearchIndex::open(dir.path()).unwrap();
        assert!(!stale, "a new index is current");
        let old = Checkpoint {
            event_id: 7,
            version: "schema-0+old".into(),
        };
        search.live().upsert(&[], &old).unwrap();
        search.live().release_writer().unwrap();
        drop(search);
        let (search, stale) = SearchIndex::open(dir.path()).unwrap();
        assert!(stale, "a version mismatch must trigger a rebuild");
        // A rebuilt directory published under CURRENT is picked up.
        let name = new_dir_name();
        let fresh = open_dir(&dir.path().join(&name)).unwrap();
        fresh
            .upsert(
                &[],
                &Checkpoint {
                    event_id: 9,
                    version: version_tag(),
                },
            )
            .unwrap();
        fresh.release_writer().unwrap();
        publish(dir.path(), &name).unwrap();
        assert!(search.follow_swap().unwrap());
        assert_eq!(search.live().checkpoint().unwrap().event_id, 9);
        assert!(!search.follow_swap().unwrap());
    }
}
