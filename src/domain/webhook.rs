//! Webhooks for ODR businesses: which step tells a business what (`event_for_step`), the
//! endpoint URL a business registers (`WebhookUrl`), the body of an event (ids and types only)
//! and the retry schedule (`next_attempt`). Pure: signing, sealing and sending are elsewhere.
//!
//! Order 121 Art. 37: a reported business must not learn of a report, so nothing here ever
//! names an event for a report.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::FieldError;
use super::case::{CaseKind, CaseState};
use super::workflow::{Actor, Command, Recipient};

/// How long a delivery is retried before it is given up as dead.
pub const RETRY_FOR: Duration = Duration::hours(24);
/// The first wait after a failure; each further failure doubles it, up to `MAX_BACKOFF`.
pub const FIRST_BACKOFF: Duration = Duration::seconds(30);
pub const MAX_BACKOFF: Duration = Duration::hours(1);
/// The longest endpoint URL accepted.
pub const MAX_URL_CHARS: usize = 500;

/// What happened to a business's complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EventType {
    /// A complaint against the business was routed to it for direct negotiation (ODR).
    #[serde(rename = "case.created")]
    CaseCreated,
    /// Someone on the case (the consumer, or the mediator) wrote to the business.
    #[serde(rename = "case.message")]
    CaseMessage,
    /// A clock of the case is about to run out.
    #[serde(rename = "case.deadline_reminder")]
    CaseDeadlineReminder,
    /// The case changed state: accepted, not accepted, settled, terminated, withdrawn …
    #[serde(rename = "case.decision")]
    CaseDecision,
}

impl EventType {
    pub const ALL: [EventType; 4] = [
        EventType::CaseCreated,
        EventType::CaseMessage,
        EventType::CaseDeadlineReminder,
        EventType::CaseDecision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::CaseCreated => "case.created",
            EventType::CaseMessage => "case.message",
            EventType::CaseDeadlineReminder => "case.deadline_reminder",
            EventType::CaseDecision => "case.decision",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            EventType::CaseCreated => "新案件",
            EventType::CaseMessage => "新留言",
            EventType::CaseDeadlineReminder => "期限提醒",
            EventType::CaseDecision => "处理结果",
        }
    }
}

/// Whether a case of `kind` may ever reach its business by webhook: complaints only, never a
/// report (Order 121 Art. 37).
pub fn reaches_business(kind: CaseKind) -> bool {
    kind == CaseKind::Complaint
}

/// The event a step on a case sends its business, if any. `to` is the state the step
/// entered (`None` when it left the state as it was).
pub fn event_for_step(
    kind: CaseKind,
    actor: Actor,
    command: &Command,
    to: Option<CaseState>,
) -> Option<EventType> {
    if !reaches_business(kind) || actor == Actor::Enterprise {
        return None;
    }
    match (command, to) {
        (_, Some(CaseState::OdrNegotiation)) => Some(EventType::CaseCreated),
        (_, Some(_)) => Some(EventType::CaseDecision),
        (
            Command::Message {
                to: Recipient::Enterprise,
                ..
            },
            None,
        ) => Some(EventType::CaseMessage),
        _ => None,
    }
}

/// The body a business receives: ids, types and dates; never a party's words or personal
/// data. The business reads the case with its API key at `api_path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventBody {
    /// Unique per event; a redelivery carries the same id (also in `X-Odrdesk-Event-Id`).
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the event happened (UTC, RFC 3339).
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventData {
    pub case_no: String,
    /// The case's state after the event (stored code, e.g. `odr_negotiation`, `settled`).
    pub state: String,
    /// The case on the API: `GET` it with the API key, `POST {api_path}/actions` to answer.
    pub api_path: String,
    /// The due date of the clock a reminder is about (China date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
}

/// When to try again after the `failures`-th failed attempt of a delivery created at
/// `created_at`: 30 s, 1 min, 2 min … at most an hour apart; `None` once that would be past
/// `RETRY_FOR` (the delivery is dead).
pub fn next_attempt(
    created_at: NaiveDateTime,
    failures: i32,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    let exp = u32::try_from(failures.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
    let wait = (FIRST_BACKOFF * (1i32 << exp)).min(MAX_BACKOFF);
    let next = now + wait;
    (next <= created_at + RETRY_FOR).then_some(next)
}

/// An endpoint a business registered: `https://host[:port]/path`, or, where the server allows
/// it for development and tests, `http://127.0.0.1` or `http://localhost`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    text: String,
    host: String,
    port: u16,
}

impl WebhookUrl {
    pub fn parse(raw: &str, allow_loopback_http: bool) -> Result<WebhookUrl, FieldError> {
        let text = raw.trim();
        let bad = |message: &str| FieldError::new("bad_webhook_url", message);
        if text.is_empty() || text.chars().count() > MAX_URL_CHARS {
            return Err(bad("请填写不超过 500 个字符的接收地址"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("接收地址不能含空格"));
        }
        let (https, rest) = if let Some(rest) = text.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = text.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(bad("接收地址须以 https:// 开头"));
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(bad("接收地址不能含用户名或密码"));
        }
        let (host, port) = split_host_port(authority, if https { 443 } else { 80 })
            .ok_or_else(|| bad("接收地址的主机名或端口无效"))?;
        if !(https || allow_loopback_http && is_loopback_name(&host)) {
            return Err(bad("接收地址须以 https:// 开头"));
        }
        Ok(WebhookUrl {
            text: text.to_owned(),
            host,
            port,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The host name or address, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

fn is_loopback_name(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

fn split_host_port(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    let port = match port {
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0)?,
        None => default_port,
    };
    host_ok.then(|| (host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t + Duration::hours(h))
            .unwrap()
    }

    #[test]
    fn urls_must_be_https_unless_loopback_is_allowed() {
        let u = WebhookUrl::parse(" https://Hooks.Example.com:8443/odr?x=1 ", false).unwrap();
        assert_eq!(u.host(), "hooks.example.com");
        assert_eq!(u.port(), 8443);
        assert_eq!(u.as_str(), "https://Hooks.Example.com:8443/odr?x=1");
        assert_eq!(
            WebhookUrl::parse("https://example.com", false)
                .unwrap()
                .port(),
            443
        );
        for refused in [
            "http://example.com/hook",
            "ftp://example.com",
            "https://user:pw@example.com/",
            "https://exa mple.com/",
            "https://:443/",
            "https://example.com:0/",
            "https://example.com:99999/",
            "",
        ] {
            assert!(WebhookUrl::parse(refused, true).is_err(), "{refused}");
        }
        assert!(WebhookUrl::parse("http://127.0.0.1:9000/h", false).is_err());
        let dev = WebhookUrl::parse("http://127.0.0.1:9000/h", true).unwrap();
        assert_eq!((dev.host(), dev.port()), ("127.0.0.1", 9000));
        assert!(WebhookUrl::parse("http://localhost/h", true).is_ok());
        assert!(WebhookUrl::parse("http://10.0.0.1/h", true).is_err());
        let v6 = WebhookUrl::parse("https://[::1]:8443/", false).unwrap();
        assert_eq!(v6.host(), "::1");
    }

    #[test]
    fn retries_double_up_to_an_hour_and_stop_after_a_day() {
        let created = at(0);
        assert_eq!(
            next_attempt(created, 1, created),
            Some(created + Duration::seconds(30))
        );
        assert_eq!(
            next_attempt(created, 3, created),
            Some(created + Duration::seconds(120))
        );
        assert_eq!(
            next_attempt(created, 30, at(10)),
            Some(at(11)),
            "at most an hour apart"
        );
        assert_eq!(next_attempt(created, 30, at(23)), Some(at(24)));
        assert_eq!(next_attempt(created, 31, at(24)), None, "dead after 24 h");
    }

    #[test]
    fn a_report_never_makes_an_event_and_a_business_is_not_told_of_its_own_steps() {
        let message = Command::Message {
            to: Recipient::Enterprise,
            text: "请尽快退款".into(),
        };
        let terminate = Command::ConsumerAccept;
        for (command, to) in [
            (&message, None),
            (&terminate, Some(CaseState::MediationTerminated)),
            (&terminate, Some(CaseState::OdrNegotiation)),
        ] {
            assert_eq!(
                event_for_step(CaseKind::Report, Actor::Mediator, command, to),
                None
            );
            assert_eq!(
                event_for_step(CaseKind::Complaint, Actor::Enterprise, command, to),
                None
            );
        }
        assert_eq!(
            event_for_step(CaseKind::Complaint, Actor::Consumer, &message, None),
            Some(EventType::CaseMessage)
        );
        assert_eq!(
            event_for_step(
                CaseKind::Complaint,
                Actor::Mediator,
                &terminate,
                Some(CaseState::MediationTerminated)
            ),
            Some(EventType::CaseDecision)
        );
        let to_mediator = Command::Message {
            to: Recipient::Mediator,
            text: String::new(),
        };
        assert_eq!(
            event_for_step(CaseKind::Complaint, Actor::Consumer, &to_mediator, None),
            None
        );
    }
}
