//! The OpenAPI document against the server's real answers: the statuses that the shared
//! readers (JSON body, query string) and the role checks produce are documented for every
//! operation that can give them, and real answers of each kind are among the documented
//! statuses of their operation. `.ci/schemathesis` checks the same at scale.

use crate::common;

use common::{Backend, TestApp};
use serde_json::Value;

async fn document(app: &TestApp) -> Value {
    let (status, doc) = app.get("/openapi.json").await;
    assert_eq!(status, 200, "{doc}");
    doc
}

fn documented(doc: &Value, method: &str, path: &str) -> Vec<String> {
    doc["paths"][path][method]["responses"]
        .as_object()
        .unwrap_or_else(|| panic!("the document has no {method} {path}"))
        .keys()
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reader_errors_are_documented_on_every_operation() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let doc = document(&app).await;
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/hot-terms",
        "/api/v1/alerts",
        "/api/v1/similar/{case_no}",
        "/api/v1/exports",
        "/api/v1/exports/{id}",
        "/api/v1/exports/{id}/download",
        "/api/v1/phone/codes",
        "/api/v1/phone/sessions",
        "/api/v1/phone/cases",
        "/api/v1/phone/cases/{case_no}/tracking-code",
    ] {
        assert!(paths.contains_key(path), "the document lacks {path}");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let statuses = documented(&doc, method, path);
            let has = |code: &str| statuses.iter().any(|s| s == code);
            if op["requestBody"]["content"]["application/json"].is_object() {
                for code in ["400", "413", "415"] {
                    assert!(has(code), "{method} {path} takes JSON but lacks {code}");
                }
            }
            // Only the sign-ins, the phone pages' bearer-only API and the tracking-token
            // upload never read the session cookie.
            let session_free = [
                "/api/v1/auth/login",
                "/api/v1/wechat/login",
                "/api/v1/phone/codes",
                "/api/v1/phone/sessions",
                "/api/v1/phone/cases/{case_no}/tracking-code",
                "/api/v1/track/{case_no}/attachments",
            ];
            let write = ["post", "put", "patch", "delete"].contains(&method.as_str());
            if write && path.starts_with("/api/") && !session_free.contains(&path.as_str()) {
                assert!(has("403"), "{method} {path} can refuse a cross-site cookie");
            }
            let query = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            if query {
                assert!(has("400"), "{method} {path} reads a query but lacks 400");
            }
        }
    }
    let referral = &doc["paths"]["/api/v1/cases/{case_no}/referral"]["get"]["responses"]["200"];
    assert!(referral["content"]["text/csv"].is_object(), "{referral}");
    assert!(
        referral["content"]["application/json"].is_object(),
        "{referral}"
    );
}

/// A request, the operation it belongs to, and the status it must get.
struct Probe {
    method: &'static str,
    operation: &'static str,
    target: String,
    /// As the administrator, or without credentials.
    signed_in: bool,
    /// A JSON body, sent as is.
    body: Option<&'static str>,
    expected: u16,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_answers_are_among_the_documented_statuses() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let doc = document(&app).await;
    let alerts_q = "q=%C2%A2%0A%C2%85%C3%80%1AF%C3%83%C2%8D%C2%AA%C3%82%5D%C2%AD%C2%96%15%C3%88";
    let probe = |method, operation, target: &str, signed_in, body, expected| Probe {
        method,
        operation,
        target: target.to_owned(),
        signed_in,
        body,
        expected,
    };
    let probes = vec![
        probe(
            "put",
            "/api/v1/admin/calendar",
            "/api/v1/admin/calendar",
            false,
            Some("x"),
            401,
        ),
        probe(
            "put",
            "/api/v1/admin/policy",
            "/api/v1/admin/policy",
            false,
            Some("x"),
            401,
        ),
        probe(
            "get",
            "/api/v1/admin/policy",
            "/api/v1/admin/policy",
            false,
            None,
            401,
        ),
        probe(
            "post",
            "/api/v1/queue/assign",
            "/api/v1/queue/assign",
            false,
            Some("{}"),
            401,
        ),
        probe(
            "get",
            "/api/v1/cases/{case_no}/referral",
            "/api/v1/cases/TS-2026-000001/referral",
            false,
            None,
            401,
        ),
        probe(
            "get",
            "/api/v1/exports/{id}",
            "/api/v1/exports/1",
            false,
            None,
            401,
        ),
        probe(
            "get",
            "/api/v1/queue",
            "/api/v1/queue?overdue=null",
            true,
            None,
            400,
        ),
        probe(
            "post",
            "/api/v1/admin/api-keys",
            "/api/v1/admin/api-keys",
            true,
            None,
            400,
        ),
        probe(
            "post",
            "/api/v1/auth/login",
            "/api/v1/auth/login",
            false,
            None,
            400,
        ),
        probe(
            "get",
            "/api/v1/alerts",
            &format!("/api/v1/alerts?{alerts_q}"),
            true,
            None,
            422,
        ),
        probe(
            "get",
            "/api/v1/me/cases",
            "/api/v1/me/cases",
            true,
            None,
            403,
        ),
    ];
    for Probe {
        method,
        operation,
        target,
        signed_in,
        body,
        expected,
    } in probes
    {
        let mut req = app.client.request(
            method.to_uppercase().parse().expect("method"),
            app.url(&target),
        );
        if signed_in {
            req = req.bearer_auth(&admin);
        }
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_owned());
        }
        let (status, answer) = common::read(req.send().await.expect("request")).await;
        assert_eq!(status, expected, "{method} {target}: {answer}");
        assert!(
            documented(&doc, method, operation).contains(&status.to_string()),
            "{method} {target} answered {status}, which {operation} does not document"
        );
        assert!(answer["error"].is_string(), "{method} {target}: {answer}");
    }
}

/// The analyst parameters declare their formats and bounds, so that generated requests
/// (`.ci/schemathesis`) include dates and counts at and past the edges, and every such
/// operation documents the 422 those get.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyst_parameters_declare_their_formats_and_bounds() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let doc = document(&app).await;
    let parameter = |path: &str, name: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name).cloned())
            .unwrap_or_else(|| panic!("GET {path} lacks the parameter {name}"))
    };
    for (path, dates) in [
        ("/api/v1/search", &["from", "to"][..]),
        ("/api/v1/trends", &["from", "to"]),
        (
            "/api/v1/hot-terms",
            &["from", "to", "baseline_from", "baseline_to"],
        ),
        ("/api/v1/alerts", &["from", "to", "week_of"]),
    ] {
        for name in dates {
            let p = parameter(path, name);
            assert_eq!(p["schema"]["format"], "date", "{path} {name}: {p}");
            let text = p["description"].as_str().unwrap_or_default();
            assert!(
                text.contains("2000-01-01") || text.contains("same format and bounds"),
                "{path} {name} names its bounds: {p}"
            );
        }
        assert!(
            documented(&doc, "get", path).iter().any(|s| s == "422"),
            "{path}"
        );
    }
    for (path, name, lowest, highest) in [
        ("/api/v1/search", "limit", 1, 200),
        ("/api/v1/trends", "top", 1, 100),
        ("/api/v1/hot-terms", "limit", 1, 200),
        ("/api/v1/alerts", "baseline_weeks", 1, 52),
    ] {
        let p = parameter(path, name);
        assert_eq!(p["schema"]["minimum"], lowest, "{path} {name}: {p}");
        assert_eq!(p["schema"]["maximum"], highest, "{path} {name}: {p}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_terms_lift_and_struck_hot_issues_are_documented() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    for field in ["per_day", "baseline_per_day", "lift"] {
        assert!(
            schemas["HotTerm"]["properties"].get(field).is_some(),
            "HotTerm.{field}: {}",
            schemas["HotTerm"]
        );
    }
    for field in ["per_day", "previous_per_day", "lift", "struck"] {
        assert!(
            schemas["HotIssue"]["properties"].get(field).is_some(),
            "HotIssue.{field}: {}",
            schemas["HotIssue"]
        );
    }
    assert!(
        schemas["Strike"]["properties"].get("by").is_some(),
        "{schemas}"
    );
    for action in ["strike", "restore"] {
        let path = format!("/api/v1/admin/bulletins/{{id}}/hot-issues/{action}");
        let statuses = documented(&doc, "post", &path);
        for status in ["200", "409", "422"] {
            assert!(
                statuses.contains(&status.to_owned()),
                "{path}: {statuses:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_contract_and_the_api_key_scheme_are_documented() {
    let app = TestApp::spawn(&Backend::Sqlite).await;
    let doc = document(&app).await;
    for event in [
        "case.created",
        "case.message",
        "case.deadline_reminder",
        "case.decision",
    ] {
        let hook = &doc["webhooks"][event]["post"];
        assert_eq!(
            hook["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/EventBody",
            "{event}: {hook}"
        );
        let headers: Vec<&str> = hook["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            headers,
            [
                "X-Odrdesk-Timestamp",
                "X-Odrdesk-Signature",
                "X-Odrdesk-Event-Id"
            ]
        );
    }
    let schemas = &doc["components"]["schemas"];
    for field in ["id", "type", "created_at", "data"] {
        assert!(
            schemas["EventBody"]["properties"].get(field).is_some(),
            "{field}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["enterprise_api_key"]["scheme"],
        "bearer"
    );
    for path in [
        "/api/v1/enterprise/api-keys",
        "/api/v1/enterprise/webhook/rotate",
        "/api/v1/enterprise/webhook/deliveries/{id}/resend",
    ] {
        assert!(!documented(&doc, "post", path).is_empty(), "{path}");
    }
    assert!(!documented(&doc, "put", "/api/v1/enterprise/webhook").is_empty());
}
