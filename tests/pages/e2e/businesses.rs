//! A visitor on a 360-px phone finds a business's complaint figures from the home page:
//! the list, a search, the business page with its quarters, rates, ODR status, pledges and
//! definitions; nothing wider than the screen, no complainant's name or phone, and the
//! report against the business nowhere. Screenshots at 360 and 1280 px under
//! `target/screenshots/pages/<backend>/`.

use serde_json::{Value, json};

use super::World;
use crate::common::webdriver::Browser;
use crate::common::{Backend, china_morning, sample_complaint, sample_report};
use crate::on_both_backends;
use odrdesk::clock::Clock;
use odrdesk::service::accounts::{self, EnterpriseInput};

const USCC: &str = "91440703MA4UJ5QX2U";

fn shot(backend: &Backend, name: &str) -> String {
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    format!("{dir}/{name}")
}

/// How far the page reaches past the window, in CSS pixels (0 when it fits).
async fn overflow(b: &Browser) -> i64 {
    b.execute(
        "return document.documentElement.scrollWidth - window.innerWidth;",
        json!([]),
    )
    .await
    .as_i64()
    .unwrap_or(i64::MAX)
}

async fn file(w: &World, body: &Value, path: &str) {
    let (s, v) = w.app.post_json(path, body).await;
    assert_eq!(s, 201, "{v}");
}

async fn a_visitor_reads_a_business_page_on_a_phone(backend: Backend) {
    let w = World::on(&backend).await;
    let app = &w.app;
    app.set_now(china_morning(2026, 9, 1));
    let input = EnterpriseInput {
        uscc: Some(USCC.to_owned()),
        name: Some("江门市美颜化妆品有限公司".to_owned()),
        district: Some("440703".to_owned()),
        email: Some("service@example.com".to_owned()),
        odr: true,
        commitments: vec!["worry_free".to_owned(), "no_reason_return".to_owned()],
    };
    let enterprise = accounts::parse_enterprise(&input).expect("valid enterprise");
    let now = app.clock.now();
    tokio::task::block_in_place(|| accounts::upsert_enterprise(&mut app.db(), &enterprise, now))
        .expect("register");

    let mut c = sample_complaint();
    c["purchase"]["date"] = json!("2026-08-20");
    c["prefer_odr"] = json!(true);
    file(&w, &c, "/api/v1/complaints").await;
    app.set_now(china_morning(2026, 10, 12));
    c["complainant"]["phone"] = json!("13912345678");
    c["complainant"]["name"] = json!("欧阳娜娜");
    c["prefer_odr"] = json!(false);
    file(&w, &c, "/api/v1/complaints").await;
    let mut r = sample_report();
    r["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": USCC, "district": "440703"});
    file(&w, &r, "/api/v1/reports").await;
    app.set_now(china_morning(2026, 11, 20));

    let b = &w.browser;
    b.resize(360, 640).await;
    w.open("/").await;
    let list = b.follow(&b.find("main a[href='/businesses']").await).await;
    assert!(
        list.contains("企业投诉公示") && list.contains("共 1 家企业"),
        "{list}"
    );
    assert_eq!(overflow(b).await, 0, "the list fits a phone");
    b.photograph(&shot(&backend, "businesses")).await;

    b.resize(360, 640).await;
    b.fill("#q", "美颜").await;
    let found = b.follow(&b.find("form.search button").await).await;
    assert!(found.contains("搜索“美颜”"), "{found}");
    let page = b
        .follow(&b.find(&format!("a[href='/businesses/{USCC}']")).await)
        .await;
    for needle in [
        "季度投诉量",
        "2026年第3季度",
        "2026年第4季度（截至11月20日）",
        "自2026年9月1日起",
        "放心消费承诺单位",
        "线下无理由退货承诺单位",
        "企业自行和解率",
        "调解成功率",
        "ODR 按时响应率",
        "公示的投诉",
        "统计说明",
    ] {
        assert!(page.contains(needle), "{needle} missing: {page}");
    }
    for secret in ["欧阳娜娜", "13912345678", "张三", "13800138000", "假冒"] {
        assert!(!page.contains(secret), "{secret} on the page");
    }
    assert_eq!(overflow(b).await, 0, "the business page fits a phone");
    let rows = b.find_all("table.quarters tbody tr").await;
    assert_eq!(rows.len(), 5, "four full quarters and this one so far");
    b.photograph(&shot(&backend, "business")).await;

    // Unknown and malformed codes get the Chinese error pages.
    w.open("/businesses/91440705MA4ABCDE1X").await;
    let missing = b.source().await;
    assert!(
        missing.contains("页面不存在") || missing.contains("无法处理"),
        "{missing}"
    );
    b.photograph(&shot(&backend, "business-unknown")).await;
}

on_both_backends!(a_visitor_reads_a_business_page_on_a_phone);
