//! The flags every subcommand accepts, each with its environment variable.

use std::path::PathBuf;

use serde::Deserialize;

use super::LogFormat;

/// Options every subcommand accepts, so CLI tools and the server agree on where data lives.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CommonArgs {
    /// Directory for the SQLite file, attachments and the outbox.
    #[arg(long, env = "ODRDESK_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// postgres://… or a SQLite path; default: <data-dir>/odrdesk.sqlite3.
    #[arg(long, env = "ODRDESK_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// TOML configuration file; default: ./odrdesk.toml when it exists.
    #[arg(long, env = "ODRDESK_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Log format: `pretty` or `json`.
    #[arg(long, env = "ODRDESK_LOG_FORMAT", global = true)]
    pub log_format: Option<LogFormat>,
    /// WeChat mini-program AppID, for consumer login (code2session).
    #[arg(long, env = "ODRDESK_WECHAT_APPID", global = true)]
    pub wechat_appid: Option<String>,
    /// WeChat mini-program AppSecret; prefer the environment variable to the flag.
    #[arg(
        long,
        env = "ODRDESK_WECHAT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub wechat_secret: Option<String>,
    /// WeChat API base URL; default: https://api.weixin.qq.com.
    #[arg(long, env = "ODRDESK_WECHAT_API_BASE", global = true)]
    pub wechat_api_base: Option<String>,
    /// Mail server, e.g. smtp://127.0.0.1:2525, smtps://user:pass@host:465 or
    /// smtp://host:587?tls=required; default: `.eml` files in <data-dir>/outbox/.
    #[arg(long, env = "ODRDESK_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of notification mail; default: odrdesk@localhost.
    #[arg(long, env = "ODRDESK_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// Milliseconds between passes of the mail sender; default: 2000.
    #[arg(long, env = "ODRDESK_MAIL_POLL_MS", global = true)]
    pub mail_poll_ms: Option<u64>,
    /// Tencent Cloud SecretId for SMS; SMS is off unless id, key, SdkAppId and sign name are set.
    #[arg(long, env = "ODRDESK_SMS_SECRET_ID", global = true)]
    pub sms_secret_id: Option<String>,
    /// Tencent Cloud SecretKey for SMS; prefer the environment variable to the flag.
    #[arg(
        long,
        env = "ODRDESK_SMS_SECRET_KEY",
        global = true,
        hide_env_values = true
    )]
    pub sms_secret_key: Option<String>,
    /// SMS SdkAppId (短信应用 ID).
    #[arg(long, env = "ODRDESK_SMS_SDK_APP_ID", global = true)]
    pub sms_sdk_app_id: Option<String>,
    /// The approved SMS sign name (短信签名), e.g. the bureau's name.
    #[arg(long, env = "ODRDESK_SMS_SIGN_NAME", global = true)]
    pub sms_sign_name: Option<String>,
    /// SMS API base URL; default: https://sms.tencentcloudapi.com.
    #[arg(long, env = "ODRDESK_SMS_API_BASE", global = true)]
    pub sms_api_base: Option<String>,
    /// Failed attempts after which an outbox message is given up (dead letter). Default: 8.
    #[arg(long, env = "ODRDESK_OUTBOX_MAX_ATTEMPTS", global = true)]
    pub outbox_max_attempts: Option<u16>,
    /// Public address of the site, used in links sent by mail.
    #[arg(long, env = "ODRDESK_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Seconds between deadline sweeps of a server; 0 turns the sweep off. Default: 60.
    #[arg(long, env = "ODRDESK_SWEEP_INTERVAL_SECS", global = true)]
    pub sweep_interval_secs: Option<u64>,
    /// Seconds between passes of a server's document printer (文书 PDFs); 0 turns it off.
    /// Default: 10.
    #[arg(long, env = "ODRDESK_PRINT_INTERVAL_SECS", global = true)]
    pub print_interval_secs: Option<u64>,
    /// Form submissions allowed per client address and minute, or `off` (for benchmarks).
    /// Default: 30.
    #[arg(long, env = "ODRDESK_RATE_LIMIT", global = true)]
    pub rate_limit: Option<RateLimit>,
    /// Most new cases stored in one transaction by group commit (1 = one commit per case).
    /// Default: 256.
    #[arg(long, env = "ODRDESK_INTAKE_BATCH", global = true, value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub intake_batch: Option<u16>,
    /// 64 hex characters: the key that seals webhook secrets in the database. Every node of
    /// one database needs the same key; default: <data-dir>/server.key, made on first start.
    #[arg(
        long,
        env = "ODRDESK_SECRET_KEY",
        global = true,
        hide_env_values = true
    )]
    pub secret_key: Option<String>,
    /// Development and tests only: lets a webhook go to http://127.0.0.1 or localhost.
    #[arg(long, env = "ODRDESK_WEBHOOK_ALLOW_LOOPBACK", global = true)]
    pub webhook_allow_loopback: Option<bool>,
    /// A bearer token opening `/metrics` to callers other than loopback ones.
    #[arg(
        long,
        env = "ODRDESK_METRICS_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub metrics_token: Option<String>,
}

/// `ODRDESK_RATE_LIMIT`: a number of requests per minute, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct RateLimit(pub u32);

impl std::str::FromStr for RateLimit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "off" | "0" => Ok(RateLimit(0)),
            n => n
                .parse::<u32>()
                .map(RateLimit)
                .map_err(|_| format!("rate limit must be a number per minute or `off`, not {s:?}")),
        }
    }
}

impl TryFrom<String> for RateLimit {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}
