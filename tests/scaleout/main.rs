//! Running as more than one node, and what happens when things break underneath a node: two
//! `odrdesk serve` processes on one PostgreSQL database (numbering, search, mail and the
//! deadline sweep across nodes), a locked SQLite file, PostgreSQL connections killed during
//! intake, a full disk while an attachment is written, kill -9 during sustained intake, and an
//! upgrade meeting an old event log that does not verify.
// Tests stop at the first surprise, and unwrap/expect is how they say so; cleanup in tests
// is best effort.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

#[path = "../common/mod.rs"]
mod common;

mod backup;
mod backup_damage;
mod blob_sweep;
mod chain_upgrade;
mod cli;
mod crash;
mod document_numbers;
mod faults;
mod sms;
mod two_nodes;
mod webhooks;

use std::time::Duration;

use serde_json::{Value, json};

/// One response: status, `Retry-After` and the JSON body.
#[derive(Debug)]
pub struct Posted {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Value,
}

impl Posted {
    /// 201, or 503 with `Retry-After`: what a client may see while the database is in trouble.
    pub fn is_created_or_retry_later(&self) -> bool {
        self.status == 201 || (self.status == 503 && self.retry_after.is_some())
    }

    pub fn case_no(&self) -> String {
        self.body["case_no"]
            .as_str()
            .unwrap_or_else(|| panic!("no case_no in {}", self.body))
            .to_owned()
    }
}

pub async fn post(
    client: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
    body: &Value,
) -> Posted {
    let mut req = client.post(url).timeout(Duration::from_secs(30)).json(body);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.expect("request");
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, body) = common::read(res).await;
    Posted {
        status,
        retry_after,
        body,
    }
}

/// The sample complaint with its own complainant address, so every acknowledgement is its
/// own message.
pub fn complaint(n: usize) -> Value {
    let mut c = common::sample_complaint();
    c["complainant"]["email"] = json!(format!("consumer{n}@example.com"));
    c
}

/// A word of letters no other case contains, for finding one case by search.
pub fn unique_word() -> String {
    let id = uuid::Uuid::new_v4();
    let letters: String = id
        .as_bytes()
        .iter()
        .take(8)
        .map(|b| (b'a' + b % 26) as char)
        .collect();
    format!("xq{letters}")
}

/// The case numbers stored in the database.
pub fn stored_case_nos(database: &odrdesk::store::DatabaseUrl) -> Vec<String> {
    use diesel::prelude::*;
    use odrdesk::store::schema::cases;
    let mut conn = odrdesk::store::connect(database, 1)
        .expect("connect")
        .get()
        .expect("connection");
    cases::table
        .select(cases::case_no)
        .load::<String>(&mut conn)
        .expect("case numbers")
}

/// PostgreSQL from `ODRDESK_TEST_POSTGRES_URL`: `None` (skip) locally without it, a panic
/// under `CI=true`.
pub fn postgres_base() -> Option<String> {
    match common::Backend::postgres()? {
        common::Backend::Postgres(url) => Some(url),
        common::Backend::Sqlite => None,
    }
}
