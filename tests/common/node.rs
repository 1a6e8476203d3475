//! The real `odrdesk serve` binary as a subprocess on a free loopback port: several nodes on
//! one database, or a node inside a wrapper (a private mount namespace). Its log (JSON lines)
//! goes to a file the test can read; the process is killed when the `Node` is dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use odrdesk::clock::Clock;
use odrdesk::service::accounts::{self, UserInput};
use odrdesk::store::{self, DatabaseUrl};

use super::accounts::PASSWORD;
use super::binary::{ODRDESK, free_port};
use super::read;

/// How to start one node.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub data_dir: PathBuf,
    /// `None`: SQLite in the data dir.
    pub database_url: Option<String>,
    pub smtp_url: Option<String>,
    /// 0 turns the deadline sweep off.
    pub sweep_interval_secs: u64,
    pub mail_poll_ms: u64,
    pub index_poll_ms: u64,
    /// A program and arguments put in front of the binary (e.g. `unshare -m sh -c …`).
    pub wrapper: Vec<String>,
    /// More TOML for the node's configuration file (e.g. `[sms.templates]`).
    pub extra_config: String,
    /// More environment variables (e.g. the SMS provider's secret).
    pub env: Vec<(String, String)>,
}

impl NodeSpec {
    pub fn new(data_dir: &Path) -> NodeSpec {
        NodeSpec {
            data_dir: data_dir.to_owned(),
            database_url: None,
            smtp_url: None,
            sweep_interval_secs: 0,
            mail_poll_ms: 100,
            index_poll_ms: 100,
            wrapper: Vec::new(),
            extra_config: String::new(),
            env: Vec::new(),
        }
    }
}

pub struct Node {
    pub base: String,
    pub log: PathBuf,
    child: Child,
}

impl Node {
    /// Starts the node and waits until `/healthz` answers.
    pub async fn start(spec: &NodeSpec, client: &reqwest::Client) -> Node {
        std::fs::create_dir_all(&spec.data_dir).expect("data dir");
        let config = spec.data_dir.join("node.toml");
        std::fs::write(
            &config,
            format!(
                "index_poll_ms = {}\nworkers = 2\npool_size = 6\n{}",
                spec.index_poll_ms, spec.extra_config
            ),
        )
        .expect("write node config");
        let port = free_port();
        let log = spec.data_dir.join(format!("node-{port}.log"));
        let mut cmd = match spec.wrapper.split_first() {
            Some((program, args)) => {
                let mut cmd = Command::new(program);
                cmd.args(args).arg(ODRDESK);
                cmd
            }
            None => Command::new(ODRDESK),
        };
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(&spec.data_dir)
            .arg("--config")
            .arg(&config)
            .env("ODRDESK_LOG_FORMAT", "json")
            .env("ODRDESK_RATE_LIMIT", "off")
            .env("ODRDESK_MAIL_POLL_MS", spec.mail_poll_ms.to_string())
            .env(
                "ODRDESK_SWEEP_INTERVAL_SECS",
                spec.sweep_interval_secs.to_string(),
            )
            // Documents are printed by the tests that look at them.
            .env("ODRDESK_PRINT_INTERVAL_SECS", "0")
            .env("RUST_LOG", "info")
            .env_remove("ODRDESK_DATA_DIR")
            .env_remove("ODRDESK_CONFIG")
            .env_remove("ODRDESK_PUBLIC_URL")
            .envs(spec.env.iter().map(|(k, v)| (k, v)));
        match &spec.database_url {
            Some(url) => cmd.env("ODRDESK_DATABASE_URL", url),
            None => cmd.env_remove("ODRDESK_DATABASE_URL"),
        };
        cmd.envs(spec.env.iter().map(|(k, v)| (k, v)));
        match &spec.smtp_url {
            Some(url) => cmd.env("ODRDESK_SMTP_URL", url),
            None => cmd.env_remove("ODRDESK_SMTP_URL"),
        };
        let out = std::fs::File::create(&log).expect("log file");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log file"))
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let mut node = Node {
            base: format!("http://127.0.0.1:{port}"),
            log,
            child,
        };
        node.wait_up(client).await;
        node
    }

    async fn wait_up(&mut self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "node {} exited with {status} while starting:\n{}",
                    self.base,
                    self.log_text()
                );
            }
            if client
                .get(format!("{}/healthz", self.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "node {} did not start in 30 s:\n{}",
            self.base,
            self.log_text()
        );
    }

    /// The process id (the server itself: wrappers must `exec` it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The node's log as JSON lines (other lines are skipped).
    pub fn log_lines(&self) -> Vec<serde_json::Value> {
        self.log_text()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    pub async fn login(&self, client: &reqwest::Client, email: &str) -> String {
        let res = client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("login request");
        let (status, body) = read(res).await;
        assert_eq!(status, 200, "login {email} on {}: {body}", self.base);
        body["token"].as_str().expect("token").to_owned()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates a staff account (password [`PASSWORD`]) directly in the database.
pub fn add_user(database: &DatabaseUrl, email: &str, role: &str, bureaus: &[&str]) {
    let input = UserInput {
        email: Some(email.to_owned()),
        password: Some(PASSWORD.to_owned()),
        role: Some(role.to_owned()),
        bureaus: bureaus.iter().map(|b| b.to_string()).collect(),
        uscc: None,
        name: None,
    };
    let user = accounts::parse_user(&input).expect("valid test user");
    let mut conn = store::connect(database, 1)
        .expect("connect")
        .get()
        .expect("connection");
    accounts::add_user(&mut conn, user, odrdesk::clock::SystemClock.now()).expect("add user");
}
