//! The orphan attachment sweep: `odrdesk blobs sweep` removes a file no row refers to once
//! it is older than the grace period, keeps a young one and every referenced one; a serving
//! node does the same in its background sweep, at most once an hour.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};

use super::backup::{text, unique_png};
use super::common::binary::run_on;
use super::common::node::{Node, NodeSpec};
use super::common::{Backend, TestApp};

/// Writes `bytes` into the store under `root` as its blob, last modified `age` ago.
fn plant(root: &Path, bytes: &[u8], age: Duration) -> PathBuf {
    let sha = hex::encode(Sha256::digest(bytes));
    let dir = root.join(&sha[..2]);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(&sha);
    std::fs::write(&path, bytes).unwrap();
    age_file(&path, age);
    path
}

fn age_file(path: &Path, age: Duration) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::now() - age).unwrap();
}

const TWO_HOURS: Duration = Duration::from_secs(2 * 3600);

async fn orphans_old_unreferenced_files_only(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, token) = app.file_complaint().await;
    let (status, body) = app
        .upload_evidence(&case_no, &token, vec![("kept.png", unique_png(7, 1000))])
        .await;
    assert_eq!(status, 201, "{body}");
    let root = app.settings.attachments_dir();
    let referenced = app
        .attachment_files()
        .into_iter()
        .find(|p| !p.starts_with(root.join("tmp")))
        .expect("the uploaded file");
    age_file(&referenced, TWO_HOURS);
    let old = plant(&root, &unique_png(8, 500), TWO_HOURS);
    let young = plant(&root, &unique_png(9, 500), Duration::from_secs(60));
    let stale_upload = root.join("tmp").join("0123456789abcdef");
    std::fs::write(&stale_upload, b"half an upload").unwrap();
    age_file(&stale_upload, TWO_HOURS);

    let out = run_on(&app, &["blobs", "sweep", "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        said.contains("examined 3 attachment file(s): 1 referenced, 1 unreferenced"),
        "{said}"
    );
    assert!(said.contains("would remove 1 orphan(s)"), "{said}");
    assert!(
        old.exists() && stale_upload.exists(),
        "a dry run removed something"
    );

    let out = run_on(&app, &["blobs", "sweep"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains("removed 1 orphan(s), 559 byte(s)"), "{said}");
    assert!(said.contains("and 1 stale upload file(s)"), "{said}");
    assert!(!old.exists(), "the old orphan stays");
    assert!(!stale_upload.exists(), "the stale upload stays");
    assert!(young.exists(), "the young orphan was removed");
    assert!(referenced.exists(), "a referenced file was removed");
    // The case still serves its evidence.
    let (status, case) = app.track(&case_no, &token).await;
    assert_eq!(status, 200, "{case}");

    // A shorter grace period takes the young one too.
    let out = run_on(&app, &["blobs", "sweep", "--grace-secs", "10"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!young.exists() && referenced.exists());
}

crate::on_both_backends!(orphans_old_unreferenced_files_only);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serving_node_sweeps_orphans_at_most_once_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let root = data.join("attachments");
    let first = plant(&root, &unique_png(1, 300), TWO_HOURS);
    let mut spec = NodeSpec::new(&data);
    spec.sweep_interval_secs = 1;
    let client = super::common::http_client();
    let node = Node::start(&spec, &client).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while first.exists() {
        assert!(
            Instant::now() < deadline,
            "the node never swept:\n{}",
            node.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let second = plant(&root, &unique_png(2, 300), TWO_HOURS);
    // Several deadline sweeps later, the hour has not passed: the orphan waits.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        second.exists(),
        "the node swept orphans again within the hour"
    );
    let logged = node
        .log_lines()
        .iter()
        .filter(|l| l["fields"]["message"] == "orphan attachment files removed")
        .count();
    assert_eq!(logged, 1, "{}", node.log_text());
}
