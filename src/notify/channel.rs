//! The channels a notice travels by, and the dispatch of one outbox row to its channel.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::sender::{MailError, MailTransport};
use super::sms::SmsSender;
use super::wechat::WechatSender;
use crate::config::Settings;
use crate::store::outbox::OutboxRow;

/// How a message reaches its recipient; stored as `outbox.channel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Email,
    Sms,
    Wechat,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Email, Channel::Sms, Channel::Wechat];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Wechat => "wechat",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Email => "邮件",
            Channel::Sms => "短信",
            Channel::Wechat => "微信订阅消息",
        }
    }
}

impl std::str::FromStr for Channel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown channel {s:?}"))
    }
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Not tried: a per-recipient limit holds it until then (no attempt is counted).
    Deferred(chrono::NaiveDateTime),
    /// Never to be sent (e.g. a login code that expired).
    Expired,
    Failed(String),
}

/// What queueing a notice needs to know of the SMS and WeChat configuration: whether each
/// is on, its templates and limits. Carried in `service::Ctx`, never process-wide, so two
/// servers in one process (tests, a node and its CLI) each queue by their own settings.
#[derive(Debug, Clone, Default)]
pub struct NoticeSettings {
    pub sms: Option<Arc<super::sms::SmsConfig>>,
    /// Subscription templates; `None` without the mini-program's AppID and secret.
    pub wechat: Option<Arc<super::wechat::WechatNotices>>,
}

impl NoticeSettings {
    pub fn from_settings(settings: &Settings) -> NoticeSettings {
        NoticeSettings {
            sms: settings.sms.clone().map(Arc::new),
            wechat: settings
                .wechat
                .as_ref()
                .map(|_| Arc::new(settings.wechat_notices.clone())),
        }
    }
}

/// Every channel's transport; the sender hands each row to its channel here.
pub struct Channels {
    pub mail: MailTransport,
    /// `None` without SMS configuration: SMS rows wait (none are queued then).
    pub sms: Option<SmsSender>,
    /// `None` without the mini-program's AppID and secret.
    pub wechat: Option<WechatSender>,
    /// Failed attempts after which a message is dead-lettered.
    pub max_attempts: i32,
}

impl std::fmt::Debug for Channels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channels")
            .field("mail", &self.mail.describe())
            .field("sms", &self.sms.is_some())
            .field("wechat", &self.wechat.is_some())
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

impl Channels {
    /// The transports of `settings`.
    pub fn from_settings(settings: &Settings) -> Result<Channels, MailError> {
        Ok(Channels {
            mail: MailTransport::from_settings(settings)?,
            sms: settings.sms.clone().map(|c| SmsSender::new(Arc::new(c))),
            wechat: settings.wechat.clone().map(WechatSender::new),
            max_attempts: settings.outbox_max_attempts,
        })
    }

    pub fn describe(&self) -> String {
        match &self.sms {
            Some(sms) => format!("{}; SMS by {}", self.mail.describe(), sms.describe()),
            None => self.mail.describe().to_owned(),
        }
    }

    /// One attempt at `row`, by its channel. `recent` gives the row's recipient's recent sends
    /// on its channel when a per-recipient limit applies.
    pub async fn attempt(
        &self,
        row: &OutboxRow,
        now: DateTime<Utc>,
        recent: &[chrono::NaiveDateTime],
    ) -> Attempt {
        match row.channel() {
            Some(Channel::Email) => match self.mail.send(row, now).await {
                Ok(()) => Attempt::Sent,
                Err(e) => Attempt::Failed(e),
            },
            Some(Channel::Sms) => match &self.sms {
                Some(sms) => sms.attempt(row, now, recent).await,
                None => Attempt::Failed("SMS is not configured on this node".into()),
            },
            Some(Channel::Wechat) => match &self.wechat {
                Some(wechat) => wechat.attempt(row, now).await,
                None => Attempt::Failed("WeChat is not configured on this node".into()),
            },
            None => Attempt::Failed(format!("unknown channel {:?}", row.channel)),
        }
    }
}
