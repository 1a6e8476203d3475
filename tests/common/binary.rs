//! The real `odrdesk` binary as a command: bare, in a data directory, or on a running test
//! app's data directory and database.

use std::path::Path;
use std::process::{Command, Output};

use odrdesk::store::DatabaseUrl;

use super::TestApp;

/// The binary cargo built for these tests.
pub const ODRDESK: &str = env!("CARGO_BIN_EXE_odrdesk");

/// The binary, deaf to the caller's settings: no database URL, configuration file, SMTP
/// server or WeChat secret from the environment reaches it.
pub fn odrdesk() -> Command {
    let mut cmd = Command::new(ODRDESK);
    for name in [
        "ODRDESK_DATABASE_URL",
        "ODRDESK_CONFIG",
        "ODRDESK_SMTP_URL",
        "ODRDESK_WECHAT_SECRET",
    ] {
        cmd.env_remove(name);
    }
    cmd
}

/// The binary on the SQLite database and files in `dir`.
pub fn odrdesk_in(dir: &Path) -> Command {
    let mut cmd = odrdesk();
    cmd.arg("--data-dir").arg(dir);
    cmd
}

/// The binary on the app's data directory and database.
pub fn odrdesk_on(app: &TestApp) -> Command {
    let mut cmd = odrdesk_in(app.data_dir());
    if let DatabaseUrl::Postgres(url) = &app.settings.database {
        cmd.args(["--database-url", url]);
    }
    cmd
}

/// Runs the binary on the app's data with `args` and returns what it did, whatever its exit
/// status. The runtime's other tasks (the server under test) keep running meanwhile.
pub fn run_on(app: &TestApp, args: &[&str]) -> Output {
    let mut cmd = odrdesk_on(app);
    cmd.args(args);
    tokio::task::block_in_place(|| cmd.output()).expect("run odrdesk")
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}
