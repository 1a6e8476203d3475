//! The HTML pages: the consumer, case-work and analyst pages through a browser without
//! JavaScript, and what people do with the site end to end in headless Chromium.
// Tests stop at the first surprise, and unwrap/expect is how they say so; cleanup in tests
// is best effort.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

#[path = "../common/mod.rs"]
mod common;

mod aftercare;
mod agreements;
mod analyst;
mod clocks121;
mod consumer;
mod desk;
mod disclosure;
mod dispatch;
mod documents;
mod e2e;
mod grounds121;
mod ip;
mod journeys;
mod journeys_lists;
mod journeys_nav;
mod journeys_outcomes;
mod login;
mod phone;
mod tracking;
mod upload_limits;
