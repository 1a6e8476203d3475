//! Full-text search and trend analysis: a tantivy index of every case (derived data, rebuilt
//! from the database at will) that follows the event log.

pub mod alerts;
pub mod analyzer;
pub mod export;
pub mod follower;
pub mod hot;
pub mod hot_words;
pub mod index;
pub mod query;
pub mod schema;
pub mod similar;
pub mod span;
pub mod trends;

pub use index::{SearchError, SearchIndex};
