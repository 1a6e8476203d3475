//! The quarterly bulletin end to end: figures against independent SQL over a fixture with
//! known answers, the publish and correction flow, reproducible files, and no personal data
//! in any format.
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
mod businesses;
mod counterfeit;
mod figures;
mod fixture;
mod flow;
mod import;
mod orders;
mod pages;
mod privacy;
mod render;
mod retention;
mod retention_ephemera;
mod scorecards;
mod stored;
mod strike;

use common::TestApp;
use serde_json::{Value, json};

/// `POST /api/v1/admin/bulletins` as the fixture's administrator; returns the draft.
pub async fn draft(app: &TestApp, body: Value) -> Value {
    let t = fixture::token(app, fixture::ADMIN).await;
    let (s, v) = app.post_as("/api/v1/admin/bulletins", &t, &body).await;
    assert_eq!(s, 201, "{v}");
    v
}

pub async fn q3_draft(app: &TestApp) -> Value {
    draft(app, json!({"period": "2026-Q3", "as_of": fixture::AS_OF})).await
}
