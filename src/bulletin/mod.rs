//! The quarterly public bulletin (季度通报): figures computed from the records, editorial
//! content, and renderings (HTML, PDF, JSON, CSV). See `model` for the open-data schema.

pub mod model;
pub mod period;
