//! Injection in search: SQL-ish and query-syntax strings, huge and strange text, in the API and
//! on the analyst page. Never a 5xx; results or a 422 that says what is wrong; pages escape.

use crate::common::{self, Backend, TestApp};

fn encode(key: &str, value: &str) -> String {
    serde_urlencoded::to_string([(key, value)]).unwrap()
}

fn hostile_queries() -> Vec<String> {
    let mut q: Vec<String> = [
        "' OR 1=1 --",
        "'; DROP TABLE cases; --",
        "\" OR \"\"=\"",
        "\"unbalanced",
        "field:value",
        "title:面膜",
        "state:closed OR 1",
        "*",
        "?",
        "(((",
        ")))",
        "[1 TO",
        "{* TO *}",
        "a AND OR NOT b",
        "+-+-",
        "~2",
        "面膜^99999999999999999999",
        "\\",
        "%",
        "_",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "\u{1}\u{7}\u{1b}[31m",
        "\u{0}",
        "😀🔥👩‍👩‍👧",
        "\u{202E}膜面",
        "   ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    q.push("面膜过敏 ".repeat(700));
    q.push("select * from cases; ".repeat(500));
    q.push("(".repeat(5000));
    q.push(format!("{}面膜{}", "(".repeat(16), ")".repeat(16)));
    q.push(format!("{}a", "-".repeat(999)));
    q.push(format!("{}a", "+-".repeat(499)));
    q.push("a OR ".repeat(199) + "b");
    q.push("\"a\" ".repeat(300));
    q.push("\"".repeat(3001));
    q
}

async fn search_survives_hostile_queries(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.file_complaint().await;
    let analyst = app
        .add_user("analyst@example.gov.cn", "analyst", &[], None)
        .await;
    let client = common::http_client();
    let mut answers = Vec::new();
    for q in hostile_queries() {
        let short: String = q.chars().take(24).collect();
        let res = client
            .get(app.url(&format!("/api/v1/search?{}", encode("q", &q))))
            .bearer_auth(&analyst)
            .send()
            .await
            .unwrap();
        let (s, body) = common::read(res).await;
        match s {
            200 => assert!(body["hits"].is_array(), "{short:?}: {body}"),
            422 => {
                super::assert_json_error(&short, s, &body);
                assert_eq!(body["fields"][0]["field"], "q", "{short:?}: {body}");
            }
            _ => panic!("{short:?}: {s} {body}"),
        }
        answers.push(s);

        let res = client
            .get(app.url(&format!("/analyst/search?{}", encode("q", &q))))
            .bearer_auth(&analyst)
            .send()
            .await
            .unwrap();
        let s = res.status().as_u16();
        let html = res.text().await.unwrap();
        assert!(s == 200 || s == 422, "page {short:?}: {s}");
        assert!(
            !html.contains("<script>alert") && !html.contains("<img src=x"),
            "page {short:?} echoes markup unescaped"
        );
        if q.starts_with("<script>") {
            let at = html
                .find("alert(1)")
                .map(|i| &html[i.saturating_sub(40)..i + 20]);
            assert!(
                html.contains("&#60;script&#62;alert(1)"),
                "shown back as {at:?}"
            );
        }
    }
    // Deep nesting and very long text are refused with a reason, not a crashed worker.
    for q in ["(".repeat(5000), "面".repeat(1001)] {
        let url = format!("/api/v1/search?{}", encode("q", &q));
        let (s, body) = app.get_as(&url, &analyst).await;
        assert_eq!(
            (s, body["fields"][0]["code"].as_str()),
            (422, Some("invalid_query"))
        );
    }
    // Plain words still find the complaint: the store was not harmed.
    let (s, body) = app
        .get_as("/api/v1/search?q=%E9%9D%A2%E8%86%9C", &analyst)
        .await;
    assert_eq!(s, 200, "{body}");
    assert!(answers.contains(&200));
}

async fn search_options_are_checked(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app
        .add_user("analyst@example.gov.cn", "analyst", &[], None)
        .await;
    for query in [
        "limit=0",
        "limit=100000",
        "limit=-1",
        "limit=abc",
        "sort=bogus",
        "cursor=%00%FF",
        "cursor=' OR 1=1 --",
        "received_from=2026-13-45",
        "received_from=' OR 1=1",
        "category=../../etc",
        "district=440703' OR '1'='1",
    ] {
        let (s, body) = app
            .get_as(&format!("/api/v1/search?{query}"), &analyst)
            .await;
        assert!(s == 200 || s == 400 || s == 422, "{query}: {s} {body}");
        if s != 200 {
            super::assert_json_error(query, s, &body);
        }
        let res = common::http_client()
            .get(app.url(&format!("/analyst/search?{query}")))
            .bearer_auth(&analyst)
            .send()
            .await
            .unwrap();
        let s = res.status().as_u16();
        assert!(s == 200 || s == 400 || s == 422, "page {query}: {s}");
    }
}

crate::on_both_backends!(search_survives_hostile_queries, search_options_are_checked);
