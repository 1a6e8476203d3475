//! The workflow end to end over HTTP: every path through ODR, mediation and report
//! verification, deadlines, jurisdiction, role views, the audit chain and the sweep.
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
mod anonymised;
mod channels;
mod dispatch;
mod doc_complaints;
mod doc_numbering;
mod doc_reports;
mod doc_templates;
mod documents;
mod documents_pdf;
mod grounds;
mod ip;
mod joint;
mod leads;
mod mail;
mod paths;
mod queues;
mod records;
mod report_ends;
mod reports;
mod screening;
mod secrecy;
mod webhooks;
mod webhooks_api;
mod webhooks_desk;
mod workorders;
mod workorders_dispatch;
mod workorders_ip;

use common::TestApp;
use common::binary::run_on;
use serde_json::{Value, json};

pub const RESPONDENT_USCC: &str = "91440703MA4UJ5QX2U";

/// How a request identifies its caller.
#[derive(Clone, Copy)]
pub enum Who<'a> {
    Bearer(&'a str),
    Tracking(&'a str),
}

pub async fn act(app: &TestApp, case_no: &str, who: Who<'_>, body: Value) -> (u16, Value) {
    let req = app
        .client
        .post(app.url(&format!("/api/v1/cases/{case_no}/actions")))
        .json(&body);
    let req = match who {
        Who::Bearer(t) => req.bearer_auth(t),
        Who::Tracking(t) => req.header("X-Tracking-Token", t),
    };
    common::read(req.send().await.expect("request")).await
}

pub async fn view(app: &TestApp, case_no: &str, who: Who<'_>) -> (u16, Value) {
    let req = app.client.get(app.url(&format!("/api/v1/cases/{case_no}")));
    let req = match who {
        Who::Bearer(t) => req.bearer_auth(t),
        Who::Tracking(t) => req.header("X-Tracking-Token", t),
    };
    common::read(req.send().await.expect("request")).await
}

/// Asserts a 200 and returns the new state.
pub async fn step(app: &TestApp, case_no: &str, who: Who<'_>, body: Value) -> String {
    let (s, v) = act(app, case_no, who, body.clone()).await;
    assert_eq!(s, 200, "{body} → {v}");
    v["state"].as_str().expect("state").to_owned()
}

pub fn clock<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["clocks"]
        .as_array()
        .and_then(|cs| cs.iter().rev().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no {name} clock in {view}"))
}

/// Signs in again after the test clock moved past a session's lifetime.
pub async fn relogin(app: &TestApp, email: &str) -> String {
    app.login_token(email, common::accounts::PASSWORD).await
}

/// A mediator of 蓬江区 (440703), where the sample respondent operates.
pub async fn mediator(app: &TestApp) -> String {
    app.add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await
}

pub fn odr_complaint() -> Value {
    let mut c = common::sample_complaint();
    c["prefer_odr"] = json!(true);
    c
}
