//! Hot issues in a draft: counted per day against the quarter before, and an editor strikes a
//! term (API and page form) so that no published format carries it; restorable until
//! publishing, refused afterwards.

use serde_json::{Value, json};

use crate::common::browser::{Browser, hidden};
use crate::common::{Backend, TestApp, china_morning, sample_complaint};
use crate::fixture::{ADMIN, token};

/// Files a complaint received on the given day of 2026.
async fn file_on(app: &TestApp, month: u32, day: u32, title: &str, description: &str) {
    app.set_now(china_morning(2026, month, day));
    let mut c = sample_complaint();
    c["title"] = json!(title);
    c["description"] = json!(description);
    c["purchase"]["date"] = json!("2024-01-01");
    app.file(&c).await;
}

fn terms(b: &Value) -> Vec<String> {
    b["hot_issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["term"].as_str().unwrap().to_owned())
        .collect()
}

async fn text(app: &TestApp, path: &str) -> String {
    let res = app.client.get(app.url(path)).send().await.expect("request");
    assert_eq!(res.status().as_u16(), 200, "{path}");
    res.text().await.expect("body")
}

async fn edit(app: &TestApp, admin: &str, id: i64, action: &str, term: &str) -> (u16, Value) {
    app.post_as(
        &format!("/api/v1/admin/bulletins/{id}/hot-issues/{action}"),
        admin,
        &json!({ "term": term }),
    )
    .await
}

async fn a_struck_hot_term_is_never_published(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 4, 1));
    app.add_user(ADMIN, "admin", &[], None).await;
    file_on(&app, 5, 12, "面膜过敏", "补水面膜用后过敏，要求退款。").await;
    for day in [3, 9, 17, 24] {
        file_on(
            &app,
            8,
            day,
            "祛斑霜含荧光剂",
            "网购祛斑霜检出荧光剂，脸上红肿。",
        )
        .await;
    }
    app.set_now(china_morning(2026, 11, 20));
    let admin = token(&app, ADMIN).await;
    app.wait_indexed(&admin, 5).await;

    let (s, b) = app
        .post_as(
            "/api/v1/admin/bulletins",
            &admin,
            &json!({"period": "2026-Q3", "as_of": "2026-11-20"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_i64().unwrap();
    let found = terms(&b);
    assert!(
        found.contains(&"荧光剂".to_owned()) && found.contains(&"祛斑霜".to_owned()),
        "{b}"
    );
    // Per day: four cases in the 92 days of Q3, none in the 91 of Q2.
    let issue = &b["hot_issues"][found.iter().position(|t| t == "荧光剂").unwrap()];
    assert_eq!(issue["per_day"], 0.04, "{issue}");
    assert_eq!(issue["previous_per_day"], 0.0, "{issue}");
    assert_eq!(issue.get("lift"), None, "a new term has no lift: {issue}");

    let (s, v) = edit(&app, &admin, id, "strike", "不存在的词").await;
    assert_eq!(
        (s, v["fields"][0]["code"].clone()),
        (422, json!("not_a_hot_issue")),
        "{v}"
    );
    let (s, struck) = edit(&app, &admin, id, "strike", "荧光剂").await;
    assert_eq!(s, 200, "{struck}");
    let mark = struck["hot_issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["term"] == "荧光剂")
        .unwrap()["struck"]
        .clone();
    assert_eq!(mark["by"], ADMIN, "{mark}");
    assert!(
        mark["at"].as_str().unwrap().starts_with("2026-11-20"),
        "{mark}"
    );
    let res = app
        .client
        .get(app.url(&format!("/api/v1/admin/bulletins/{id}/preview")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let preview = res.text().await.unwrap();
    assert!(
        preview.contains("祛斑霜") && !preview.contains("荧光剂"),
        "{preview}"
    );

    // The page form: restore, then strike again, with the CSRF token.
    let mut web = Browser::signed_in(&app, ADMIN, &format!("/admin/bulletins/{id}")).await;
    let page = web.get(&format!("/admin/bulletins/{id}")).await;
    assert!(
        page.body.contains("恢复「荧光剂」") && page.body.contains("删除「祛斑霜」"),
        "{}",
        page.body
    );
    let csrf = hidden(&page.body, "csrf");
    let form = format!("/admin/bulletins/{id}/hot-terms");
    let forged = web
        .post(&form, &[("term", "荧光剂"), ("action", "restore")])
        .await;
    assert_eq!(forged.status, 400);
    let restored = web
        .post(
            &form,
            &[("csrf", &csrf), ("term", "荧光剂"), ("action", "restore")],
        )
        .await;
    assert_eq!(restored.status, 303, "{}", restored.body);
    let page = web.get(restored.location.as_deref().unwrap()).await;
    assert!(
        page.body.contains("删除「荧光剂」") && page.body.contains("已恢复该热点词"),
        "{}",
        page.body
    );
    let again = web
        .post(
            &form,
            &[("csrf", &csrf), ("term", "荧光剂"), ("action", "strike")],
        )
        .await;
    assert_eq!(again.status, 303, "{}", again.body);

    let (s, published) = app
        .post_as(
            &format!("/api/v1/admin/bulletins/{id}/publish"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{published}");
    let (s, public) = app.get(&format!("/api/v1/bulletins/{id}")).await;
    assert_eq!(s, 200, "{public}");
    assert!(!terms(&public).contains(&"荧光剂".to_owned()), "{public}");
    assert!(terms(&public).contains(&"祛斑霜".to_owned()), "{public}");
    for format in ["", ".csv", ".json"] {
        let body = text(&app, &format!("/bulletins/{id}{format}")).await;
        assert!(
            body.contains("祛斑霜") && !body.contains("荧光剂"),
            "{format}: {body}"
        );
    }

    // Published bulletins do not change.
    for action in ["strike", "restore"] {
        let (s, v) = edit(&app, &admin, id, action, "祛斑霜").await;
        assert_eq!((s, v["error"].clone()), (409, json!("not_a_draft")), "{v}");
    }
    let refused = web
        .post(
            &form,
            &[("csrf", &csrf), ("term", "祛斑霜"), ("action", "strike")],
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("已发布的通报不能修改"),
        "{}",
        refused.body
    );
    let (_, after) = app.get(&format!("/api/v1/bulletins/{id}")).await;
    assert_eq!(after, public);
}

crate::on_both_backends!(a_struck_hot_term_is_never_published);
