//! The HTTP API against the real server: intake, evidence uploads, group commit, accounts and
//! sign-in, the authorization matrix, hostile input, and the OpenAPI document.

#[path = "../common/mod.rs"]
mod common;

mod attachments;
mod auth;
mod authz;
mod group_commit;
mod hostile;
mod intake;
mod openapi;
