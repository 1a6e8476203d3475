//! Use cases. Each runs as one database transaction on a blocking thread; HTTP handlers and
//! CLI commands call these and only translate inputs and outputs.

pub mod access;
pub mod accounts;
pub mod actions;
pub mod admin;
pub mod aftercare;
pub mod agreement;
pub mod analysis;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod blob_sweep;
pub mod bulletins;
pub mod businesses;
pub mod case_rules;
pub mod case_view;
mod case_view_parts;
pub mod desk;
pub mod disclosure;
pub mod disclosure_review;
pub mod document_access;
mod document_corrections;
pub mod document_print;
pub mod documents;
pub mod exports;
pub mod group_commit;
pub mod health;
pub mod hot_issues;
pub mod intake;
pub mod integration;
pub mod joint;
pub mod login;
pub mod mail;
pub mod phone_access;
pub mod phone_gate;
mod phone_sms;
pub mod police_referral;
pub mod queue;
pub mod referral;
pub mod reports;
pub mod retention;
pub mod retention_files;
pub mod scorecards;
pub mod screening;
pub mod sessions;
pub mod signed_agreement;
pub mod slots;
pub mod subject_requests;
pub mod submit;
pub mod subscriptions;
pub mod sweep;
pub mod track;
pub mod tracking_gate;
pub mod verify;
pub mod warning_figures;
pub mod warnings;
pub mod webhooks;
pub mod workorder_files;
pub mod workorders;
pub mod workorders_export;

use crate::domain::action::ActionKind;
use crate::domain::case::CaseState;
use crate::store::StoreError;

/// The connection use cases run on. Callers only hold it and pass it in; every query and
/// transaction is the use case's.
pub use crate::store::Db;

/// Why a use case did not complete, independent of transport.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {code}")]
    Conflict { code: &'static str, message: String },
    #[error("refused: {code}")]
    Refused { code: &'static str, message: String },
    /// It existed, and was deleted for its age (410).
    #[error("gone")]
    Gone(String),
    #[error("storage full or unwritable: {0}")]
    Storage(String),
    /// No valid credentials: the caller must sign in.
    #[error("unauthenticated")]
    Unauthenticated,
    /// Credentials were presented and are wrong (password, API key, WeChat code).
    #[error("invalid credentials: {code}")]
    InvalidCredentials { code: &'static str, message: String },
    /// Signed in, but this role may not do this.
    #[error("forbidden")]
    Forbidden,
    #[error("too many requests; retry after {retry_after_secs}s")]
    TooManyRequests { retry_after_secs: u64 },
    /// A configured limit that holds whatever the client sends (uploads, jobs); `code` and
    /// `message` say which one.
    #[error("limit reached: {code}")]
    Limit {
        limit: Limit,
        code: &'static str,
        message: String,
    },
    /// Input that parsed but breaks a rule checked against stored data (422 with fields).
    #[error("invalid input")]
    Invalid(Vec<crate::intake::FieldIssue>),
    /// The workflow does not allow this action now (409 listing what is allowed).
    #[error("{} not allowed in {}", action.as_str(), state.as_str())]
    NotAllowed {
        action: ActionKind,
        state: CaseState,
        allowed: Vec<ActionKind>,
    },
    /// A bug or a broken invariant, not the client's doing (500).
    #[error("internal: {0}")]
    Internal(String),
    #[error("storage: {0}")]
    Store(
        #[from]
        #[source]
        StoreError,
    ),
}

/// How a limit (or an upload rule) refuses, whatever the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Too many bytes (413).
    TooLarge,
    /// Content of a type that is not taken (415).
    Unsupported,
    /// Too many items for what is already stored (422).
    TooMany,
    /// The caller already runs as many jobs as allowed (429, retry later).
    Busy { retry_after_secs: u64 },
    /// The server is at its bound for everyone (503, retry soon).
    Full { retry_after_secs: u64 },
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::Store(e.into())
    }
}

/// What every use case receives besides its input: reference data, the public address for
/// links, and the time.
#[derive(Clone)]
pub struct Ctx {
    pub reference: crate::reference::Reference,
    pub public_url: String,
    pub now: chrono::DateTime<chrono::Utc>,
    /// The city's Order 121 Art. 17 screening thresholds.
    pub screening: crate::domain::screening::Thresholds,
    /// Whether and how notices go by SMS and WeChat besides mail.
    pub notices: crate::notify::NoticeSettings,
}

impl Ctx {
    pub fn today(&self) -> chrono::NaiveDate {
        crate::clock::china_date(self.now)
    }
}

impl ServiceError {
    /// What a refused workflow step tells the person who asked for it.
    pub fn not_allowed_text(action: ActionKind, state: CaseState) -> String {
        format!(
            "当前状态（{}）不允许执行 {}",
            state.as_str(),
            action.as_str()
        )
    }

    /// The database was busy or unreachable: the same request may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(self, ServiceError::Store(StoreError::Unavailable(_)))
    }

    /// The reason with the store's own message, for logs.
    pub fn detail(&self) -> String {
        match self {
            ServiceError::Store(e) => format!("storage failed: {e}"),
            other => other.to_string(),
        }
    }

    /// One invalid field, as a 422 would list it.
    pub fn invalid_field(field: &str, code: &str, message: String) -> ServiceError {
        ServiceError::Invalid(vec![crate::intake::FieldIssue {
            field: field.into(),
            code: code.into(),
            message,
        }])
    }
}

impl From<crate::search::SearchError> for ServiceError {
    fn from(e: crate::search::SearchError) -> Self {
        match e {
            crate::search::SearchError::Query(m) => {
                ServiceError::invalid_field("q", "invalid_query", m)
            }
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

/// Runs database work on the blocking pool with a connection of `pool`.
pub async fn on_pool<T, F>(pool: &crate::store::DbPool, f: F) -> Result<T, ServiceError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::store::Db) -> Result<T, ServiceError> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(StoreError::from)?;
        f(&mut conn)
    })
    .await
    // The blocking pool is gone (the server is shutting down): try again elsewhere.
    .map_err(|e| ServiceError::Store(StoreError::Unavailable(e.to_string())))?
}
