//! Routing by platform, queues and assignment, and the policy table.

use serde_json::json;

use super::common::{Backend, TestApp, sample_complaint};
use super::*;

async fn platform_sellers_without_an_address_go_to_the_platform_bureau(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let city = app.add_user("city@jm.gov.cn", "admin", &[], None).await;
    let mut c = sample_complaint();
    c["respondent"] = json!({"name": "某网店", "platform": "侨都优选"});
    let (local, _) = app.file(&c).await;
    assert_eq!(
        view(&app, &local, Who::Bearer(&med)).await.1["district"],
        "440703"
    );
    c["respondent"] = json!({"name": "某网店", "platform": "淘宝"});
    let (remote, _) = app.file(&c).await;
    assert_eq!(view(&app, &remote, Who::Bearer(&med)).await.0, 404);
    assert_eq!(
        view(&app, &remote, Who::Bearer(&city)).await.1["district"],
        "440700"
    );
    // Without a platform, the business's address and district stay required.
    c["respondent"] = json!({"name": "某实体店"});
    let (s, v) = app.post_json("/api/v1/complaints", &c).await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["respondent.address", "respondent.district"]);
}

async fn queues_filter_page_and_bulk_assign(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = mediator(&app).await;
    let sup = app
        .add_user("sup@jm.gov.cn", "supervisor", &["440703"], None)
        .await;
    let mut numbers = Vec::new();
    for i in 0..5 {
        let mut c = sample_complaint();
        c["complainant"]["phone"] = json!(format!("1380013800{i}"));
        if i % 2 == 0 {
            c["category"] = json!("goods.cosmetics.makeup");
        } else {
            c["category"] = json!("services.beauty_salon");
        }
        numbers.push(app.file(&c).await.0);
    }
    let (_, page) = app.get_as("/api/v1/queue?limit=2", &med).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().expect("more pages");
    let (_, rest) = app
        .get_as(&format!("/api/v1/queue?limit=10&cursor={cursor}"), &med)
        .await;
    let mut seen: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .map(|i| i["case_no"].as_str().unwrap().to_owned())
        .collect();
    assert!(rest["next_cursor"].is_null());
    seen.sort();
    assert_eq!(seen, numbers, "pages cover every case once");
    let (_, cosmetics) = app
        .get_as("/api/v1/queue?category=goods.cosmetics", &med)
        .await;
    assert_eq!(cosmetics["items"].as_array().unwrap().len(), 3);
    let (_, salons) = app
        .get_as("/api/v1/queue?category=services&clock=acceptance", &med)
        .await;
    assert_eq!(salons["items"].as_array().unwrap().len(), 2);
    assert_eq!(app.get_as("/api/v1/queue?state=flying", &med).await.0, 422);
    assert_eq!(app.get_as("/api/v1/queue?limit=500", &med).await.0, 422);
    assert_eq!(
        app.get_as("/api/v1/queue?cursor=garbage", &med).await.0,
        422
    );
    // Bulk assignment by a supervisor; a mediator may not.
    let body = json!({"case_nos": numbers[..3], "user": "med@jm.gov.cn"});
    assert_eq!(
        app.post_as("/api/v1/queue/assign", &med, &body).await.0,
        403
    );
    let (s, v) = app.post_as("/api/v1/queue/assign", &sup, &body).await;
    assert_eq!((s, v["assigned"].as_i64()), (200, Some(3)), "{v}");
    let (_, mine) = app.get_as("/api/v1/queue?mine=true", &med).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 3);
    // Reminders two working days before the acceptance deadline (2026-12-01) go to the assignee.
    let out = run_on(&app, &["sweep", "--as-of", "2026-11-27"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("3 reminder(s)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let again = run_on(&app, &["sweep", "--as-of", "2026-11-27"]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 reminder(s)"),
        "reminded once only"
    );
}

async fn policy_table_is_editable_by_admins(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let med = mediator(&app).await;
    let (_, current) = app.get_as("/api/v1/admin/policy", &admin).await;
    assert_eq!(current["versions"][1]["id"], "samr-order-121");
    let original = include_str!("../../reference/policy.toml");
    let (head, tail) = original
        .split_once("id = \"samr-order-121\"")
        .expect("121 version");
    let text = format!(
        "{head}id = \"samr-order-121\"{}",
        tail.replacen("acceptance = { days = 7", "acceptance = { days = 5", 1)
    );
    assert!(
        text.contains("acceptance = { days = 5"),
        "the test edit must apply"
    );
    let put = |token: &str, body: String| {
        app.client
            .put(app.url("/api/v1/admin/policy"))
            .bearer_auth(token.to_owned())
            .body(body)
            .send()
    };
    assert_eq!(
        put(&med, text.clone()).await.unwrap().status().as_u16(),
        403
    );
    assert_eq!(
        put(&admin, "versions = 3".into())
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    assert_eq!(put(&admin, text).await.unwrap().status().as_u16(), 200);
    let (_, v) = app
        .post_json("/api/v1/complaints", &sample_complaint())
        .await;
    assert_eq!(
        v["due"], "2026-11-27",
        "5 working days under the edited policy"
    );
}

on_both_backends!(
    platform_sellers_without_an_address_go_to_the_platform_bureau,
    queues_filter_page_and_bulk_assign,
    policy_table_is_editable_by_admins,
);
