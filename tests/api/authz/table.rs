//! The matrix itself. Columns, in order: anonymous, admin, supervisor of the case's district,
//! mediator of the case's district, mediator of another district, analyst, enterprise of the
//! respondent's USCC, enterprise of another USCC, holder of the case's tracking token (no
//! account). `{report}` is a report against the same business in the same district: no
//! business ever finds it, the reported one included. Cells: A allowed (2xx, 3xx, or a 400/409/422 from past the role check), U sign in
//! first (401, or 303 to `/login`), F 403, N 404.

use serde_json::{Value, json};

use super::Fixture;

pub const CALLERS: [&str; 9] = [
    "anon", "admn", "sup ", "medI", "medO", "anly", "entO", "entX", "tokn",
];

pub enum Body {
    None,
    Json(Value),
    /// Form fields; the right CSRF token for the caller is added.
    Form(Vec<(String, String)>),
    /// A multipart upload of one PNG (with a CSRF field).
    Png,
}

pub struct Row {
    pub method: &'static str,
    pub path: &'static str,
    pub body: fn(&Fixture) -> Body,
    pub expect: &'static str,
}

fn none(_: &Fixture) -> Body {
    Body::None
}
fn empty(_: &Fixture) -> Body {
    Body::Json(json!({}))
}
fn complaint(_: &Fixture) -> Body {
    Body::Json(super::common::sample_complaint())
}
fn report(_: &Fixture) -> Body {
    Body::Json(super::common::sample_report())
}
fn staff_complaint(_: &Fixture) -> Body {
    let mut c = super::common::sample_complaint();
    c["channel"] = json!("phone");
    c["received_at"] = json!("2026-11-19");
    Body::Json(c)
}
fn staff_report(_: &Fixture) -> Body {
    let mut r = super::common::sample_report();
    r["channel"] = json!("phone");
    r["received_at"] = json!("2026-11-19");
    Body::Json(r)
}
fn assign(fx: &Fixture) -> Body {
    Body::Json(json!({"case_nos": [fx.case_no], "user": "med-in@example.gov.cn"}))
}
fn accept(_: &Fixture) -> Body {
    Body::Json(json!({"action": "accept"}))
}
fn period(_: &Fixture) -> Body {
    Body::Json(json!({"period": "2026-Q2"}))
}
fn png(_: &Fixture) -> Body {
    Body::Png
}
fn form(fields: &[(&str, &str)]) -> Body {
    Body::Form(
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}
fn f_empty(_: &Fixture) -> Body {
    form(&[])
}
fn f_assign(fx: &Fixture) -> Body {
    form(&[
        ("case_nos", fx.case_no.as_str()),
        ("user", "med-in@example.gov.cn"),
    ])
}
fn f_accept(_: &Fixture) -> Body {
    form(&[("action", "accept")])
}
fn f_answer(_: &Fixture) -> Body {
    form(&[("action", "odr_answer"), ("proposal", "全额退款")])
}
fn f_period(_: &Fixture) -> Body {
    form(&[("period", "2026-Q1")])
}

macro_rules! rows {
    ($( $m:literal $p:literal $b:ident => $e:literal ;)*) => {
        vec![$( Row { method: $m, path: $p, body: $b, expect: $e } ),*]
    };
}

pub fn rows() -> Vec<Row> {
    rows![
        // Public API.
        "GET" "/healthz" none => "AAAAAAAAA";
        "GET" "/openapi.json" none => "AAAAAAAAA";
        "GET" "/api/v1/taxonomy" none => "AAAAAAAAA";
        "POST" "/api/v1/complaints" complaint => "AAAAAAAAA";
        "POST" "/api/v1/reports" report => "AAAAAAAAA";
        "GET" "/api/v1/bulletins" none => "AAAAAAAAA";
        "GET" "/api/v1/track/{case}" none => "NNNNNNNNA";
        "POST" "/api/v1/track/{case}/attachments" png => "NNNNNNNNA";
        // Accounts.
        "GET" "/api/v1/auth/me" none => "UAAAAAAAU";
        "POST" "/api/v1/wechat/login" empty => "UUUUUUUUU";
        "GET" "/api/v1/admin/enterprises" none => "UAFFFFFFU";
        "POST" "/api/v1/admin/enterprises" empty => "UAFFFFFFU";
        "POST" "/api/v1/admin/users" empty => "UAFFFFFFU";
        "POST" "/api/v1/admin/api-keys" empty => "UAFFFFFFU";
        "PUT" "/api/v1/admin/calendar" empty => "UAFFFFFFU";
        "GET" "/api/v1/admin/policy" none => "UAAFFFFFU";
        "PUT" "/api/v1/admin/policy" empty => "UAFFFFFFU";
        // Cases and queues.
        "GET" "/api/v1/cases/{case}" none => "UAAANAANA";
        "GET" "/api/v1/cases/{case}/events" none => "UAAANFFFU";
        "GET" "/api/v1/cases/{case}/referral" none => "UAAANFFFU";
        "GET" "/api/v1/queue" none => "UAAAAFFFU";
        "POST" "/api/v1/queue/assign" assign => "UAAFFFFFU";
        "GET" "/api/v1/enterprise/cases" none => "UFFFFFAAU";
        "GET" "/api/v1/me/cases" none => "UFFFFFFFU";
        "POST" "/api/v1/staff/complaints" staff_complaint => "UAAAAFFFU";
        "POST" "/api/v1/staff/reports" staff_report => "UAAAAFFFU";
        "POST" "/api/v1/cases/{case}/actions" accept => "UAAANFANA";
        "GET" "/api/v1/cases/{report}" none => "UAAANANNN";
        "GET" "/api/v1/cases/{report}/events" none => "UAAANFFFU";
        "POST" "/api/v1/cases/{report}/actions" accept => "UAAANFNNN";
        // Analysis.
        "GET" "/api/v1/search" none => "UAAAAAFFU";
        "GET" "/api/v1/trends" none => "UAAAAAFFU";
        "GET" "/api/v1/hot-terms" none => "UAAAAAFFU";
        "GET" "/api/v1/alerts" none => "UAAAAAFFU";
        "GET" "/api/v1/similar/{case}" none => "UAAANAFFU";
        "POST" "/api/v1/exports" empty => "UAAAAAFFU";
        "GET" "/api/v1/exports/{export}" none => "UANNNAFFU";
        "GET" "/api/v1/exports/{export}/download" none => "UANNNAFFU";
        // Bulletins.
        "GET" "/api/v1/admin/bulletins" none => "UAAFFFFFU";
        "POST" "/api/v1/admin/bulletins" period => "UAAFFFFFU";
        "GET" "/api/v1/admin/bulletins/{bulletin}" none => "UAAFFFFFU";
        "PUT" "/api/v1/admin/bulletins/{bulletin}/content" empty => "UAAFFFFFU";
        "GET" "/api/v1/admin/bulletins/{bulletin}/candidates" none => "UAAFFFFFU";
        "GET" "/api/v1/admin/bulletins/{bulletin}/preview" none => "UAAFFFFFU";
        "POST" "/api/v1/admin/bulletins/{bulletin}/corrections" empty => "UAAFFFFFU";
        "POST" "/api/v1/admin/bulletins/{bulletin}/hot-issues/strike" empty => "UAAFFFFFU";
        "POST" "/api/v1/admin/bulletins/{bulletin}/hot-issues/restore" empty => "UAAFFFFFU";
        // Consumer pages.
        "GET" "/" none => "AAAAAAAAA";
        "GET" "/complain" none => "AAAAAAAAA";
        "GET" "/report" none => "AAAAAAAAA";
        "GET" "/track" none => "AAAAAAAAA";
        "GET" "/track/{case}" none => "AAAAAAAAA";
        // Only the browser that filed or looked the case up holds its code (a cookie).
        "GET" "/track/{case}/filed" none => "FFFFFFFFF";
        // Only the code mailed to the submitter opens it; no role or token stands in.
        "GET" "/track/{case}/verify" none => "NNNNNNNNN";
        "GET" "/login" none => "AAAAAAAAA";
        "GET" "/static/app.css" none => "AAAAAAAAA";
        "GET" "/bulletins" none => "AAAAAAAAA";
        // Desk pages.
        "GET" "/desk" none => "UAAAAFFFU";
        "GET" "/desk/cases/{case}" none => "UAAANFFFU";
        "GET" "/desk/cases/{case}/attachments/{att}" none => "UAAANFFFU";
        "POST" "/desk/assign" f_assign => "UAAFFFFFU";
        "POST" "/desk/cases/{case}/actions" f_accept => "UAAANFFFU";
        "GET" "/enterprise" none => "UFFFFFAAU";
        "GET" "/enterprise/cases/{case}" none => "UFFFFFANU";
        "POST" "/enterprise/cases/{case}/actions" f_answer => "UFFFFFANU";
        "GET" "/enterprise/cases/{report}" none => "UFFFFFNNU";
        "POST" "/enterprise/cases/{report}/actions" f_answer => "UFFFFFNNU";
        "GET" "/desk/cases/{report}" none => "UAAANFFFU";
        // Analyst pages.
        "GET" "/analyst" none => "UAAAAAFFU";
        "GET" "/analyst/search" none => "UAAAAAFFU";
        "GET" "/analyst/trends" none => "UAAAAAFFU";
        "GET" "/analyst/hot" none => "UAAAAAFFU";
        "GET" "/analyst/alerts" none => "UAAAAAFFU";
        "POST" "/analyst/exports" f_empty => "UAAAAAFFU";
        "GET" "/analyst/exports/{export}" none => "UANNNAFFU";
        // Bulletin pages.
        "GET" "/admin/bulletins" none => "UAAFFFFFU";
        "POST" "/admin/bulletins" f_period => "UAAFFFFFU";
        "GET" "/admin/bulletins/{bulletin}" none => "UAAFFFFFU";
        "GET" "/admin/bulletins/{bulletin}/preview" none => "UAAFFFFFU";
        "POST" "/admin/bulletins/{bulletin}/content" f_empty => "UAAFFFFFU";
        "POST" "/admin/bulletins/{bulletin}/adopt" f_empty => "UAAFFFFFU";
        "POST" "/admin/bulletins/{bulletin}/hot-terms" f_empty => "UAAFFFFFU";
        "POST" "/admin/bulletins/{bulletin}/correct" f_empty => "UAAFFFFFU";
        "POST" "/admin/bulletins/{bulletin}/publish" f_empty => "UAAFFFFFU";
        "POST" "/api/v1/admin/bulletins/{bulletin}/publish" empty => "UAAFFFFFU";
    ]
}
