//! Delivery of the outbox, every channel in one loop: mail by SMTP when `ODRDESK_SMTP_URL` is
//! set, otherwise as `.eml` files under `<data-dir>/outbox/`; SMS through the provider.
//!
//! Each message is claimed with a lease before it is sent, so no two senders send the same
//! row at once. A crash between delivery and marking can repeat a message; a mail then carries
//! the same `Message-ID`, which receivers use to drop the duplicate. A message that failed
//! `max_attempts` times is dead-lettered.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::{Digest, Sha256};
use tokio::sync::oneshot;

use super::channel::{Attempt, Channel, Channels};
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::sms_limits::SmsLimits;
use crate::store::outbox::{self, OutboxRow};
use crate::store::{Db, DbPool, StoreError};

/// How long a claimed message is reserved for its sender; far longer than one SMTP exchange.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(10);
/// Messages handled per pass of the background sender.
pub const BATCH: usize = 50;
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// After a wake-up, the next pass comes this soon (the queueing transaction may not have
/// committed at the first).
const WAKE_RECHECK: Duration = Duration::from_millis(250);

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid mail sender address {0:?} (ODRDESK_MAIL_FROM): {1}")]
    From(String, String),
    #[error("invalid ODRDESK_SMTP_URL {0}: {1}")]
    SmtpUrl(String, String),
    #[error("cannot create mail directory {0}: {1}")]
    Dir(PathBuf, std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("mail task failed: {0}")]
    Task(String),
}

enum Kind {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(PathBuf),
}

/// Where mail goes, and as whom.
pub struct MailTransport {
    kind: Kind,
    from: Mailbox,
    id_domain: String,
    description: String,
}

impl std::fmt::Debug for MailTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailTransport")
            .field("to", &self.description)
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl MailTransport {
    pub fn from_settings(settings: &Settings) -> Result<MailTransport, MailError> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| MailError::From(settings.mail_from.clone(), format!("{e}")))?;
        let id_domain = from.email.domain().to_owned();
        let (kind, description) = match settings.smtp_url.as_deref() {
            Some(url) if !url.trim().is_empty() => {
                let shown = redact_url(url);
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::SmtpUrl(shown.clone(), e.to_string()))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                (Kind::Smtp(transport), shown)
            }
            _ => {
                let dir = settings.outbox_dir();
                std::fs::create_dir_all(&dir).map_err(|e| MailError::Dir(dir.clone(), e))?;
                let shown = format!("files in {}", dir.display());
                (Kind::File(dir), shown)
            }
        };
        Ok(MailTransport {
            kind,
            from,
            id_domain,
            description,
        })
    }

    /// The destination without credentials, for logs.
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Builds the message of an outbox row; the same row always gets the same Message-ID.
    pub fn message(&self, row: &OutboxRow, now: DateTime<Utc>) -> Result<Message, String> {
        let to: Mailbox = row
            .to_addr
            .parse()
            .map_err(|e| format!("invalid recipient address: {e}"))?;
        Message::builder()
            .message_id(Some(message_id(row, &self.id_domain)))
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .date(SystemTime::from(now))
            .header(ContentType::TEXT_PLAIN)
            .body(row.body.clone())
            .map_err(|e| format!("cannot build message: {e}"))
    }

    pub(super) async fn send(&self, row: &OutboxRow, now: DateTime<Utc>) -> Result<(), String> {
        let message = self.message(row, now)?;
        match &self.kind {
            Kind::Smtp(t) => t.send(message).await.map(drop).map_err(|e| e.to_string()),
            Kind::File(dir) => {
                // The directory may have been removed since start-up.
                tokio::fs::create_dir_all(dir)
                    .await
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                // Named by the outbox row, so that anonymising a case finds its mail; written
                // under a temporary name first, so no reader sees half a message.
                let path = dir.join(eml_file_name(row.id));
                let tmp = path.with_extension("eml.tmp");
                tokio::fs::write(&tmp, message.formatted())
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
                tokio::fs::rename(&tmp, &path)
                    .await
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))
            }
        }
    }
}

/// The file a mail of outbox row `id` is written to without SMTP: `<id>.eml`.
pub fn eml_file_name(id: i64) -> String {
    format!("{id}.eml")
}

/// `<odrdesk.{id}.{hash of the dedupe key}@{sender domain}>`.
pub fn message_id(row: &OutboxRow, domain: &str) -> String {
    let digest = Sha256::digest(row.dedupe_key.as_bytes());
    format!(
        "<odrdesk.{}.{}@{domain}>",
        row.id,
        hex::encode(&digest[..12])
    )
}

fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub failed: usize,
    /// Held back by a per-recipient limit (not an attempt).
    pub deferred: usize,
    /// Given up: too many failures, or expired.
    pub dead: usize,
}

impl DeliveryReport {
    pub fn handled(&self) -> usize {
        self.sent + self.failed + self.deferred + self.dead
    }
}

async fn db<T, F>(pool: &DbPool, f: F) -> Result<T, MailError>
where
    T: Send + 'static,
    F: FnOnce(&mut Db) -> Result<T, diesel::result::Error> + Send + 'static,
{
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = pool.get().map_err(StoreError::from)?;
        f(&mut conn).map_err(StoreError::from)
    })
    .await
    .map_err(|e| MailError::Task(e.to_string()))?
    .map_err(MailError::from)
}

/// Sends up to `batch` messages due at `now`, one claim at a time, each by its channel. A
/// message that fails is rescheduled with back-off, or dead-lettered after
/// `channels.max_attempts` failures, and the pass goes on with the next one.
pub async fn deliver_due(
    pool: &DbPool,
    channels: &Channels,
    now: DateTime<Utc>,
    batch: usize,
) -> Result<DeliveryReport, MailError> {
    let at = now.naive_utc();
    let lease_until = at + LEASE;
    let mut report = DeliveryReport::default();
    while report.handled() < batch {
        let claimed = db(pool, move |c| outbox::claim_due(c, at, lease_until, 1)).await?;
        let Some(row) = claimed.into_iter().next() else {
            break;
        };
        let recent = match row.channel() {
            Some(Channel::Sms) => {
                let (to, code) = (row.to_addr.clone(), row.expires_at.is_some());
                let since = at - SmsLimits::HORIZON;
                db(pool, move |c| {
                    outbox::recent_sends(c, (Channel::Sms, &to, code), since, 1000, false)
                })
                .await?
            }
            _ => Vec::new(),
        };
        let (id, attempts) = (row.id, row.attempts);
        let scrubbed = super::sms::scrubbed(&row);
        match channels.attempt(&row, now, &recent).await {
            Attempt::Sent => {
                mark_sent(pool, id, now, scrubbed).await?;
                report.sent += 1;
            }
            Attempt::Deferred(until) => {
                db(pool, move |c| outbox::defer(c, id, until)).await?;
                report.deferred += 1;
            }
            Attempt::Expired => {
                db(pool, move |c| {
                    outbox::mark_dead(c, id, attempts, at, "expired unsent", scrubbed.as_deref())
                })
                .await?;
                report.dead += 1;
            }
            Attempt::Failed(error) if attempts.saturating_add(1) >= channels.max_attempts => {
                tracing::error!(outbox_id = id, channel = %row.channel, attempts = attempts + 1, %error, "message dead-lettered");
                db(pool, move |c| {
                    outbox::mark_dead(c, id, attempts + 1, at, &error, scrubbed.as_deref())
                })
                .await?;
                report.dead += 1;
            }
            Attempt::Failed(error) => {
                tracing::warn!(outbox_id = id, channel = %row.channel, attempts = attempts + 1, %error, "message not delivered; will retry");
                db(pool, move |c| {
                    outbox::record_failure(c, id, attempts, at, &error)
                })
                .await?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// Marking after a delivery is retried briefly: until it succeeds the row stays leased, and
/// after the lease it would be sent again (with the same Message-ID).
async fn mark_sent(
    pool: &DbPool,
    id: i64,
    now: DateTime<Utc>,
    scrubbed: Option<String>,
) -> Result<(), MailError> {
    let at = now.naive_utc();
    let mut tries = 0;
    loop {
        let payload = scrubbed.clone();
        match db(pool, move |c| {
            outbox::mark_sent_scrubbed(c, id, at, payload.as_deref())
        })
        .await
        {
            Ok(_) => return Ok(()),
            Err(e) if tries < 5 => {
                tries += 1;
                tracing::warn!(outbox_id = id, error = %e, "cannot mark mail as sent; retrying");
                tokio::time::sleep(Duration::from_millis(200 * tries)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Stops the background sender when dropped.
#[derive(Debug)]
pub struct SenderHandle {
    _stop: oneshot::Sender<()>,
}

/// Resolves when `wake` fires; never without SMS settings, as only login codes wake.
async fn woken(wake: Option<&super::sms::SenderWake>) {
    match wake {
        Some(wake) => wake.woken().await,
        None => std::future::pending().await,
    }
}

/// Starts the background sender on the current Tokio runtime: a pass every
/// `settings.mail_poll_ms` (the first one after that interval), and at once when a login code
/// was queued, until the returned handle is dropped. Without a runtime it logs an error and
/// returns `None`.
pub fn spawn_sender(
    pool: DbPool,
    transport: Arc<Channels>,
    clock: Arc<dyn Clock>,
    settings: &Settings,
) -> Option<SenderHandle> {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::error!("mail sender not started: no async runtime");
        return None;
    };
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
    let every = Duration::from_millis(settings.mail_poll_ms.max(10));
    let inner = runtime.clone();
    runtime.spawn(async move {
        tracing::info!(transport = transport.describe(), "outbox sender started");
        let mut pause = every;
        let wake = transport.sms.as_ref().map(super::sms::SmsSender::wake);
        loop {
            // A wake-up may come before the queueing transaction commits: look again shortly.
            let woken = tokio::select! {
                _ = &mut stop_rx => break,
                () = tokio::time::sleep(pause) => false,
                () = woken(wake.as_ref()) => true,
            };
            let (pool, transport, now) = (pool.clone(), Arc::clone(&transport), clock.now());
            // Its own task, so that even a panic in one pass does not end the loop.
            let pass = inner.spawn(async move { deliver_due(&pool, &transport, now, BATCH).await });
            let more = match pass.await {
                Ok(Ok(report)) => {
                    if report.handled() > 0 {
                        tracing::info!(
                            sent = report.sent,
                            failed = report.failed,
                            deferred = report.deferred,
                            dead = report.dead,
                            "outbox pass"
                        );
                    }
                    report.handled() >= BATCH
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "mail pass failed; will retry");
                    false
                }
                Err(e) => {
                    tracing::error!(error = %e, "mail pass aborted; will retry");
                    false
                }
            };
            pause = match (more, woken) {
                (true, _) => Duration::ZERO,
                (false, true) => every.min(WAKE_RECHECK),
                (false, false) => every,
            };
        }
        tracing::info!("mail sender stopped");
    });
    Some(SenderHandle { _stop: stop_tx })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn settings(dir: &std::path::Path, smtp: Option<&str>) -> Settings {
        let mut s = Settings::for_data_dir(dir, None);
        s.smtp_url = smtp.map(str::to_owned);
        s
    }

    #[test]
    fn every_kind_of_smtp_url_builds_and_passwords_stay_out_of_logs() {
        let dir = tempfile::tempdir().unwrap();
        for url in [
            "smtp://127.0.0.1:2525",
            "smtps://user:s3cret@mail.example.cn:465",
            "smtp://user:s3cret@mail.example.cn:587?tls=required",
        ] {
            let t = MailTransport::from_settings(&settings(dir.path(), Some(url))).unwrap();
            assert!(!t.describe().contains("s3cret"), "{}", t.describe());
            assert!(!format!("{t:?}").contains("s3cret"));
        }
        let bad = MailTransport::from_settings(&settings(dir.path(), Some("ftp://x")));
        assert!(matches!(bad, Err(MailError::SmtpUrl(..))));
        let mut s = settings(dir.path(), None);
        s.mail_from = "不是地址".into();
        assert!(matches!(
            MailTransport::from_settings(&s),
            Err(MailError::From(..))
        ));
        let files = MailTransport::from_settings(&settings(dir.path(), None)).unwrap();
        assert!(files.describe().contains("outbox"));
        assert!(dir.path().join("outbox").is_dir());
    }

    #[test]
    fn a_row_always_becomes_the_same_message_id_with_encoded_chinese_headers() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = settings(dir.path(), None);
        s.mail_from = "江门市市场监督管理局 <noreply@amr.jiangmen.gov.cn>".into();
        let t = MailTransport::from_settings(&s).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap();
        let row = OutboxRow {
            id: 7,
            dedupe_key: "TS-2026-000001/intake/complainant".into(),
            case_id: Some(1),
            to_addr: "zhang@example.com".into(),
            subject: "【江门市市场监督管理局】您的投诉已收到（编号 TS-2026-000001）".into(),
            body: "您好：\n\n正文\n".into(),
            created_at: at.naive_utc(),
            attempts: 0,
            next_attempt_at: at.naive_utc(),
            lease_until: None,
            sent_at: None,
            last_error: None,
            channel: "email".into(),
            payload: None,
            dead_at: None,
            expires_at: None,
        };
        let first = t.message(&row, at).unwrap().formatted();
        let again = t.message(&row, at + chrono::Duration::hours(1)).unwrap();
        let id = message_id(&row, "amr.jiangmen.gov.cn");
        assert!(id.starts_with("<odrdesk.7."), "{id}");
        let text = String::from_utf8_lossy(&first);
        assert!(text.contains(&format!("Message-ID: {id}")), "{text}");
        assert!(String::from_utf8_lossy(&again.formatted()).contains(&id));
        let headers = text.split("\r\n\r\n").next().unwrap_or_default();
        assert!(headers.is_ascii(), "{headers}");
        let mut other = row.clone();
        other.dedupe_key.push('x');
        assert_ne!(message_id(&other, "amr.jiangmen.gov.cn"), id);
        let mut bad = row;
        bad.to_addr = "nobody".into();
        assert!(t.message(&bad, at).is_err());
    }
}
