//! The quarterly public bulletin (季度通报): figures computed from the records, editorial
//! content, and renderings (HTML, PDF, JSON, CSV). See `model` for the open-data schema.

pub mod aftercare;
pub mod business;
pub mod counterfeit;
pub mod figures;
pub mod gather;
pub mod history;
pub mod hot;
pub mod inputs;
pub mod methodology;
pub mod model;
pub mod outcome;
pub mod period;
pub mod render;
pub mod sample;
pub mod scrub;
pub mod tally;
