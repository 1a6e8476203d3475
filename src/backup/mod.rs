//! The backup archive: one zstd-compressed tar of the data's sources of truth — the SQLite
//! snapshot, the attachment files it refers to and the server key — ending with
//! `manifest.json`, which names every other entry with its size and SHA-256.
//!
//! The archive is written to `FILE.partial`, flushed to disk and only then renamed to `FILE`,
//! so an interrupted backup never leaves a file that looks whole; `read` checks an archive
//! completely before anything is restored from it.

pub mod read;

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::blobs::is_sha256;

/// The archive layout this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
pub const DATABASE: &str = "odrdesk.sqlite3";
pub const SERVER_KEY: &str = "server.key";
const ATTACHMENTS: &str = "attachments";
/// A manifest larger than this is not one of ours.
const MANIFEST_MAX_BYTES: u64 = 256 * 1024 * 1024;

/// A path inside the archive: the database, the server key, or an attachment file
/// `attachments/ab/abcd…` (64 hex characters, in the folder of its first two). Nothing else
/// is ever written or restored, so no entry can name a place outside the target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EntryPath(String);

impl EntryPath {
    pub fn parse(text: &str) -> Option<EntryPath> {
        let ok = match text {
            DATABASE | SERVER_KEY => true,
            _ => text
                .strip_prefix("attachments/")
                .and_then(|rest| rest.split_once('/'))
                .is_some_and(|(dir, sha)| is_sha256(sha) && sha.get(..2) == Some(dir)),
        };
        ok.then(|| EntryPath(text.to_owned()))
    }

    pub fn attachment(sha256: &str) -> Option<EntryPath> {
        EntryPath::parse(&format!(
            "{ATTACHMENTS}/{}/{sha256}",
            sha256.get(..2).unwrap_or("")
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SHA-256 an attachment file is named by (its content must hash to it).
    pub fn attachment_sha256(&self) -> Option<&str> {
        self.0
            .strip_prefix("attachments/")?
            .split_once('/')
            .map(|(_, sha)| sha)
    }

    /// Where the entry goes under a data directory.
    pub fn under(&self, dir: &Path) -> PathBuf {
        self.0
            .split('/')
            .fold(dir.to_owned(), |p, part| p.join(part))
    }
}

impl TryFrom<String> for EntryPath {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        EntryPath::parse(&s).ok_or_else(|| format!("not a backup entry: {s:?}"))
    }
}

impl From<EntryPath> for String {
    fn from(p: EntryPath) -> String {
        p.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: EntryPath,
    pub size: u64,
    pub sha256: String,
}

/// What the archive says about itself; the last entry, `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub odrdesk_version: String,
    pub created_at: DateTime<Utc>,
    /// The newest migration applied to the database copy.
    pub schema: String,
    pub files: Vec<FileEntry>,
    /// Attachment files the database refers to that were not on disk when the backup ran.
    #[serde(default)]
    pub missing_attachments: Vec<String>,
}

/// Counts the bytes read through it and hashes them.
pub(crate) struct Hashing<'a, R> {
    inner: R,
    hasher: Sha256,
    pub(crate) len: u64,
    tick: &'a dyn Fn(u64),
}

impl<'a, R: Read> Hashing<'a, R> {
    pub(crate) fn new(inner: R, tick: &'a dyn Fn(u64)) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            len: 0,
            tick,
        }
    }

    pub(crate) fn digest(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        self.hasher.update(read);
        self.len += n as u64;
        (self.tick)(n as u64);
        Ok(n)
    }
}

type Compressed = zstd::stream::write::Encoder<'static, BufWriter<File>>;

/// An archive being written to `FILE.partial`.
pub struct Writer {
    tar: tar::Builder<Compressed>,
    files: Vec<FileEntry>,
    partial: PathBuf,
    out: PathBuf,
    mtime: u64,
}

/// `FILE.partial`: where `FILE` is written until it is whole.
pub fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

impl Writer {
    /// Starts `out` (as `out.partial`, readable by its owner only: it holds personal data and
    /// the server key).
    pub fn create(out: &Path, created_at: DateTime<Utc>) -> io::Result<Writer> {
        let partial = partial_path(out);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)?;
        let encoder = zstd::stream::write::Encoder::new(BufWriter::new(file), 3)?;
        let mut tar = tar::Builder::new(encoder);
        tar.mode(tar::HeaderMode::Deterministic);
        Ok(Writer {
            tar,
            files: Vec::new(),
            partial,
            out: out.to_owned(),
            mtime: u64::try_from(created_at.timestamp()).unwrap_or(0),
        })
    }

    /// Adds the file at `source` as `path`; `tick` gets the bytes as they are read.
    pub fn add(
        &mut self,
        path: EntryPath,
        source: &Path,
        tick: &dyn Fn(u64),
    ) -> io::Result<&FileEntry> {
        let file = File::open(source)?;
        let size = file.metadata()?.len();
        let mut reader = Hashing::new(file.take(size), tick);
        let mut header = self.header(size);
        self.tar
            .append_data(&mut header, path.as_str(), &mut reader)?;
        if reader.len != size {
            return Err(io::Error::other(format!(
                "{} changed size while it was copied",
                path.as_str()
            )));
        }
        let entry = FileEntry {
            path,
            size,
            sha256: reader.digest(),
        };
        self.files.push(entry);
        self.files
            .last()
            .ok_or_else(|| io::Error::other("entry not recorded"))
    }

    fn header(&self, size: u64) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(self.mtime);
        header.set_entry_type(tar::EntryType::Regular);
        header
    }

    /// Writes the manifest, flushes the archive to disk and renames it into place.
    pub fn finish(mut self, meta: Manifest) -> io::Result<Manifest> {
        let manifest = Manifest {
            files: std::mem::take(&mut self.files),
            ..meta
        };
        let json = serde_json::to_vec_pretty(&manifest).map_err(io::Error::other)?;
        let mut header = self.header(json.len() as u64);
        self.tar
            .append_data(&mut header, MANIFEST, json.as_slice())?;
        let encoder = self.tar.into_inner()?;
        let mut buffered = encoder.finish()?;
        buffered.flush()?;
        let file = buffered.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.partial, &self.out)?;
        sync_parent(&self.out)?;
        Ok(manifest)
    }
}

/// Flushes the directory holding `path`, so a rename into it survives a crash.
pub fn sync_parent(path: &Path) -> io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(parent)?.sync_all()
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
