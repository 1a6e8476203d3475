//! A business reads its own credit scorecards in Chromium: from its desk's header to
//! `/enterprise/scorecards`, its grade and counts as worked out in `common::scorecards`, the
//! method in words; a report under verification changes nothing there; another business
//! sees only its own; the page fits a phone. Screenshots at 360 and 1280 px under
//! `target/screenshots/pages/<backend>/scorecards-*`.

use serde_json::json;

use super::World;
use crate::common::scorecards::*;
use crate::common::webdriver::Browser;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

fn shot(backend: &Backend, name: &str) -> String {
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    format!("{dir}/scorecards-{name}")
}

/// How far the page reaches past a 360 px window, in CSS pixels (0 when it fits).
async fn overflow_on_a_phone(b: &Browser) -> i64 {
    b.resize(360, 800).await;
    let v = b
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            json!([]),
        )
        .await;
    b.resize(1280, 1000).await;
    v.as_i64().unwrap_or(i64::MAX)
}

async fn page_as(app: &TestApp, email: &str) -> (u16, String) {
    let t = token(app, email).await;
    let res = app
        .client
        .get(app.url("/enterprise/scorecards"))
        .bearer_auth(&t)
        .header("Accept", "text/html")
        .send()
        .await
        .expect("request");
    (res.status().as_u16(), res.text().await.expect("body"))
}

async fn a_business_reads_its_own_scorecards(backend: Backend) {
    let w = World::on(&backend).await;
    build(&w.app).await;
    let (_, before) = page_as(&w.app, A_DESK).await;
    let open = open_report(&w.app).await;

    w.sign_in(A_DESK, "/enterprise").await;
    let b = &w.browser;
    b.follow(&b.find("header a[href='/enterprise/scorecards']").await)
        .await;
    assert_eq!(b.text(&b.find("h1").await).await, "信用评分卡");
    assert_eq!(
        b.text(&b.find("#grade-2026Q3").await).await,
        "D 级（信用较差）"
    );
    assert_eq!(b.text(&b.find("#score-2026Q3").await).await, "48");
    let violations = b.text(&b.find("#violations-2026Q3").await).await;
    assert_eq!(violations, "1 件（其中假冒、知识产权侵权 1 件）");
    let method = b.text(&b.find("#methodology").await).await;
    assert!(method.contains("每件扣 15 分"), "{method}");
    assert_eq!(overflow_on_a_phone(b).await, 0, "fits a 360 px phone");
    b.photograph(&shot(&backend, "business-a")).await;
    let page = b.source().await;
    for hidden in [B_NAME, C_NAME, open.as_str(), "13900000101", "张三"] {
        assert!(!page.contains(hidden), "{hidden} on A's page");
    }
    // The report under verification changed nothing A sees.
    let (_, after) = page_as(&w.app, A_DESK).await;
    assert_eq!(after, before.replace(&csrf_of(&before), &csrf_of(&after)));

    // B sees its own A grade and nothing of A.
    b.follow(&b.find("header form[action='/logout'] button").await)
        .await;
    w.sign_in(B_DESK, "/enterprise").await;
    w.open("/enterprise/scorecards").await;
    assert_eq!(
        b.text(&b.find("#grade-2026Q3").await).await,
        "A 级（信用良好）"
    );
    let page = b.source().await;
    for hidden in [A_NAME, A_USCC, "D 级（信用较差）"] {
        assert!(!page.contains(hidden), "{hidden}: A's card on B's page");
    }
    b.photograph(&shot(&backend, "business-b")).await;
    w.browser.quit().await;

    // Staff have no business desk.
    assert_eq!(page_as(&w.app, ANALYST).await.0, 403);
}

/// The page's CSRF token (each rendering issues its own).
fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    page.find(marker)
        .map(|at| {
            page[at + marker.len()..]
                .split('"')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .unwrap_or_default()
}

on_both_backends!(a_business_reads_its_own_scorecards);
