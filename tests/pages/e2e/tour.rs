//! Screenshots of the pages the scenarios do not pass through: the report form, the tracking
//! form, the enterprise desk and the analyst's alerts.

use chrono::TimeZone;
use odrdesk::clock::china_offset;
use serde_json::json;

use super::World;
use crate::common::sample_complaint;

const USCC: &str = "91440703MA4UJ5QX2U";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_page_is_photographed() {
    let w = World::start().await;
    let now = china_offset()
        .with_ymd_and_hms(2026, 11, 20, 10, 0, 0)
        .unwrap();
    w.app.set_now(now.with_timezone(&chrono::Utc));
    let b = &w.browser;

    for (path, name) in [("/report", "report"), ("/track", "track-form")] {
        w.open(path).await;
        assert!(
            b.try_find("main form").await.is_some(),
            "{path} has its form"
        );
        b.photograph(name).await;
    }

    // An ODR complaint against an enrolled business, answered from its desk.
    w.app
        .add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", true);
    w.app
        .add_user("desk@meiyan.cn", "enterprise", &[], Some(USCC))
        .await;
    let mut c = sample_complaint();
    c["prefer_odr"] = json!(true);
    c["purchase"]["date"] = json!("2026-11-10");
    let (s, v) = w.app.post_json("/api/v1/complaints", &c).await;
    assert_eq!(s, 201, "{v}");
    let case_no = v["case_no"].as_str().unwrap().to_owned();
    w.sign_in("desk@meiyan.cn", "/enterprise").await;
    w.open("/enterprise").await;
    b.wait_for(&case_no).await;
    b.photograph("enterprise-queue").await;
    w.open(&format!("/enterprise/cases/{case_no}")).await;
    b.photograph("enterprise-case").await;

    w.app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    w.sign_in("ana@jm.gov.cn", "/analyst").await;
    w.open("/analyst/alerts").await;
    b.photograph("analyst-alerts").await;
    w.browser.quit().await;
}
