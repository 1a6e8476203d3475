//! An admin signs in, drafts the quarter's bulletin (a period it may not draft is refused in
//! place), adds a tip, confirms and publishes it; then the public, from the home page, reads
//! it and downloads its PDF.

use chrono::TimeZone;
use odrdesk::clock::china_offset;

use super::Journey;

const TIP: &str = "理性消费";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_publishes_a_bulletin_and_the_public_reads_it() {
    let j = Journey::start("admin-public").await;
    let noon = china_offset()
        .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .unwrap();
    j.w.app.set_now(noon.with_timezone(&chrono::Utc));
    j.w.app
        .add_user("admin@jm.gov.cn", "admin", &[], None)
        .await;
    let b = j.browser();

    j.sign_in("admin@jm.gov.cn", "/admin", "管理首页").await;
    j.go("main a[href='/admin/bulletins']").await;
    j.step("bulletins").await;
    // A period the browser accepts but the server refuses is reported in place, as typed.
    b.fill("#period", "1999-Q1").await;
    let refused = j.go("form[action='/admin/bulletins'] button").await;
    assert!(refused.contains("role=\"alert\""), "{refused}");
    let typed = b.attr(&b.find("#period").await, "value").await;
    assert_eq!(typed.as_deref(), Some("1999-Q1"));
    j.step("period-refused").await;
    b.fill("#period", "2026-Q3").await;
    j.go("form[action='/admin/bulletins'] button").await;
    b.fill("#tip_title_new", TIP).await;
    b.fill("#tip_body_new", "保留购物凭证，遇到纠纷可拨打 12315。")
        .await;
    let saved = j.go("form[action$='/content'] button[type=submit]").await;
    assert!(saved.contains("已保存"), "{saved}");
    j.step("draft").await;
    let asked = j.go("form[action$='/publish'] button").await;
    assert!(asked.contains("确认发布？"), "{asked}");
    j.step("confirm").await;
    let published = j.go("form[action$='/publish'] button").await;
    assert!(
        published.contains("已发布，公众现在可以查看"),
        "{published}"
    );
    j.step("published").await;
    j.sign_out().await;

    j.home().await;
    j.go("main a[href='/bulletins']").await;
    j.step("public-list").await;
    let page = j.go(".cards-list a[href^='/bulletins/']").await;
    assert!(page.contains(TIP) && page.contains("2026"), "{page}");
    j.step("public-bulletin").await;
    let (kind, pdf) = j.download("nav.site-nav a[href$='.pdf']").await;
    assert_eq!(kind, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF file");
    j.finish().await;
}
