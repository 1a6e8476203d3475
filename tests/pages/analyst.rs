//! The analyst pages without JavaScript: search with highlighted snippets and facet links,
//! trend bars that link to exactly the cases they count, hot terms, alerts, a CSV export,
//! mediators limited to their bureaus, and typed markup shown as text.

use crate::common;
use crate::on_both_backends;

use std::time::Duration;

use common::browser::{Browser, hidden};
use common::{Backend, TestApp, china_morning};
use serde_json::json;

const ANALYST: &str = "ana@jm.gov.cn";
const MEDIATOR: &str = "med@jm.gov.cn";

/// An `href` as written in HTML, back to the address a browser follows.
fn unescape(href: &str) -> String {
    href.replace("&amp;", "&").replace("&#38;", "&")
}

/// Every link target on a page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|s| unescape(s.split('"').next().unwrap()))
        .collect()
}

/// The total a search page reports.
fn total(html: &str) -> u64 {
    let start = html.find("id=\"total\">").expect("a result total") + "id=\"total\">".len();
    html[start..].split('<').next().unwrap().parse().unwrap()
}

/// The case numbers a search page lists, sorted.
fn listed(html: &str) -> Vec<String> {
    let mut out: Vec<String> = html
        .split("<span class=\"case-no\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

/// The target of the first link whose accessible name is `label`.
fn link_labelled(html: &str, label: &str) -> String {
    let marker = format!("\" aria-label=\"{label}\"");
    let end = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no link labelled {label} in {html}"));
    let start = html[..end].rfind("href=\"").unwrap() + "href=\"".len();
    unescape(&html[start..end])
}

async fn file(app: &TestApp, title: &str, description: &str, district: &str) -> String {
    let mut c = common::sample_complaint();
    c["title"] = json!(title);
    c["description"] = json!(description);
    c["respondent"] = json!({"name": format!("江门市{district}某商行"), "address": "江门市某路1号", "district": district});
    let (s, v) = app.post_json("/api/v1/complaints", &c).await;
    assert_eq!(s, 201, "{v}");
    v["case_no"].as_str().unwrap().to_owned()
}

async fn analyst_pages(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let token = app.add_user(ANALYST, "analyst", &[], None).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    app.set_now(china_morning(2026, 10, 10));
    let a = file(
        &app,
        "面膜使用后过敏",
        "补水面膜用了两次后面部过敏红肿。",
        "440703",
    )
    .await;
    app.set_now(china_morning(2026, 10, 20));
    let b = file(&app, "面膜有异味", "网购的面膜打开后有明显异味。", "440705").await;
    app.set_now(china_morning(2026, 11, 5));
    let c = file(
        &app,
        "烟酰胺精华烂脸",
        "用了烟酰胺精华两周后烂脸。",
        "440704",
    )
    .await;
    app.set_now(china_morning(2026, 11, 12));
    let d = file(
        &app,
        "口红色号不符",
        "网购口红实物颜色与页面宣传差别很大。",
        "440703",
    )
    .await;
    app.set_now(china_morning(2026, 11, 20));
    app.wait_indexed(&token, 4).await;

    let mut web = Browser::new(&app);
    let anonymous = web.get("/analyst/trends?interval=week").await;
    assert_eq!(anonymous.status, 303, "{}", anonymous.body);
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/login?next=/analyst/trends%3Finterval%3Dweek")
    );
    web.sign_in(ANALYST, "/analyst").await;

    // A Chinese query: highlighted snippets, facets that narrow the search.
    let masks = web.get("/analyst/search?q=%E9%9D%A2%E8%86%9C").await;
    assert_eq!(masks.status, 200, "{}", masks.body);
    assert_eq!(total(&masks.body), 2);
    assert_eq!(listed(&masks.body), sorted(&[&a, &b]));
    assert!(masks.body.contains("<mark>面膜</mark>"), "{}", masks.body);
    let facet = "/analyst/search?district=440703&q=%E9%9D%A2%E8%86%9C";
    assert!(
        hrefs(&masks.body).iter().any(|h| h == facet),
        "{}",
        masks.body
    );
    let narrowed = web.get(facet).await;
    assert_eq!(listed(&narrowed.body), sorted(&[&a]));

    // Typed markup comes back as text.
    let script = web
        .get("/analyst/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert!(matches!(script.status, 200 | 422), "{}", script.status);
    assert!(!script.body.contains("<script>"), "{}", script.body);
    assert!(
        script.body.contains("&#60;script&#62;") || script.body.contains("&lt;script&gt;"),
        "{}",
        script.body
    );
    let bad_date = web.get("/analyst/search?from=2026-13-40").await;
    assert_eq!(bad_date.status, 422);
    assert!(bad_date.body.contains("aria-describedby=\"from-error\""));
    // Dates out of bounds and too many trend buckets are form errors, never a server error.
    for (path, says) in [
        (
            "/analyst/hot?to=-262143-01-01",
            "日期应在2000-01-01至2027-11-20之间",
        ),
        (
            "/analyst/trends?from=%2B262142-12-31&interval=day",
            "日期应在2000-01-01至2027-11-20之间",
        ),
        (
            "/analyst/trends?interval=day&from=2000-01-01&by=respondent",
            "最多400个",
        ),
        (
            "/analyst/alerts?week_of=-262143-01-01",
            "日期应在2000-01-01至2027-11-20之间",
        ),
        (
            "/analyst/search?to=%2B262142-12-31",
            "日期应在2000-01-01至2027-11-20之间",
        ),
    ] {
        let refused = web.get(path).await;
        assert_eq!(refused.status, 422, "{path}: {}", refused.body);
        assert!(refused.body.contains(says), "{path}: {}", refused.body);
    }

    // Each trend bar links to the search listing exactly the cases it counts.
    let trends = web
        .get("/analyst/trends?from=2026-10-01&to=2026-11-30&interval=month&by=district")
        .await;
    assert_eq!(trends.status, 200, "{}", trends.body);
    assert!(trends.body.contains("<svg") && trends.body.contains("role=\"group\""));
    for (label, expected) in [
        ("2026年10月：2件", sorted(&[&a, &b])),
        ("2026年11月：2件", sorted(&[&c, &d])),
    ] {
        let target = web.get(&link_labelled(&trends.body, label)).await;
        assert_eq!(total(&target.body), 2, "{label}");
        assert_eq!(listed(&target.body), expected, "{label}");
    }
    let district = link_labelled(&trends.body, "蓬江区：2件");
    assert_eq!(listed(&web.get(&district).await.body), sorted(&[&a, &d]));

    // Two weeks against a month: one case a fortnight is more a day than one a month.
    let hot = web
        .get("/analyst/hot?from=2026-11-01&to=2026-11-14&baseline_from=2026-10-01&baseline_to=2026-10-31&min_count=1")
        .await;
    assert_eq!(hot.status, 200, "{}", hot.body);
    assert!(
        hot.body.contains("<td><a href=\"/analyst/search?") && hot.body.contains(">烟酰胺</a>"),
        "{}",
        hot.body
    );
    assert!(
        hot.body
            .contains("<th scope=\"col\" class=\"num\">增幅</th>")
            && hot.body.contains("<td class=\"num\">新出现</td>")
            && hot.body.contains("<td class=\"num\">0.07</td>"),
        "{}",
        hot.body
    );
    // 网购 is in one case of each period: fewer a day now, not hot.
    assert!(!hot.body.contains(">网购</a>"), "{}", hot.body);
    let alerts = web.get("/analyst/alerts").await;
    assert_eq!(alerts.status, 200, "{}", alerts.body);

    // An export of the current search, downloaded with the session cookie.
    let token = hidden(&masks.body, "csrf");
    let refused = web.post("/analyst/exports", &[("q", "面膜")]).await;
    assert_eq!(refused.status, 400);
    let started = web
        .post("/analyst/exports", &[("csrf", &token), ("q", "面膜")])
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    let status_page = started.location.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let download = loop {
        let status = web.get(&status_page).await;
        assert_eq!(status.status, 200);
        if let Some(at) = status.body.find("href=\"/api/v1/exports/") {
            let href = status.body[at + 6..].split('"').next().unwrap().to_owned();
            break href;
        }
        assert!(status.body.contains("http-equiv=\"refresh\""));
        assert!(
            tokio::time::Instant::now() < deadline,
            "export never finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // The first link is the people's CSV; the machine CSV, with codes, is named as such.
    let csv = web.get(&download).await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.starts_with("\u{feff}案件编号,收到时间"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains(&a) && csv.body.contains(&b) && !csv.body.contains(&c));
    let machine = web.get(&format!("{download}?format=machine")).await;
    assert_eq!(machine.status, 200);
    assert!(
        machine.body.starts_with("\u{feff}case_no,received_at"),
        "{}",
        machine.body
    );
    assert!(machine.body.contains(&a) && machine.body.contains(&b) && !machine.body.contains(&c));

    // A mediator sees only their bureau's cases.
    let mut mediator = Browser::new(&app);
    mediator.sign_in(MEDIATOR, "/analyst").await;
    let theirs = mediator.get("/analyst/search").await;
    assert_eq!(theirs.status, 200);
    assert_eq!(listed(&theirs.body), sorted(&[&a, &d]));
    let other = mediator.get(&status_page).await;
    assert_eq!(other.status, 404, "someone else's export");
}

fn sorted(nos: &[&String]) -> Vec<String> {
    let mut out: Vec<String> = nos.iter().map(|s| s.to_string()).collect();
    out.sort();
    out
}

on_both_backends!(analyst_pages);
