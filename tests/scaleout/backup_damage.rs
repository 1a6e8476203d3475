//! A damaged archive is refused before anything is written, each damage with its own
//! message; restore refuses a non-empty target and PostgreSQL; backup on PostgreSQL points to
//! pg_dump and `--check` reports the server's settings.

use std::io::Read;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::backup::{text, unique_png};
use super::common::binary::{odrdesk_in, run_on};
use super::common::{Backend, TestApp};

/// Copies the archive `src` to `dst` entry by entry through `edit`, which returns the entries
/// to write in place of one (name, content).
fn rewrite(src: &Path, dst: &Path, mut edit: impl FnMut(&str, Vec<u8>) -> Vec<(String, Vec<u8>)>) {
    let decoder = zstd::stream::read::Decoder::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut archive = tar::Archive::new(decoder);
    let encoder =
        zstd::stream::write::Encoder::new(std::fs::File::create(dst).unwrap(), 3).unwrap();
    let mut builder = tar::Builder::new(encoder);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        for (name, data) in edit(&name, data) {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o600);
            builder
                .append_data(&mut header, &name, data.as_slice())
                .unwrap();
        }
    }
    builder.into_inner().unwrap().finish().unwrap();
}

fn is_attachment(name: &str) -> bool {
    name.starts_with("attachments/")
}

/// Restores `archive` into a new directory and expects a refusal naming `expected`, with
/// nothing written beside the target either.
fn refused(dir: &Path, archive: &Path, expected: &str) {
    let target = dir.join("target");
    let before: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    let out = odrdesk_in(&target)
        .args(["restore", archive.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(expected),
        "expected {expected:?}: {}",
        text(&out)
    );
    assert!(stderr.contains("nothing was written"), "{}", text(&out));
    assert!(!target.exists(), "{} was created", target.display());
    let after: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        before, after,
        "the refused restore left files beside its target"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_archives_are_refused_each_with_its_own_message() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let (case_no, token) = app.file_complaint().await;
    let files = vec![
        ("a.png", unique_png(1, 4096)),
        ("b.png", unique_png(2, 4096)),
    ];
    let (status, body) = app.upload_evidence(&case_no, &token, files).await;
    assert_eq!(status, 201, "{body}");
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.backup");
    let out = run_on(&app, &["backup", "--out", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();

    // A byte changed inside an attachment file.
    let flipped = work.join("flipped.backup");
    let mut done = false;
    rewrite(&good, &flipped, |name, mut data| {
        if is_attachment(name) && !done {
            data[100] ^= 0x01;
            done = true;
        }
        vec![(name.to_owned(), data)]
    });
    refused(&work, &flipped, "its SHA-256 differs");
    std::fs::remove_file(&flipped).unwrap();

    // Cut short.
    let bytes = std::fs::read(&good).unwrap();
    let cut = work.join("cut.backup");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    refused(&work, &cut, "truncated or corrupt");
    std::fs::remove_file(&cut).unwrap();

    // An attachment file dropped.
    let dropped = work.join("dropped.backup");
    let mut gone = String::new();
    rewrite(&good, &dropped, |name, data| {
        if is_attachment(name) && gone.is_empty() {
            gone = name.to_owned();
            return vec![];
        }
        vec![(name.to_owned(), data)]
    });
    refused(&work, &dropped, &format!("lacks {gone}"));
    std::fs::remove_file(&dropped).unwrap();

    // A file added that the manifest does not list (named by its own hash, so only the
    // manifest can tell).
    let extra = work.join("extra.backup");
    let planted = unique_png(3, 100);
    let sha = hex::encode(Sha256::digest(&planted));
    let planted_name = format!("attachments/{}/{sha}", &sha[..2]);
    rewrite(&good, &extra, |name, data| {
        let mut out = vec![(name.to_owned(), data)];
        if name == "odrdesk.sqlite3" {
            out.push((planted_name.clone(), planted.clone()));
        }
        out
    });
    refused(
        &work,
        &extra,
        &format!("holds {planted_name}, which its manifest does not list"),
    );
    std::fs::remove_file(&extra).unwrap();

    // A format this build does not read.
    let future = work.join("future.backup");
    rewrite(&good, &future, |name, data| {
        if name != "manifest.json" {
            return vec![(name.to_owned(), data)];
        }
        let mut manifest: Value = serde_json::from_slice(&data).unwrap();
        manifest["format_version"] = 99.into();
        vec![(name.to_owned(), serde_json::to_vec(&manifest).unwrap())]
    });
    refused(&work, &future, "format version 99");
    std::fs::remove_file(&future).unwrap();

    // Not an archive at all.
    let junk = work.join("junk.backup");
    std::fs::write(&junk, b"not a backup").unwrap();
    refused(&work, &junk, "truncated or corrupt");
    std::fs::remove_file(&junk).unwrap();

    // A target that holds anything is refused; the good archive restores.
    let busy = dir.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("keep.txt"), b"x").unwrap();
    let out = odrdesk_in(&busy)
        .args(["restore", good.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not empty"),
        "{}",
        text(&out)
    );
    let fine = dir.path().join("fine");
    std::fs::create_dir(&fine).unwrap();
    let out = odrdesk_in(&fine)
        .args(["restore", good.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_whose_audit_chain_is_broken_is_abandoned() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    app.file_complaint().await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.backup");
    let out = run_on(&app, &["backup", "--out", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    // Edit an event in the archived database and make the manifest agree: only the audit
    // chain can tell.
    let work = tempfile::tempdir().unwrap();
    let db = work.path().join("db.sqlite3");
    let mut edited = Vec::new();
    rewrite(&good, &dir.path().join("scratch"), |name, data| {
        if name == "odrdesk.sqlite3" {
            std::fs::write(&db, &data).unwrap();
            use diesel::Connection;
            use diesel::connection::SimpleConnection;
            let mut conn = diesel::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
            conn.batch_execute(
                "DROP TRIGGER case_events_no_update; \
                 UPDATE case_events SET payload = '{\"v\":1,\"edited\":true}' WHERE case_seq = 1;",
            )
            .unwrap();
            drop(conn);
            edited = std::fs::read(&db).unwrap();
            return vec![(name.to_owned(), edited.clone())];
        }
        if name == "manifest.json" {
            let mut manifest: Value = serde_json::from_slice(&data).unwrap();
            for f in manifest["files"].as_array_mut().unwrap() {
                if f["path"] == "odrdesk.sqlite3" {
                    f["size"] = edited.len().into();
                    f["sha256"] = hex::encode(Sha256::digest(&edited)).into();
                }
            }
            return vec![(name.to_owned(), serde_json::to_vec(&manifest).unwrap())];
        }
        vec![(name.to_owned(), data)]
    });
    let target = dir.path().join("target");
    let out = odrdesk_in(&target)
        .args(["restore", dir.path().join("scratch").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("audit log is broken"),
        "{}",
        text(&out)
    );
    assert!(!target.exists());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 2, "a staging directory was left: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_is_backed_up_with_its_own_tools() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = TestApp::spawn(&backend).await;
    let dir = tempfile::tempdir().unwrap();
    let out = run_on(
        &app,
        &["backup", "--out", dir.path().join("x").to_str().unwrap()],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("pg_dump -Fc"),
        "{}",
        text(&out)
    );
    assert!(!dir.path().join("x").exists() && !dir.path().join("x.partial").exists());

    let out = run_on(&app, &["backup", "--check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for setting in [
        "wal_level",
        "archive_mode",
        "archive_command",
        "max_wal_senders",
    ] {
        assert!(
            stdout.contains(setting),
            "{setting} not reported: {}",
            text(&out)
        );
    }
    let ready = stdout.contains("the server is ready");
    assert_eq!(out.status.success(), ready, "{}", text(&out));

    // A SQLite backup is never restored onto PostgreSQL.
    let sqlite = TestApp::spawn(&Backend::Sqlite).await;
    let archive = dir.path().join("sqlite.backup");
    let out = run_on(&sqlite, &["backup", "--out", archive.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let target = dir.path().join("target");
    let odrdesk::store::DatabaseUrl::Postgres(url) = &app.settings.database else {
        panic!("a PostgreSQL app");
    };
    let out = odrdesk_in(&target)
        .args(["--database-url", url, "restore", archive.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("restoring onto PostgreSQL is not supported"),
        "{}",
        text(&out)
    );
    assert!(!target.exists());
}
