//! Loopback stand-ins for the providers we cannot reach from tests, each to its documented
//! contract: Tencent Cloud SMS `SendSms` (which recomputes the TC3-HMAC-SHA256 signature of
//! every request from the secret it shares with the test), and WeChat's `stable_token` and
//! `subscribeMessage.send`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use odrdesk::domain::sms_limits::SmsLimits;
use odrdesk::notify::sms::SmsConfig;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const SECRET_ID: &str = "AKIDtestsecretid";
pub const SECRET_KEY: &str = "test-secret-key";
pub const SDK_APP_ID: &str = "1400000001";
pub const SIGN_NAME: &str = "江门市市场监督管理局";

/// One `SendSms` request as the stand-in understood it.
#[derive(Debug, Clone)]
pub struct SmsReceipt {
    pub phone: String,
    pub template_id: String,
    pub params: Vec<String>,
    pub sign_name: String,
    pub sdk_app_id: String,
    /// The Authorization header matched the signature recomputed here.
    pub signature_ok: bool,
    pub action: String,
    pub version: String,
}

/// HMAC-SHA256 written out from RFC 2104, independently of the library the server uses.
pub fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = if key.len() > 64 {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(64, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::digest([ipad.as_slice(), msg].concat());
    Sha256::digest([opad.as_slice(), inner.as_slice()].concat()).to_vec()
}

/// Recomputes the TC3 signature of a request as the provider does: the canonical request from
/// the headers the client says it signed, the day and service from the credential scope.
fn signature_ok(req: &HttpRequest, body: &[u8]) -> bool {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let auth = header("authorization");
    let Some(rest) = auth.strip_prefix("TC3-HMAC-SHA256 ") else {
        return false;
    };
    let part = |name: &str| {
        rest.split(", ")
            .find_map(|p| p.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    };
    let (credential, signed, signature) =
        (part("Credential"), part("SignedHeaders"), part("Signature"));
    let mut scope = credential.splitn(2, '/');
    let (Some(id), Some(scope)) = (scope.next(), scope.next()) else {
        return false;
    };
    let mut pieces = scope.split('/');
    let (Some(date), Some(service), Some("tc3_request")) =
        (pieces.next(), pieces.next(), pieces.next())
    else {
        return false;
    };
    let timestamp: i64 = header("x-tc-timestamp").parse().unwrap_or(0);
    let day = chrono::DateTime::from_timestamp(timestamp, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    if id != SECRET_ID || day != date || service != "sms" {
        return false;
    }
    let canonical_headers: String = signed
        .split(';')
        .map(|h| format!("{h}:{}\n", header(h).to_lowercase().trim()))
        .collect();
    let canonical = format!(
        "POST\n/\n\n{canonical_headers}\n{signed}\n{}",
        hex::encode(Sha256::digest(body))
    );
    let to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let k_date = hmac(format!("TC3{SECRET_KEY}").as_bytes(), date.as_bytes());
    let k_service = hmac(&k_date, service.as_bytes());
    let k_signing = hmac(&k_service, b"tc3_request");
    hex::encode(hmac(&k_signing, to_sign.as_bytes())) == signature
}

#[derive(Default)]
struct SmsState {
    receipts: Vec<SmsReceipt>,
    /// Answers to give, in order, instead of success: a provider error code per request.
    failures: VecDeque<String>,
    delay: Duration,
}

/// The Tencent Cloud SMS stand-in.
pub struct SmsStandIn {
    pub base: String,
    state: Arc<Mutex<SmsState>>,
    handle: ServerHandle,
}

impl SmsStandIn {
    pub fn start() -> SmsStandIn {
        let state = Arc::new(Mutex::new(SmsState::default()));
        let shared = state.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let server = HttpServer::new(move || {
            let shared = shared.clone();
            App::new().route(
                "/",
                web::post().to(move |req: HttpRequest, body: web::Bytes| {
                    let shared = shared.clone();
                    async move { answer_sms(&shared, &req, &body).await }
                }),
            )
        })
        .workers(1)
        .keep_alive(actix_web::http::KeepAlive::Disabled)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        SmsStandIn {
            base,
            state,
            handle,
        }
    }

    /// Settings that send SMS here, with every template configured and no per-number limits.
    pub fn config(&self) -> SmsConfig {
        SmsConfig {
            secret_id: SECRET_ID.into(),
            secret_key: SECRET_KEY.into(),
            sdk_app_id: SDK_APP_ID.into(),
            sign_name: SIGN_NAME.into(),
            region: "ap-guangzhou".into(),
            api_base: self.base.clone(),
            templates: odrdesk::notify::SmsNotice::KEYS
                .iter()
                .enumerate()
                .map(|(i, k)| ((*k).to_owned(), format!("{}", 2_000_000 + i)))
                .collect(),
            limits: SmsLimits {
                per_minute: 0,
                per_hour: 0,
                per_day: 0,
            },
            param_max_chars: 20,
            wake: Default::default(),
        }
    }

    /// The next requests fail with these provider error codes.
    pub fn fail_with(&self, codes: &[&str]) {
        let mut state = self.state.lock().unwrap();
        state.failures.extend(codes.iter().map(|c| (*c).to_owned()));
    }

    /// Every answer waits this long (to catch a sender mid-run).
    pub fn slow_down(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    pub fn receipts(&self) -> Vec<SmsReceipt> {
        self.state.lock().unwrap().receipts.clone()
    }

    /// Waits until `n` messages were accepted (or `wait` passed) and returns all receipts.
    pub async fn wait_for(&self, n: usize, wait: Duration) -> Vec<SmsReceipt> {
        let deadline = Instant::now() + wait;
        loop {
            let got = self.receipts();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for SmsStandIn {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

async fn answer_sms(state: &Mutex<SmsState>, req: &HttpRequest, body: &[u8]) -> HttpResponse {
    let delay = state.lock().unwrap().delay;
    tokio::time::sleep(delay).await;
    let sent: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let signature_ok = signature_ok(req, body);
    if !signature_ok {
        return HttpResponse::Ok().json(json!({"Response": {
            "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "The provided credentials could not be validated."},
            "RequestId": "stand-in"}}));
    }
    let phone = sent["PhoneNumberSet"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut state = state.lock().unwrap();
    if let Some(code) = state.failures.pop_front() {
        return HttpResponse::Ok().json(json!({"Response": {
            "SendStatusSet": [{"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "", "Code": code, "Message": "stand-in failure", "IsoCode": "CN"}],
            "RequestId": "stand-in"}}));
    }
    state.receipts.push(SmsReceipt {
        phone: phone.clone(),
        template_id: text(&sent["TemplateId"]),
        params: sent["TemplateParamSet"]
            .as_array()
            .map(|a| a.iter().map(text).collect())
            .unwrap_or_default(),
        sign_name: text(&sent["SignName"]),
        sdk_app_id: text(&sent["SmsSdkAppId"]),
        signature_ok,
        action: header("x-tc-action"),
        version: header("x-tc-version"),
    });
    HttpResponse::Ok().json(json!({"Response": {
        "SendStatusSet": [{"SerialNo": "2028:stand-in", "PhoneNumber": phone, "Fee": 1, "SessionContext": "", "Code": "Ok", "Message": "send success", "IsoCode": "CN"}],
        "RequestId": "stand-in"}}))
}

#[derive(Default)]
struct WechatState {
    token_calls: Vec<Value>,
    tokens_issued: u32,
    sends: Vec<(String, Value)>,
    /// Tokens WeChat no longer accepts (answered with errcode 40001).
    revoked: Vec<String>,
}

/// WeChat's stable_token, subscribeMessage.send and jscode2session (any code → `openid`).
pub struct WechatStandIn {
    pub base: String,
    state: Arc<Mutex<WechatState>>,
    handle: ServerHandle,
}

impl WechatStandIn {
    pub fn start(openid: &str) -> WechatStandIn {
        let state = Arc::new(Mutex::new(WechatState::default()));
        let shared = state.clone();
        let openid = openid.to_owned();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let server = HttpServer::new(move || {
            let (token_state, send_state) = (shared.clone(), shared.clone());
            let openid = openid.clone();
            App::new()
                .route(
                    "/cgi-bin/stable_token",
                    web::post().to(move |body: web::Json<Value>| {
                        let state = token_state.clone();
                        async move {
                            let mut state = state.lock().unwrap();
                            state.tokens_issued += 1;
                            let token = format!("token-{}", state.tokens_issued);
                            state.token_calls.push(body.into_inner());
                            HttpResponse::Ok().json(json!({"access_token": token, "expires_in": 7200}))
                        }
                    }),
                )
                .route(
                    "/cgi-bin/message/subscribe/send",
                    web::post().to(move |q: web::Query<std::collections::HashMap<String, String>>, body: web::Json<Value>| {
                        let state = send_state.clone();
                        async move {
                            let token = q.get("access_token").cloned().unwrap_or_default();
                            let mut state = state.lock().unwrap();
                            let current = format!("token-{}", state.tokens_issued);
                            if state.revoked.contains(&token) || token != current {
                                return HttpResponse::Ok().json(json!({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}));
                            }
                            state.sends.push((token, body.into_inner()));
                            HttpResponse::Ok().json(json!({"errcode": 0, "errmsg": "ok"}))
                        }
                    }),
                )
                .route(
                    "/sns/jscode2session",
                    web::get().to(move || {
                        let openid = openid.clone();
                        async move { HttpResponse::Ok().json(json!({"openid": openid, "session_key": "c2Vzc2lvbktleQ=="})) }
                    }),
                )
        })
        .workers(1)
        .keep_alive(actix_web::http::KeepAlive::Disabled)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        WechatStandIn {
            base,
            state,
            handle,
        }
    }

    /// Bodies of the stable_token calls.
    pub fn token_calls(&self) -> Vec<Value> {
        self.state.lock().unwrap().token_calls.clone()
    }

    /// `(access token used, body)` of each accepted send.
    pub fn sends(&self) -> Vec<(String, Value)> {
        self.state.lock().unwrap().sends.clone()
    }

    /// From now on WeChat answers 40001 to the current token (as after a reset elsewhere).
    pub fn revoke_current_token(&self) {
        let mut state = self.state.lock().unwrap();
        let current = format!("token-{}", state.tokens_issued);
        state.revoked.push(current);
    }
}

impl Drop for WechatStandIn {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}
