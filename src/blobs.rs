//! Content-addressed attachment files under `<data-dir>/attachments/ab/abcdef…`.
//!
//! A blob is written to `tmp/`, flushed to disk and renamed into place, so a crash leaves either
//! nothing or a whole file. The database row is written after the file; a file without a row
//! (crash in between, a refused upload, a deleted case's evidence) is an orphan that
//! `service::blob_sweep` removes once it is older than a grace period.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

/// Types accepted as evidence, sniffed from the content, never from the name or header. A PDF
/// must start with its header: `infer` also finds it anywhere in the first kilobyte, which
/// would let an HTML page with `%PDF` inside pass as a PDF.
pub fn sniff_mime(bytes: &[u8]) -> Option<&'static str> {
    let kind = infer::get(bytes)?;
    match kind.mime_type() {
        "application/pdf" if !bytes.starts_with(b"%PDF-") => None,
        m @ ("image/jpeg" | "image/png" | "application/pdf" | "image/heif" | "image/heic"
        | "image/webp") => Some(m),
        _ => None,
    }
}

impl BlobStore {
    pub fn open(root: &Path) -> io::Result<BlobStore> {
        fs::create_dir_all(root.join("tmp"))?;
        Ok(BlobStore {
            root: root.to_owned(),
        })
    }

    pub fn path_of(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("xx");
        self.root.join(prefix).join(sha256)
    }

    /// Stores the bytes durably and returns their SHA-256 (hex). Idempotent per content.
    pub fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let mut spool = self.spool()?;
        spool.write(bytes)?;
        let file = spool.finish()?;
        self.adopt(&file)?;
        Ok(file.sha256.clone())
    }

    /// A new file in `tmp/` (same file system as the store, so adopting it is a rename).
    pub fn spool(&self) -> io::Result<Spool> {
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| io::Error::other(e.to_string()))?;
        let path = self.root.join("tmp").join(hex::encode(nonce));
        let file = File::create_new(&path)?;
        Ok(Spool {
            file,
            hasher: Sha256::new(),
            head: Vec::new(),
            tmp: TmpFile {
                path,
                sha256: String::new(),
                len: 0,
            },
        })
    }

    /// Moves a finished spool into place, flushed to disk, unless that content is already
    /// stored. The temporary file is gone either way once `file` is dropped.
    pub fn adopt(&self, file: &TmpFile) -> io::Result<()> {
        let target = self.path_of(&file.sha256);
        if target.exists() {
            // The stored copy is about to gain a row: make it young again, so the orphan
            // sweep's grace period covers the time until that row is committed.
            let touched = File::options()
                .write(true)
                .open(&target)
                .and_then(|f| f.set_modified(SystemTime::now()));
            if let Err(e) = touched {
                tracing::warn!(error = %e, path = %target.display(), "stored attachment not touched");
            }
            return Ok(());
        }
        File::open(&file.path)?.sync_all()?;
        let dir = target.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir)?;
        fs::rename(&file.path, &target)?;
        File::open(dir)?.sync_all()
    }

    /// Deletes a blob; used when the row that would reference it was not written.
    pub fn remove(&self, sha256: &str) {
        let path = self.path_of(sha256);
        if let Err(e) = fs::remove_file(&path) {
            tracing::warn!(error = %e, path = %path.display(), "attachment file not removed");
        }
    }

    /// Every blob file currently stored (for consistency checks).
    pub fn list(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for dir in fs::read_dir(&self.root)? {
            let dir = dir?;
            if dir.file_name() == "tmp" || !dir.file_type()?.is_dir() {
                continue;
            }
            for f in fs::read_dir(dir.path())? {
                out.push(f?.file_name().to_string_lossy().into_owned());
            }
        }
        out.sort();
        Ok(out)
    }
}

/// One file of the store as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub len: u64,
    pub modified: SystemTime,
}

/// Temporary upload files with their modification times.
pub type TmpFiles = Vec<(PathBuf, SystemTime)>;

impl BlobStore {
    /// Every stored file named by a SHA-256 (anything else in the store is left alone), and
    /// the leftover temporary files of uploads (`tmp/`) separately.
    pub fn inventory(&self) -> io::Result<(Vec<StoredBlob>, TmpFiles)> {
        let mut blobs = Vec::new();
        for dir in fs::read_dir(&self.root)? {
            let dir = dir?;
            if dir.file_name() == "tmp" || !dir.file_type()?.is_dir() {
                continue;
            }
            for f in fs::read_dir(dir.path())? {
                let f = f?;
                let name = f.file_name().to_string_lossy().into_owned();
                let meta = f.metadata()?;
                if is_sha256(&name) && meta.is_file() && self.path_of(&name) == f.path() {
                    blobs.push(StoredBlob {
                        sha256: name,
                        len: meta.len(),
                        modified: meta.modified()?,
                    });
                }
            }
        }
        blobs.sort_by(|a, b| a.sha256.cmp(&b.sha256));
        let mut tmp = Vec::new();
        for f in fs::read_dir(self.root.join("tmp"))? {
            let f = f?;
            let meta = f.metadata()?;
            if meta.is_file() {
                tmp.push((f.path(), meta.modified()?));
            }
        }
        Ok((blobs, tmp))
    }

    /// Removes the blob if it was last written before `cutoff`, looking again just before
    /// removing it; `Ok(false)` when it is younger or already gone.
    pub fn remove_if_older(&self, sha256: &str, cutoff: SystemTime) -> io::Result<bool> {
        let path = self.path_of(sha256);
        match fs::metadata(&path) {
            Ok(meta) if meta.modified()? < cutoff => {}
            Ok(_) => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        }
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// 64 lowercase hex characters: the name of a stored file.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// How much of a file's start is kept for sniffing its type.
const HEAD_BYTES: usize = 8 * 1024;

/// A file being received: written to `tmp/` and hashed chunk by chunk, so its size never
/// has to fit in memory.
pub struct Spool {
    file: File,
    hasher: Sha256,
    head: Vec<u8>,
    tmp: TmpFile,
}

impl Spool {
    pub fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.file.write_all(chunk)?;
        self.hasher.update(chunk);
        let room = HEAD_BYTES.saturating_sub(self.head.len());
        self.head
            .extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        self.tmp.len += chunk.len() as u64;
        Ok(())
    }

    pub fn len(&self) -> u64 {
        self.tmp.len
    }

    pub fn is_empty(&self) -> bool {
        self.tmp.len == 0
    }

    /// The first bytes, for `sniff_mime`.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    pub fn finish(mut self) -> io::Result<TmpFile> {
        self.file.flush()?;
        self.tmp.sha256 = hex::encode(self.hasher.finalize_reset());
        Ok(std::mem::take(&mut self.tmp))
    }
}

/// A received file in `tmp/`, removed when dropped unless `BlobStore::adopt` moved it.
#[derive(Debug, Default)]
pub struct TmpFile {
    path: PathBuf,
    pub sha256: String,
    pub len: u64,
}

impl Drop for TmpFile {
    fn drop(&mut self) {
        if self.path.as_os_str().is_empty() {
            return;
        }
        match fs::remove_file(&self.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                tracing::warn!(error = %e, path = %self.path.display(), "temporary upload not removed");
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_is_stored_once_and_sniffing_ignores_names() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR rest";
        let a = store.put(png).unwrap();
        let b = store.put(png).unwrap();
        assert_eq!(a, b);
        assert_eq!(store.list().unwrap(), vec![a.clone()]);
        assert_eq!(fs::read(store.path_of(&a)).unwrap(), png);
        assert_eq!(sniff_mime(png), Some("image/png"));
        assert_eq!(sniff_mime(b"%PDF-1.7\n"), Some("application/pdf"));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\0";
        assert!(matches!(
            sniff_mime(heic),
            Some("image/heif" | "image/heic")
        ));
        assert_eq!(
            sniff_mime(b"\xff\xd8\xff\xe0\0\x10JFIF\0"),
            Some("image/jpeg")
        );
        assert_eq!(sniff_mime(b"MZ\x90\0 not an image"), None);
        assert_eq!(sniff_mime(b"<html>"), None);
        assert_eq!(sniff_mime(b"<html><script></script>%PDF-1.4\n"), None);
        store.remove(&a);
        assert!(store.list().unwrap().is_empty());
    }
}
