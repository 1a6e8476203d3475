//! An editor publishes a bulletin through the pages; the public reads it.

use chrono::TimeZone;
use odrdesk::clock::china_offset;

use super::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_publishes_and_the_public_reads() {
    let w = World::start().await;
    let noon = china_offset()
        .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .unwrap();
    w.app.set_now(noon.with_timezone(&chrono::Utc));
    w.app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let b = &w.browser;

    w.open("/admin/bulletins").await;
    assert!(
        b.url().await.contains("/login?next=/admin/bulletins"),
        "sent to sign in"
    );
    b.photograph("login").await;
    w.sign_in("admin@jm.gov.cn", "/admin").await;
    b.click(&b.find("header a[href='/admin/bulletins']").await)
        .await;
    b.wait_for_url("/admin/bulletins").await;
    assert!(
        b.url().await.ends_with("/admin/bulletins"),
        "{}",
        b.url().await
    );

    // A period the browser accepts but the server refuses is reported in place, as typed.
    b.fill("#period", "1999-Q1").await;
    b.click(&b.find("form[action='/admin/bulletins'] button").await)
        .await;
    b.wait_for("role=\"alert\"").await;
    let alert = b.find("[role=alert]").await;
    assert!(!b.text(&alert).await.is_empty());
    assert_eq!(
        b.attr(&b.find("#period").await, "value").await.as_deref(),
        Some("1999-Q1")
    );
    b.photograph("admin-bulletins-error").await;

    b.fill("#period", "2026-Q3").await;
    b.click(&b.find("form[action='/admin/bulletins'] button").await)
        .await;
    b.wait_for_url("/admin/bulletins/").await;
    b.fill("#tip_title_new", "理性消费").await;
    b.fill("#tip_body_new", "保留购物凭证，遇到纠纷可拨打 12315。")
        .await;
    b.click(&b.find("form[action$='/content'] button[type=submit]").await)
        .await;
    b.wait_for("已保存").await;
    b.photograph("admin-bulletin-draft").await;
    b.click(&b.find("form[action$='/publish'] button").await)
        .await;
    b.wait_for("确认发布？").await;
    b.click(&b.find("form[action$='/publish'] button").await)
        .await;
    b.wait_for("已发布，公众现在可以查看").await;

    w.open("/bulletins").await;
    b.photograph("bulletins").await;
    let link = b.find(".cards-list a").await;
    b.click(&link).await;
    let page = b.wait_for("理性消费").await;
    assert!(
        page.contains("理性消费") && page.contains("2026"),
        "the published bulletin"
    );
    b.photograph("bulletin").await;
    w.browser.quit().await;
}
