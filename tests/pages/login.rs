//! The sign-in page returns only to the site's own pages, whatever `next` says, and only to
//! one the role may open.

use crate::common;
use crate::on_both_backends;

use common::accounts::PASSWORD;
use common::browser::{Browser, hidden};
use common::{Backend, TestApp};

const MEDIATOR: &str = "med@jm.gov.cn";

async fn sign_in_never_redirects_off_site(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;

    let mut web = Browser::new(&app);
    let login = web.get("/login?next=/%09/evil.example/phish").await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(hidden(&login.body, "next"), "");

    // A hand-made form posts the hostile `next` as it is; the server still refuses it.
    let token = hidden(&login.body, "csrf");
    let done = web
        .post(
            "/login",
            &[
                ("csrf", token.as_str()),
                ("email", MEDIATOR),
                ("password", PASSWORD),
                ("next", "/\t/evil.example/phish"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some("/desk"),
        "the mediator's home"
    );
}

on_both_backends!(sign_in_never_redirects_off_site);
