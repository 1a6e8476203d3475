//! PDF printed from an HTML page by headless Chromium: the bulletins and the issued documents
//! (文书) share this one printing path. Chromium embeds the fonts it used, so Chinese text stays
//! extractable as long as a CJK font (`fonts-noto-cjk`) is installed. The page sets its own
//! paper size (`@page`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Environment variable naming the Chromium executable to use.
pub const CHROMIUM_ENV: &str = "ODRDESK_CHROMIUM";
/// Executables looked for on `PATH` when the variable is not set.
const CANDIDATES: [&str; 2] = ["chromium", "chromium-browser"];
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "找不到 Chromium：请安装（apt-get install chromium fonts-noto-cjk），\
         或用环境变量 ODRDESK_CHROMIUM 指定其可执行文件"
    )]
    ChromiumNotFound,
    #[error("无法准备临时文件：{0}")]
    TempFiles(#[source] std::io::Error),
    #[error("无法启动 Chromium（{binary}）：{source}")]
    Spawn {
        binary: String,
        #[source]
        source: std::io::Error,
    },
    #[error("Chromium 超过 {0} 秒仍未完成，已终止")]
    Timeout(u64),
    #[error("Chromium 异常退出（{status}）：{log}")]
    Failed { status: ExitStatus, log: String },
    #[error("Chromium 没有生成有效的 PDF 文件")]
    NotPdf,
}

/// A Chromium executable and how long one print may take.
#[derive(Debug, Clone)]
pub struct Chromium {
    pub binary: PathBuf,
    pub timeout: Duration,
}

/// Prints `html` to PDF with the Chromium found by [`Chromium::locate`].
pub fn pdf(html: &str) -> Result<Vec<u8>, PdfError> {
    Chromium::locate()?.print(html)
}

impl Chromium {
    /// `ODRDESK_CHROMIUM` if set, otherwise `chromium` (or `chromium-browser`) on `PATH`.
    pub fn locate() -> Result<Chromium, PdfError> {
        let binary = match std::env::var_os(CHROMIUM_ENV).filter(|v| !v.is_empty()) {
            Some(path) => Some(PathBuf::from(path)).filter(|p| p.is_file()),
            None => CANDIDATES.iter().find_map(|name| find_on_path(name)),
        };
        binary
            .map(|binary| Chromium {
                binary,
                timeout: DEFAULT_TIMEOUT,
            })
            .ok_or(PdfError::ChromiumNotFound)
    }

    /// Writes `html` into a fresh temporary directory and prints it there, so concurrent
    /// prints never share a profile or an output file.
    pub fn print(&self, html: &str) -> Result<Vec<u8>, PdfError> {
        let dir = TempDir::create().map_err(PdfError::TempFiles)?;
        let input = dir.path.join("page.html");
        let output = dir.path.join("page.pdf");
        let log_path = dir.path.join("chromium.log");
        std::fs::write(&input, html).map_err(PdfError::TempFiles)?;
        let log = File::create(&log_path).map_err(PdfError::TempFiles)?;
        let log_for_stderr = log.try_clone().map_err(PdfError::TempFiles)?;

        let mut command = Command::new(&self.binary);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                "--no-default-browser-check",
                "--no-pdf-header-footer",
            ])
            .arg(format!(
                "--user-data-dir={}",
                dir.path.join("profile").display()
            ))
            .arg(format!("--print-to-pdf={}", output.display()))
            .arg(file_url(&input))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_for_stderr);
        own_process_group(&mut command);
        let child = command.spawn().map_err(|source| PdfError::Spawn {
            binary: self.binary.display().to_string(),
            source,
        })?;
        let status = wait_or_kill(child, self.timeout)?;
        if !status.success() {
            return Err(PdfError::Failed {
                status,
                log: log_tail(&log_path),
            });
        }
        let bytes = std::fs::read(&output).map_err(|_| PdfError::NotPdf)?;
        if !bytes.starts_with(b"%PDF") {
            return Err(PdfError::NotPdf);
        }
        Ok(bytes)
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// `file://` URL of an absolute path, with the characters that would end or split it escaped.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for ch in path.display().to_string().chars() {
        match ch {
            ' ' => url.push_str("%20"),
            '#' => url.push_str("%23"),
            '?' => url.push_str("%3F"),
            '%' => url.push_str("%25"),
            _ => url.push(ch),
        }
    }
    url
}

/// Chromium starts helper processes; its own process group lets a timeout stop them all.
fn own_process_group(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    #[cfg(not(unix))]
    let _ = command;
}

fn wait_or_kill(mut child: Child, timeout: Duration) -> Result<ExitStatus, PdfError> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) | Err(_) => {
                kill_group(&mut child);
                return Err(PdfError::Timeout(timeout.as_secs()));
            }
        }
    }
}

#[expect(
    clippy::let_underscore_must_use,
    reason = "best-effort cleanup: the child may be gone already"
)]
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        // The group id is the child's pid (`process_group(0)`); a failure here is followed
        // by killing the child itself.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The last lines Chromium logged, for the error message.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(5)..].join("\n")
}

/// A directory removed with everything in it when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn create() -> std::io::Result<TempDir> {
        let path = std::env::temp_dir().join(format!("odrdesk-pdf-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&path)?;
        Ok(TempDir { path })
    }
}

impl Drop for TempDir {
    #[expect(
        clippy::let_underscore_must_use,
        reason = "best-effort cleanup of a temporary directory"
    )]
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
