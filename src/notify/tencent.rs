//! Tencent Cloud SMS `SendSms` (API version 2021-01-11), signed with TC3-HMAC-SHA256 as the
//! provider documents it ("签名方法 v3").

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::sms::SmsConfig;

pub const DEFAULT_API_BASE: &str = "https://sms.tencentcloudapi.com";
pub const DEFAULT_REGION: &str = "ap-guangzhou";
const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";
const SIGNED_HEADERS: &str = "content-type;host;x-tc-action";

/// HMAC-SHA256 of one message.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    crate::secrets::hmac_sha256(key, &[message])
}

/// The `Authorization` header of a POST with JSON `body` to `host` at `timestamp` (seconds).
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    host: &str,
    body: &str,
    timestamp: i64,
) -> String {
    let date = DateTime::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string();
    let canonical_headers = format!(
        "content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{}\n",
        ACTION.to_lowercase()
    );
    let canonical_request = format!(
        "POST\n/\n\n{canonical_headers}\n{SIGNED_HEADERS}\n{}",
        hex::encode(Sha256::digest(body.as_bytes()))
    );
    let scope = format!("{date}/{SERVICE}/tc3_request");
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, SERVICE.as_bytes());
    let secret_signing = hmac_sha256(&secret_service, b"tc3_request");
    let signature = hex::encode(hmac_sha256(&secret_signing, string_to_sign.as_bytes()));
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={SIGNED_HEADERS}, \
         Signature={signature}"
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    response: AnswerBody,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AnswerBody {
    error: Option<ApiError>,
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    code: String,
    #[serde(default)]
    message: String,
}

pub struct TencentSms {
    config: Arc<SmsConfig>,
}

impl TencentSms {
    pub fn new(config: Arc<SmsConfig>) -> TencentSms {
        TencentSms { config }
    }

    /// Sends one templated message to an 11-digit mainland number. The error names the
    /// provider's code (e.g. `LimitExceeded.PhoneNumberDailyLimit`), never the parameters.
    pub async fn send(
        &self,
        phone: &str,
        template_id: &str,
        params: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let cfg = &self.config;
        let url =
            reqwest::Url::parse(&cfg.api_base).map_err(|e| format!("bad SMS API base: {e}"))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err("SMS API base has no host".into()),
        };
        let body = json!({
            "PhoneNumberSet": [format!("+86{phone}")],
            "SmsSdkAppId": cfg.sdk_app_id,
            "SignName": cfg.sign_name,
            "TemplateId": template_id,
            "TemplateParamSet": params,
        })
        .to_string();
        let timestamp = now.timestamp();
        let auth = authorization(&cfg.secret_id, &cfg.secret_key, &host, &body, timestamp);
        let client = super::http_client()?;
        let res = client
            .post(url)
            .header("Authorization", auth)
            .header("Content-Type", CONTENT_TYPE)
            .header("X-TC-Action", ACTION)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &cfg.region)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("SMS provider unreachable: {}", e.without_url()))?;
        let status = res.status();
        if !status.is_success() {
            return Err(format!("SMS provider answered HTTP {status}"));
        }
        let answer: Answer = res
            .json()
            .await
            .map_err(|e| format!("unreadable SMS provider answer: {}", e.without_url()))?;
        interpret(answer.response)
    }
}

fn interpret(answer: AnswerBody) -> Result<(), String> {
    if let Some(e) = answer.error {
        return Err(format!("{}: {}", e.code, e.message));
    }
    match answer.send_status_set.first() {
        Some(s) if s.code == "Ok" => Ok(()),
        Some(s) => Err(format!("{}: {}", s.code, s.message)),
        None => Err("SMS provider answered without a send status".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than a block is hashed first.
        let mac = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn the_authorization_names_the_scope_of_the_day_and_the_signed_headers() {
        let auth = authorization(
            "AKID",
            "key",
            "sms.tencentcloudapi.com",
            "{}",
            1_551_113_065,
        );
        assert!(
            auth.starts_with(
                "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/sms/tc3_request, \
                 SignedHeaders=content-type;host;x-tc-action, Signature="
            ),
            "{auth}"
        );
        let again = authorization(
            "AKID",
            "key",
            "sms.tencentcloudapi.com",
            "{}",
            1_551_113_065,
        );
        assert_eq!(auth, again);
        assert_ne!(
            auth,
            authorization(
                "AKID",
                "key",
                "sms.tencentcloudapi.com",
                "{ }",
                1_551_113_065
            )
        );
    }

    #[test]
    fn provider_errors_become_failures_with_their_code() {
        let failed: AnswerBody = serde_json::from_str(
            r#"{"SendStatusSet":[{"Code":"LimitExceeded.PhoneNumberDailyLimit","Message":"daily limit"}],"RequestId":"x"}"#,
        )
        .unwrap();
        assert!(
            interpret(failed)
                .unwrap_err()
                .starts_with("LimitExceeded.PhoneNumberDailyLimit")
        );
        let error: AnswerBody = serde_json::from_str(
            r#"{"Error":{"Code":"AuthFailure.SignatureFailure","Message":"bad"},"RequestId":"x"}"#,
        )
        .unwrap();
        assert!(interpret(error).unwrap_err().starts_with("AuthFailure"));
        let ok: AnswerBody =
            serde_json::from_str(r#"{"SendStatusSet":[{"Code":"Ok","Message":"send success"}]}"#)
                .unwrap();
        assert_eq!(interpret(ok), Ok(()));
    }
}
