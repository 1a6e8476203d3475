//! Reading an archive back: `verify` checks every entry against the manifest without writing
//! anything; `extract` writes the entries under a directory, checking them again as they go.
//! A damaged archive — truncated, a changed byte, an entry missing or added, a format this
//! build does not know — is refused with its own error.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::{DATABASE, EntryPath, FORMAT_VERSION, Hashing, MANIFEST, MANIFEST_MAX_BYTES, Manifest};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot open the archive: {0}")]
    Open(io::Error),
    #[error("the archive is truncated or corrupt: {0}")]
    Corrupt(io::Error),
    #[error("the archive has no manifest.json (truncated, or not an odrdesk backup)")]
    NoManifest,
    #[error("the archive's manifest.json is unreadable: {0}")]
    BadManifest(String),
    #[error("the archive has format version {found}; this odrdesk reads version {FORMAT_VERSION}")]
    FormatVersion { found: u32 },
    #[error("the archive holds an entry no backup writes: {0:?}")]
    Unexpected(String),
    #[error("the archive holds {0} twice")]
    Duplicate(String),
    #[error("the archive holds no database ({DATABASE}): it cannot be restored")]
    NoDatabase,
    #[error("the archive lacks {0}, which its manifest lists")]
    Missing(String),
    #[error("the archive holds {0}, which its manifest does not list")]
    Extra(String),
    #[error("{path} does not match the manifest: {what}")]
    Mismatch { path: String, what: String },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: io::Error },
}

/// Checks the whole archive against its manifest; writes nothing. `tick` gets the bytes of
/// each entry as they are read.
pub fn verify(archive: &Path, tick: &dyn Fn(u64)) -> Result<Manifest, ArchiveError> {
    walk(archive, tick, |_, reader| {
        io::copy(reader, &mut io::sink()).map(|_| ())
    })
}

/// Writes every entry under `dir` (files flushed to disk), checking each again as it is
/// written; on an error, what was written stays for the caller to remove.
pub fn extract(archive: &Path, dir: &Path, tick: &dyn Fn(u64)) -> Result<Manifest, ArchiveError> {
    let mut failed_at: Option<(String, io::Error)> = None;
    let result = walk(archive, tick, |path, reader| {
        let target = path.under(dir);
        let written = write_file(&target, reader);
        if let Err(e) = &written {
            failed_at = Some((
                path.as_str().to_owned(),
                io::Error::new(e.kind(), e.to_string()),
            ));
        }
        written
    });
    match (result, failed_at) {
        (Err(_), Some((path, source))) => Err(ArchiveError::Write { path, source }),
        (result, _) => result,
    }
}

fn write_file(target: &Path, reader: &mut dyn Read) -> io::Result<()> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(target)?;
    io::copy(reader, &mut file)?;
    file.flush()?;
    file.sync_all()
}

/// The hash and size of an entry as read.
struct Seen {
    size: u64,
    sha256: String,
}

fn walk(
    archive: &Path,
    tick: &dyn Fn(u64),
    mut visit: impl FnMut(&EntryPath, &mut dyn Read) -> io::Result<()>,
) -> Result<Manifest, ArchiveError> {
    let file = File::open(archive).map_err(ArchiveError::Open)?;
    let decoder = zstd::stream::read::Decoder::new(file).map_err(ArchiveError::Corrupt)?;
    let mut tar = tar::Archive::new(decoder);
    let mut seen: BTreeMap<EntryPath, Seen> = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    for entry in tar.entries().map_err(ArchiveError::Corrupt)? {
        let mut entry = entry.map_err(ArchiveError::Corrupt)?;
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .map_err(ArchiveError::Corrupt)?;
        if manifest.is_some() {
            // Nothing is written after the manifest.
            return Err(ArchiveError::Extra(name));
        }
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(ArchiveError::Unexpected(name));
        }
        if name == MANIFEST {
            let mut text = String::new();
            (&mut entry)
                .take(MANIFEST_MAX_BYTES)
                .read_to_string(&mut text)
                .map_err(ArchiveError::Corrupt)?;
            manifest = Some(
                serde_json::from_str(&text)
                    .map_err(|e| ArchiveError::BadManifest(e.to_string()))?,
            );
            continue;
        }
        let Some(path) = EntryPath::parse(&name) else {
            return Err(ArchiveError::Unexpected(name));
        };
        if seen.contains_key(&path) {
            return Err(ArchiveError::Duplicate(name));
        }
        let mut reader = Hashing::new(&mut entry, tick);
        let visited = visit(&path, &mut reader);
        // A read error inside the entry is the archive's fault; a write error the caller's.
        visited.map_err(ArchiveError::Corrupt)?;
        let (size, sha256) = (reader.len, reader.digest());
        seen.insert(path, Seen { size, sha256 });
    }
    // The tar's end may come before the compressed stream's: read that to its end too, so a
    // cut anywhere is noticed.
    let mut rest = tar.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(ArchiveError::Corrupt)?;
    let manifest = manifest.ok_or(ArchiveError::NoManifest)?;
    check(&manifest, &seen)?;
    Ok(manifest)
}

fn check(manifest: &Manifest, seen: &BTreeMap<EntryPath, Seen>) -> Result<(), ArchiveError> {
    if manifest.format_version != FORMAT_VERSION {
        return Err(ArchiveError::FormatVersion {
            found: manifest.format_version,
        });
    }
    if !manifest.files.iter().any(|f| f.path.as_str() == DATABASE) {
        return Err(ArchiveError::NoDatabase);
    }
    let mut listed = BTreeMap::new();
    for f in &manifest.files {
        if listed.insert(&f.path, f).is_some() {
            return Err(ArchiveError::BadManifest(format!(
                "{} listed twice",
                f.path.as_str()
            )));
        }
    }
    for (path, f) in &listed {
        let Some(got) = seen.get(*path) else {
            return Err(ArchiveError::Missing(path.as_str().to_owned()));
        };
        let mismatch = |what: String| ArchiveError::Mismatch {
            path: path.as_str().to_owned(),
            what,
        };
        if got.size != f.size {
            return Err(mismatch(format!(
                "{} bytes, the manifest says {}",
                got.size, f.size
            )));
        }
        if got.sha256 != f.sha256 {
            return Err(mismatch("its SHA-256 differs (a changed byte)".into()));
        }
        if path
            .attachment_sha256()
            .is_some_and(|name| name != got.sha256)
        {
            return Err(mismatch("its content does not hash to its name".into()));
        }
    }
    if let Some(extra) = seen.keys().find(|p| !listed.contains_key(p)) {
        return Err(ArchiveError::Extra(extra.as_str().to_owned()));
    }
    Ok(())
}
