//! The state every request handler shares (pool, reference data, clock, blobs, settings,
//! mail transport, search index, intake writer, sign-in gate). Both front ends use it; it depends on
//! neither.

use std::sync::Arc;

use crate::blobs::BlobStore;
use crate::clock::Clock;
use crate::config::Settings;
use crate::metrics::Metrics;
use crate::notify::Channels;
use crate::ratelimit::RateLimiter;
use crate::reference::ReferenceData;
use crate::search::SearchIndex;
use crate::service::attachments::CaseLimits;
use crate::service::exports::Exports;
use crate::service::group_commit::{Committer, Submission};
use crate::service::login::LoginGate;
use crate::service::slots::JobSlots;
use crate::service::submit::Submitted;
use crate::service::tracking_gate::TrackingGate;
use crate::service::{Ctx, ServiceError};
use crate::store::{self, Db, DbPool, StoreError};
use crate::uploads::UploadSlots;
use crate::webhooks::seal::ServerKey;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// Holiday calendars and deadline policy in force; reloadable by administrators.
    pub reference: ReferenceData,
    pub clock: Arc<dyn Clock>,
    pub blobs: BlobStore,
    pub settings: Arc<Settings>,
    /// The outbox's transports: mail, and SMS when configured.
    pub channels: Arc<Channels>,
    /// The search index (derived from the event log; rebuildable).
    pub search: SearchIndex,
    /// The stored index was built by another schema or analyzer version: rebuild it.
    pub search_stale: bool,
    /// The intake writer: new cases are stored by group commit.
    pub intake: Committer,
    /// Uploads being read now (bounded; `upload_concurrency`).
    pub uploads: UploadSlots,
    /// Exports and hot-terms/alerts questions running now (bounded per user and in all).
    pub jobs: JobSlots,
    /// Password checks under way and sign-in failures per (client address, account).
    pub logins: Arc<LoginGate>,
    /// Wrong 查询码 per case in the current window.
    pub tracking: Arc<TrackingGate>,
    /// Requests with an enterprise API key per client address and per key, and webhook
    /// registrations per account, in the current minute.
    pub integration_limits: Arc<IntegrationLimits>,
    /// Seals webhook secrets in the database (`webhooks::seal`).
    pub server_key: Arc<ServerKey>,
    /// Codes asked for and wrong codes typed per client address (phone sign-in).
    pub phone: Arc<crate::service::phone_gate::PhoneGate>,
    /// This server's metrics (`/metrics`); never shared with another server.
    pub metrics: Arc<Metrics>,
}

/// Requests one enterprise API key may make per minute.
pub const API_KEY_REQUESTS_PER_MINUTE: u32 = 120;
/// Requests carrying an API key, known or not, one client address may make per minute.
pub const API_KEY_REQUESTS_PER_ADDRESS: u32 = 300;

/// Limits of the enterprise integration. Each refuses, rather than admits, a new address,
/// key or account once its table is full.
pub struct IntegrationLimits {
    /// Requests with an API key, counted before the key is looked up.
    pub per_address: RateLimiter<std::net::IpAddr>,
    /// Requests with an API key, by the key's database id once it resolved.
    pub per_key: RateLimiter<i64>,
    /// Webhook registrations per enterprise account.
    pub registrations: RateLimiter<i64>,
}

impl Default for IntegrationLimits {
    fn default() -> IntegrationLimits {
        IntegrationLimits {
            per_address: RateLimiter::refusing_when_full(API_KEY_REQUESTS_PER_ADDRESS),
            per_key: RateLimiter::refusing_when_full(API_KEY_REQUESTS_PER_MINUTE),
            registrations: RateLimiter::refusing_when_full(
                crate::service::integration::REGISTRATIONS_PER_MINUTE,
            ),
        }
    }
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
        let metrics = Arc::new(Metrics::new()?);
        Ok(AppState {
            intake: Committer::start(
                pool.clone(),
                settings.intake_batch,
                metrics.intake_batch.clone(),
            )?,
            metrics,
            logins: Arc::new(LoginGate::per_core()),
            tracking: Arc::new(TrackingGate::default()),
            integration_limits: Arc::new(IntegrationLimits::default()),
            server_key: Arc::new(ServerKey::load(
                settings.secret_key.as_deref(),
                &settings.data_dir.join("server.key"),
            )?),
            phone: Arc::default(),
            search,
            search_stale,
            uploads: UploadSlots::new(settings.upload_concurrency),
            jobs: JobSlots::new(settings.jobs_per_user, settings.jobs_total),
            pool,
            reference,
            clock,
            blobs: BlobStore::open(&settings.attachments_dir())?,
            channels: Arc::new(Channels::from_settings(&settings)?),
            settings: Arc::new(settings),
        })
    }

    /// Receives a new case through the intake writer (group commit).
    pub async fn submit(&self, work: Submission) -> Result<Submitted, ServiceError> {
        self.intake.submit(work).await
    }

    /// The export use cases, on this server's pool, index and data directory.
    pub fn exports(&self) -> Exports {
        Exports {
            pool: self.pool.clone(),
            search: self.search.clone(),
            clock: self.clock.clone(),
            dir: self.settings.data_dir.join("exports"),
            slots: self.jobs.clone(),
        }
    }

    /// What one case may hold.
    pub fn case_limits(&self) -> CaseLimits {
        CaseLimits {
            files: self.settings.attachments_per_case,
            bytes: self.settings.attachment_bytes_per_case,
        }
    }

    /// Reference data, public address and the time, for one use case.
    pub fn ctx(&self) -> Ctx {
        Ctx {
            reference: self.reference.snapshot(),
            public_url: self.settings.public_url.clone(),
            now: self.clock.now(),
            screening: self.settings.screening,
            notices: crate::notify::NoticeSettings::from_settings(&self.settings),
        }
    }

    /// How many events the search index is behind the event log (for the analysts' answers).
    pub async fn index_lag(&self) -> Result<u64, ServiceError> {
        let search = self.search.clone();
        self.with_db(move |conn| crate::service::health::index_lag(conn, &search))
            .await
    }

    /// Runs blocking database work off the async workers.
    pub async fn with_db<T, F>(&self, f: F) -> Result<T, ServiceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Db) -> Result<T, ServiceError> + Send + 'static,
    {
        crate::service::on_pool(&self.pool, f).await
    }
}
