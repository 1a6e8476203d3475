//! The 查询码 on the consumer pages and the API: short codes typed loosely, old 40-hex codes
//! still accepted, the per-case limit on wrong codes, post/redirect/get with the code in a
//! case-scoped cookie, and the supplement reaching the mediator.

use crate::common;
use crate::on_both_backends;

use chrono::Duration;
use common::browser::{Browser, hidden};
use common::{Backend, TestApp};
use diesel::prelude::*;
use odrdesk::clock::Clock;
use odrdesk::secrets::TrackingToken;
use serde_json::json;

/// Posts the lookup form from a fresh page in `web`.
async fn look_up(web: &mut Browser<'_>, case_no: &str, code: &str) -> common::browser::Page {
    let csrf = hidden(&web.get("/track").await.body, "csrf");
    web.post(
        "/track",
        &[("csrf", &csrf), ("case_no", case_no), ("token", code)],
    )
    .await
}

async fn lookup_answers_303_with_a_case_scoped_cookie(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, code) = app.file_complaint().await;
    assert_eq!(code.len(), 24, "grouped: {code}");
    let mut web = Browser::new(&app);
    let csrf = hidden(&web.get("/track").await.body, "csrf");
    let res = web
        .client
        .post(app.url("/track"))
        .header("Cookie", web.cookie_header())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(
            serde_urlencoded::to_string([("csrf", &csrf), ("case_no", &case_no), ("token", &code)])
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let case_page = format!("/track/{case_no}");
    assert_eq!(res.headers()["location"], case_page.as_str());
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "odrdesk_track=",
        "HttpOnly",
        "SameSite=Strict",
        &format!("Path={case_page}"),
        "Max-Age=1800",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    let answer = web.take(res).await;
    let page = web.follow(&answer).await;
    assert!(page.body.contains("当前状态："), "{}", page.body);
    // Reload is a plain GET: the same page, nothing posted again.
    let reload = web.get(&case_page).await;
    assert_eq!(
        (reload.status, reload.body.contains("当前状态：")),
        (200, true)
    );
}

on_both_backends!(lookup_answers_303_with_a_case_scoped_cookie);

async fn wrong_codes_lock_the_case_for_the_rest_of_the_hour(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, code) = app.file_complaint().await;
    let (other_no, other_code) = app.file_complaint().await;
    let mut web = Browser::new(&app);
    for _ in 0..10 {
        let wrong = look_up(&mut web, &case_no, "0000-0000-0000-0000-0000").await;
        assert_eq!(wrong.status, 404);
    }
    // The right code too: otherwise guessing would go on unchecked.
    let locked = look_up(&mut web, &case_no, &code).await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert_eq!(locked.retry_after.as_deref(), Some("3600"));
    assert!(
        locked.body.contains("请在 60 分钟后再试"),
        "{}",
        locked.body
    );
    let (status, _) = app.track(&case_no, &code).await;
    assert_eq!(status, 429, "the API shares the limit");
    let (status, _) = app.track(&other_no, &other_code).await;
    assert_eq!(status, 200, "other cases are not affected");
    // An unknown case number is not counted against anything.
    let unknown = look_up(&mut web, "TS-2026-009999", &code).await;
    assert_eq!(unknown.status, 404);

    app.set_now(app.clock.now() + Duration::minutes(60));
    let open = look_up(&mut web, &case_no, &code).await;
    assert_eq!(open.status, 303, "{}", open.body);
    let (status, _) = app.track(&case_no, &code).await;
    assert_eq!(status, 200);
}

on_both_backends!(wrong_codes_lock_the_case_for_the_rest_of_the_hour);

async fn an_old_hex_code_keeps_working(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, _) = app.file_complaint().await;
    // A case filed before the short codes: its stored hash is that of a 40-hex token.
    let old = "3f9a0c1d2e4b5a69788796a5b4c3d2e1f0a9b8c7";
    let hash = TrackingToken::parse(old).unwrap().hash();
    let pool = odrdesk::store::connect(&app.settings.database, 1).expect("pool");
    let mut conn = pool.get().expect("connection");
    let updated = diesel::sql_query(format!(
        "UPDATE cases SET tracking_token_hash = '{hash}' WHERE case_no = '{case_no}'"
    ))
    .execute(&mut *conn)
    .unwrap();
    assert_eq!(updated, 1);

    let (status, view) = app.track(&case_no, &old.to_uppercase()).await;
    assert_eq!(status, 200, "{view}");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/cases/{case_no}")))
        .header("X-Tracking-Token", old)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut web = Browser::new(&app);
    let answer = look_up(&mut web, &case_no, old).await;
    let page = web.follow(&answer).await;
    assert!(page.body.contains("当前状态："), "{}", page.body);
}

on_both_backends!(an_old_hex_code_keeps_working);

async fn a_supplement_reaches_the_mediator(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, code) = app.file_complaint().await;
    let mediator = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let mut web = Browser::new(&app);
    let answer = look_up(&mut web, &case_no, &code).await;
    let page = web.follow(&answer).await;
    assert!(page.body.contains("补充说明"), "{}", page.body);
    let csrf = hidden(&page.body, "csrf");
    let supplement = format!("/track/{case_no}/supplement");

    let long = "字".repeat(2001);
    let refused = web
        .post(&supplement, &[("csrf", &csrf), ("text", &long)])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("补充说明应为1至2000个字"));
    assert!(refused.body.contains(&long), "the text is kept");

    let text = "补充：商家店员当时承诺七天无理由退货，联系电话13912345678。";
    let sent = web
        .post(&supplement, &[("csrf", &csrf), ("text", text)])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.location,
        Some(format!("/track/{case_no}?done=supplement"))
    );
    let shown = web.follow(&sent).await;
    assert!(shown.body.contains("补充说明已提交"), "{}", shown.body);
    assert!(shown.body.contains("商家店员当时承诺七天无理由退货"));

    let (status, view) = app
        .get_as(&format!("/api/v1/cases/{case_no}"), &mediator)
        .await;
    assert_eq!(status, 200, "{view}");
    assert!(view["messages"].to_string().contains(text), "{view}");
    let mut desk = Browser::signed_in(&app, "med@jm.gov.cn", "/desk").await;
    let desk_page = desk.get(&format!("/desk/cases/{case_no}")).await;
    assert!(desk_page.body.contains("商家店员当时承诺七天无理由退货"));
    let (_, seen) = app
        .get_as(&format!("/api/v1/cases/{case_no}"), &analyst)
        .await;
    assert!(!seen.to_string().contains("13912345678"), "{seen}");

    // Over the API, a supplement is a message to the mediator.
    let res = app
        .client
        .post(app.url(&format!("/api/v1/cases/{case_no}/actions")))
        .header("X-Tracking-Token", &code)
        .json(&json!({"action": "message", "to": "mediator", "text": "再补充一张发票"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

on_both_backends!(a_supplement_reaches_the_mediator);
