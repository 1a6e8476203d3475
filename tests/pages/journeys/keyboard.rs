//! A consumer who uses no mouse files a complaint and tracks it with the keyboard alone:
//! Tab to each control, type, arrow through a list, Space to tick, Enter to go on; wherever
//! the focus lands it is outlined, so they can see where they are.

use serde_json::{Value, json};

use super::Journey;
use crate::common::china_morning;
use crate::common::webdriver::key;

/// More Tab presses than any page has stops before the control a test wants.
const MAX_TABS: usize = 80;
const ARROW_DOWN: char = '\u{E015}';

/// What has the focus, when nothing shows it: no outline (or a thin one) and no shadow.
const UNSEEN_FOCUS: &str = r#"
const e = document.activeElement;
if (!e || e === document.body) return null;
const s = getComputedStyle(e);
const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
if (outlined || s.boxShadow !== 'none') return null;
return e.outerHTML.slice(0, 120);
"#;

/// Presses Tab until the control matching `css` has the focus, checking at every stop that
/// the focus can be seen.
async fn tab_to(j: &Journey, css: &str) {
    let b = j.browser();
    let target = b.find(css).await;
    for _ in 0..MAX_TABS {
        b.keys(&key::TAB.to_string()).await;
        let unseen: Value = b.execute(UNSEEN_FOCUS, json!([])).await;
        assert!(
            unseen.is_null(),
            "focus not visible on {}: {unseen}",
            b.url().await
        );
        if b.focused().await == target {
            return;
        }
    }
    panic!("Tab never reached {css} on {}", b.url().await);
}

/// Tabs to a field and types into it.
async fn type_in(j: &Journey, css: &str, text: &str) {
    tab_to(j, css).await;
    j.browser().keys(text).await;
}

/// Presses Enter on the focused link or button and waits for the page it leads to.
async fn enter(j: &Journey) -> String {
    let b = j.browser();
    let old_root = b.find("html").await;
    b.keys(&key::ENTER.to_string()).await;
    b.wait_for_new_page(&old_root).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_files_and_tracks_with_the_keyboard_alone() {
    let j = Journey::start("keyboard").await;
    j.w.app.set_now(china_morning(2026, 11, 20));
    let b = j.browser();

    j.home().await;
    tab_to(&j, "main a[href='/complain']").await;
    let form = enter(&j).await;
    assert!(form.contains("提交投诉"), "the complaint form");
    j.step("complaint-form").await;
    for select in ["#f-category", "#f-nature"] {
        tab_to(&j, select).await;
        b.keys(&ARROW_DOWN.to_string()).await;
    }
    type_in(&j, "#f-title", "面膜使用后皮肤过敏").await;
    type_in(&j, "#f-description", "使用两次后面部红肿瘙痒。").await;
    type_in(&j, "#f-claim", "退货退款").await;
    type_in(&j, "#f-respondent-name", "江门市美颜化妆品有限公司").await;
    type_in(&j, "#f-respondent-address", "江门市蓬江区港口路8号").await;
    tab_to(&j, "#f-respondent-district").await;
    b.keys(&ARROW_DOWN.to_string()).await;
    type_in(&j, "#f-complainant-name", "张三").await;
    type_in(&j, "#f-complainant-phone", "13800138000").await;
    type_in(&j, "#f-complainant-address", "江门市蓬江区建设路1号").await;
    tab_to(&j, "#f-prefer-odr").await;
    b.keys(&key::SPACE.to_string()).await;
    assert!(
        b.execute("return document.activeElement.checked", json!([]))
            .await
            == json!(true),
        "Space ticks the box"
    );
    j.step("complaint-typed").await;
    tab_to(&j, "form[action='/complain'] button[type=submit]").await;
    let filed = enter(&j).await;
    assert!(filed.contains("您的投诉已提交"), "{filed}");
    let case_no = j.text("dd.mono").await;
    let token = j.text("dd.token").await;
    j.step("filed").await;

    // Coming back later: from the home page to 查询进度, the number and the code typed in.
    j.home().await;
    tab_to(&j, "main a[href='/track']").await;
    enter(&j).await;
    type_in(&j, "#f-case-no", &case_no).await;
    type_in(&j, "#f-token", &token).await;
    // Enter in a field submits its form.
    let tracked = enter(&j).await;
    assert!(
        tracked.contains(&case_no) && tracked.contains("当前状态"),
        "{tracked}"
    );
    j.step("tracked").await;
    j.finish().await;
}
