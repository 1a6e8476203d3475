//! Notification channels: SMS through the provider stand-in (signature and template
//! parameters checked), per-number limits, retries and dead letters, login codes, consent,
//! and WeChat subscription messages through the stand-in of WeChat's token and send endpoints.

mod sms;
mod sms_outbox;
mod wechat;

use odrdesk::notify::{SmsMessage, SmsNotice, SmsRefusal, enqueue_sms};
use odrdesk::store;

use super::mail::{pool, with_db};
use crate::TestApp;

/// Queues one SMS in its own committed transaction, as a use case would.
pub async fn queue_sms(
    app: &TestApp,
    key: &str,
    phone: &str,
    notice: SmsNotice,
    at: chrono::NaiveDateTime,
) -> Result<bool, SmsRefusal> {
    let msg = SmsMessage {
        dedupe_key: key.to_owned(),
        case_id: None,
        phone: phone.parse().expect("a mobile number"),
        notice,
    };
    let config = app.settings.sms.clone();
    with_db(&pool(app), move |c| {
        store::write_transaction::<_, SmsRefusal>(c, |c| enqueue_sms(c, config.as_ref(), &msg, at))
    })
    .await
}

pub fn progress(case_no: &str) -> SmsNotice {
    SmsNotice::Progress {
        case_no: case_no.to_owned(),
    }
}
