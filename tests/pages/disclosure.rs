//! Consent to publication on the pages without JavaScript (Order 121 Art. 38): the complaint
//! form asks 是否同意公示投诉信息 with no chosen to start with, both answers are stored as
//! given, and the tracking page withdraws and gives it again; only editors open the queue.

use crate::common;
use crate::consumer::{class_text, complaint_fields};
use crate::on_both_backends;

use common::browser::{Browser, hidden};
use common::{Backend, TestApp, read};

async fn consent_of(app: &TestApp, no: &str, token: &str) -> bool {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/track/{no}/disclosure-consent")))
        .header("X-Tracking-Token", token)
        .send()
        .await
        .unwrap();
    let (s, v) = read(res).await;
    assert_eq!(s, 200, "{v}");
    v["consent"].as_bool().unwrap()
}

/// Files the complaint form with `consent` as the radio's value (`None`: left as it starts).
async fn file(web: &mut Browser<'_>, consent: Option<&str>) -> (String, String) {
    let form = web.get("/complain").await;
    assert!(
        form.body
            .contains("id=\"f-consent-no\" name=\"disclosure_consent\" value=\"no\" checked"),
        "no is chosen to start with"
    );
    let (csrf, idem) = (hidden(&form.body, "csrf"), hidden(&form.body, "idem"));
    let mut fields = complaint_fields(&csrf, &idem, &[]);
    if let Some(c) = consent {
        fields.push(("disclosure_consent", c));
    }
    let answer = web.post_multipart("/complain", &fields, vec![]).await;
    let page = web.follow(&answer).await;
    assert_eq!(page.status, 200, "{}", page.body);
    (
        class_text(&page.body, "mono"),
        class_text(&page.body, "mono token"),
    )
}

async fn the_form_asks_and_the_tracking_page_withdraws(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut web = Browser::new(&app);
    let (no, token) = file(&mut web, None).await;
    assert!(
        !consent_of(&app, &no, &token).await,
        "left as it starts: no"
    );
    let (no, token) = file(&mut web, Some("no")).await;
    assert!(!consent_of(&app, &no, &token).await);
    let (no, token) = file(&mut web, Some("yes")).await;
    assert!(consent_of(&app, &no, &token).await);

    let page = web.get(&format!("/track/{no}")).await;
    assert!(
        page.body.contains("id=\"withdraw-consent\""),
        "{}",
        page.body
    );
    let csrf = hidden(&page.body, "csrf");
    let path = format!("/track/{no}/disclosure-consent");
    let answer = web.post(&path, &[("csrf", &csrf), ("consent", "no")]).await;
    let page = web.follow(&answer).await;
    assert!(page.body.contains("您已撤回公示同意"), "{}", page.body);
    assert!(page.body.contains("id=\"give-consent\""));
    assert!(!consent_of(&app, &no, &token).await);
    let answer = web
        .post(&path, &[("csrf", &csrf), ("consent", "yes")])
        .await;
    web.follow(&answer).await;
    assert!(consent_of(&app, &no, &token).await);
    // Without the CSRF token nothing changes.
    let refused = web.post(&path, &[("consent", "no")]).await;
    assert_ne!(refused.status, 303);
    assert!(consent_of(&app, &no, &token).await);
    // A browser that does not hold the case's code is asked for it.
    let mut other = Browser::new(&app);
    let form = other.get("/track").await;
    let csrf = hidden(&form.body, "csrf");
    let refused = other
        .post(&path, &[("csrf", &csrf), ("consent", "no")])
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(consent_of(&app, &no, &token).await);

    // The queue page is the editors' alone.
    app.add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    app.add_user("sup@jm.gov.cn", "supervisor", &["440703"], None)
        .await;
    let mut med = Browser::signed_in(&app, "med@jm.gov.cn", "/desk").await;
    assert_eq!(med.get("/desk/disclosures").await.status, 403);
    let mut sup = Browser::signed_in(&app, "sup@jm.gov.cn", "/desk").await;
    let queue = sup.get("/desk/disclosures").await;
    assert_eq!(queue.status, 200);
    assert!(
        queue.body.contains("暂无待审核"),
        "an open case is no candidate"
    );
    assert!(
        queue.body.contains("href=\"/desk/disclosures\""),
        "in the header"
    );
}

on_both_backends!(the_form_asks_and_the_tracking_page_withdraws);
