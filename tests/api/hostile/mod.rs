//! Hostile input against the real server: spoofed and oversized uploads, path tricks in file
//! names, injection in search, malformed JSON on every POST, forged form
//! posts and cross-site API writes signed in by the session cookie.

mod cookie_writes;
mod csrf;
mod json;
mod search;
mod uploads;

use std::path::{Path, PathBuf};

/// Every file under a directory, recursively.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Fails on a 5xx, or on an error answer that is not the JSON error shape.
pub fn assert_json_error(what: &str, status: u16, body: &serde_json::Value) {
    assert!((400..500).contains(&status), "{what}: {status} {body}");
    assert!(
        body["error"].is_string() && body["message"].is_string(),
        "{what}: {status} not a JSON error body: {body}"
    );
}
