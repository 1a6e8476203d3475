//! The intake boundary: wire input (`input`) is parsed into a typed `NewCase` (`parse`), every
//! problem reported at once as a list of `FieldIssue`s.

pub mod input;
pub mod issues;
pub mod labels;
pub mod parse;
pub mod rights_holder;

pub use issues::FieldIssue;
pub use parse::{IntakeContext, NewCase, parse_complaint, parse_report};
