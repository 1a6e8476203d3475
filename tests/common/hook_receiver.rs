//! A loopback stand-in for an ODR business's webhook receiver: it checks every delivery's
//! signature the way the README tells a business to (HMAC-SHA256 over `{timestamp}.{body}`,
//! computed here independently of the server's code), records it, and answers 500 while told
//! to fail.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

use super::providers::hmac;

/// One delivery as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub event_id: String,
    pub timestamp: i64,
    /// The signature matched the secret the receiver was given.
    pub signed: bool,
    pub body: Value,
    pub raw: String,
    /// The status it was answered with.
    pub answered: u16,
}

pub struct Receiver {
    pub url: String,
    secret: Arc<Mutex<Option<String>>>,
    got: Arc<Mutex<Vec<Received>>>,
    failures_left: Arc<AtomicUsize>,
    handle: ServerHandle,
}

fn header(req: &HttpRequest, name: &str) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

impl Receiver {
    pub fn start() -> Receiver {
        let secret = Arc::new(Mutex::new(None::<String>));
        let got = Arc::new(Mutex::new(Vec::new()));
        let failures_left = Arc::new(AtomicUsize::new(0));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://127.0.0.1:{}/odr/hook",
            listener.local_addr().unwrap().port()
        );
        let (s, g, f) = (secret.clone(), got.clone(), failures_left.clone());
        let server = HttpServer::new(move || {
            let (s, g, f) = (s.clone(), g.clone(), f.clone());
            App::new().route(
                "/odr/hook",
                web::post().to(move |req: HttpRequest, body: web::Bytes| {
                    let (s, g, f) = (s.clone(), g.clone(), f.clone());
                    async move {
                        let timestamp = header(&req, "x-odrdesk-timestamp");
                        let signature = header(&req, "x-odrdesk-signature");
                        let mut signed_text = timestamp.clone().into_bytes();
                        signed_text.push(b'.');
                        signed_text.extend_from_slice(&body);
                        let signed = s.lock().unwrap().as_ref().is_some_and(|secret| {
                            let expected = hex::encode(hmac(secret.as_bytes(), &signed_text));
                            signature.strip_prefix("v1=") == Some(expected.as_str())
                        });
                        let fail = f
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                            .is_ok();
                        let answered = if fail { 500 } else { 204 };
                        let raw = String::from_utf8_lossy(&body).into_owned();
                        g.lock().unwrap().push(Received {
                            event_id: header(&req, "x-odrdesk-event-id"),
                            timestamp: timestamp.parse().unwrap_or_default(),
                            signed,
                            body: serde_json::from_str(&raw).unwrap_or(Value::Null),
                            raw,
                            answered,
                        });
                        if fail {
                            HttpResponse::InternalServerError().body("busy")
                        } else {
                            HttpResponse::NoContent().finish()
                        }
                    }
                }),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Receiver {
            url,
            secret,
            got,
            failures_left,
            handle,
        }
    }

    /// The signing secret the business was shown.
    pub fn trust(&self, secret: &str) {
        *self.secret.lock().unwrap() = Some(secret.to_owned());
    }

    /// Answers the next `n` deliveries with 500.
    pub fn fail_next(&self, n: usize) {
        self.failures_left.store(n, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Deliveries answered 2xx.
    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.answered < 300)
            .collect()
    }

    /// Waits until `count` deliveries were answered 2xx (at most 30 s); returns them.
    pub async fn wait_accepted(&self, count: usize) -> Vec<Received> {
        self.wait_for(count, |r| r.answered < 300, Duration::from_secs(30))
            .await
    }

    /// Like `wait_accepted`, for at most `bound`.
    pub async fn wait_accepted_within(&self, count: usize, bound: Duration) -> Vec<Received> {
        self.wait_for(count, |r| r.answered < 300, bound).await
    }

    /// Waits until `count` deliveries came, whatever they were answered.
    pub async fn wait_received(&self, count: usize) -> Vec<Received> {
        self.wait_for(count, |_| true, Duration::from_secs(30))
            .await
    }

    async fn wait_for(
        &self,
        count: usize,
        keep: impl Fn(&Received) -> bool,
        bound: Duration,
    ) -> Vec<Received> {
        let deadline = Instant::now() + bound;
        loop {
            let got: Vec<Received> = self.received().into_iter().filter(|r| keep(r)).collect();
            if got.len() >= count {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {count} deliveries after {bound:?}: {got:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}
