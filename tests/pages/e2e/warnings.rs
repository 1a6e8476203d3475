//! An editor drafts a consumer warning in Chromium from this week's alert, previews it,
//! publishes it, and the public reads it on the list, its page and the home page; every page
//! fits a 360-px phone. Screenshots at 360 and 1280 px under
//! `target/screenshots/pages/<backend>/`.

use serde_json::{Value, json};

use super::World;
use crate::common::{Backend, TestApp, china_morning, sample_complaint};
use crate::on_both_backends;

const ADMIN: &str = "admin@jm.gov.cn";

fn shot(backend: &Backend, name: &str) -> String {
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    format!("{dir}/{name}")
}

async fn file_on(app: &TestApp, (m, d): (u32, u32), title: &str, category: &str) {
    app.set_now(china_morning(2026, m, d));
    let mut c: Value = sample_complaint();
    c["title"] = json!(title);
    c["description"] = json!(format!("{title}，要求退款。"));
    c["category"] = json!(category);
    c["purchase"]["date"] = json!("2024-01-01");
    app.file(&c).await;
}

/// Two ordinary complaints a week for eight weeks, then eight whitening ones this week.
async fn burst(app: &TestApp) {
    for week in 0..8u32 {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 7).unwrap()
            + chrono::Days::new(7 * u64::from(week));
        use chrono::Datelike;
        for i in 0..2 {
            file_on(
                app,
                (day.month(), day.day() + i),
                "面膜过敏",
                "goods.cosmetics.skincare",
            )
            .await;
        }
    }
    for i in 0..8u32 {
        file_on(
            app,
            (11, 2 + i % 5),
            "美白霜含荧光剂",
            "goods.cosmetics.whitening_spot",
        )
        .await;
    }
}

/// How far the page reaches past a 360-px window (0 when it fits).
async fn overflow_at_360(w: &World) -> i64 {
    w.browser.resize(360, 800).await;
    let over = w
        .browser
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            json!([]),
        )
        .await
        .as_i64()
        .unwrap_or(i64::MAX);
    w.browser.resize(1280, 1000).await;
    over
}

async fn an_editor_publishes_a_warning_the_public_reads(backend: Backend) {
    let w = World::on(&backend).await;
    let app = &w.app;
    burst(app).await;
    app.set_now(china_morning(2026, 11, 6));
    app.add_user(ADMIN, "admin", &[], None).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    app.wait_indexed(&analyst, 24).await;

    w.sign_in(ADMIN, "/admin").await;
    let b = &w.browser;
    let desk = b.follow(&b.find("a[href='/desk/warnings']").await).await;
    assert!(
        desk.contains("当前预警和热词") && desk.contains("美白"),
        "{desk}"
    );
    b.photograph(&shot(&backend, "desk-warnings")).await;
    let form = b
        .follow(&b.find("#sources a[href*='kind=alert']").await)
        .await;
    // Complaints only: reports never feed a public warning.
    assert!(form.contains("产品 投诉 8 件"), "{form}");
    b.photograph(&shot(&backend, "desk-warning-new")).await;
    b.fill(
        "#body",
        "近期美白祛斑类化妆品投诉增多。\n请到正规渠道购买，认准备案信息。",
    )
    .await;
    let saved = b.follow(&b.find("#save").await).await;
    assert!(saved.contains("草稿已保存"), "{saved}");
    b.photograph(&shot(&backend, "desk-warning-draft")).await;
    let url = b.url().await;
    let id: String = url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/warnings/{id}")).await.0,
        404,
        "draft hidden"
    );

    let preview = b.follow(&b.find("#preview-link").await).await;
    assert!(preview.contains("预览"), "{preview}");
    b.photograph(&shot(&backend, "desk-warning-preview")).await;
    let title = b.text(&b.find("#warning-title").await).await;
    let figures = b.text(&b.find("#figures").await).await;
    w.open(&format!("/desk/warnings/{id}")).await;
    let done = b.follow(&b.find("#publish").await).await;
    assert!(done.contains("已发布"), "{done}");

    for (path, name) in [
        ("/warnings".to_owned(), "warnings"),
        (format!("/warnings/{id}"), "warning"),
        ("/".to_owned(), "home-warnings"),
    ] {
        w.open(&path).await;
        let page = b.source().await;
        assert!(page.contains(&title), "{path}: {page}");
        assert!(overflow_at_360(&w).await <= 0, "{path} wider than a phone");
        b.photograph(&shot(&backend, name)).await;
    }
    w.open(&format!("/warnings/{id}")).await;
    assert_eq!(b.text(&b.find("#warning-title").await).await, title);
    assert_eq!(
        b.text(&b.find("#figures").await).await,
        figures,
        "preview = page"
    );
}

on_both_backends!(an_editor_publishes_a_warning_the_public_reads);
