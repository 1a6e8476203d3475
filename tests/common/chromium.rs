//! Headless Chromium, poppler and a CJK font for tests that print or photograph pages.
//! `ensure_tools` installs what is missing when it can (root with apt-get), once at a time
//! across test processes; `screenshot` turns any URL or HTML file into a PNG.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

const PACKAGES: [&str; 4] = [
    "chromium",
    "chromium-driver",
    "fonts-noto-cjk",
    "poppler-utils",
];
/// A lock older than this was left by a killed process.
const STALE_LOCK: Duration = Duration::from_secs(15 * 60);
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(60);

fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
}

fn has_cjk_font() -> bool {
    Command::new("fc-list")
        .arg(":lang=zh")
        .output()
        .is_ok_and(|out| out.status.success() && !out.stdout.trim_ascii().is_empty())
}

fn missing_tools() -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !on_path("chromium") {
        missing.push("chromium");
    }
    for tool in ["chromedriver", "pdftotext", "pdffonts", "pdftoppm"] {
        if !on_path(tool) {
            missing.push(tool);
        }
    }
    if !has_cjk_font() {
        missing.push("a CJK font (fc-list :lang=zh)");
    }
    missing
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn apt_get(args: &[&str]) -> bool {
    Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Held while installing, so that test processes install one at a time; removed on drop.
pub struct InstallLock {
    path: PathBuf,
    _file: File,
}

impl InstallLock {
    /// Waits for the lock file `name` in the temp dir (up to 20 minutes).
    pub fn acquire(name: &str) -> InstallLock {
        let path = std::env::temp_dir().join(name);
        let deadline = Instant::now() + Duration::from_secs(20 * 60);
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return InstallLock { path, _file: file },
                Err(_) if Instant::now() > deadline => {
                    panic!("gave up waiting for {} (another install?)", path.display())
                }
                Err(_) => {
                    let stale = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .is_some_and(|age| age > STALE_LOCK);
                    if stale {
                        let _ = std::fs::remove_file(&path);
                    } else {
                        std::thread::sleep(Duration::from_millis(500));
                    }
                }
            }
        }
    }
}

impl Drop for InstallLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Makes sure `chromium`, poppler's `pdftotext`/`pdffonts`/`pdftoppm` and a CJK font are
/// present, installing them with apt-get when running as root; panics if they stay missing.
pub fn ensure_tools() {
    if missing_tools().is_empty() {
        return;
    }
    if is_root() && on_path("apt-get") {
        let _lock = InstallLock::acquire("odrdesk-test-tools.lock");
        // Another test process may have installed them while this one waited.
        if !missing_tools().is_empty() {
            let install = ["install", "-y", "-q"];
            let args: Vec<&str> = install.iter().chain(PACKAGES.iter()).copied().collect();
            if !apt_get(&args) {
                apt_get(&["update", "-q"]);
                apt_get(&args);
            }
        }
    }
    let missing = missing_tools();
    assert!(
        missing.is_empty(),
        "missing {}: install them with `apt-get install chromium fonts-noto-cjk poppler-utils`",
        missing.join(", ")
    );
}

/// A URL for a local file path; URLs (anything with `://`) pass through.
pub fn url_of(path_or_url: &str) -> String {
    if path_or_url.contains("://") {
        return path_or_url.to_owned();
    }
    let path = std::fs::canonicalize(path_or_url).unwrap_or_else(|_| PathBuf::from(path_or_url));
    format!("file://{}", path.display()).replace(' ', "%20")
}

/// A PNG of the page at `width` CSS pixels, 3000 pixels tall.
pub fn screenshot(html_path_or_url: &str, width: u32, out_png: &Path) {
    screenshot_sized(html_path_or_url, width, 3000, out_png);
}

/// A PNG of the first `height` pixels of the page at `width` CSS pixels.
pub fn screenshot_sized(html_path_or_url: &str, width: u32, height: u32, out_png: &Path) {
    let profile = tempfile::tempdir().expect("temp dir for the Chromium profile");
    if let Some(dir) = out_png.parent() {
        std::fs::create_dir_all(dir).expect("screenshot directory");
    }
    let _ = std::fs::remove_file(out_png);
    let log_path = profile.path().join("chromium.log");
    let log = File::create(&log_path).expect("chromium log file");
    let mut child = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", out_png.display()))
        .arg(url_of(html_path_or_url))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("run chromium");
    let deadline = Instant::now() + SCREENSHOT_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let png = std::fs::read(out_png).unwrap_or_default();
    assert!(
        status.is_some_and(|s| s.success()) && png.starts_with(b"\x89PNG"),
        "chromium screenshot of {html_path_or_url} failed ({status:?}, limit {SCREENSHOT_TIMEOUT:?}): {}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
}
