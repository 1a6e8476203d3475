//! `odrdesk backup` and `odrdesk restore` on real processes: a backup taken while a server
//! takes cases and evidence restores into a working installation; a backup interrupted by a
//! killed server or a killed backup never leaves something that passes for an archive.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use odrdesk::store::DatabaseUrl;
use serde_json::json;

use super::common::binary::odrdesk_in;
use super::common::node::{Node, NodeSpec, add_user};
use super::common::upload_evidence;
use super::crash::indexed_case_nos;
use super::{complaint, post, stored_case_nos};

/// A PNG header and `len` bytes no other file has.
pub fn unique_png(seed: usize, len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend(format!("seed {seed} {}", uuid::Uuid::new_v4()).as_bytes());
    let mut x = seed as u64 ^ 0x9e37_79b9_7f4a_7c15;
    bytes.extend((0..len).map(|_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as u8
    }));
    bytes
}

/// Runs the binary on `dir` with `args`, off the async workers.
pub async fn run_in(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = odrdesk_in(dir);
    cmd.args(args);
    tokio::task::spawn_blocking(move || cmd.output().expect("run odrdesk"))
        .await
        .expect("join")
}

pub fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every file under `dir`, relative to it.
pub fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.insert(e.path().strip_prefix(dir).unwrap().to_owned());
            }
        }
    }
    out
}

/// Files complaints (each fifth with a piece of evidence) until `stop`, recording the case
/// numbers acknowledged.
fn write_load(
    node: &Node,
    stop: Arc<AtomicBool>,
    acknowledged: Arc<Mutex<Vec<String>>>,
) -> tokio::task::JoinHandle<()> {
    let (client, base) = (super::common::http_client(), node.base.clone());
    tokio::spawn(async move {
        for i in 0..2_000 {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            let mut body = complaint(i);
            body["complainant"]["phone"] = json!(format!("139{:08}", i));
            let posted = post(&client, &format!("{base}/api/v1/complaints"), None, &body).await;
            assert_eq!(posted.status, 201, "{:?}", posted.body);
            let case_no = posted.case_no();
            if i % 5 == 0 {
                let token = posted.body["tracking_token"].as_str().expect("token");
                let files = vec![("evidence.png", unique_png(i, 2048))];
                let (status, body) = upload_evidence(&client, &base, &case_no, token, files).await;
                assert_eq!(status, 201, "{body}");
            }
            acknowledged.lock().unwrap().push(case_no);
        }
    })
}

async fn wait_for(acknowledged: &Mutex<Vec<String>>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < n {
        assert!(Instant::now() < deadline, "the write load is too slow");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_into_a_working_installation() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let spec = NodeSpec::new(&data);
    let client = super::common::http_client();
    let node = Node::start(&spec, &client).await;
    add_user(
        &DatabaseUrl::default_for(&data),
        "ana@jm.gov.cn",
        "analyst",
        &[],
    );

    let (stop, acknowledged) = (Arc::new(AtomicBool::new(false)), Arc::default());
    let load = write_load(&node, stop.clone(), Arc::clone(&acknowledged));
    wait_for(&acknowledged, 40).await;
    let before: BTreeSet<String> = acknowledged.lock().unwrap().iter().cloned().collect();
    let archive = dir.path().join("odrdesk.backup");
    let out = run_in(&data, &["backup", "--out", archive.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    let during = acknowledged.lock().unwrap().len();
    stop.store(true, Ordering::SeqCst);
    load.await.unwrap();
    eprintln!(
        "{} case(s) before the backup, {during} when it ended",
        before.len()
    );
    assert!(archive.is_file() && !dir.path().join("odrdesk.backup.partial").exists());
    // Only the archive is left beside it: the staging directory is gone.
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(beside.len(), 2, "{beside:?}");

    let restored = dir.path().join("restored");
    let out = run_in(&restored, &["restore", archive.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("audit log intact"),
        "{}",
        text(&out)
    );
    let out = run_in(&restored, &["audit", "verify"]).await;
    assert!(out.status.success(), "{}", text(&out));

    let live: BTreeSet<String> = stored_case_nos(&DatabaseUrl::default_for(&data))
        .into_iter()
        .collect();
    let back: BTreeSet<String> = stored_case_nos(&DatabaseUrl::default_for(&restored))
        .into_iter()
        .collect();
    assert!(
        before.is_subset(&back),
        "a case acknowledged before the backup is missing"
    );
    assert!(
        back.is_subset(&live),
        "the backup holds a case the server never stored"
    );
    // Every attachment file the restored database refers to came back, whole.
    let files = files_under(&restored.join("attachments"));
    let referenced = referenced_blobs(&DatabaseUrl::default_for(&restored));
    assert!(!referenced.is_empty());
    for sha in &referenced {
        let rel = PathBuf::from(&sha[..2]).join(sha);
        assert!(files.contains(&rel), "attachment {sha} not restored");
        let bytes = std::fs::read(restored.join("attachments").join(&rel)).unwrap();
        assert_eq!(
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
            *sha
        );
    }
    drop(node);

    // A server on the restored data answers searches from the rebuilt index.
    let node = Node::start(&NodeSpec::new(&restored), &client).await;
    let token = node.login(&client, "ana@jm.gov.cn").await;
    assert_eq!(indexed_case_nos(&client, &node, &token).await, back);
}

fn referenced_blobs(database: &DatabaseUrl) -> BTreeSet<String> {
    let mut conn = odrdesk::store::connect(database, 1).unwrap().get().unwrap();
    odrdesk::store::blob_refs::all_referenced(&mut conn).unwrap()
}

/// A data directory with `cases` cases of three 1 MB pieces of evidence each, and a good
/// backup of it; the node still serving.
async fn installation_with_a_backup(dir: &Path, cases: usize) -> (Node, PathBuf, PathBuf) {
    let data = dir.join("data");
    let client = super::common::http_client();
    let node = Node::start(&NodeSpec::new(&data), &client).await;
    for i in 0..cases {
        let posted = post(
            &client,
            &node.url("/api/v1/complaints"),
            None,
            &complaint(i),
        )
        .await;
        assert_eq!(posted.status, 201, "{:?}", posted.body);
        let token = posted.body["tracking_token"].as_str().unwrap();
        let files = (0..3)
            .map(|k| ("e.png", unique_png(i * 10 + k, 1 << 20)))
            .collect();
        let (status, body) =
            upload_evidence(&client, &node.base, &posted.case_no(), token, files).await;
        assert_eq!(status, 201, "{body}");
    }
    let good = dir.join("good.backup");
    let out = run_in(&data, &["backup", "--out", good.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    (node, data, good)
}

/// Restores `archive` into a new directory under `dir` and returns how many cases it holds.
async fn restore_count(dir: &Path, archive: &Path, name: &str) -> usize {
    let target = dir.join(name);
    let out = run_in(&target, &["restore", archive.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", text(&out));
    stored_case_nos(&DatabaseUrl::default_for(&target)).len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_backup_leaves_only_a_partial_file_that_restore_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let (node, data, good) = installation_with_a_backup(dir.path(), 12).await;
    let archive = dir.path().join("cut.backup");
    let partial = dir.path().join("cut.backup.partial");
    let mut backup = odrdesk_in(&data)
        .args(["backup", "--out", archive.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !partial.exists() {
        assert!(
            Instant::now() < deadline,
            "the backup never started its archive"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    backup.kill().unwrap();
    backup.wait().unwrap();
    assert!(
        !archive.exists(),
        "a killed backup must not leave an archive"
    );
    for target in [&partial, &archive] {
        let restore_into = dir.path().join("never");
        let out = run_in(&restore_into, &["restore", target.to_str().unwrap()]).await;
        assert!(!out.status.success(), "{}", text(&out));
        assert!(!restore_into.exists(), "a refused restore wrote its target");
    }
    drop(node);
    assert_eq!(restore_count(dir.path(), &good, "from-good").await, 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_a_backup_leaves_a_good_archive_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let (node, data, good) = installation_with_a_backup(dir.path(), 12).await;
    let archive = dir.path().join("second.backup");
    let backup = odrdesk_in(&data)
        .args(["backup", "--out", archive.to_str().unwrap()])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(30));
    drop(node); // SIGKILL, while the backup copies
    let out = tokio::task::spawn_blocking(move || backup.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(!dir.path().join("second.backup.partial").exists() || !out.status.success());
    if out.status.success() {
        assert_eq!(restore_count(dir.path(), &archive, "from-second").await, 12);
    } else {
        assert!(!archive.exists());
    }
    assert_eq!(restore_count(dir.path(), &good, "from-good").await, 12);
}
