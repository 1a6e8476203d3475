//! Notices through a transactional outbox: `enqueue` (mail) and `enqueue_sms` write a message
//! in the caller's transaction; one background sender delivers every channel later — mail by
//! SMTP or as `.eml` files, SMS through the provider — and dead-letters what keeps failing.

pub mod channel;
pub mod ops;
pub mod sender;
pub mod sms;
pub mod templates;
pub mod tencent;
pub mod wechat;

pub use crate::store::outbox::enqueue;
pub use channel::{Channel, Channels, NoticeSettings};
pub use sender::{
    DeliveryReport, MailError, MailTransport, SenderHandle, deliver_due, eml_file_name,
    spawn_sender,
};
pub use sms::{SmsMessage, SmsNotice, SmsRefusal, enqueue_sms};

/// The HTTP client of the provider APIs (SMS, WeChat): short timeouts, ring TLS.
pub(crate) fn http_client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, String>> =
        std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            crate::auth::wechat::install_crypto_provider();
            reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .timeout(std::time::Duration::from_secs(15))
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| format!("HTTP client: {e}"))
}

use chrono::NaiveDate;

/// What a message says; rendered into Chinese subject and body by `templates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// To the complainant or reporter after intake. The tracking token is never mailed: it is
    /// shown only on the confirmation after filing.
    Acknowledgement {
        case_no: String,
        kind_label: String,
        due: NaiveDate,
        track_url: String,
        /// The link that proves the address is the submitter's; `None` when staff keyed it in.
        verify_url: Option<String>,
    },
    Accepted {
        case_no: String,
        mediation_due: NaiveDate,
    },
    NotAccepted {
        case_no: String,
        reason: String,
    },
    /// To an ODR enterprise: a complaint awaits its direct negotiation.
    OdrNotice {
        case_no: String,
        title: String,
        due: NaiveDate,
    },
    /// To the assignee, two working days before a clock runs out.
    Reminder {
        case_no: String,
        clock_label: String,
        due: NaiveDate,
    },
    /// Settled, terminated, withdrawn, transferred…
    Outcome {
        case_no: String,
        outcome: String,
    },
    RatingInvitation {
        case_no: String,
        until: NaiveDate,
        track_url: String,
    },
    /// To a reporter: whether a case was opened.
    ReporterNotice {
        case_no: String,
        outcome: String,
    },
    /// A message the bureau wrote. Only bureau text may be mailed under its name.
    Message {
        case_no: String,
        from: String,
        text: String,
    },
    /// A party wrote something for the recipient: read it at `url`, never in the mail.
    NewMessage {
        case_no: String,
        url: String,
    },
    /// To the complainant: prove your identity by `due` (限期提供身份证明材料, Order 121 Art. 10).
    IdentityRequest {
        case_no: String,
        due: NaiveDate,
    },
    /// To the business: a document addressed to both parties of its complaint was issued
    /// (the mail's `document` names it).
    DocumentIssued {
        case_no: String,
    },
}

/// An issued document a mail names and links to: where the recipient reads it as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLink {
    /// e.g. 投诉受理决定书.
    pub title: String,
    /// e.g. 江蓬市监投受〔2026〕第15号.
    pub number: String,
    pub url: String,
}

/// One message to one address. `dedupe_key` makes enqueueing idempotent: a second enqueue
/// with the same key is ignored, so a retried transaction never mails twice.
#[derive(Debug, Clone)]
pub struct Mail {
    pub dedupe_key: String,
    pub case_id: Option<i64>,
    pub to: String,
    pub notice: Notice,
    /// The document the step issued to this recipient, if any.
    pub document: Option<DocumentLink>,
}
