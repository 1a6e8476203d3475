//! Use cases. Each runs as one database transaction on a blocking thread; HTTP handlers and
//! CLI commands call these and only translate inputs and outputs.

pub mod access;
pub mod accounts;
pub mod actions;
pub mod admin;
pub mod attachments;
pub mod audit;
pub mod bulletins;
pub mod case_view;
pub mod group_commit;
pub mod mail;
pub mod queue;
pub mod referral;
pub mod sessions;
pub mod submit;
pub mod sweep;
pub mod track;

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
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ServiceError {
    /// The database was busy or unreachable: the same call may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(self, ServiceError::Store(StoreError::Unavailable(_)))
    }
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
}

impl Ctx {
    pub fn today(&self) -> chrono::NaiveDate {
        crate::clock::china_date(self.now)
    }
}
