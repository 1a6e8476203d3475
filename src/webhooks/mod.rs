//! Webhooks to ODR businesses: the secret and its seal (`seal`), one signed `POST` (`send`)
//! and the sender loop of a serving node (`sender`). What is sent, and when it is queued, is
//! `domain::webhook` and `service::webhooks`.

pub mod seal;
pub mod send;
pub mod sender;
