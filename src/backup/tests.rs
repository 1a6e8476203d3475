use super::read::{ArchiveError, verify};
use super::*;

const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[test]
fn entry_paths_are_only_the_known_ones() {
    assert!(EntryPath::parse(DATABASE).is_some());
    assert!(EntryPath::parse(SERVER_KEY).is_some());
    let blob = EntryPath::attachment(SHA).unwrap();
    assert_eq!(blob.as_str(), format!("attachments/9f/{SHA}"));
    assert_eq!(blob.attachment_sha256(), Some(SHA));
    for bad in [
        "../odrdesk.sqlite3",
        "/etc/passwd",
        "attachments/00/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "attachments/9f/../../x",
        "attachments/9f/9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
        "search/CURRENT",
        "manifest.json",
    ] {
        assert_eq!(EntryPath::parse(bad), None, "{bad}");
    }
}

fn sample(dir: &Path) -> (PathBuf, Manifest) {
    let db = dir.join("db");
    fs::write(&db, b"SQLite format 3\0 pretend").unwrap();
    let blob = dir.join("blob");
    fs::write(&blob, b"test").unwrap();
    let out = dir.join("a.tar.zst");
    let now = DateTime::parse_from_rfc3339("2026-12-08T01:02:03Z")
        .unwrap()
        .to_utc();
    let mut w = Writer::create(&out, now).unwrap();
    w.add(EntryPath::parse(DATABASE).unwrap(), &db, &|_| {})
        .unwrap();
    w.add(EntryPath::attachment(SHA).unwrap(), &blob, &|_| {})
        .unwrap();
    let m = w
        .finish(Manifest {
            format_version: FORMAT_VERSION,
            odrdesk_version: "test".into(),
            created_at: now,
            schema: "x".into(),
            files: Vec::new(),
            missing_attachments: Vec::new(),
        })
        .unwrap();
    (out, m)
}

#[test]
fn an_archive_reads_back_and_a_cut_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (out, written) = sample(dir.path());
    assert!(!partial_path(&out).exists());
    assert_eq!(written.files.len(), 2);
    assert_eq!(verify(&out, &|_| {}).unwrap(), written);
    let target = dir.path().join("restored");
    read::extract(&out, &target, &|_| {}).unwrap();
    assert_eq!(
        fs::read(target.join("attachments/9f").join(SHA)).unwrap(),
        b"test"
    );

    let bytes = fs::read(&out).unwrap();
    for cut in [bytes.len() - 1, bytes.len() / 2, 10] {
        let short = dir.path().join(format!("cut-{cut}"));
        fs::write(&short, &bytes[..cut]).unwrap();
        let err = verify(&short, &|_| {}).unwrap_err();
        assert!(
            matches!(err, ArchiveError::Corrupt(_) | ArchiveError::NoManifest),
            "cut at {cut}: {err}"
        );
    }
}

#[test]
fn an_archive_without_the_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let blob = dir.path().join("blob");
    fs::write(&blob, b"test").unwrap();
    let out = dir.path().join("blobs-only.tar.zst");
    let now = DateTime::parse_from_rfc3339("2026-12-08T01:02:03Z")
        .unwrap()
        .to_utc();
    let mut w = Writer::create(&out, now).unwrap();
    w.add(EntryPath::attachment(SHA).unwrap(), &blob, &|_| {})
        .unwrap();
    w.finish(Manifest {
        format_version: FORMAT_VERSION,
        odrdesk_version: "test".into(),
        created_at: now,
        schema: "x".into(),
        files: Vec::new(),
        missing_attachments: Vec::new(),
    })
    .unwrap();
    let err = verify(&out, &|_| {}).unwrap_err();
    assert!(matches!(err, ArchiveError::NoDatabase), "{err}");
}
