//! Journeys between pages, so that none ends in a refusal or a dead end: every role signs in
//! from the home page and lands on its own page, with 退出登录 in the header of every
//! signed-in page; `next` keeps its query, a `next` the role may not open lands home; an
//! analyst's search hit opens the case; the public bulletin leads back and offers its PDF; an
//! unknown address shows a Chinese page; a transfer asks for a ticked confirmation.

use std::time::{Duration, Instant};

use chrono::TimeZone;
use odrdesk::clock::china_offset;
use serde_json::json;

use crate::common;
use crate::e2e::World;
use crate::on_both_backends;
use common::browser::{Browser, hidden};
use common::{Backend, TestApp};

const USCC: &str = "91440703MA4UJ5QX2U";

/// A person of each role, where they land after signing in and that page's heading.
struct Person {
    email: &'static str,
    role: &'static str,
    bureaus: &'static [&'static str],
    uscc: Option<&'static str>,
    home: &'static str,
    title: &'static str,
}

const fn person(
    email: &'static str,
    role: &'static str,
    bureaus: &'static [&'static str],
    (home, title): (&'static str, &'static str),
) -> Person {
    Person {
        email,
        role,
        bureaus,
        uscc: None,
        home,
        title,
    }
}

const PEOPLE: [Person; 5] = [
    person("admin@jm.gov.cn", "admin", &[], ("/admin", "管理首页")),
    person(
        "chief@jm.gov.cn",
        "supervisor",
        &["440703"],
        ("/desk", "案件工作台"),
    ),
    person(
        "med@jm.gov.cn",
        "mediator",
        &["440703"],
        ("/desk", "案件工作台"),
    ),
    person("ana@jm.gov.cn", "analyst", &[], ("/analyst", "案件检索")),
    Person {
        uscc: Some(USCC),
        ..person(
            "desk@meiyan.cn",
            "enterprise",
            &[],
            ("/enterprise", "涉及本企业的投诉"),
        )
    },
];

/// Other pages of each role that must carry the shared header.
fn more_pages(role: &str) -> &'static [&'static str] {
    match role {
        "admin" => &["/admin/bulletins", "/desk", "/analyst/trends"],
        "supervisor" => &["/admin/bulletins", "/analyst/hot"],
        "analyst" => &["/analyst/trends", "/analyst/hot", "/analyst/alerts"],
        _ => &[],
    }
}

async fn add_people(app: &TestApp) {
    app.add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", true);
    for p in PEOPLE {
        app.add_user(p.email, p.role, p.bureaus, p.uscc).await;
    }
}

async fn heading(w: &World) -> String {
    let b = &w.browser;
    b.text(&b.find("h1").await).await
}

/// Signs in through the form on the page the browser is on.
async fn fill_in_and_submit(w: &World, email: &str) {
    let b = &w.browser;
    b.fill("#email", email).await;
    b.fill("#password", common::accounts::PASSWORD).await;
    b.follow(&b.find("main form button[type=submit]").await)
        .await;
}

async fn sign_out(w: &World) {
    let b = &w.browser;
    let button = b.find("header form[action='/logout'] button").await;
    assert_eq!(b.text(&button).await, "退出登录");
    b.follow(&button).await;
    b.wait_for_url("/login").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_signs_in_from_home_lands_on_its_page_and_signs_out() {
    let w = World::start().await;
    add_people(&w.app).await;
    let b = &w.browser;
    b.resize(360, 800).await;
    for Person {
        email,
        role,
        home,
        title,
        ..
    } in PEOPLE
    {
        w.open("/").await;
        b.follow(&b.find("a[href='/login']").await).await;
        b.wait_for_url("/login").await;
        fill_in_and_submit(&w, email).await;
        let url = b.wait_for_url(home).await;
        assert!(url.ends_with(home), "{role} at {url}");
        let h1 = heading(&w).await;
        assert!(h1.contains(title), "{role}: {h1}");
        assert!(!b.source().await.contains("无权访问"), "{role}");
        b.photograph(&format!("journey-home-{role}")).await;
        for page in more_pages(role) {
            w.open(page).await;
            assert!(
                !b.source().await.contains("无权访问"),
                "{role} may open {page}"
            );
            b.find("header form[action='/logout'] button").await;
        }
        sign_out(&w).await;
        w.open(home).await;
        let url = b.wait_for_url("/login?next=").await;
        assert!(url.contains(home), "{role} is signed out: {url}");
    }
    w.browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_home_links_to_every_area_it_may_open() {
    let w = World::start().await;
    add_people(&w.app).await;
    let b = &w.browser;
    w.sign_in("admin@jm.gov.cn", "/admin").await;
    for (area, title) in [
        ("/desk", "案件工作台"),
        ("/analyst", "案件检索"),
        ("/admin/bulletins", "通报管理"),
    ] {
        w.open("/admin").await;
        b.follow(&b.find(&format!("main a[href='{area}']")).await)
            .await;
        b.wait_for_url(area).await;
        let h1 = heading(&w).await;
        assert!(h1.contains(title), "{area}: {h1}");
    }
    w.browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_keeps_its_query_and_a_forbidden_next_lands_home() {
    let w = World::start().await;
    add_people(&w.app).await;
    let b = &w.browser;

    w.open("/desk?state=in_mediation").await;
    b.wait_for_url("/login?next=").await;
    fill_in_and_submit(&w, "med@jm.gov.cn").await;
    let url = b.wait_for_url("/desk?").await;
    assert!(url.ends_with("/desk?state=in_mediation"), "{url}");
    let chosen = b.find("#f-state option[value='in_mediation']").await;
    assert!(
        b.attr(&chosen, "selected").await.is_some(),
        "the filter came along"
    );
    sign_out(&w).await;

    // An analyst sent to sign in for bulletin admin lands on the analyst's page instead.
    w.open("/login?next=/admin/bulletins").await;
    fill_in_and_submit(&w, "ana@jm.gov.cn").await;
    let url = b.wait_for_url("/analyst").await;
    assert!(url.ends_with("/analyst"), "{url}");
    assert!(heading(&w).await.contains("案件检索"));
    w.browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_search_hit_opens_the_case() {
    let w = World::start().await;
    let (case_no, _) = w.app.file_complaint().await;
    w.app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    w.sign_in("ana@jm.gov.cn", "/analyst").await;
    let b = &w.browser;
    let deadline = Instant::now() + Duration::from_secs(20);
    let hit = loop {
        w.open("/analyst/search").await;
        if let Some(link) = b.try_find("li.hit h3 a").await {
            break link;
        }
        assert!(
            Instant::now() < deadline,
            "the case never reached the index"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    b.follow(&hit).await;
    let url = b.wait_for_url("/analyst/cases/").await;
    assert!(url.ends_with(&case_no), "{url}");
    assert!(heading(&w).await.contains(&case_no));
    let page = b.source().await;
    assert!(!page.contains("张三"), "the analyst reads masked text");
    assert!(
        !page.contains("/desk/cases/"),
        "no link the analyst may not open"
    );
    b.photograph("journey-analyst-case").await;
    sign_out(&w).await;
    w.browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_bulletin_shows_the_header_a_way_back_and_the_pdf() {
    let w = World::start().await;
    let noon = china_offset()
        .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .unwrap();
    w.app.set_now(noon.with_timezone(&chrono::Utc));
    let admin = w.app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let (s, draft) = w
        .app
        .post_as(
            "/api/v1/admin/bulletins",
            &admin,
            &json!({"period": "2026-Q3"}),
        )
        .await;
    assert_eq!(s, 201, "{draft}");
    let id = draft["id"].as_i64().unwrap();
    let publish = format!("/api/v1/admin/bulletins/{id}/publish");
    let (s, v) = w.app.post_as(&publish, &admin, &json!({})).await;
    assert_eq!(s, 200, "{v}");

    let b = &w.browser;
    b.resize(360, 800).await;
    w.open("/bulletins").await;
    b.follow(
        &b.find(&format!(".cards-list a[href='/bulletins/{id}']"))
            .await,
    )
    .await;
    b.wait_for_url(&format!("/bulletins/{id}")).await;
    b.find("nav.site-nav a[href='/']").await;
    let pdf = b
        .find(&format!("nav.site-nav a[href='/bulletins/{id}.pdf']"))
        .await;
    assert!(b.text(&pdf).await.contains("PDF"));
    b.photograph("journey-public-bulletin").await;
    b.follow(&b.find("nav.site-nav a[href='/bulletins']").await)
        .await;
    b.wait_for("消费投诉举报情况季度通报").await;
    assert!(b.url().await.ends_with("/bulletins"));
    w.browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_address_shows_the_chinese_404_page() {
    let w = World::start().await;
    let b = &w.browser;
    w.open("/no/such/page").await;
    b.wait_for("页面不存在").await;
    b.photograph("journey-not-found").await;
    b.follow(&b.find("main a[href='/']").await).await;
    b.wait_for("我要投诉").await;
    w.browser.quit().await;
}

/// Browsers asking for HTML get the page; the API and clients not asking for HTML keep JSON.
async fn unknown_addresses_answer_as_asked(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let get = |path: &str, accept: &str| {
        app.client
            .get(app.url(path))
            .header(reqwest::header::ACCEPT, accept.to_owned())
            .send()
    };
    let html = "text/html,application/xhtml+xml,*/*;q=0.8";
    // A missing bulletin file is an unknown address like any other.
    for path in ["/no/such/page", "/bulletins/999.pdf", "/bulletins/999"] {
        let page = get(path, html).await.unwrap();
        assert_eq!(page.status(), 404, "{path}");
        assert!(
            page.headers()[reqwest::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let body = page.text().await.unwrap();
        assert!(
            body.contains("页面不存在") && body.contains("href=\"/\""),
            "{path}: {body}"
        );
    }
    for (path, accept) in [
        ("/api/v1/no-such-thing", html),
        ("/no/such/page", "application/json"),
        ("/no/such/page", "*/*"),
        ("/bulletins/999.pdf", "*/*"),
    ] {
        let res = get(path, accept).await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["error"], "not_found", "{path} {accept}");
    }
}

/// A transfer hands the case away: without the ticked box nothing happens.
async fn a_transfer_needs_the_ticked_confirmation(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    let (case_no, _) = app.file_complaint().await;
    let mut web = Browser::signed_in(&app, "med@jm.gov.cn", "/desk").await;
    let here = format!("/desk/cases/{case_no}");
    let page = web.get(&here).await;
    assert!(
        page.body.contains("name=\"confirm\"") && page.body.contains("type=\"checkbox\""),
        "{}",
        page.body
    );
    let token = hidden(&page.body, "csrf");
    let transfer = [
        ("csrf", token.as_str()),
        ("action", "transfer"),
        // Out of the city: Order 121 cases go to another county bureau only through the
        // city's unified intake unit.
        ("bureau", "outside"),
        ("reason", "实际经营地在新会区"),
    ];
    let asked = web.post(&format!("{here}/actions"), &transfer).await;
    assert_eq!(asked.status, 422, "{}", asked.body);
    assert!(asked.body.contains("请勾选确认后再提交"), "{}", asked.body);
    assert!(
        asked.body.contains("实际经营地在新会区"),
        "the typed reason is kept"
    );
    assert!(web.get(&here).await.body.contains("待受理"), "not moved");

    let mut confirmed = transfer.to_vec();
    confirmed.push(("confirm", "yes"));
    let done = web.post(&format!("{here}/actions"), &confirmed).await;
    assert_eq!(done.status, 303, "{}", done.body);
}

on_both_backends!(
    unknown_addresses_answer_as_asked,
    a_transfer_needs_the_ticked_confirmation
);
