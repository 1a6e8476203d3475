//! odrdesk: consumer complaints and reports, online dispute resolution and mediation on legal
//! deadlines. See ARCHITECTURE.md for the map.

pub mod app;
pub mod auth;
pub mod backup;
pub mod blobs;
pub mod bulletin;
pub mod cli;
pub mod clock;
pub mod config;
pub mod documents;
pub mod domain;
pub mod r#gen;
pub mod http;
pub mod intake;
pub mod jobs;
pub mod metrics;
pub mod notify;
pub mod printer;
pub mod ratelimit;
pub mod reference;
pub mod routes;
pub mod scorecard;
pub mod search;
pub mod secrets;
pub mod service;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod uploads;
pub mod web;
pub mod webhooks;

#[cfg(test)]
mod tidy;

#[cfg(test)]
mod tidy_personal;
