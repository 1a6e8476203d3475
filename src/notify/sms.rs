//! SMS notices: only the bureau's provider-approved templates, whose parameters are a case
//! number, dates or a login code, never names, free text or anyone else's data. The link to
//! the tracking page is part of each template's fixed text (providers refuse links in
//! variables).
//!
//! [`enqueue_sms`] queues in the caller's transaction; the sender (`sender.rs`) sends through
//! the configured provider (`tencent.rs`) after checking the per-number limits.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Notice;
use super::channel::{Attempt, Channel};
use super::tencent::TencentSms;
use crate::domain::ids::Phone;
use crate::domain::sms_limits::SmsLimits;
use crate::store::Db;
use crate::store::outbox::{self, NewOutboxRow, OutboxRow};

/// A login code not sent by then is never sent.
pub const LOGIN_CODE_TTL: Duration = Duration::minutes(5);
/// Default longest template parameter, in characters.
pub const DEFAULT_PARAM_MAX_CHARS: usize = 20;
const SCRUBBED: &str = "******";

/// What an SMS says: a template key and its parameters, in the template's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsNotice {
    /// `login_code`: {1} the six-digit code.
    LoginCode { code: String },
    /// `acknowledgement`: {1} case number, {2} date by which the bureau decides.
    Acknowledgement { case_no: String, due: NaiveDate },
    /// `accepted`: {1} case number, {2} mediation due date.
    Accepted { case_no: String, due: NaiveDate },
    /// `not_accepted`: {1} case number.
    NotAccepted { case_no: String },
    /// `identity_request`: {1} case number, {2} date by which to prove identity.
    IdentityRequest { case_no: String, due: NaiveDate },
    /// `progress`: {1} case number — there is news to read on the tracking page.
    Progress { case_no: String },
    /// `outcome`: {1} case number — the case was closed; the outcome is on the tracking page.
    Outcome { case_no: String },
    /// `rating`: {1} case number, {2} last day to rate.
    RatingInvitation { case_no: String, until: NaiveDate },
}

impl SmsNotice {
    /// Every template key, for configuration checks and documentation.
    pub const KEYS: [&'static str; 8] = [
        "login_code",
        "acknowledgement",
        "accepted",
        "not_accepted",
        "identity_request",
        "progress",
        "outcome",
        "rating",
    ];

    /// The template key configured under `[sms.templates]`.
    pub fn key(&self) -> &'static str {
        match self {
            SmsNotice::LoginCode { .. } => "login_code",
            SmsNotice::Acknowledgement { .. } => "acknowledgement",
            SmsNotice::Accepted { .. } => "accepted",
            SmsNotice::NotAccepted { .. } => "not_accepted",
            SmsNotice::IdentityRequest { .. } => "identity_request",
            SmsNotice::Progress { .. } => "progress",
            SmsNotice::Outcome { .. } => "outcome",
            SmsNotice::RatingInvitation { .. } => "rating",
        }
    }

    /// The template parameters, in order.
    pub fn params(&self) -> Vec<String> {
        let date = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
        match self {
            SmsNotice::LoginCode { code } => vec![code.clone()],
            SmsNotice::Acknowledgement { case_no, due }
            | SmsNotice::Accepted { case_no, due }
            | SmsNotice::IdentityRequest { case_no, due } => vec![case_no.clone(), date(due)],
            SmsNotice::RatingInvitation { case_no, until } => vec![case_no.clone(), date(until)],
            SmsNotice::NotAccepted { case_no }
            | SmsNotice::Progress { case_no }
            | SmsNotice::Outcome { case_no } => vec![case_no.clone()],
        }
    }

    /// The SMS that goes with a mail to a complainant or reporter, if any: the same news,
    /// reduced to the case number and dates.
    pub fn for_consumer(notice: &Notice) -> Option<SmsNotice> {
        let no = |c: &String| c.clone();
        Some(match notice {
            Notice::Acknowledgement { case_no, due, .. } => SmsNotice::Acknowledgement {
                case_no: no(case_no),
                due: *due,
            },
            Notice::Accepted {
                case_no,
                mediation_due,
            } => SmsNotice::Accepted {
                case_no: no(case_no),
                due: *mediation_due,
            },
            Notice::NotAccepted { case_no, .. } => SmsNotice::NotAccepted {
                case_no: no(case_no),
            },
            Notice::IdentityRequest { case_no, due } => SmsNotice::IdentityRequest {
                case_no: no(case_no),
                due: *due,
            },
            Notice::Outcome { case_no, .. } => SmsNotice::Outcome {
                case_no: no(case_no),
            },
            Notice::RatingInvitation { case_no, until, .. } => SmsNotice::RatingInvitation {
                case_no: no(case_no),
                until: *until,
            },
            Notice::ReporterNotice { case_no, .. }
            | Notice::Message { case_no, .. }
            | Notice::NewMessage { case_no, .. }
            | Notice::DocumentIssued { case_no } => SmsNotice::Progress {
                case_no: no(case_no),
            },
            Notice::OdrNotice { .. } | Notice::Reminder { .. } => return None,
        })
    }
}

/// One SMS to one number. `dedupe_key` makes queueing idempotent, as for mail.
#[derive(Debug, Clone)]
pub struct SmsMessage {
    pub dedupe_key: String,
    pub case_id: Option<i64>,
    pub phone: Phone,
    pub notice: SmsNotice,
}

/// Why an SMS was not queued.
#[derive(Debug, thiserror::Error)]
pub enum SmsRefusal {
    /// No SMS provider, or no template for this notice, is configured.
    #[error("SMS is not configured")]
    NotConfigured,
    /// A login code would exceed the per-number limits; try again after this many seconds.
    #[error("too many messages to this number; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: i64 },
    /// A parameter is longer than the provider accepts; sending it cut would be wrong.
    #[error("SMS parameter too long: {0}")]
    TooLong(String),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

impl SmsRefusal {
    /// What to tell the person who asked for a login code, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            SmsRefusal::NotConfigured => "本系统暂未开通短信服务".into(),
            SmsRefusal::RateLimited { retry_after_secs } => {
                format!("短信发送过于频繁，请 {retry_after_secs} 秒后再试")
            }
            SmsRefusal::TooLong(_) | SmsRefusal::Db(_) => "短信暂时无法发送，请稍后再试".into(),
        }
    }
}

/// `[sms]` settings: provider credentials, the bureau's sign name and template ids.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsConfig {
    pub secret_id: String,
    pub secret_key: String,
    pub sdk_app_id: String,
    pub sign_name: String,
    pub region: String,
    /// Provider endpoint, e.g. https://sms.tencentcloudapi.com (a stand-in in tests).
    pub api_base: String,
    /// Template key (see [`SmsNotice::KEYS`]) → the provider's template id.
    pub templates: BTreeMap<String, String>,
    pub limits: SmsLimits,
    pub param_max_chars: usize,
    /// Wakes this server's sender when a login code was queued; clones share it.
    pub wake: SenderWake,
}

/// The wake-up shared by one server's queueing and its sender. Each server has its own, so
/// that servers sharing a process (as tests run them) never send each other's messages.
#[derive(Clone, Default)]
pub struct SenderWake(Arc<tokio::sync::Notify>);

impl SenderWake {
    /// Wakes a waiting sender, or the next one to wait if it is busy right now.
    fn wake(&self) {
        self.0.notify_one();
    }

    /// Resolves when a message that should go out at once (a login code) was queued.
    pub async fn woken(&self) {
        self.0.notified().await;
    }
}

/// Settings compare by what they say; the wake-up is not a setting.
impl PartialEq for SenderWake {
    fn eq(&self, _: &SenderWake) -> bool {
        true
    }
}

impl Eq for SenderWake {}

impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"***")
            .field("sdk_app_id", &self.sdk_app_id)
            .field("sign_name", &self.sign_name)
            .field("api_base", &self.api_base)
            .field("templates", &self.templates)
            .field("limits", &self.limits)
            .finish()
    }
}

/// The stored payload of an SMS row.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Payload {
    template: String,
    params: Vec<String>,
}

/// Queues `msg` in the caller's transaction. `Ok(false)` when its dedupe key exists.
pub fn enqueue_sms(
    conn: &mut Db,
    config: Option<&SmsConfig>,
    msg: &SmsMessage,
    now: NaiveDateTime,
) -> Result<bool, SmsRefusal> {
    let config = config.ok_or(SmsRefusal::NotConfigured)?;
    let key = msg.notice.key();
    if !config.templates.contains_key(key) {
        return Err(SmsRefusal::NotConfigured);
    }
    let params = msg.notice.params();
    if let Some(long) = params
        .iter()
        .find(|p| p.chars().count() > config.param_max_chars)
    {
        return Err(SmsRefusal::TooLong(format!(
            "{key}: {} characters",
            long.chars().count()
        )));
    }
    if outbox::is_known(conn, &msg.dedupe_key)? {
        return Ok(false);
    }
    let phone = msg.phone.as_str();
    let login = matches!(msg.notice, SmsNotice::LoginCode { .. });
    if login {
        let since = now - SmsLimits::HORIZON;
        let recent = outbox::recent_sends(conn, (Channel::Sms, phone, true), since, 1000, true)?;
        if let Some(at) = config.limits.next_allowed(&recent, now) {
            let retry_after_secs = (at - now).num_seconds().max(1);
            return Err(SmsRefusal::RateLimited { retry_after_secs });
        }
    }
    let payload = serde_json::to_string(&Payload {
        template: key.to_owned(),
        params,
    })
    .unwrap_or_default();
    let queued = outbox::insert(
        conn,
        &NewOutboxRow {
            dedupe_key: &msg.dedupe_key,
            case_id: msg.case_id,
            channel: Channel::Sms.as_str(),
            to_addr: phone,
            subject: key,
            body: "",
            payload: Some(&payload),
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            expires_at: login.then_some(now + LOGIN_CODE_TTL),
        },
    )?;
    if queued && login {
        config.wake.wake();
    }
    Ok(queued)
}

/// The payload that replaces a login code's once it was sent or given up.
pub fn scrubbed(row: &OutboxRow) -> Option<String> {
    // Only login codes expire, and only they are secret.
    row.expires_at?;
    let mut payload: Payload = serde_json::from_str(row.payload.as_deref()?).ok()?;
    payload.params.iter_mut().for_each(|p| *p = SCRUBBED.into());
    serde_json::to_string(&payload).ok()
}

/// Sends SMS rows through the configured provider.
pub struct SmsSender {
    config: Arc<SmsConfig>,
    provider: TencentSms,
}

impl SmsSender {
    /// The wake-up that queueing a login code under these settings fires.
    pub fn wake(&self) -> SenderWake {
        self.config.wake.clone()
    }

    pub fn new(config: Arc<SmsConfig>) -> SmsSender {
        SmsSender {
            provider: TencentSms::new(Arc::clone(&config)),
            config,
        }
    }

    pub fn describe(&self) -> String {
        format!("Tencent Cloud SMS at {}", self.config.api_base)
    }

    pub fn limits(&self) -> SmsLimits {
        self.config.limits
    }

    /// One attempt: expired codes are dropped, a number over its limits waits, the rest goes
    /// to the provider.
    pub async fn attempt(
        &self,
        row: &OutboxRow,
        now: DateTime<Utc>,
        recent: &[NaiveDateTime],
    ) -> Attempt {
        let at = now.naive_utc();
        if row.expires_at.is_some_and(|until| until <= at) {
            return Attempt::Expired;
        }
        if let Some(until) = self.config.limits.next_allowed(recent, at) {
            return Attempt::Deferred(until);
        }
        let payload: Payload = match row.payload.as_deref().map(serde_json::from_str) {
            Some(Ok(p)) => p,
            _ => return Attempt::Failed("unreadable SMS payload".into()),
        };
        let Some(template_id) = self.config.templates.get(&payload.template) else {
            return Attempt::Failed(format!("no template configured for {}", payload.template));
        };
        match self
            .provider
            .send(&row.to_addr, template_id, &payload.params, now)
            .await
        {
            Ok(()) => Attempt::Sent,
            Err(e) => Attempt::Failed(e),
        }
    }
}
