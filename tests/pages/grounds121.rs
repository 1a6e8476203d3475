//! The desk offers each case its own policy version's grounds and shows each clock's length
//! and cited basis; an identity request shows on the desk and the tracking page; a police
//! referral is a staff-only line of the desk's timeline.

use crate::common;
use crate::on_both_backends;

use common::accounts::PASSWORD;
use common::browser::{Browser, Page, hidden};
use common::{Backend, TestApp, china_morning, sample_complaint};
use serde_json::json;

const MEDIATOR: &str = "med@jm.gov.cn";

/// A complaint filed on China date 2026-`m`-`d` and its tracking code.
async fn filed_on(app: &TestApp, (m, d): (u32, u32)) -> (String, String) {
    app.set_now(china_morning(2026, m, d));
    let mut complaint = sample_complaint();
    complaint["purchase"]["date"] = json!(format!("2026-{:02}-01", m));
    app.file(&complaint).await
}

async fn accept(app: &TestApp, no: &str) {
    let token = app.login_token(MEDIATOR, PASSWORD).await;
    let (status, answer) = app
        .post_as(
            &format!("/api/v1/cases/{no}/actions"),
            &token,
            &json!({"action": "accept"}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
}

async fn post_step(desk: &mut Browser<'_>, no: &str, fields: &[(&str, &str)]) -> Page {
    let here = format!("/desk/cases/{no}");
    let token = hidden(&desk.get(&here).await.body, "csrf");
    let mut form = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    desk.post(&format!("{here}/actions"), &form).await
}

async fn tracking_page(app: &TestApp, no: &str, code: &str) -> String {
    let mut consumer = Browser::new(app);
    let csrf = hidden(&consumer.get("/track").await.body, "csrf");
    let answer = consumer
        .post(
            "/track",
            &[("csrf", &csrf), ("case_no", no), ("token", code)],
        )
        .await;
    consumer.follow(&answer).await.body
}

async fn the_desk_offers_each_order_its_grounds_and_cites_each_clock(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let (old, _) = filed_on(&app, (3, 2)).await;
    let (new, code) = filed_on(&app, (5, 6)).await;
    accept(&app, &old).await;
    accept(&app, &new).await;

    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let old_page = desk.get(&format!("/desk/cases/{old}")).await.body;
    let new_page = desk.get(&format!("/desk/cases/{new}")).await.body;
    assert!(
        old_page.contains("调解期限：45 日（工作日）· 依据 第20号令第二十一条第五项"),
        "{old_page}"
    );
    assert!(
        new_page.contains("调解期限：60 日（自然日）· 依据 第121号令第二十三条第五项"),
        "{new_page}"
    );
    assert!(new_page.contains("受理决定期限：7 日（工作日）· 依据 第121号令第十五条"));
    for (page, has, lacks) in [
        (&old_page, "no_testing_agreement", "party_deceased"),
        (&new_page, "party_deceased", "no_testing_agreement"),
    ] {
        assert!(page.contains(&format!("<option value=\"{has}\"")), "{page}");
        assert!(
            !page.contains(&format!("<option value=\"{lacks}\"")),
            "{page}"
        );
    }
    assert!(
        new_page.contains("一方当事人死亡或者终止（丧失法人资格）（第121号令第二十三条第七项）")
    );

    // Art. 42: the referral is recorded and shown to staff only.
    app.set_now(china_morning(2026, 6, 1));
    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let refused = post_step(
        &mut desk,
        &new,
        &[("action", "terminate"), ("reason", "fraudulent_claim")],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("请填写「移送的公安机关（仅第四十二条情形）」"),
        "{}",
        refused.body
    );
    let done = post_step(
        &mut desk,
        &new,
        &[
            ("action", "terminate"),
            ("reason", "fraudulent_claim"),
            ("detail", "以曝光相威胁索要五万元"),
            ("police_unit", "江门市公安局蓬江分局"),
            ("referred_on", "2026-06-01"),
        ],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = desk.get(&format!("/desk/cases/{new}")).await.body;
    assert!(
        page.contains("移送公安机关：江门市公安局蓬江分局（2026-06-01）；以曝光相威胁索要五万元"),
        "{page}"
    );
    let tracked = tracking_page(&app, &new, &code).await;
    assert!(
        tracked.contains("受理后发现存在第四十二条规定的情形"),
        "{tracked}"
    );
    for secret in ["公安", "五万元"] {
        assert!(!tracked.contains(secret), "{secret}: {tracked}");
    }
    // The policy's name once on the complainant's page.
    assert_eq!(
        tracked
            .matches("《市场监督管理投诉举报处理办法》（国家市场监督管理总局令第121号）")
            .count(),
        1,
        "{tracked}"
    );
}

async fn an_identity_request_shows_its_date_to_staff_and_the_complainant(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let (no, code) = filed_on(&app, (5, 6)).await;
    app.set_now(china_morning(2026, 5, 8));
    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let page = desk.get(&format!("/desk/cases/{no}")).await.body;
    assert!(
        !page.contains("<option value=\"identity_unverified\""),
        "{page}"
    );
    let bad = post_step(
        &mut desk,
        &no,
        &[("action", "request_identity"), ("due", "15/05/2026")],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let done = post_step(
        &mut desk,
        &no,
        &[("action", "request_identity"), ("due", "2026-05-15")],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = desk.get(&format!("/desk/cases/{no}")).await.body;
    assert!(
        page.contains("请于 2026-05-15 前提供身份证明材料"),
        "{page}"
    );
    let tracked = tracking_page(&app, &no, &code).await;
    assert!(
        tracked.contains("请于 2026-05-15 前提供身份证明材料"),
        "{tracked}"
    );

    app.set_now(china_morning(2026, 5, 18));
    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let page = desk.get(&format!("/desk/cases/{no}")).await.body;
    assert!(page.contains("已逾期未提供"), "{page}");
    assert!(
        page.contains("<option value=\"identity_unverified\""),
        "{page}"
    );

    // A second complaint: the complainant answers from the tracking page.
    let (other, other_code) = filed_on(&app, (5, 18)).await;
    let mut desk = Browser::signed_in(&app, MEDIATOR, "/desk").await;
    let done = post_step(
        &mut desk,
        &other,
        &[("action", "request_identity"), ("due", "2026-05-25")],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let mut consumer = Browser::new(&app);
    let csrf = hidden(&consumer.get("/track").await.body, "csrf");
    let answer = consumer
        .post(
            "/track",
            &[("csrf", &csrf), ("case_no", &other), ("token", &other_code)],
        )
        .await;
    let tracked = consumer.follow(&answer).await.body;
    assert!(tracked.contains("form-provide_identity"), "{tracked}");
    let csrf = hidden(&tracked, "csrf");
    let given = consumer
        .post(
            &format!("/track/{other}/action"),
            &[
                ("csrf", &csrf),
                ("action", "provide_identity"),
                ("detail", "已上传身份证照片"),
            ],
        )
        .await;
    assert_eq!(given.status, 303, "{}", given.body);
    let after = consumer.follow(&given).await.body;
    assert!(!after.contains("id=\"identity-request\""), "{after}");
    assert!(
        after.contains("已提供身份证明材料，材料：已上传身份证照片"),
        "{after}"
    );
    let page = desk.get(&format!("/desk/cases/{other}")).await.body;
    assert!(page.contains("身份证明材料已于 2026-05-18 提供"), "{page}");
}

on_both_backends!(
    the_desk_offers_each_order_its_grounds_and_cites_each_clock,
    an_identity_request_shows_its_date_to_staff_and_the_complainant,
);
