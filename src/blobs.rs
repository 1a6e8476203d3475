//! Content-addressed attachment files under `<data-dir>/attachments/ab/abcdef…`.
//!
//! A blob is written to `tmp/`, flushed to disk and renamed into place, so a crash leaves either
//! nothing or a whole file. The database row is written after the file; a file without a row
//! (crash in between, or a refused upload) is garbage that `remove_unreferenced` clears.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
        let sha = hex::encode(Sha256::digest(bytes));
        let target = self.path_of(&sha);
        if target.exists() {
            return Ok(sha);
        }
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| io::Error::other(e.to_string()))?;
        let tmp = self.root.join("tmp").join(hex::encode(nonce));
        let written = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            let dir = target.parent().unwrap_or(&self.root);
            fs::create_dir_all(dir)?;
            fs::rename(&tmp, &target)?;
            File::open(dir)?.sync_all()
        })();
        if written.is_err()
            && let Err(e) = fs::remove_file(&tmp)
        {
            tracing::warn!(error = %e, path = %tmp.display(), "temporary upload not removed");
        }
        written.map(|_| sha)
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
