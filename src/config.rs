//! Settings: command-line flags over environment variables over an optional TOML file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::store::DatabaseUrl;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The port of `DEFAULT_LISTEN`.
const DEFAULT_PORT: u16 = 8080;
pub const DEFAULT_CONFIG_FILE: &str = "odrdesk.toml";
pub const DEFAULT_MAIL_FROM: &str = "odrdesk@localhost";
pub const DEFAULT_MAIL_POLL_MS: u64 = 2000;

mod args;
pub use args::{CommonArgs, RateLimit};

pub const DEFAULT_RATE_LIMIT: u32 = 30;
pub const DEFAULT_OUTBOX_MAX_ATTEMPTS: u16 = 8;

/// `[sms]` in the TOML file: everything but the secrets (flags or environment only).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsFile {
    pub sdk_app_id: Option<String>,
    pub sign_name: Option<String>,
    pub region: Option<String>,
    pub api_base: Option<String>,
    /// Template key → the provider's template id (README "通知渠道").
    #[serde(default)]
    pub templates: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub limits: crate::domain::sms_limits::SmsLimits,
    pub param_max_chars: Option<usize>,
}

fn sms_config(args: &CommonArgs, file: SmsFile) -> Option<crate::notify::sms::SmsConfig> {
    let present = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Some(crate::notify::sms::SmsConfig {
        secret_id: present(args.sms_secret_id.clone())?,
        secret_key: present(args.sms_secret_key.clone())?,
        sdk_app_id: present(args.sms_sdk_app_id.clone().or(file.sdk_app_id))?,
        sign_name: present(args.sms_sign_name.clone().or(file.sign_name))?,
        region: present(file.region)
            .unwrap_or_else(|| crate::notify::tencent::DEFAULT_REGION.to_owned()),
        api_base: present(args.sms_api_base.clone().or(file.api_base))
            .unwrap_or_else(|| crate::notify::tencent::DEFAULT_API_BASE.to_owned()),
        templates: file.templates,
        limits: file.limits,
        param_max_chars: file
            .param_max_chars
            .unwrap_or(crate::notify::sms::DEFAULT_PARAM_MAX_CHARS),
        wake: Default::default(),
    })
}

pub const DEFAULT_PRINT_INTERVAL_SECS: u64 = 10;
pub const DEFAULT_INTAKE_BATCH: u16 = 256;

/// Defaults of the limits that hold whatever clients send (README "Limits").
pub mod limits {
    pub const ATTACHMENT_MAX_BYTES: u64 = 10 * 1024 * 1024;
    pub const ATTACHMENTS_PER_CASE: u64 = 30;
    pub const ATTACHMENT_BYTES_PER_CASE: u64 = 100 * 1024 * 1024;
    pub const UPLOAD_CONCURRENCY: usize = 8;
    pub const JOBS_PER_USER: usize = 2;
    pub const JOBS_TOTAL: usize = 8;
    pub const EXPORT_TTL_DAYS: u32 = 7;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The optional file; every key may be left out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub log_format: Option<LogFormat>,
    pub pool_size: Option<u32>,
    pub workers: Option<usize>,
    pub attachment_max_bytes: Option<u64>,
    pub attachments_per_case: Option<u64>,
    pub attachment_bytes_per_case: Option<u64>,
    pub upload_concurrency: Option<usize>,
    pub jobs_per_user: Option<usize>,
    pub jobs_total: Option<usize>,
    pub export_ttl_days: Option<u32>,
    pub wechat_appid: Option<String>,
    pub wechat_secret: Option<String>,
    pub wechat_api_base: Option<String>,
    pub cookie_secure: Option<bool>,
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    pub mail_poll_ms: Option<u64>,
    pub public_url: Option<String>,
    pub sweep_interval_secs: Option<u64>,
    pub print_interval_secs: Option<u64>,
    pub index_poll_ms: Option<u64>,
    pub rate_limit: Option<RateLimit>,
    pub intake_batch: Option<u16>,
    /// `[screening]`: the city's Order 121 Art. 17 thresholds.
    pub screening: Option<crate::domain::screening::Thresholds>,
    /// `[scorecard]`: the city's credit scorecard method (weights and grade thresholds).
    pub scorecard: Option<crate::domain::scorecard::Method>,
    pub secret_key: Option<String>,
    pub webhook_allow_loopback: Option<bool>,
    pub webhook_poll_ms: Option<u64>,
    /// `[sms]`: templates, limits and the provider's non-secret settings.
    pub sms: Option<SmsFile>,
    /// `[wechat_notices.templates.<key>]`: subscription message templates.
    pub wechat_notices: Option<crate::notify::wechat::WechatNotices>,
    pub outbox_max_attempts: Option<u16>,
    /// `[metrics]`: the `/metrics` token and the index lag `/readyz` tolerates.
    pub metrics: Option<crate::metrics::MetricsFile>,
    /// `[retention]`: how long personal data is kept (checked at start).
    pub retention: Option<crate::domain::retention::Periods>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database: DatabaseUrl,
    pub log_format: LogFormat,
    pub pool_size: u32,
    pub workers: usize,
    pub attachment_max_bytes: u64,
    /// Files, and bytes in all, one case may hold.
    pub attachments_per_case: u64,
    pub attachment_bytes_per_case: u64,
    /// Uploads read at once by one node.
    pub upload_concurrency: usize,
    /// Exports and hot-terms/alerts questions running at once, per user and in all (per node).
    pub jobs_per_user: usize,
    pub jobs_total: usize,
    /// Days an export file is kept before it expires.
    pub export_ttl_days: u32,
    pub json_limit_bytes: usize,
    /// WeChat mini-program login; `None` when AppID or secret is missing (then 503).
    pub wechat: Option<crate::auth::wechat::WechatConfig>,
    /// Adds `Secure` to the session cookie (set behind HTTPS).
    pub cookie_secure: bool,
    /// SMTP server URL; `None` writes `.eml` files into `outbox_dir()`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_poll_ms: u64,
    /// SMS provider and templates; `None` when not configured (then no SMS is queued).
    pub sms: Option<crate::notify::sms::SmsConfig>,
    /// WeChat subscription message templates (used only with `wechat` configured).
    pub wechat_notices: crate::notify::wechat::WechatNotices,
    /// Failed attempts after which an outbox message is dead-lettered.
    pub outbox_max_attempts: i32,
    /// Public address of the site (no trailing slash), for links in mail.
    pub public_url: String,
    /// Seconds between deadline sweeps; 0 = off (tests drive the sweep themselves).
    pub sweep_interval_secs: u64,
    /// Seconds between passes of the document printer; 0 = off (tests print themselves).
    pub print_interval_secs: u64,
    /// Milliseconds between passes of the search index follower.
    pub index_poll_ms: u64,
    /// Form posts per client address and minute; 0 = no limit.
    pub rate_limit_per_minute: u32,
    /// Most new cases per group-commit transaction.
    pub intake_batch: usize,
    /// The city's Order 121 Art. 17 screening thresholds (`[screening]` in the TOML file).
    pub screening: crate::domain::screening::Thresholds,
    /// The city's credit scorecard method (`[scorecard]` in the TOML file).
    pub scorecard: crate::domain::scorecard::Method,
    /// The key sealing webhook secrets (64 hex); `None`: `<data-dir>/server.key`.
    pub secret_key: Option<String>,
    /// Webhooks may go to http://127.0.0.1 or localhost, and to private addresses.
    pub webhook_allow_loopback: bool,
    /// Milliseconds between passes of the webhook sender.
    pub webhook_poll_ms: u64,
    /// Who may read `/metrics`, and the index lag `/readyz` tolerates.
    pub metrics: crate::metrics::MetricsSettings,
    /// How long personal data is kept (`[retention]` in the TOML file).
    pub retention: crate::domain::retention::Periods,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid listen address {0:?} (expected host:port, e.g. 127.0.0.1:8080)")]
    Listen(String),
    #[error("invalid [scorecard] method: {0}")]
    Scorecard(String),
    #[error("invalid [retention] periods: {0}")]
    Retention(String),
}

impl Settings {
    /// Resolves settings; `listen` is the serve subcommand's flag/env value, if any.
    pub fn resolve(args: &CommonArgs, listen: Option<&str>) -> Result<Settings, ConfigError> {
        let file = load_file(args.config.as_deref())?;
        let data_dir = args
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let database = args
            .database_url
            .as_deref()
            .or(file.database_url.as_deref())
            .map(DatabaseUrl::parse)
            .unwrap_or_else(|| DatabaseUrl::default_for(&data_dir));
        let listen_text = listen
            .map(str::to_owned)
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_text
            .parse()
            .map_err(|_| ConfigError::Listen(listen_text.clone()))?;
        let public_url = args
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        // Served over HTTPS, the session cookie must never travel in clear text.
        let cookie_secure = file
            .cookie_secure
            .unwrap_or_else(|| public_url.starts_with("https://"));
        let scorecard = file.scorecard.unwrap_or_default();
        scorecard.check().map_err(ConfigError::Scorecard)?;
        let retention = file.retention.unwrap_or_default();
        retention.check().map_err(ConfigError::Retention)?;
        Ok(Settings {
            listen,
            data_dir,
            database,
            log_format: args
                .log_format
                .or(file.log_format)
                .unwrap_or(LogFormat::Pretty),
            pool_size: file.pool_size.unwrap_or(8).max(1),
            workers: file.workers.unwrap_or(0),
            attachment_max_bytes: file
                .attachment_max_bytes
                .unwrap_or(limits::ATTACHMENT_MAX_BYTES),
            attachments_per_case: file
                .attachments_per_case
                .unwrap_or(limits::ATTACHMENTS_PER_CASE),
            attachment_bytes_per_case: file
                .attachment_bytes_per_case
                .unwrap_or(limits::ATTACHMENT_BYTES_PER_CASE),
            upload_concurrency: file
                .upload_concurrency
                .unwrap_or(limits::UPLOAD_CONCURRENCY),
            jobs_per_user: file.jobs_per_user.unwrap_or(limits::JOBS_PER_USER),
            jobs_total: file.jobs_total.unwrap_or(limits::JOBS_TOTAL),
            export_ttl_days: file.export_ttl_days.unwrap_or(limits::EXPORT_TTL_DAYS),
            json_limit_bytes: 1024 * 1024,
            wechat: crate::auth::wechat::WechatConfig::from_parts(
                args.wechat_appid.clone().or(file.wechat_appid),
                args.wechat_secret.clone().or(file.wechat_secret),
                args.wechat_api_base.clone().or(file.wechat_api_base),
            ),
            cookie_secure,
            smtp_url: args.smtp_url.clone().or(file.smtp_url),
            mail_from: args
                .mail_from
                .clone()
                .or(file.mail_from)
                .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            mail_poll_ms: args
                .mail_poll_ms
                .or(file.mail_poll_ms)
                .unwrap_or(DEFAULT_MAIL_POLL_MS),
            sms: sms_config(args, file.sms.unwrap_or_default()),
            wechat_notices: file.wechat_notices.unwrap_or_default(),
            outbox_max_attempts: i32::from(
                args.outbox_max_attempts
                    .or(file.outbox_max_attempts)
                    .unwrap_or(DEFAULT_OUTBOX_MAX_ATTEMPTS)
                    .max(1),
            ),
            public_url,
            sweep_interval_secs: args
                .sweep_interval_secs
                .or(file.sweep_interval_secs)
                .unwrap_or(60),
            print_interval_secs: args
                .print_interval_secs
                .or(file.print_interval_secs)
                .unwrap_or(DEFAULT_PRINT_INTERVAL_SECS),
            index_poll_ms: file.index_poll_ms.unwrap_or(500),
            rate_limit_per_minute: args
                .rate_limit
                .or(file.rate_limit)
                .map_or(DEFAULT_RATE_LIMIT, |r| r.0),
            intake_batch: usize::from(
                args.intake_batch
                    .or(file.intake_batch)
                    .unwrap_or(DEFAULT_INTAKE_BATCH)
                    .clamp(1, 4096),
            ),
            screening: file.screening.unwrap_or_default(),
            scorecard,
            secret_key: args.secret_key.clone().or(file.secret_key),
            webhook_allow_loopback: args
                .webhook_allow_loopback
                .or(file.webhook_allow_loopback)
                .unwrap_or(false),
            webhook_poll_ms: file.webhook_poll_ms.unwrap_or(1000),
            metrics: crate::metrics::MetricsSettings::resolve(
                args.metrics_token.clone(),
                file.metrics.unwrap_or_default(),
            ),
            retention,
        })
    }

    /// Settings for an embedded instance in `data_dir` (tests, tools).
    pub fn for_data_dir(data_dir: &Path, database: Option<DatabaseUrl>) -> Settings {
        Settings {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
            data_dir: data_dir.to_owned(),
            database: database.unwrap_or_else(|| DatabaseUrl::default_for(data_dir)),
            log_format: LogFormat::Pretty,
            pool_size: 8,
            workers: 2,
            attachment_max_bytes: limits::ATTACHMENT_MAX_BYTES,
            attachments_per_case: limits::ATTACHMENTS_PER_CASE,
            attachment_bytes_per_case: limits::ATTACHMENT_BYTES_PER_CASE,
            upload_concurrency: limits::UPLOAD_CONCURRENCY,
            jobs_per_user: limits::JOBS_PER_USER,
            jobs_total: limits::JOBS_TOTAL,
            export_ttl_days: limits::EXPORT_TTL_DAYS,
            json_limit_bytes: 1024 * 1024,
            wechat: None,
            cookie_secure: false,
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.to_owned(),
            mail_poll_ms: DEFAULT_MAIL_POLL_MS,
            sms: None,
            wechat_notices: Default::default(),
            outbox_max_attempts: i32::from(DEFAULT_OUTBOX_MAX_ATTEMPTS),
            public_url: format!("http://{DEFAULT_LISTEN}"),
            sweep_interval_secs: 0,
            print_interval_secs: 0,
            index_poll_ms: 50,
            rate_limit_per_minute: DEFAULT_RATE_LIMIT,
            intake_batch: usize::from(DEFAULT_INTAKE_BATCH),
            screening: crate::domain::screening::Thresholds::default(),
            scorecard: crate::domain::scorecard::Method::default(),
            secret_key: None,
            webhook_allow_loopback: false,
            webhook_poll_ms: 100,
            metrics: crate::metrics::MetricsSettings::default(),
            retention: crate::domain::retention::Periods::default(),
        }
    }

    pub fn attachments_dir(&self) -> PathBuf {
        self.data_dir.join("attachments")
    }

    /// Where mail is written as `.eml` files when no SMTP server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

fn load_file(explicit: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let path = match explicit {
        Some(p) => p.to_owned(),
        None => {
            let p = PathBuf::from(DEFAULT_CONFIG_FILE);
            if !p.exists() {
                return Ok(FileConfig::default());
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path,
        message: e.to_string(),
    })
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
