//! Journeys through the work lists: they show the cases that need action first, mark a case
//! overdue only while its clock runs (in working days), find a case by number within the
//! user's reach, count, page both ways, name assignees for supervisors, and show a paused
//! case's due date exactly as its page does.

use crate::common;
use crate::on_both_backends;

use common::accounts::PASSWORD;
use common::browser::Browser;
use common::{Backend, TestApp, china_morning, sample_complaint};
use serde_json::{Value, json};

const RESPONDENT_USCC: &str = "91440703MA4UJ5QX2U";
const MEDIATOR: &str = "med@jm.gov.cn";
const SUPERVISOR: &str = "chief@jm.gov.cn";
const SHOP: &str = "shop@example.com";

/// Files a complaint against the sample business on China date `y-m-d`.
async fn file_on(app: &TestApp, (y, m, d): (i32, u32, u32), phone: u32, odr: bool) -> String {
    app.set_now(china_morning(y, m, d));
    let mut c = sample_complaint();
    c["complainant"]["phone"] = json!(format!("139{phone:08}"));
    c["purchase"]["date"] = json!(format!("{}-01-02", y));
    c["prefer_odr"] = json!(odr);
    app.file(&c).await.0
}

/// Takes step `body` on a case as `email`, on China date `y-m-d`.
async fn step_on(app: &TestApp, (y, m, d): (i32, u32, u32), email: &str, no: &str, body: Value) {
    app.set_now(china_morning(y, m, d));
    let token = app.login_token(email, PASSWORD).await;
    let (status, answer) = app
        .post_as(&format!("/api/v1/cases/{no}/actions"), &token, &body)
        .await;
    assert_eq!(status, 200, "{body} on {no}: {answer}");
}

/// The part of a list (`<tr …` rows or `<li …` cards) that mentions `case_no`.
fn entry<'h>(html: &'h str, tag: &str, case_no: &str) -> &'h str {
    html.split(tag)
        .skip(1)
        .find(|r| r.contains(case_no))
        .unwrap_or_else(|| panic!("no entry for {case_no} in {html}"))
}

/// The case numbers a list shows, in order.
fn listed(html: &str, link: &str) -> Vec<String> {
    html.split(&format!("href=\"{link}"))
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// The URL of the pager link `rel` ("prev" or "next"), with `&amp;` undone.
fn pager_link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("rel=\"{rel}\""))?;
    let before = &html[..at];
    let start = before.rfind("href=\"")? + 6;
    let end = start + before[start..].find('"')?;
    Some(before[start..end].replace("&amp;", "&"))
}

/// Working days left on the case's running clock `clock`, as the API derives them.
async fn remaining(app: &TestApp, token: &str, no: &str, clock: &str) -> i64 {
    let (_, v) = app.get_as(&format!("/api/v1/cases/{no}"), token).await;
    v["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == clock && k["ended"].is_null())
        .unwrap_or_else(|| panic!("no running {clock} clock: {v}"))["remaining_working_days"]
        .as_i64()
        .unwrap()
}

async fn lists_show_the_running_clock_and_open_work_first(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    app.add_user(SUPERVISOR, "supervisor", &["440703"], None)
        .await;
    // A 2025 complaint decided on time: closed, its acceptance due date long past.
    let closed = file_on(&app, (2025, 11, 3), 1, false).await;
    step_on(
        &app,
        (2025, 11, 4),
        MEDIATOR,
        &closed,
        json!({"action": "not_accept", "reason": "time_barred"}),
    )
    .await;
    // Filed on 2 November, undecided on the 20th; and one filed today.
    let late = file_on(&app, (2026, 11, 2), 2, false).await;
    let fresh = file_on(&app, (2026, 11, 20), 3, false).await;

    let token = app.login_token(MEDIATOR, PASSWORD).await;
    let overdue_by = -remaining(&app, &token, &late, "acceptance").await;
    let left = remaining(&app, &token, &fresh, "acceptance").await;
    assert!(overdue_by > 0 && left > 2, "{overdue_by} {left}");

    let mut mediator = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let desk = mediator.get("/desk").await;
    assert_eq!(desk.status, 200, "{}", desk.body);
    let open = listed(&desk.body, "/desk/cases/");
    assert_eq!(open, [late.clone(), fresh.clone()], "{}", desk.body);
    assert!(desk.body.contains("共 2 件"), "{}", desk.body);
    let row = entry(&desk.body, "<tr", &late);
    assert!(
        row.contains("due-overdue") && row.contains(&format!("超期 {overdue_by} 个工作日")),
        "{row}"
    );
    let row = entry(&desk.body, "<tr", &fresh);
    assert!(
        row.contains("due-ok") && row.contains(&format!("剩 {left} 个工作日")),
        "{row}"
    );
    assert!(
        !desk.body.contains("承办人"),
        "mediators see no assignee column"
    );

    // Closed cases are a filter; the old one is neither red nor called overdue.
    let done = mediator.get("/desk?closed=true").await;
    assert_eq!(listed(&done.body, "/desk/cases/"), [closed.as_str()]);
    let row = entry(&done.body, "<tr", &closed);
    assert!(
        !row.contains("due-overdue") && !row.contains("超期"),
        "{row}"
    );

    // The number finds its case, closed or not; an unknown one finds nothing.
    let found = mediator.get(&format!("/desk?no={closed}")).await;
    assert_eq!(listed(&found.body, "/desk/cases/"), [closed.as_str()]);
    assert!(found.body.contains("共 1 件"), "{}", found.body);
    let none = mediator.get("/desk?no=TS-2026-999999").await;
    assert_eq!(none.status, 200);
    assert!(none.body.contains("共 0 件") && none.body.contains("没有符合条件的案件"));
    assert_eq!(mediator.get("/desk?page=x").await.status, 422);

    // A supervisor sees who holds each case.
    let chief_token = app.login_token(SUPERVISOR, PASSWORD).await;
    let (status, answer) = app
        .post_as(
            &format!("/api/v1/cases/{late}/actions"),
            &chief_token,
            &json!({"action": "assign", "user": MEDIATOR}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let mut chief = Browser::signed_in(&app, SUPERVISOR, "/desk").await;
    let desk = chief.get("/desk").await;
    assert!(
        desk.body.contains("<th scope=\"col\">承办人</th>"),
        "{}",
        desk.body
    );
    assert!(entry(&desk.body, "<tr", &late).contains(MEDIATOR));
    assert!(entry(&desk.body, "<tr", &fresh).contains("未分派"));
}

async fn lists_page_both_ways_and_put_the_awaited_answer_first(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.rate_limit_per_minute = 10_000).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    app.add_user(SHOP, "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    for i in 0..51 {
        file_on(&app, (2026, 11, 20), i, false).await;
    }
    // Awaiting the business's answer, and due later than every case above.
    let awaiting = file_on(&app, (2026, 11, 20), 99, true).await;
    // A counterfeit complaint opens a report against the business too.
    app.set_now(china_morning(2026, 11, 20));
    let mut counterfeit = sample_complaint();
    counterfeit["nature"] = json!("counterfeit");
    let report = app.file(&counterfeit).await.0.replacen("TS-", "JB-", 1);

    let mut mediator = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let first = mediator.get("/desk").await;
    let first_cases = listed(&first.body, "/desk/cases/");
    assert_eq!(first_cases.len(), 50);
    assert!(first.body.contains("共 54 件"), "{}", first.body);
    assert!(pager_link(&first.body, "prev").is_none());
    let next = pager_link(&first.body, "next").expect("a next page");
    let second = mediator.get(&next).await;
    let second_cases = listed(&second.body, "/desk/cases/");
    assert_eq!(second_cases.len(), 4, "{}", second.body);
    assert!(second_cases.contains(&awaiting));
    assert!(pager_link(&second.body, "next").is_none());
    let back = mediator
        .get(&pager_link(&second.body, "prev").expect("a previous page"))
        .await;
    assert_eq!(listed(&back.body, "/desk/cases/"), first_cases);

    let mut shop = Browser::signed_in(&app, SHOP, "/enterprise").await;
    let list = shop.get("/enterprise").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let cases = listed(&list.body, "/enterprise/cases/");
    assert_eq!(cases.first(), Some(&awaiting), "{}", list.body);
    assert_eq!(cases.len(), 50);
    assert!(list.body.contains("共 53 件"), "{}", list.body);
    let second = shop
        .get(&pager_link(&list.body, "next").expect("a next page"))
        .await;
    assert_eq!(listed(&second.body, "/enterprise/cases/").len(), 3);
    let back = shop
        .get(&pager_link(&second.body, "prev").expect("a previous page"))
        .await;
    assert_eq!(listed(&back.body, "/enterprise/cases/"), cases);

    // The business finds its complaint by number; a report number finds nothing, exactly
    // like a number that does not exist.
    let found = shop.get(&format!("/enterprise?no={awaiting}")).await;
    assert_eq!(
        listed(&found.body, "/enterprise/cases/"),
        [awaiting.as_str()]
    );
    let hidden = shop.get(&format!("/enterprise?no={report}")).await;
    let unknown = shop.get("/enterprise?no=JB-2026-999999").await;
    assert_eq!(hidden.status, unknown.status);
    assert!(listed(&hidden.body, "/enterprise/cases/").is_empty());
    assert!(hidden.body.contains("共 0 件"), "{}", hidden.body);
    assert_eq!(
        hidden.body.replace(&report, "N"),
        unknown.body.replace("JB-2026-999999", "N")
    );
}

/// A complaint filed on 2 November 2026 and accepted the next day.
async fn in_mediation(app: &TestApp, phone: u32) -> String {
    let no = file_on(app, (2026, 11, 2), phone, false).await;
    step_on(
        app,
        (2026, 11, 3),
        MEDIATOR,
        &no,
        json!({"action": "accept"}),
    )
    .await;
    no
}

/// Pauses the mediation for testing on China date `y-m-d`.
async fn pause_on(app: &TestApp, day: (i32, u32, u32), no: &str) {
    let pause = json!({"action": "pause", "reason": "testing"});
    step_on(app, day, MEDIATOR, no, pause).await;
}

async fn a_paused_case_shows_one_due_date(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let no = in_mediation(&app, 1).await;
    pause_on(&app, (2026, 11, 5), &no).await;
    app.set_now(china_morning(2026, 11, 20));
    let mut mediator = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let list = mediator.get("/desk?state=mediation_paused").await;
    let row = entry(&list.body, "<tr", &no);
    let on_list = row
        .split("<span class=\"due-date\">")
        .nth(1)
        .and_then(|s| s.get(..10))
        .unwrap_or_else(|| panic!("{row}"));
    let page = mediator.get(&format!("/desk/cases/{no}")).await;
    let on_page = page
        .body
        .split("<td>调解</td><td>")
        .nth(1)
        .and_then(|s| s.get(..10))
        .unwrap_or_else(|| panic!("{}", page.body));
    assert_eq!(on_list, on_page);
    assert!(!row.contains("due-overdue"), "{row}");
}

/// "只看已超期" lists what the rows mark overdue: a paused mediation's clock stands still, so
/// its stored due date passing does not make it overdue.
async fn the_overdue_filter_agrees_with_the_marks(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let paused = in_mediation(&app, 1).await;
    let running = in_mediation(&app, 2).await;
    pause_on(&app, (2026, 11, 5), &paused).await;
    // Both were due in mediation by mid-January; only one clock ran on.
    app.set_now(china_morning(2027, 3, 1));
    let mut mediator = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let all = mediator.get("/desk").await;
    assert!(entry(&all.body, "<tr", &running).contains("due-overdue"));
    assert!(!entry(&all.body, "<tr", &paused).contains("due-overdue"));
    let overdue = mediator.get("/desk?overdue=true").await;
    assert_eq!(
        listed(&overdue.body, "/desk/cases/"),
        [running.as_str()],
        "{}",
        overdue.body
    );
    assert!(overdue.body.contains("共 1 件"), "{}", overdue.body);
}

/// Once the business has answered, its list says the consumer is next instead of asking
/// for the answer again.
async fn the_enterprise_list_says_when_it_has_answered(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    app.add_user(SHOP, "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let answered = file_on(&app, (2026, 11, 20), 1, true).await;
    let waiting = file_on(&app, (2026, 11, 20), 2, true).await;
    step_on(
        &app,
        (2026, 11, 23),
        SHOP,
        &answered,
        json!({"action": "odr_answer", "proposal": "全额退款"}),
    )
    .await;
    let mut shop = Browser::signed_in(&app, SHOP, "/enterprise").await;
    let list = shop.get("/enterprise").await;
    let card = entry(&list.body, "<li", &answered);
    assert!(card.contains("已答复，等待消费者决定"), "{card}");
    assert!(!card.contains("前答复"), "{card}");
    let card = entry(&list.body, "<li", &waiting);
    assert!(card.contains("前答复"), "{card}");
}

on_both_backends!(
    lists_show_the_running_clock_and_open_work_first,
    lists_page_both_ways_and_put_the_awaited_answer_first,
    a_paused_case_shows_one_due_date,
    the_overdue_filter_agrees_with_the_marks,
    the_enterprise_list_says_when_it_has_answered,
);
