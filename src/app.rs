//! Building the application: shared state, the actix `App`, and the server on a listener.

use std::future::{Future, IntoFuture};
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlers, NormalizePath, TrailingSlash};
use actix_web::{App, HttpMessage, HttpServer, web};
use tracing_actix_web::{RequestId, TracingLogger};

use crate::blobs::BlobStore;
use crate::clock::Clock;
use crate::config::Settings;
use crate::http::error::{ApiError, json_error_page};
use crate::jobs::SweeperHandle;
use crate::notify::{MailTransport, SenderHandle, spawn_sender};
use crate::reference::ReferenceData;
use crate::search::SearchIndex;
use crate::service::group_commit::{Committer, Submission};
use crate::service::submit::Submitted;
use crate::service::{Ctx, ServiceError};
use crate::store::{self, Db, DbPool, StoreError};

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// Holiday calendars and deadline policy in force; reloadable by administrators.
    pub reference: ReferenceData,
    pub clock: Arc<dyn Clock>,
    pub blobs: BlobStore,
    pub settings: Arc<Settings>,
    pub mailer: Arc<MailTransport>,
    /// The search index (derived from the event log; rebuildable).
    pub search: SearchIndex,
    /// The stored index was built by another schema or analyzer version: rebuild it.
    pub search_stale: bool,
    /// The intake writer: new cases are stored by group commit.
    pub intake: Committer,
    /// Form submissions per client address (per node).
    pub limiter: Arc<crate::web::ratelimit::RateLimiter>,
}

impl AppState {
    /// Connects, applies migrations and prepares the data directory.
    pub fn open(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        std::fs::create_dir_all(&settings.data_dir)?;
        let pool = store::connect(&settings.database, settings.pool_size)?;
        let mut conn = pool.get().map_err(StoreError::from)?;
        let applied = store::migrate(&mut conn)?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        let reference = ReferenceData::builtin();
        reference.reload(&mut conn)?;
        crate::store::search::fail_unfinished_exports(&mut conn, clock.now().naive_utc())?;
        drop(conn);
        let (search, search_stale) = SearchIndex::open(&settings.data_dir.join("search"))?;
        Ok(AppState {
            intake: Committer::start(pool.clone(), settings.intake_batch)?,
            search,
            search_stale,
            pool,
            reference,
            clock,
            blobs: BlobStore::open(&settings.attachments_dir())?,
            mailer: Arc::new(MailTransport::from_settings(&settings)?),
            limiter: Arc::new(crate::web::ratelimit::RateLimiter::new(
                settings.rate_limit_per_minute,
            )),
            settings: Arc::new(settings),
        })
    }

    /// Receives a new case through the intake writer (group commit).
    pub async fn submit(&self, work: Submission) -> Result<Submitted, ApiError> {
        self.intake.submit(work).await.map_err(ApiError::from)
    }

    /// Reference data, public address and the time, for one use case.
    pub fn ctx(&self) -> Ctx {
        Ctx {
            reference: self.reference.snapshot(),
            public_url: self.settings.public_url.clone(),
            now: self.clock.now(),
        }
    }

    /// Runs blocking database work off the async workers.
    pub async fn with_db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> Result<T, ServiceError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let result = web::block(move || {
            let mut conn = pool.get().map_err(StoreError::from)?;
            f(&mut conn)
        })
        .await?;
        result.map_err(ApiError::from)
    }
}

/// A started server and its background work (mail sender, deadline sweep). Awaiting it runs
/// until SIGTERM/SIGINT or `handle().stop()`; the background work stops when it returns.
pub struct Running {
    server: Server,
    background: (
        Option<SenderHandle>,
        Option<SweeperHandle>,
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
        spawn_sender(&state),
        crate::jobs::spawn_sweeper(&state),
        follower,
    );
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(ErrorHandlers::new().default_handler(json_error_page))
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
            .wrap(TracingLogger::default())
            .configure(|cfg| crate::http::routes(cfg, json_limit))
            .configure(crate::web::routes)
            .default_service(web::to(crate::http::meta::not_found))
    })
    .workers(workers)
    .shutdown_timeout(20)
    .listen(listener)?
    .run();
    Ok(Running { server, background })
}
