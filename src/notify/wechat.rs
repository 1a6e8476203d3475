//! WeChat subscription messages (`subscribeMessage.send`) to mini-program consumers who
//! granted a one-time subscription for the template (`wx.requestSubscribeMessage`, reported by
//! `POST /api/v1/wechat/subscriptions`). Queueing consumes one grant; no grant, no message.
//!
//! The access token comes from `POST /cgi-bin/stable_token`, is cached until shortly before
//! it expires and fetched anew (forced) when WeChat calls it invalid or expired (40001, 42001).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::channel::{Attempt, Channel};
use super::sms::SmsNotice;
use crate::auth::wechat::WechatConfig;
use crate::store::Db;
use crate::store::outbox::{self, NewOutboxRow, OutboxRow};
use crate::store::wechat_grants;

/// A token is used until this long before WeChat's `expires_in` runs out.
const TOKEN_MARGIN: Duration = Duration::minutes(5);

/// One template: its id, the mini-program page it opens and the data keys that receive the
/// notice's parameters, in the order of [`SmsNotice::params`] (e.g. `character_string1`,
/// `date2`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatTemplate {
    pub id: String,
    pub page: String,
    pub keys: Vec<String>,
}

/// `[wechat_notices.templates]`: notice key (as for SMS) → template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WechatNotices {
    #[serde(default)]
    pub templates: BTreeMap<String, WechatTemplate>,
}

/// Whether `template_id` is one of the configured subscription templates.
pub fn is_template(notices: Option<&WechatNotices>, template_id: &str) -> bool {
    notices.is_some_and(|n| n.templates.values().any(|t| t.id == template_id))
}

/// The longest value WeChat accepts for a data key of this kind (by its name's prefix).
fn value_limit(key: &str) -> usize {
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    match kind {
        "thing" => 20,
        "name" => 10,
        "phrase" | "symbol" => 5,
        _ => 32,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Payload {
    template_id: String,
    page: String,
    data: BTreeMap<String, String>,
}

/// Queues the WeChat twin of `notice` to `openid` in the caller's transaction, consuming one
/// grant for its template. `false` when not configured, no template for the notice, no grant,
/// a value too long for its key, or a known dedupe key.
pub fn enqueue_wechat(
    conn: &mut Db,
    notices: Option<&WechatNotices>,
    (dedupe_key, case_id): (&str, i64),
    openid: &str,
    notice: &SmsNotice,
    now: NaiveDateTime,
) -> Result<bool, diesel::result::Error> {
    let Some(notices) = notices else {
        return Ok(false);
    };
    let Some(template) = notices.templates.get(notice.key()) else {
        return Ok(false);
    };
    let params = notice.params();
    let fits = template.keys.len() == params.len()
        && template
            .keys
            .iter()
            .zip(&params)
            .all(|(k, v)| v.chars().count() <= value_limit(k));
    if !fits {
        tracing::warn!(
            key = notice.key(),
            "WeChat template does not fit the notice"
        );
        return Ok(false);
    }
    if outbox::is_known(conn, dedupe_key)?
        || !wechat_grants::consume(conn, openid, &template.id, now)?
    {
        return Ok(false);
    }
    let case_no = params.first().cloned().unwrap_or_default();
    let payload = Payload {
        template_id: template.id.clone(),
        page: format!("{}?case_no={case_no}", template.page),
        data: template.keys.iter().cloned().zip(params).collect(),
    };
    let payload = serde_json::to_string(&payload).unwrap_or_default();
    outbox::insert(
        conn,
        &NewOutboxRow {
            dedupe_key,
            case_id: Some(case_id),
            channel: Channel::Wechat.as_str(),
            to_addr: openid,
            subject: notice.key(),
            body: "",
            payload: Some(&payload),
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            expires_at: None,
        },
    )
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<i64>,
    errcode: Option<i64>,
    errmsg: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SendAnswer {
    errcode: Option<i64>,
    errmsg: Option<String>,
}

/// Sends subscription messages with a cached stable access token.
pub struct WechatSender {
    config: WechatConfig,
    token: tokio::sync::Mutex<Option<(String, DateTime<Utc>)>>,
}

impl WechatSender {
    pub fn new(config: WechatConfig) -> WechatSender {
        WechatSender {
            config,
            token: tokio::sync::Mutex::new(None),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.api_base.trim_end_matches('/'))
    }

    /// The cached token, or a new one (`force`: WeChat said the cached one is no good).
    async fn token(&self, now: DateTime<Utc>, force: bool) -> Result<String, String> {
        let mut cached = self.token.lock().await;
        if !force && let Some((token, until)) = cached.as_ref().filter(|(_, until)| *until > now) {
            tracing::trace!(%until, "cached WeChat access token");
            return Ok(token.clone());
        }
        let body = json!({
            "grant_type": "client_credential",
            "appid": self.config.appid,
            "secret": self.config.secret,
            "force_refresh": force,
        });
        let answer: TokenAnswer = super::http_client()?
            .post(self.url("/cgi-bin/stable_token"))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("WeChat unreachable: {}", e.without_url()))?
            .json()
            .await
            .map_err(|e| format!("unreadable stable_token answer: {}", e.without_url()))?;
        match (answer.access_token, answer.errcode.unwrap_or(0)) {
            (Some(token), 0) => {
                let lifetime = Duration::seconds(answer.expires_in.unwrap_or(7200));
                *cached = Some((token.clone(), now + lifetime - TOKEN_MARGIN));
                Ok(token)
            }
            (_, code) => Err(format!(
                "stable_token errcode {code}: {}",
                answer.errmsg.unwrap_or_default()
            )),
        }
    }

    async fn post(
        &self,
        token: &str,
        payload: &Payload,
        openid: &str,
    ) -> Result<SendAnswer, String> {
        let data: BTreeMap<&str, serde_json::Value> = payload
            .data
            .iter()
            .map(|(k, v)| (k.as_str(), json!({ "value": v })))
            .collect();
        let mut url = reqwest::Url::parse(&self.url("/cgi-bin/message/subscribe/send"))
            .map_err(|e| format!("bad WeChat API base: {e}"))?;
        url.query_pairs_mut().append_pair("access_token", token);
        super::http_client()?
            .post(url)
            .json(&json!({
                "touser": openid,
                "template_id": payload.template_id,
                "page": payload.page,
                "data": data,
                "lang": "zh_CN",
            }))
            .send()
            .await
            .map_err(|e| format!("WeChat unreachable: {}", e.without_url()))?
            .json()
            .await
            .map_err(|e| format!("unreadable subscribe/send answer: {}", e.without_url()))
    }

    /// One attempt at a WeChat row; an invalid or expired token is replaced once.
    pub async fn attempt(&self, row: &OutboxRow, now: DateTime<Utc>) -> Attempt {
        let payload: Payload = match row.payload.as_deref().map(serde_json::from_str) {
            Some(Ok(p)) => p,
            _ => return Attempt::Failed("unreadable WeChat payload".into()),
        };
        let mut force = false;
        loop {
            let token = match self.token(now, force).await {
                Ok(t) => t,
                Err(e) => return Attempt::Failed(e),
            };
            let answer = match self.post(&token, &payload, &row.to_addr).await {
                Ok(a) => a,
                Err(e) => return Attempt::Failed(e),
            };
            match answer.errcode.unwrap_or(0) {
                0 => return Attempt::Sent,
                40001 | 42001 if !force => force = true,
                code => {
                    return Attempt::Failed(format!(
                        "subscribe/send errcode {code}: {}",
                        answer.errmsg.unwrap_or_default()
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_limits_follow_the_key_kind() {
        assert_eq!(value_limit("thing3"), 20);
        assert_eq!(value_limit("character_string1"), 32);
        assert_eq!(value_limit("phrase12"), 5);
        assert_eq!(value_limit("date2"), 32);
    }
}
