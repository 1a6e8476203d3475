//! Draft → typical cases and tips → preview → publish (frozen) → correction, over HTTP and
//! through the CLI, with the errors a user meets on the way.

use serde_json::{Value, json};

use crate::common::binary::run_on;
use crate::common::{Backend, TestApp, read};
use crate::fixture::{self, ADMIN, AS_OF, MEDIATOR, morning, token};
use crate::{draft, q3_draft};

async fn put_content(app: &TestApp, id: i64, body: &Value) -> (u16, Value) {
    let t = token(app, ADMIN).await;
    let res = app
        .client
        .put(app.url(&format!("/api/v1/admin/bulletins/{id}/content")))
        .bearer_auth(&t)
        .json(body)
        .send()
        .await
        .expect("request");
    read(res).await
}

async fn text(app: &TestApp, path: &str) -> (u16, String) {
    let res = app.client.get(app.url(path)).send().await.expect("request");
    (res.status().as_u16(), res.text().await.expect("body"))
}

async fn publish(app: &TestApp, id: i64) -> (u16, Value) {
    let t = token(app, ADMIN).await;
    app.post_as(
        &format!("/api/v1/admin/bulletins/{id}/publish"),
        &t,
        &json!({}),
    )
    .await
}

async fn publish_then_correct(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    fixture::build(&app).await;
    app.set_now(morning(2026, 11, 20));
    let b = q3_draft(&app).await;
    let id = b["id"].as_i64().expect("id");
    assert_eq!(
        (b["version"].clone(), b["status"].clone()),
        (json!(1), json!("draft"))
    );

    // Drafts are not public.
    assert_eq!(app.get(&format!("/api/v1/bulletins/{id}")).await.0, 404);
    assert_eq!(text(&app, &format!("/bulletins/{id}")).await.0, 404);

    // Typical cases come from closed complaints, anonymised; editors may rewrite them.
    let t = token(&app, ADMIN).await;
    let (s, candidates) = app
        .get_as(&format!("/api/v1/admin/bulletins/{id}/candidates"), &t)
        .await;
    assert_eq!(s, 200, "{candidates}");
    let first = candidates[0].clone();
    assert!(first["summary"].as_str().unwrap().len() > 10, "{first}");
    let mut typical = first.clone();
    typical.as_object_mut().unwrap().remove("case_no");
    typical["title"] = json!("网购面膜致皮肤过敏获退款");
    let tip = json!({"title": "理性选购化妆品", "body": "购买前查验国产普通化妆品备案信息，留存购物凭证。"});

    let leaky =
        json!({"typical_cases": [], "tips": [{"title": "联系", "body": "请致电13712345678"}]});
    let (s, v) = put_content(&app, id, &leaky).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["code"], "personal_data", "{v}");

    let (s, v) = put_content(
        &app,
        id,
        &json!({"typical_cases": [typical], "tips": [tip]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, preview) = {
        let res = app
            .client
            .get(app.url(&format!("/api/v1/admin/bulletins/{id}/preview")))
            .bearer_auth(&t)
            .send()
            .await
            .expect("request");
        (res.status().as_u16(), res.text().await.unwrap())
    };
    assert_eq!(s, 200);
    assert!(preview.contains("网购面膜致皮肤过敏获退款") && preview.contains("理性选购化妆品"));

    let (s, published) = publish(&app, id).await;
    assert_eq!(s, 200, "{published}");
    assert_eq!(published["status"], "published");
    assert_eq!(publish(&app, id).await.0, 409, "publishing twice");
    assert_eq!(
        put_content(&app, id, &json!({"typical_cases": [], "tips": []}))
            .await
            .0,
        409
    );

    // The public reads it in every format; repeated reads are byte-identical.
    let (s, list) = app.get("/api/v1/bulletins").await;
    assert_eq!(s, 200);
    assert_eq!(list[0]["id"], json!(id));
    let (s, html) = text(&app, &format!("/bulletins/{id}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("2026-Q3") && html.contains("网购面膜致皮肤过敏获退款"));
    assert_eq!(text(&app, &format!("/bulletins/{id}")).await.1, html);
    let (_, json_file) = text(&app, &format!("/bulletins/{id}.json")).await;
    let frozen: Value = serde_json::from_str(&json_file).expect("json");
    assert_eq!(frozen["totals"]["recovered_fen"], json!(12900));
    let (s, csv) = text(&app, &format!("/bulletins/{id}.csv")).await;
    assert_eq!(s, 200);
    assert!(csv.starts_with("period,table,code"), "{csv}");
    assert_eq!(text(&app, &format!("/bulletins/{id}.exe")).await.0, 404);

    // Later records do not change a published bulletin; a correction does, as a new version.
    let (_, open) = app
        .get_as(
            "/api/v1/queue?state=in_mediation",
            &token(&app, MEDIATOR).await,
        )
        .await;
    let c = open["items"][0]["case_no"]
        .as_str()
        .expect("C is in mediation")
        .to_owned();
    fixture::act(
        &app,
        morning(2026, 11, 23),
        MEDIATOR,
        &c,
        json!({"action": "settle", "agreement": "退款", "recovered_fen": 5000}),
    )
    .await;
    let (_, again) = text(&app, &format!("/bulletins/{id}.json")).await;
    assert_eq!(again, json_file, "published figures are frozen");

    let t = token(&app, ADMIN).await;
    let path = format!("/api/v1/admin/bulletins/{id}/corrections");
    assert_eq!(app.post_as(&path, &t, &json!({"erratum": ""})).await.0, 422);
    let (s, v2) = app
        .post_as(
            &path,
            &t,
            &json!({"erratum": "补充统计一件迟报的调解结果", "as_of": AS_OF}),
        )
        .await;
    assert_eq!(s, 201, "{v2}");
    assert_eq!(
        (v2["version"].clone(), v2["supersedes"].clone()),
        (json!(2), json!(id))
    );
    assert_eq!(
        v2["typical_cases"], published["typical_cases"],
        "editorial content carried over"
    );
    assert_eq!(
        app.post_as(&path, &t, &json!({"erratum": "再次更正"}))
            .await
            .0,
        409
    );
    let id2 = v2["id"].as_i64().unwrap();
    let (s, v2) = publish(&app, id2).await;
    assert_eq!(s, 200, "{v2}");
    assert_eq!(v2["erratum"], "补充统计一件迟报的调解结果");
    let (_, old) = app.get(&format!("/api/v1/bulletins/{id}")).await;
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["totals"], frozen["totals"]);
    let (_, list) = app.get("/api/v1/bulletins").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["id"], json!(id2), "newest version first");
    let (_, html2) = text(&app, &format!("/bulletins/{id2}")).await;
    assert!(html2.contains("补充统计一件迟报的调解结果"));
}

async fn admin_api_refuses_bad_requests(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.add_user(ADMIN, "admin", &[], None).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let path = "/api/v1/admin/bulletins";
    for (body, field) in [
        (json!({"period": "2026-Q5"}), "period"),
        (json!({}), "period"),
        (json!({"from": "2026-09-01", "to": "2026-08-01"}), "from"),
    ] {
        let (s, v) = app.post_as(path, &admin, &body).await;
        assert_eq!(s, 422, "{body} → {v}");
        assert_eq!(v["fields"][0]["field"], field, "{v}");
    }
    assert_eq!(
        app.post_as(path, &admin, &json!({"period": "2026-Q3", "x": 1}))
            .await
            .0,
        422
    );
    assert_eq!(
        app.post_as(path, &analyst, &json!({"period": "2026-Q3"}))
            .await
            .0,
        403
    );
    assert_eq!(
        app.post_json(path, &json!({"period": "2026-Q3"})).await.0,
        401
    );
    assert_eq!(
        app.get_as("/api/v1/admin/bulletins/999", &admin).await.0,
        404
    );
    assert_eq!(
        app.get_as("/api/v1/admin/bulletins/abc", &admin).await.0,
        404
    );
    assert_eq!(app.get("/api/v1/bulletins/-1").await.0, 404);
    // An empty period is a valid bulletin of zeros, not an error.
    let b = draft(
        &app,
        json!({"from": "2026-08-01", "to": "2026-08-15", "as_of": AS_OF}),
    )
    .await;
    assert_eq!(b["totals"]["complaints"], json!(0));
    assert_eq!(b["period"]["label"], "2026-08-01~2026-08-15");
    assert_eq!(b["rates"]["acceptance_on_time"]["value"], Value::Null);
}

/// The CLI writes the same figures as the API, and the same bytes every time.
async fn cli_output_is_reproducible(backend: Backend) {
    // The records stay as they are between runs: no mail is delivered meanwhile (a delivered
    // termination notice is a fact the bulletin counts).
    let app = TestApp::spawn_with(&backend, |s| s.mail_poll_ms = 3_600_000).await;
    fixture::build(&app).await;
    let api = q3_draft(&app).await;
    let out = tempfile::tempdir().expect("dir");
    let run = |sub: &str| {
        let dir = out.path().join(sub);
        for format in ["json", "csv", "html"] {
            let args = [
                "bulletin", "2026-Q3", "--as-of", AS_OF, "--format", format, "--out",
            ];
            let o = run_on(&app, &[&args[..], &[dir.to_str().unwrap()]].concat());
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        dir
    };
    let (first, second) = (run("a"), run("b"));
    for ext in ["json", "csv", "html"] {
        let name = format!("bulletin-2026-Q3.{ext}");
        let a = std::fs::read(first.join(&name)).expect("first");
        let b = std::fs::read(second.join(&name)).expect("second");
        assert!(!a.is_empty());
        assert_eq!(a, b, "{name} differs between runs");
    }
    let cli: Value =
        serde_json::from_slice(&std::fs::read(first.join("bulletin-2026-Q3.json")).unwrap())
            .unwrap();
    for key in [
        "totals",
        "change",
        "rates",
        "odr",
        "by_district",
        "by_category",
        "by_nature",
        "cosmetics",
        "top_businesses",
    ] {
        assert_eq!(cli[key], api[key], "{key}");
    }
    assert_eq!(cli["inputs_hash"], api["inputs_hash"]);

    let bad = run_on(&app, &["bulletin", "2026-Q9"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("2026-Q3"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

crate::on_both_backends!(
    publish_then_correct,
    admin_api_refuses_bad_requests,
    cli_output_is_reproducible
);
