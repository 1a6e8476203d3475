//! The search index over HTTP: query language, filters and facets equal to database counts,
//! cursor paging, trends, hot terms, alerts, similar cases, restarts and rebuilds.
// Tests stop at the first surprise, and unwrap/expect is how they say so; cleanup in tests
// is best effort.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

#[path = "../common/mod.rs"]
mod common;

mod analysis;
mod csv_forms;
mod demo_data;
mod jobs;
mod masking;
mod queries;
mod robust;
mod warnings;
mod warnings_privacy;
mod workorder_masking;

use std::time::Duration;

use common::TestApp;
use common::binary::run_on;
use serde_json::{Value, json};

/// Waits until the index holds `expected` cases (the follower runs every 50 ms in tests).
pub async fn wait_indexed(app: &TestApp, token: &str, expected: u64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (s, v) = app.get_as("/api/v1/search?limit=1", token).await;
        assert_eq!(s, 200, "{v}");
        if v["total"].as_u64() == Some(expected) || tokio::time::Instant::now() > deadline {
            assert_eq!(v["total"].as_u64(), Some(expected), "index never caught up");
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let (s, v) = app.get_as(&format!("/api/v1/search?{query}"), token).await;
    assert_eq!(s, 200, "{query} → {v}");
    v
}

pub fn case_nos(page: &Value) -> Vec<String> {
    page["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["case_no"].as_str().unwrap().to_owned())
        .collect()
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A complaint with its own text, category, district and respondent.
pub fn complaint(
    title: &str,
    description: &str,
    category: &str,
    district: &str,
    respondent: &str,
) -> Value {
    let mut c = common::sample_complaint();
    c["title"] = json!(title);
    c["description"] = json!(description);
    c["category"] = json!(category);
    c["respondent"] = json!({"name": respondent, "address": "江门市某路1号", "district": district});
    c
}
