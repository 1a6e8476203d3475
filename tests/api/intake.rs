//! Intake over HTTP: complaints and reports, validation, limits, idempotency, restarts.

use crate::common;
use crate::on_both_backends;

use common::{Backend, TestApp, china_morning, sample_complaint, sample_report};
use serde_json::{Value, json};

fn field_codes(body: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = body["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields in {body}"))
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

async fn complaint_is_received_numbered_and_due(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    // Received 2026-09-30: Oct 1–7 are holidays and Sat Oct 10 is a make-up working day.
    app.set_now(china_morning(2026, 9, 30));
    let mut complaint = sample_complaint();
    complaint["purchase"]["date"] = json!("2026-09-20");
    let (status, body) = app.post_json("/api/v1/complaints", &complaint).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["case_no"], "TS-2026-000001");
    assert_eq!(body["state"], "pending_acceptance");
    assert_eq!(body["due"], "2026-10-15");
    assert_eq!(body["due_provisional"], false);
    assert_eq!(body["received_at"], "2026-09-30T02:00:00Z");
    let token = body["tracking_token"].as_str().unwrap();
    // 20 Crockford base32 characters (100 bits) in groups of four.
    let groups: Vec<&str> = token.split('-').collect();
    assert_eq!(groups.len(), 5, "{token}");
    assert!(groups.iter().all(|g| {
        g.len() == 4
            && g.bytes()
                .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
    }));

    let (status, second) = app.post_json("/api/v1/complaints", &complaint).await;
    assert_eq!(status, 201);
    assert_eq!(second["case_no"], "TS-2026-000002");
    assert_ne!(second["tracking_token"], body["tracking_token"]);
}

async fn report_is_anonymous_and_gets_verification_deadline(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    // 2026-09-24 + 15 working days: Sep 25–27 and Oct 1–7 off, Sep 20 before, Oct 10 worked.
    app.set_now(china_morning(2026, 9, 24));
    let (status, body) = app.post_json("/api/v1/reports", &sample_report()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["case_no"], "JB-2026-000001");
    assert_eq!(body["state"], "pending_verification");
    assert_eq!(body["due"], "2026-10-22");
    // Complaints and reports are numbered separately.
    app.set_now(china_morning(2026, 11, 20));
    let (_, c) = app
        .post_json("/api/v1/complaints", &sample_complaint())
        .await;
    assert_eq!(c["case_no"], "TS-2026-000001");
}

async fn numbering_restarts_each_year_and_unknown_years_are_provisional(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 12, 30));
    let (_, a) = app
        .post_json("/api/v1/complaints", &sample_complaint())
        .await;
    assert_eq!(a["case_no"], "TS-2026-000001");
    // 2027's calendar is not loaded: the due date is computed on weekdays and flagged.
    assert_eq!(a["due_provisional"], true);
    // 00:30 on 1 January in China is still 31 December in UTC: the China date decides.
    app.set_now(
        china_morning(2027, 1, 1) - chrono::Duration::hours(9) - chrono::Duration::minutes(30),
    );
    let (_, b) = app
        .post_json("/api/v1/complaints", &sample_complaint())
        .await;
    assert_eq!(b["case_no"], "TS-2027-000001");
    assert_eq!(b["due_provisional"], true);
}

async fn every_bad_field_is_listed_at_once(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut c = sample_complaint();
    c["respondent"]["uscc"] = json!("91440703MA4UJ5QX2A");
    c["complainant"]["phone"] = json!("12345");
    c["complainant"]["email"] = json!("not-an-email");
    c["category"] = json!("goods.cosmetics.unicorn");
    c["nature"] = json!("grumpy");
    c["respondent"]["district"] = json!("110101");
    c["purchase"]["amount_fen"] = json!(-5);
    c["purchase"]["date"] = json!("2026-12-01");
    c["title"] = json!("长".repeat(101));
    c["claim"] = json!("   ");
    let (status, body) = app.post_json("/api/v1/complaints", &c).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "validation");
    let codes = field_codes(&body);
    let expected = [
        ("category", "unknown_category"),
        ("claim", "required"),
        ("complainant.email", "email_format"),
        ("complainant.phone", "phone_format"),
        ("nature", "unknown_nature"),
        ("purchase.amount_fen", "amount_negative"),
        ("purchase.date", "purchase_after_receipt"),
        ("respondent.district", "unknown_district"),
        ("respondent.uscc", "uscc_checksum"),
        ("title", "length"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    assert_eq!(codes, expected);
    let uscc = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "respondent.uscc")
        .unwrap();
    assert_eq!(
        uscc["message"],
        "统一社会信用代码第 18 位（校验位）与前 17 位不符，请对照营业执照重新输入"
    );

    // Missing parts are listed too.
    let (status, body) = app.post_json("/api/v1/complaints", &json!({})).await;
    assert_eq!(status, 422);
    let fields: Vec<String> = field_codes(&body).into_iter().map(|(f, _)| f).collect();
    for required in [
        "category",
        "channel",
        "claim",
        "complainant",
        "description",
        "nature",
        "respondent",
        "title",
    ] {
        assert!(
            fields.contains(&required.to_string()),
            "{required} missing from {fields:?}"
        );
    }
    let (status, body) = app
        .post_json("/api/v1/reports", &json!({"channel": "web"}))
        .await;
    assert_eq!(status, 422);
    let fields: Vec<String> = field_codes(&body).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        ["description", "nature", "place.district", "respondent"]
    );
}

async fn staff_channels_are_refused_on_public_intake(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    for channel in ["phone", "letter", "visit"] {
        let mut c = sample_complaint();
        c["channel"] = json!(channel);
        let (status, body) = app.post_json("/api/v1/complaints", &c).await;
        assert_eq!(status, 422);
        assert_eq!(
            field_codes(&body),
            [("channel".to_string(), "channel_staff_only".to_string())]
        );
    }
    let mut r = sample_report();
    r["channel"] = json!("fax");
    let (status, body) = app.post_json("/api/v1/reports", &r).await;
    assert_eq!(status, 422);
    assert_eq!(
        field_codes(&body),
        [("channel".to_string(), "unknown_channel".to_string())]
    );
}

async fn client_mistakes_get_json_errors_never_500(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let post_raw = |body: Vec<u8>, ct: &'static str| {
        let req = app
            .client
            .post(app.url("/api/v1/complaints"))
            .header("Content-Type", ct)
            .body(body);
        async move { common::read(req.send().await.unwrap()).await }
    };
    let (s, b) = post_raw(b"{\"channel\": ".to_vec(), "application/json").await;
    assert_eq!((s, b["error"].as_str()), (400, Some("malformed_json")));
    let (s, b) = post_raw(b"[1,2]".to_vec(), "application/json").await;
    assert_eq!((s, b["error"].as_str()), (400, Some("malformed_json")));
    let (s, b) = post_raw(b"{\"title\": 5}".to_vec(), "application/json").await;
    assert_eq!(s, 422);
    assert_eq!(field_codes(&b), [("title".to_string(), "type".to_string())]);
    let (s, b) = post_raw(
        b"{\"purchase\": {\"date\": \"2026-02-30\"}}".to_vec(),
        "application/json",
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        field_codes(&b),
        [("purchase.date".to_string(), "type".to_string())]
    );
    let (s, b) = post_raw(b"channel=web".to_vec(), "application/x-www-form-urlencoded").await;
    assert_eq!(
        (s, b["error"].as_str()),
        (415, Some("unsupported_media_type"))
    );

    let mut big = sample_complaint();
    big["description"] = json!("很".repeat(400_000));
    let (s, b) = post_raw(serde_json::to_vec(&big).unwrap(), "application/json").await;
    assert_eq!((s, b["error"].as_str()), (413, Some("payload_too_large")));

    let (s, b) = app.get("/api/v1/nothing-here").await;
    assert_eq!((s, b["error"].as_str()), (404, Some("not_found")));
    let (s, b) = app.get("/api/v1/complaints").await;
    assert_eq!((s, b["error"].as_str()), (405, Some("method_not_allowed")));
    let res = app
        .client
        .delete(app.url("/api/v1/taxonomy"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET");
    let (s, b) = common::read(res).await;
    assert_eq!((s, b["error"].as_str()), (405, Some("method_not_allowed")));
    let res = app
        .client
        .post(app.url("/api/v1/complaints"))
        .header("Idempotency-Key", "has space")
        .json(&sample_complaint())
        .send()
        .await
        .unwrap();
    let (s, b) = common::read(res).await;
    assert_eq!(
        (s, b["error"].as_str()),
        (400, Some("invalid_idempotency_key"))
    );
}

async fn post_with_key(app: &TestApp, key: &str, body: &Value) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/api/v1/complaints"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    common::read(res).await
}

async fn idempotent_retries_never_make_a_second_case(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let body = sample_complaint();
    let key = "5f0c6a52-94cf-4b0e-a1c9-2d7e0f3b8a61";
    // Two identical requests at the same moment, as a flaky mobile network sends them.
    let (a, b) = tokio::join!(
        post_with_key(&app, key, &body),
        post_with_key(&app, key, &body)
    );
    assert_eq!((a.0, b.0), (201, 201), "{} / {}", a.1, b.1);
    assert_eq!(a.1["case_no"], b.1["case_no"]);
    assert_eq!(a.1["tracking_token"], b.1["tracking_token"]);
    // A later retry answers the same, and the token it returns still works.
    let (s, c) = post_with_key(&app, key, &body).await;
    assert_eq!(s, 201);
    assert_eq!(c, a.1);
    let (s, _) = app
        .track(
            c["case_no"].as_str().unwrap(),
            c["tracking_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(s, 200);
    // The same key with another body is refused.
    let mut other = body.clone();
    other["title"] = json!("另一件事");
    let (s, d) = post_with_key(&app, key, &other).await;
    assert_eq!(
        (s, d["error"].as_str()),
        (409, Some("idempotency_key_reused"))
    );
    // Only one case was made: the next one is number 2.
    let (_, next) = app.post_json("/api/v1/complaints", &body).await;
    assert_eq!(next["case_no"], "TS-2026-000002");
}

async fn tracking_shows_a_masked_view_only_to_the_token_holder(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, token) = app.file_complaint().await;
    let (s, view) = app.track(&case_no, &token).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["case_no"], case_no.as_str());
    assert_eq!(view["state"], "pending_acceptance");
    assert_eq!(view["state_label"], "待受理");
    assert_eq!(view["category_label"], "护肤品");
    assert_eq!(view["district_label"], "蓬江区");
    assert_eq!(view["submitter"]["name"], "张*");
    assert_eq!(view["submitter"]["phone"], "138****8000");
    assert_eq!(view["timeline"][0]["event"], "submitted");
    let text = view.to_string();
    for secret in ["13800138000", "zhang@example.com", "张三", "建设路", &token] {
        assert!(!text.contains(secret), "{secret} leaked in {text}");
    }
    let wrong = "0".repeat(40);
    assert_eq!(app.track(&case_no, &wrong).await.0, 404);
    assert_eq!(app.track(&case_no, "short").await.0, 404);
    assert_eq!(app.get(&format!("/api/v1/track/{case_no}")).await.0, 404);
    assert_eq!(app.track("TS-2026-999999", &token).await.0, 404);
    assert_eq!(app.track("..%2F..%2Fetc", &token).await.0, 404);
}

async fn cases_survive_a_restart(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let (case_no, token) = app.file_complaint().await;
    let app = app.restart().await;
    let (s, view) = app.track(&case_no, &token).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["title"], "面膜使用后皮肤过敏红肿");
    let (_, next) = app
        .post_json("/api/v1/complaints", &sample_complaint())
        .await;
    assert_eq!(next["case_no"], "TS-2026-000002");
}

async fn adverse_reaction_and_product_are_accepted(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut c = sample_complaint();
    c["product"] = json!({"name": "玻尿酸补水面膜", "brand": "GlowLab", "cosmetics_id": "粤G妆网备字2022001234", "batch": "B2210"});
    c["adverse_reaction"] = json!({"onset_date": "2026-10-05", "symptoms": "面部红肿、瘙痒", "body_site": "面部", "severity": "general"});
    let (s, body) = app.post_json("/api/v1/complaints", &c).await;
    assert_eq!(s, 201, "{body}");
    c["adverse_reaction"]["severity"] = json!("mild");
    c["adverse_reaction"]["onset_date"] = json!("2027-01-01");
    let (s, body) = app.post_json("/api/v1/complaints", &c).await;
    assert_eq!(s, 422);
    assert_eq!(
        field_codes(&body),
        [
            (
                "adverse_reaction.onset_date".to_string(),
                "date_in_future".to_string()
            ),
            (
                "adverse_reaction.severity".to_string(),
                "unknown_severity".to_string()
            ),
        ]
    );
}

async fn reference_data_health_and_api_description(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    let request_id = res
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(
        request_id.is_some_and(|id| id.len() >= 16),
        "every response names its request"
    );
    let (s, h) = common::read(res).await;
    assert_eq!(s, 200);
    assert_eq!(h["status"], "ok");
    let (s, t) = app.get("/api/v1/taxonomy").await;
    assert_eq!(s, 200);
    let text = t.to_string();
    for needle in [
        "goods.cosmetics.skincare",
        "services.beauty_salon",
        "440703",
        "恩平市",
        "mini_program",
        "假冒",
    ] {
        assert!(text.contains(needle), "taxonomy lacks {needle}");
    }
    let (s, doc) = app.get("/openapi.json").await;
    assert_eq!(s, 200);
    for path in [
        "/api/v1/complaints",
        "/api/v1/reports",
        "/api/v1/track/{case_no}",
        "/api/v1/track/{case_no}/attachments",
        "/api/v1/taxonomy",
        "/healthz",
    ] {
        assert!(doc["paths"][path].is_object(), "openapi lacks {path}");
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

on_both_backends!(
    complaint_is_received_numbered_and_due,
    report_is_anonymous_and_gets_verification_deadline,
    numbering_restarts_each_year_and_unknown_years_are_provisional,
    every_bad_field_is_listed_at_once,
    staff_channels_are_refused_on_public_intake,
    client_mistakes_get_json_errors_never_500,
    idempotent_retries_never_make_a_second_case,
    tracking_shows_a_masked_view_only_to_the_token_holder,
    cases_survive_a_restart,
    adverse_reaction_and_product_are_accepted,
    reference_data_health_and_api_description,
);
