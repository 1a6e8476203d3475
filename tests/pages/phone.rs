//! "My cases by phone" in headless Chromium on a 360-px phone: from the tracking form's link,
//! the number, the SMS code (its hash set here to a known code; the SMS itself is tested in
//! the API tests), the list, a fresh 查询码 and the case it opens; the old code stops.

use diesel::prelude::*;
use odrdesk::domain::ids::Phone;
use odrdesk::secrets::LoginCode;
use odrdesk::store::schema::phone_codes;
use serde_json::json;

use crate::common::sample_complaint;
use crate::e2e::World;

const FILER: &str = "13800138000";
const CODE: &str = "135790";

fn know_code(w: &World) {
    let hash = LoginCode::parse(CODE)
        .unwrap()
        .hash(&FILER.parse::<Phone>().unwrap())
        .unwrap();
    diesel::update(phone_codes::table.filter(phone_codes::phone.eq(FILER)))
        .set(phone_codes::code_hash.eq(hash))
        .execute(&mut w.app.db())
        .unwrap();
}

async fn overflow(w: &World) -> i64 {
    w.browser
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            json!([]),
        )
        .await
        .as_i64()
        .unwrap_or(i64::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_without_the_code_finds_their_cases_by_phone() {
    let w = World::start().await;
    let (case_no, old) = w.app.file(&sample_complaint()).await;
    let mut other = sample_complaint();
    other["complainant"]["phone"] = json!("13900139000");
    other["title"] = json!("别人的投诉");
    w.app.file(&other).await;
    let b = &w.browser;
    b.resize(360, 800).await;

    w.open("/track").await;
    assert!(!b.source().await.contains("请拨打 12315"));
    b.follow(&b.find("#track-by-phone").await).await;
    b.wait_for_url("/track/phone").await;
    assert_eq!(overflow(&w).await, 0);
    b.fill("#f-phone", "138 0013 8000").await;
    let page = b
        .follow(&b.find("main form button[type=submit]").await)
        .await;
    assert!(page.contains("验证码已通过短信发送"), "{page}");
    b.photograph("phone-code").await;
    know_code(&w);
    b.fill("#f-code", "000000").await;
    let page = b.follow(&b.find("main form button.primary").await).await;
    assert!(page.contains("验证码不正确或已失效"), "{page}");
    b.fill("#f-code", CODE).await;
    let page = b.follow(&b.find("main form button.primary").await).await;
    assert!(page.contains(&case_no), "{page}");
    assert!(page.contains("138****8000"), "{page}");
    assert!(
        !page.contains("别人的投诉") && !page.contains(FILER),
        "{page}"
    );
    assert_eq!(overflow(&w).await, 0);
    b.photograph("phone-cases").await;

    let form = format!("form[action='/track/phone/cases/{case_no}/code'] button");
    let page = b.follow(&b.find(&form).await).await;
    assert!(page.contains("新的查询码"), "{page}");
    let fresh = b.text(&b.find("#fresh-token").await).await;
    assert_eq!(overflow(&w).await, 0);
    let open = format!("main a[href='/track/{case_no}']");
    let page = b.follow(&b.find(&open).await).await;
    assert!(page.contains("当前状态："), "{page}");
    assert_eq!(w.app.track(&case_no, &fresh).await.0, 200);
    assert_eq!(w.app.track(&case_no, &old).await.0, 404);
}
