//! Building the application: shared state, the actix `App`, and the server on a listener.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, Service};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlers, NormalizePath, TrailingSlash};
use actix_web::{App, HttpMessage, HttpServer, web};
use tracing_actix_web::{RequestId, TracingLogger};

use crate::blobs::BlobStore;
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::{PolicyTable, WorkCalendar};
use crate::http::error::{ApiError, json_error_page};
use crate::notify::{MailTransport, spawn_sender};
use crate::service::ServiceError;
use crate::store::{self, Db, DbPool, StoreError};

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub calendar: Arc<WorkCalendar>,
    pub policy: Arc<PolicyTable>,
    pub clock: Arc<dyn Clock>,
    pub blobs: BlobStore,
    pub settings: Arc<Settings>,
    pub mailer: Arc<MailTransport>,
}

impl AppState {
    /// Connects, applies migrations and prepares the data directory.
    pub fn open(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        std::fs::create_dir_all(&settings.data_dir)?;
        let pool = store::connect(&settings.database, settings.pool_size)?;
        let applied = store::migrate(&mut *pool.get().map_err(StoreError::from)?)?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        Ok(AppState {
            pool,
            calendar: Arc::new(WorkCalendar::builtin()),
            policy: Arc::new(PolicyTable::builtin()),
            clock,
            blobs: BlobStore::open(&settings.attachments_dir())?,
            mailer: Arc::new(MailTransport::from_settings(&settings)?),
            settings: Arc::new(settings),
        })
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

/// Starts serving on `listener`; the returned future runs until SIGTERM/SIGINT (graceful).
pub fn serve(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let workers = match state.settings.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    };
    let json_limit = state.settings.json_limit_bytes;
    // The sender stops when the last copy of this handle goes, with the server's factories.
    let mail_sender = Arc::new(spawn_sender(&state));
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let _ = &mail_sender;
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
            .default_service(web::to(crate::http::meta::not_found))
    })
    .workers(workers)
    .shutdown_timeout(20)
    .listen(listener)?
    .run();
    Ok(server)
}
