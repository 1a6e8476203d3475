//! The HTML pages: the consumer, case-work and analyst pages through a browser without
//! JavaScript, and what people do with the site end to end in headless Chromium.

#[path = "../common/mod.rs"]
mod common;

mod analyst;
mod consumer;
mod desk;
mod e2e;
