//! Use cases. Each runs as one database transaction on a blocking thread; HTTP handlers and
//! CLI commands call these and only translate inputs and outputs.

pub mod attachments;
pub mod submit;
pub mod track;

use crate::store::StoreError;

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
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::Store(e.into())
    }
}
