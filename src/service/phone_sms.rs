//! Sending the phone sign-in code by SMS through the notification outbox, under the bureau's
//! `login_code` template with the code as its only parameter.

use chrono::NaiveDateTime;

use super::ServiceError;
use crate::domain::ids::Phone;
use crate::notify::{SmsMessage, SmsNotice, SmsRefusal, enqueue_sms};
use crate::secrets::LoginCode;
use crate::store::Db;

/// Queues the SMS carrying `code` to `phone`, in the caller's transaction, keyed on the stored
/// code's row id `code_id` (never the number: the key is printed by `odrdesk outbox status`)
/// and the time. Only numbers that
/// some case gave get here, so a refusal that would differ by number (no SMS service, the
/// channel's own per-number limit) is logged and answered like a sent code: the answer must
/// not tell a number with cases from one without.
pub fn send_code(
    conn: &mut Db,
    sms: Option<&crate::notify::sms::SmsConfig>,
    (phone, code_id): (&Phone, i64),
    code: &LoginCode,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    let msg = SmsMessage {
        dedupe_key: format!("phone-code:{code_id}:{}", now.and_utc().timestamp_micros()),
        case_id: None,
        phone: phone.clone(),
        notice: SmsNotice::LoginCode {
            code: code.as_str().to_owned(),
        },
    };
    match enqueue_sms(conn, sms, &msg, now) {
        Ok(_) => Ok(()),
        Err(SmsRefusal::Db(e)) => Err(e.into()),
        Err(refusal) => {
            tracing::warn!(%refusal, "phone sign-in code not sent");
            Ok(())
        }
    }
}
