//! The matrix itself. Columns, in order: anonymous, admin, supervisor of the case's district,
//! mediator of the case's district, mediator of another district, analyst, enterprise of the
//! respondent's USCC, enterprise of another USCC, holder of the case's tracking token (no
//! account), the city's unified intake unit (dispatcher; the case is not awaiting dispatch). `{report}` is a report against the same business in the same district: no
//! business ever finds it, the reported one included. Cells: A allowed (2xx, 3xx, or a 400/409/422 from past the role check), U sign in
//! first (401, or 303 to `/login`), F 403, N 404.

use serde_json::{Value, json};

use super::Fixture;

pub const CALLERS: [&str; 10] = [
    "anon", "admn", "sup ", "medI", "medO", "anly", "entO", "entX", "tokn", "disp",
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
fn consent_off(_: &Fixture) -> Body {
    Body::Json(json!({"consent": false}))
}
fn approve(_: &Fixture) -> Body {
    Body::Json(json!({"decision": "approve"}))
}
fn reply(_: &Fixture) -> Body {
    Body::Json(json!({"reply": "已与消费者协商退款"}))
}
fn f_approve(_: &Fixture) -> Body {
    form(&[("decision", "approve")])
}
fn f_reply(_: &Fixture) -> Body {
    form(&[("reply", "已与消费者协商退款")])
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
        "GET" "/healthz" none => "AAAAAAAAAA";
        "GET" "/readyz" none => "AAAAAAAAAA";
        "GET" "/metrics" none => "AAAAAAAAAA";
        "GET" "/openapi.json" none => "AAAAAAAAAA";
        "GET" "/api/v1/taxonomy" none => "AAAAAAAAAA";
        "POST" "/api/v1/complaints" complaint => "AAAAAAAAAA";
        "POST" "/api/v1/reports" report => "AAAAAAAAAA";
        "GET" "/api/v1/bulletins" none => "AAAAAAAAAA";
        "GET" "/api/v1/track/{case}" none => "NNNNNNNNAN";
        "POST" "/api/v1/track/{case}/attachments" png => "NNNNNNNNAN";
        // Accounts.
        "GET" "/api/v1/auth/me" none => "UAAAAAAAUA";
        "POST" "/api/v1/wechat/login" empty => "UUUUUUUUUU";
        "GET" "/api/v1/admin/enterprises" none => "UAFFFFFFUF";
        "POST" "/api/v1/admin/enterprises" empty => "UAFFFFFFUF";
        "POST" "/api/v1/admin/users" empty => "UAFFFFFFUF";
        "POST" "/api/v1/admin/api-keys" empty => "UAFFFFFFUF";
        "GET" "/api/v1/admin/subject-requests/export" none => "UAFFFFFFUF";
        "POST" "/api/v1/admin/subject-requests/export" empty => "UAFFFFFFUF";
        "POST" "/api/v1/admin/subject-requests/erase" empty => "UAFFFFFFUF";
        "PUT" "/api/v1/admin/calendar" empty => "UAFFFFFFUF";
        "GET" "/api/v1/admin/policy" none => "UAAFFFFFUF";
        "PUT" "/api/v1/admin/policy" empty => "UAFFFFFFUF";
        // Cases and queues.
        "GET" "/api/v1/cases/{case}" none => "UAAANAANAN";
        "GET" "/api/v1/cases/{case}/events" none => "UAAANFFFUF";
        "GET" "/api/v1/cases/{case}/referral" none => "UAAANFFFUF";
        "GET" "/api/v1/queue" none => "UAAAAFFFUA";
        "POST" "/api/v1/queue/assign" assign => "UAAFFFFFUF";
        "GET" "/api/v1/enterprise/cases" none => "UFFFFFAAUF";
        // An ODR business's own system: its keys and webhook, by its account alone.
        "GET" "/api/v1/enterprise/integration" none => "UFFFFFAAUF";
        "POST" "/api/v1/enterprise/api-keys" empty => "UFFFFFAAUF";
        "GET" "/api/v1/enterprise/webhook/deliveries" none => "UFFFFFAAUF";
        "POST" "/api/v1/enterprise/webhook/rotate" empty => "UFFFFFNNUF";
        "GET" "/api/v1/me/cases" none => "UFFFFFFFUF";
        "POST" "/api/v1/staff/complaints" staff_complaint => "UAAAAFFFUF";
        "POST" "/api/v1/staff/reports" staff_report => "UAAAAFFFUF";
        "POST" "/api/v1/cases/{case}/actions" accept => "UAAANFANAN";
        "GET" "/api/v1/cases/{report}" none => "UAAANANNNN";
        "GET" "/api/v1/cases/{report}/events" none => "UAAANFFFUF";
        "POST" "/api/v1/cases/{report}/actions" accept => "UAAANFNNNN";
        // Analysis.
        "GET" "/api/v1/search" none => "UAAAAAFFUF";
        "GET" "/api/v1/trends" none => "UAAAAAFFUF";
        "GET" "/api/v1/hot-terms" none => "UAAAAAFFUF";
        "GET" "/api/v1/alerts" none => "UAAAAAFFUF";
        "GET" "/api/v1/similar/{case}" none => "UAAANAFFUF";
        "POST" "/api/v1/exports" empty => "UAAAAAFFUF";
        "GET" "/api/v1/exports/{export}" none => "UANNNAFFUF";
        "GET" "/api/v1/exports/{export}/download" none => "UANNNAFFUF";
        // Bulletins.
        "GET" "/api/v1/admin/bulletins" none => "UAAFFFFFUF";
        "POST" "/api/v1/admin/bulletins" period => "UAAFFFFFUF";
        "GET" "/api/v1/admin/bulletins/{bulletin}" none => "UAAFFFFFUF";
        "PUT" "/api/v1/admin/bulletins/{bulletin}/content" empty => "UAAFFFFFUF";
        "GET" "/api/v1/admin/bulletins/{bulletin}/candidates" none => "UAAFFFFFUF";
        "GET" "/api/v1/admin/bulletins/{bulletin}/preview" none => "UAAFFFFFUF";
        "POST" "/api/v1/admin/bulletins/{bulletin}/corrections" empty => "UAAFFFFFUF";
        "POST" "/api/v1/admin/bulletins/{bulletin}/hot-issues/strike" empty => "UAAFFFFFUF";
        "POST" "/api/v1/admin/bulletins/{bulletin}/hot-issues/restore" empty => "UAAFFFFFUF";
        // Consumer pages.
        "GET" "/" none => "AAAAAAAAAA";
        "GET" "/complain" none => "AAAAAAAAAA";
        "GET" "/report" none => "AAAAAAAAAA";
        "GET" "/track" none => "AAAAAAAAAA";
        "GET" "/track/{case}" none => "AAAAAAAAAA";
        // Only the browser that filed or looked the case up holds its code (a cookie).
        "GET" "/track/{case}/filed" none => "FFFFFFFFFF";
        // Only the code mailed to the submitter opens it; no role or token stands in.
        "GET" "/track/{case}/verify" none => "NNNNNNNNNN";
        "GET" "/login" none => "AAAAAAAAAA";
        "GET" "/static/app.css" none => "AAAAAAAAAA";
        "GET" "/bulletins" none => "AAAAAAAAAA";
        // Desk pages.
        "GET" "/desk" none => "UAAAAFFFUA";
        "GET" "/desk/cases/{case}" none => "UAAANFFFUN";
        "GET" "/desk/cases/{case}/attachments/{att}" none => "UAAANFFFUN";
        "POST" "/desk/assign" f_assign => "UAAFFFFFUF";
        "POST" "/desk/cases/{case}/actions" f_accept => "UAAANFFFUN";
        "GET" "/enterprise" none => "UFFFFFAAUF";
        "GET" "/enterprise/integration" none => "UFFFFFAAUF";
        "GET" "/enterprise/cases/{case}" none => "UFFFFFANUF";
        "POST" "/enterprise/cases/{case}/actions" f_answer => "UFFFFFANUF";
        "GET" "/enterprise/cases/{report}" none => "UFFFFFNNUF";
        "POST" "/enterprise/cases/{report}/actions" f_answer => "UFFFFFNNUF";
        "GET" "/desk/cases/{report}" none => "UAAANFFFUN";
        // Analyst pages.
        "GET" "/analyst" none => "UAAAAAFFUF";
        "GET" "/analyst/search" none => "UAAAAAFFUF";
        "GET" "/analyst/trends" none => "UAAAAAFFUF";
        "GET" "/analyst/hot" none => "UAAAAAFFUF";
        "GET" "/analyst/alerts" none => "UAAAAAFFUF";
        "POST" "/analyst/exports" f_empty => "UAAAAAFFUF";
        "GET" "/analyst/exports/{export}" none => "UANNNAFFUF";
        // Bulletin pages.
        "GET" "/admin/bulletins" none => "UAAFFFFFUF";
        "POST" "/admin/bulletins" f_period => "UAAFFFFFUF";
        "GET" "/admin/bulletins/{bulletin}" none => "UAAFFFFFUF";
        "GET" "/admin/bulletins/{bulletin}/preview" none => "UAAFFFFFUF";
        "POST" "/admin/bulletins/{bulletin}/content" f_empty => "UAAFFFFFUF";
        "POST" "/admin/bulletins/{bulletin}/adopt" f_empty => "UAAFFFFFUF";
        "POST" "/admin/bulletins/{bulletin}/hot-terms" f_empty => "UAAFFFFFUF";
        "POST" "/admin/bulletins/{bulletin}/correct" f_empty => "UAAFFFFFUF";
        "POST" "/admin/bulletins/{bulletin}/publish" f_empty => "UAAFFFFFUF";
        "POST" "/api/v1/admin/bulletins/{bulletin}/publish" empty => "UAAFFFFFUF";
        // 12315 work orders: admins only.
        "GET" "/admin/workorders" none => "UAFFFFFFUF";
        "POST" "/admin/workorders" png => "UAFFFFFFUF";
        "GET" "/admin/workorders/export" none => "UAFFFFFFUF";
        // Publication of complaint information (Order 121 Art. 38): consent by the
        // complainant alone, replies by the business complained about alone (never on a
        // report), review by editors (admins and supervisors) alone; the case is open, so a
        // reply or a decision is refused past the role check (409).
        "GET" "/api/v1/track/{case}/disclosure-consent" none => "UNNNNNNNAN";
        "POST" "/api/v1/track/{case}/disclosure-consent" consent_off => "UNNNNNNNAN";
        "PUT" "/api/v1/cases/{case}/public-reply" reply => "UFFFNFANUN";
        "PUT" "/api/v1/cases/{report}/public-reply" reply => "UFFFNFNNUN";
        "GET" "/api/v1/disclosures" none => "UAAFFFFFUF";
        "POST" "/api/v1/disclosures/{case}/decision" approve => "UAAFFFFFUF";
        "GET" "/api/v1/businesses/91440703MA4UJ5QX2U/entries" none => "AAAAAAAAAA";
        "GET" "/desk/disclosures" none => "UAAFFFFFUF";
        "POST" "/desk/disclosures/{case}" f_approve => "UAAFFFFFUF";
        "POST" "/enterprise/cases/{case}/public-reply" f_reply => "UFFFFFANUF";
        "POST" "/enterprise/cases/{report}/public-reply" f_reply => "UFFFFFNNUF";
        "GET" "/businesses/91440703MA4UJ5QX2U/entries" none => "AAAAAAAAAA";
    ]
}
