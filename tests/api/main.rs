//! The HTTP API against the real server: intake, evidence uploads, group commit, accounts and
//! sign-in, the authorization matrix, hostile input, and the OpenAPI document.
// Tests stop at the first surprise, and unwrap/expect is how they say so; cleanup in tests
// is best effort.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

#[path = "../common/mod.rs"]
mod common;

mod attachments;
mod auth;
mod authz;
mod disclosure;
mod disclosure_rules;
mod duplicates;
mod group_commit;
mod hostile;
mod intake;
mod metrics;
mod openapi;
mod phone;
mod subject_anonymised;
mod subject_requests;
mod upload_limits;
