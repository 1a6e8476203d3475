//! WeChat mini-program login: `code2session` exchanges the `code` from `wx.login()` for the
//! user's openid. The `session_key` in the answer is never read, stored or logged.

use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;

pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";
const MAX_OPENID_CHARS: usize = 128;

/// The mini-program's credentials and the API base (a stand-in in tests).
#[derive(Clone, PartialEq, Eq)]
pub struct WechatConfig {
    pub appid: String,
    pub secret: String,
    pub api_base: String,
}

impl std::fmt::Debug for WechatConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatConfig")
            .field("appid", &self.appid)
            .field("secret", &"***")
            .field("api_base", &self.api_base)
            .finish()
    }
}

impl WechatConfig {
    /// Configured only when both the app id and the secret are set (and not blank).
    pub fn from_parts(
        appid: Option<String>,
        secret: Option<String>,
        api_base: Option<String>,
    ) -> Option<WechatConfig> {
        let present = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Some(WechatConfig {
            appid: present(appid)?,
            secret: present(secret)?,
            api_base: present(api_base).unwrap_or_else(|| DEFAULT_API_BASE.to_owned()),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WechatError {
    /// errcode 40029 (invalid code) or 40163 (code already used).
    #[error("invalid or used code")]
    InvalidCode,
    /// errcode 45011: too many calls for this user.
    #[error("rate limited by WeChat")]
    RateLimited,
    #[error("WeChat unavailable: {0}")]
    Unavailable(String),
}

/// The documented answer. `session_key` is deliberately absent: serde skips it.
#[derive(Debug, Deserialize)]
struct Code2SessionAnswer {
    openid: Option<String>,
    errcode: Option<i64>,
    errmsg: Option<String>,
}

fn client() -> Result<&'static reqwest::Client, WechatError> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            install_crypto_provider();
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| WechatError::Unavailable(format!("HTTP client: {e}")))
}

/// Makes ring the process's TLS provider; harmless when one is installed already.
pub fn install_crypto_provider() {
    // Err means a provider is already installed for the process, which is all we need.
    if rustls::crypto::ring::default_provider()
        .install_default()
        .is_err()
    {
        tracing::trace!("rustls crypto provider was already installed");
    }
}

/// `GET {api_base}/sns/jscode2session?appid=…&secret=…&js_code=…&grant_type=authorization_code`
/// → the openid.
pub async fn code2session(cfg: &WechatConfig, code: &str) -> Result<String, WechatError> {
    let endpoint = format!("{}/sns/jscode2session", cfg.api_base.trim_end_matches('/'));
    let mut url = reqwest::Url::parse(&endpoint)
        .map_err(|e| WechatError::Unavailable(format!("bad API base: {e}")))?;
    url.query_pairs_mut()
        .append_pair("appid", &cfg.appid)
        .append_pair("secret", &cfg.secret)
        .append_pair("js_code", code)
        .append_pair("grant_type", "authorization_code");
    // Errors are reported without the URL, which holds the secret.
    let unavailable = |e: reqwest::Error| WechatError::Unavailable(e.without_url().to_string());
    let res = client()?.get(url).send().await.map_err(unavailable)?;
    let status = res.status();
    if !status.is_success() {
        return Err(WechatError::Unavailable(format!("HTTP {status}")));
    }
    let answer: Code2SessionAnswer = res.json().await.map_err(unavailable)?;
    interpret(answer)
}

fn interpret(answer: Code2SessionAnswer) -> Result<String, WechatError> {
    match answer.errcode.unwrap_or(0) {
        0 => {}
        40029 | 40163 => return Err(WechatError::InvalidCode),
        45011 => return Err(WechatError::RateLimited),
        code => {
            let msg = answer.errmsg.unwrap_or_default();
            return Err(WechatError::Unavailable(format!("errcode {code}: {msg}")));
        }
    }
    answer
        .openid
        .filter(|o| !o.is_empty() && o.chars().count() <= MAX_OPENID_CHARS)
        .ok_or_else(|| WechatError::Unavailable("answer without a usable openid".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> Code2SessionAnswer {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn answers_map_to_openid_or_error() {
        assert_eq!(
            interpret(answer(r#"{"openid":"o1","session_key":"k"}"#)),
            Ok("o1".into())
        );
        assert_eq!(
            interpret(answer(r#"{"openid":"o1","session_key":"k","errcode":0}"#)),
            Ok("o1".into())
        );
        assert_eq!(
            interpret(answer(r#"{"errcode":40029,"errmsg":"invalid code"}"#)),
            Err(WechatError::InvalidCode)
        );
        assert_eq!(
            interpret(answer(r#"{"errcode":45011,"errmsg":"freq limit"}"#)),
            Err(WechatError::RateLimited)
        );
        assert!(matches!(
            interpret(answer(r#"{"errcode":-1,"errmsg":"system error"}"#)),
            Err(WechatError::Unavailable(_))
        ));
        assert!(matches!(
            interpret(answer(r#"{"session_key":"k"}"#)),
            Err(WechatError::Unavailable(_))
        ));
    }

    #[test]
    fn configured_only_with_appid_and_secret() {
        assert!(WechatConfig::from_parts(Some("wx1".into()), None, None).is_none());
        assert!(WechatConfig::from_parts(Some("wx1".into()), Some(" ".into()), None).is_none());
        let c = WechatConfig::from_parts(Some("wx1".into()), Some("s".into()), None).unwrap();
        assert_eq!(c.api_base, DEFAULT_API_BASE);
        assert!(!format!("{c:?}").contains("\"s\""));
    }
}
