//! Structured logs: human-readable or JSON lines on stderr, filtered by `RUST_LOG`; request
//! spans name the path and the query's parameter names, never their values.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder, TracingLogger};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless, so its error is ignored.
    let done = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
    drop(done);
}

/// Each request's root span without the values of its query string: a search `q` may hold a
/// phone number, and links can carry secrets. The parameters' names stay, to tell requests
/// apart; a name that is not a plain identifier is shown as `?`.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_owned());
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %request.path(),
            http.query_names = %query_names(request.query_string()),
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The request logger every server uses.
pub fn request_logger() -> TracingLogger<RequestSpan> {
    TracingLogger::new()
}

/// `q=…&district=…` → `q,district`.
fn query_names(query: &str) -> String {
    let plain = |name: &str| {
        name.len() <= 32
            && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split('=').next().filter(|n| plain(n)).unwrap_or("?"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn logged_requests_carry_no_query_values() {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(move || sink.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(App::new().wrap(request_logger()).route(
            "/api/v1/search",
            web::get().to(|| async {
                tracing::warn!("search failed");
                HttpResponse::InternalServerError().finish()
            }),
        ))
        .await;
        let req = test::TestRequest::get()
            .uri("/api/v1/search?q=13812345678&district=440703&13900001111=x")
            .to_request();
        let res = test::call_service(&app, req).await;
        assert_eq!(res.status(), 500);
        let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(logs.contains("search failed"), "{logs}");
        assert!(logs.contains("/api/v1/search"), "{logs}");
        assert!(logs.contains("q,district,?"), "{logs}");
        for secret in ["13812345678", "440703", "13900001111"] {
            assert!(!logs.contains(secret), "{secret} in {logs}");
        }
    }
}
