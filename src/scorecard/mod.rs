//! Quarterly credit scorecards of cosmetics and beauty businesses (measure 11: 化妆品行业
//! 信用监管). As with the bulletin, `gather` reads a quarter's records in one read
//! transaction into `Inputs`, and `compute` is a pure function of them, the reference data
//! and the city's `Method` (`domain::scorecard`), whose text the pages print.
//! `export` writes the CSV and JSON the credit system reads.

pub mod compute;
pub mod export;
pub mod gather;

pub use compute::{Scorecard, compute};
pub use gather::{Inputs, gather};
