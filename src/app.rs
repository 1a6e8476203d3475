//! Building the application: the actix `App` and the server on a listener.

use std::future::{Future, IntoFuture};
use std::net::TcpListener;
use std::pin::Pin;

use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlers, NormalizePath, TrailingSlash};
use actix_web::{App, HttpMessage, HttpServer, web};
use tracing_actix_web::RequestId;

use crate::http::error::json_error_page;
use crate::jobs::LoopHandle;
use crate::notify::{SenderHandle, spawn_sender};
use crate::ratelimit::RateLimiter;
pub use crate::state::AppState;

/// A started server and its background work (mail sender, deadline sweep, document printer,
/// search index follower, webhook sender). Awaiting it runs until SIGTERM/SIGINT or `handle().stop()`; the
/// background work stops when it returns.
pub struct Running {
    server: Server,
    /// The mail sender, the periodic loops (sweep, printer, webhook sender) and the search
    /// index follower.
    background: (
        Option<SenderHandle>,
        Vec<LoopHandle>,
        Option<tokio::sync::oneshot::Sender<()>>,
    ),
}

impl Running {
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }
}

impl IntoFuture for Running {
    type Output = std::io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let result = self.server.await;
            drop(self.background);
            result
        })
    }
}

/// Starts serving on `listener` (graceful shutdown on SIGTERM/SIGINT).
pub fn serve(listener: TcpListener, state: AppState) -> std::io::Result<Running> {
    let workers = match state.settings.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let json_limit = state.settings.json_limit_bytes;
    let follower = crate::search::follower::spawn(
        state.pool.clone(),
        state.search.clone(),
        state.search_stale,
        std::time::Duration::from_millis(state.settings.index_poll_ms.max(10)),
    );
    let background = (
        spawn_sender(
            state.pool.clone(),
            state.channels.clone(),
            state.clock.clone(),
            &state.settings,
        ),
        [
            crate::jobs::spawn_sweeper(&state),
            crate::printer::spawn_printer(&state),
            crate::webhooks::sender::spawn_webhook_sender(&state),
        ]
        .into_iter()
        .flatten()
        .collect(),
        follower,
    );
    // One limiter per node, shared by every worker.
    let limiter = web::Data::new(RateLimiter::new(state.settings.rate_limit_per_minute));
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(limiter.clone())
            .wrap(ErrorHandlers::new().default_handler(json_error_page))
            // Inside `NormalizePath`, so the route is matched on the path as routed.
            .wrap_fn(|req, srv| {
                let started = std::time::Instant::now();
                let route = req.match_pattern();
                let method = req.method().clone();
                let metrics = req
                    .app_data::<web::Data<AppState>>()
                    .map(|state| state.metrics.clone());
                let fut = srv.call(req);
                async move {
                    let res = fut.await;
                    if let Some(metrics) = metrics {
                        let status = res.as_ref().ok().map(|r| r.status());
                        metrics.observe_request(
                            route.as_deref(),
                            &method,
                            status,
                            started.elapsed(),
                        );
                    }
                    res
                }
            })
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .wrap_fn(|req, srv| {
                let id = req.extensions().get::<RequestId>().copied();
                let fut = srv.call(req);
                async move {
                    let mut res = fut.await?;
                    if let Some(id) = id
                        && let Ok(v) = HeaderValue::from_str(&id.to_string())
                    {
                        res.headers_mut()
                            .insert(HeaderName::from_static("x-request-id"), v);
                    }
                    Ok(res)
                }
            })
            .wrap(crate::telemetry::request_logger())
            .configure(|cfg| crate::http::routes(cfg, json_limit))
            .configure(crate::web::routes)
            .default_service(web::to(not_found))
    })
    .workers(workers)
    .shutdown_timeout(20)
    .listen(listener)?
    .run();
    Ok(Running { server, background })
}

/// No route matched: a page for a browser, a JSON problem for everyone else.
async fn not_found(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::ResponseError;
    if crate::web::wants_page(&req) {
        crate::web::PageError::NotFound.error_response()
    } else {
        crate::http::error::ApiError::NotFound.error_response()
    }
}
