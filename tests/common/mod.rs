//! Test harness: the real server on port 0 with a fresh data dir (SQLite) or a fresh
//! PostgreSQL database per test, and a clock the test controls.
#![allow(dead_code)]

pub mod accounts;
pub mod binary;
pub mod browser;
pub mod chromium;
pub mod hook_receiver;
pub mod node;
pub mod numbering;
pub mod prometheus;
pub mod providers;
pub mod scorecards;
pub mod smtp;
pub mod stream;
pub mod webdriver;
pub mod workorder_sheet;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use chrono::{DateTime, TimeZone, Utc};
use diesel::{Connection, PgConnection, RunQueryDsl};
use odrdesk::app::{AppState, serve};
use odrdesk::clock::{FixedClock, china_offset};
use odrdesk::config::Settings;
use odrdesk::store::DatabaseUrl;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL server from `ODRDESK_TEST_POSTGRES_URL`. Without it the PostgreSQL
    /// variant is skipped locally, but fails under CI, where skipping would hide a gap.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("ODRDESK_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Backend::Postgres(url)),
            _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!(
                    "CI=true but ODRDESK_TEST_POSTGRES_URL is not set: the PostgreSQL suite must run"
                )
            }
            _ => {
                eprintln!("skipping PostgreSQL variant: ODRDESK_TEST_POSTGRES_URL not set");
                None
            }
        }
    }
}

/// A database created for one test and dropped after it.
pub struct PgDatabase {
    admin_url: String,
    pub name: String,
}

impl PgDatabase {
    /// Creates a fresh database on the server at `base_url`; returns it and its URL.
    pub fn create(base_url: &str) -> (PgDatabase, String) {
        let mut conn = PgConnection::establish(base_url)
            .unwrap_or_else(|e| panic!("PostgreSQL unreachable at {base_url}: {e}"));
        let name = format!("odrdesk_t_{}", uuid::Uuid::new_v4().simple());
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .expect("create test database");
        let url = with_database(base_url, &name);
        (
            PgDatabase {
                admin_url: base_url.to_owned(),
                name,
            },
            url,
        )
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

/// Replaces the database name in a postgres:// URL.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// 10:00 China time on the given day.
pub fn china_morning(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    china_offset()
        .with_ymd_and_hms(y, m, d, 10, 0, 0)
        .single()
        .expect("valid date")
        .with_timezone(&Utc)
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: Arc<FixedClock>,
    pub settings: Settings,
    handle: ServerHandle,
    _pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn(backend: &Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// Like `spawn`, with the settings adjusted before the server starts.
    pub async fn spawn_with(backend: &Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (pg, database) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres(base) => {
                let (db, url) = PgDatabase::create(base);
                (Some(db), Some(DatabaseUrl::Postgres(url)))
            }
        };
        let mut settings = Settings::for_data_dir(dir.path(), database);
        // Tests scrape `/metrics` as the operator's own host would.
        settings.metrics.allow_loopback = true;
        adjust(&mut settings);
        let clock = Arc::new(FixedClock::new(china_morning(2026, 11, 20)));
        let (address, handle) = start(settings.clone(), clock.clone());
        TestApp {
            address,
            client: http_client(),
            clock,
            settings,
            handle,
            _pg: pg,
            _dir: dir,
        }
    }

    /// Stops the server gracefully and starts a new one on the same data.
    pub async fn restart(mut self) -> TestApp {
        self.handle.stop(true).await;
        let (address, handle) = start(self.settings.clone(), self.clock.clone());
        self.address = address;
        self.handle = handle;
        self
    }

    pub fn data_dir(&self) -> &Path {
        &self.settings.data_dir
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn set_now(&self, at: DateTime<Utc>) {
        self.clock.set(at);
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let res = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request");
        read(res).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        read(
            self.client
                .get(self.url(path))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn track(&self, case_no: &str, token: &str) -> (u16, Value) {
        let res = self
            .client
            .get(self.url(&format!("/api/v1/track/{case_no}")))
            .header("X-Tracking-Token", token)
            .send()
            .await
            .expect("request");
        read(res).await
    }

    /// Files the sample complaint and returns `(case_no, token)`.
    pub async fn file_complaint(&self) -> (String, String) {
        self.file(&sample_complaint()).await
    }

    /// Files a complaint over the API and returns `(case_no, token)`.
    pub async fn file(&self, complaint: &Value) -> (String, String) {
        let (status, body) = self.post_json("/api/v1/complaints", complaint).await;
        assert_eq!(status, 201, "{body}");
        (
            body["case_no"].as_str().expect("case_no").to_owned(),
            body["tracking_token"].as_str().expect("token").to_owned(),
        )
    }

    /// Uploads evidence to a case of this app with its tracking token.
    pub async fn upload_evidence(
        &self,
        case_no: &str,
        token: &str,
        files: Vec<(&str, Vec<u8>)>,
    ) -> (u16, Value) {
        upload_evidence(&self.client, &self.address, case_no, token, files).await
    }

    pub fn attachment_files(&self) -> Vec<PathBuf> {
        let root = self.settings.attachments_dir();
        let mut files = Vec::new();
        for dir in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            if dir.file_name() == "tmp" {
                continue;
            }
            files.extend(
                std::fs::read_dir(dir.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|f| f.path()),
            );
        }
        files.extend(
            std::fs::read_dir(root.join("tmp"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|f| f.path()),
        );
        files
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the runtime ends with the test.
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

fn start(settings: Settings, clock: Arc<FixedClock>) -> (String, ServerHandle) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().expect("local addr").port();
    let state = AppState::open(settings, clock).expect("open app state");
    let server = serve(listener, state).expect("start server");
    let handle = server.handle();
    tokio::spawn(server.into_future());
    (format!("http://127.0.0.1:{port}"), handle)
}

/// Uploads evidence to a case on the server at `base` with its tracking token, one `file`
/// part per `(file name, content)`.
pub async fn upload_evidence(
    client: &reqwest::Client,
    base: &str,
    case_no: &str,
    token: &str,
    files: Vec<(&str, Vec<u8>)>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        form = form.part("file", part);
    }
    let res = client
        .post(format!("{base}/api/v1/track/{case_no}/attachments"))
        .header("X-Tracking-Token", token)
        .multipart(form)
        .send()
        .await
        .expect("upload request");
    read(res).await
}

/// An HTTP client for the tests. The crate selects rustls's `ring` provider explicitly
/// (no default is compiled in), so it is installed before the first client is built.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub async fn read(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "non_json_body": text }));
    (status, value)
}

/// Whether a case as the API shows it carries `flag` (e.g. `likely_duplicate`).
pub fn has_flag(case: &Value, flag: &str) -> bool {
    case["flags"]
        .as_array()
        .expect("flags")
        .contains(&json!(flag))
}

/// The head of a one-pixel PNG image: enough for its type to be sniffed from the content.
pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// A minimal PDF document.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// The minimal complaint, with a purchase date before the default test clock.
pub fn sample_complaint() -> Value {
    json!({
        "channel": "web",
        "complainant": {"name": "张三", "phone": "13800138000", "email": "zhang@example.com", "address": "江门市蓬江区建设路1号"},
        "respondent": {"name": "江门市美颜化妆品有限公司", "uscc": "91440703MA4UJ5QX2U", "address": "江门市蓬江区港口路8号", "district": "440703"},
        "category": "goods.cosmetics.skincare", "nature": "quality",
        "title": "面膜使用后皮肤过敏红肿", "description": "十月初购买的补水面膜，使用两次后面部红肿瘙痒。", "claim": "退货退款并赔偿医疗费",
        "purchase": {"date": "2026-10-02", "amount_fen": 12900, "online": false},
        "prefer_odr": false
    })
}

pub fn sample_report() -> Value {
    json!({
        "channel": "web",
        "respondent": {"name": "江门市某美容院", "district": "440705"},
        "nature": "counterfeit",
        "description": "该店销售疑似假冒品牌精华液，无中文标签。",
        "place": {"district": "440705", "address": "新会区会城某路"}
    })
}

/// Runs an async test body once per backend: `sqlite` always, `postgres` when configured.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(backend) = $crate::common::Backend::postgres() {
                        super::$name(backend).await
                    }
                }
            }
        )*
    };
}
