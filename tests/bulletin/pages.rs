//! The editors' page flow without JavaScript: sign in, generate a draft, adopt a typical
//! case, add a tip, publish; CSRF tokens required; the public list shows the result.

use reqwest::header::COOKIE;

use crate::common::browser::{Browser, hidden};
use crate::common::{Backend, TestApp};
use crate::fixture::{self, ADMIN, morning};

async fn editors_publish_through_the_pages(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    fixture::build(&app).await;
    app.set_now(morning(2026, 11, 20));
    let mut web = Browser::new(&app);

    let anonymous = web.get("/admin/bulletins").await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(
        anonymous.location.as_deref(),
        Some("/login?next=/admin/bulletins")
    );

    let login = web.get("/login?next=/admin/bulletins").await;
    assert_eq!(login.status, 200);
    assert!(
        login
            .csp
            .as_deref()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let token = hidden(&login.body, "csrf");
    let wrong = web
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("email", ADMIN),
                ("password", "nope"),
                ("next", "/admin/bulletins"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.body.contains("邮箱或密码不正确") && wrong.body.contains(ADMIN),
        "keeps the email typed: {}",
        wrong.body
    );
    let forged = web
        .post(
            "/login",
            &[
                ("email", ADMIN),
                ("password", crate::common::accounts::PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, 400, "no CSRF token");
    let ok = web
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("email", ADMIN),
                ("password", crate::common::accounts::PASSWORD),
                ("next", "/admin/bulletins"),
            ],
        )
        .await;
    assert_eq!(
        (ok.status, ok.location.as_deref()),
        (303, Some("/admin/bulletins"))
    );

    let list = web.get("/admin/bulletins").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let token = hidden(&list.body, "csrf");
    let bad = web
        .post(
            "/admin/bulletins",
            &[("csrf", &token), ("period", "2026-Q7")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("2026-Q7") && bad.body.contains("role=\"alert\""),
        "error shown in place, input kept"
    );
    let made = web
        .post(
            "/admin/bulletins",
            &[
                ("csrf", &token),
                ("period", "2026-Q3"),
                ("as_of", fixture::AS_OF),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let detail_path = made.location.unwrap();

    let detail = web.get(&detail_path).await;
    assert_eq!(detail.status, 200);
    assert!(detail.body.contains("采用为典型案例"));
    let case_no = hidden(&detail.body, "case_no");
    let adopted = web
        .post(
            &format!("{detail_path}/adopt"),
            &[("csrf", &token), ("case_no", &case_no)],
        )
        .await;
    assert_eq!(adopted.status, 303, "{}", adopted.body);
    let detail = web.get(&adopted.location.unwrap()).await;
    assert!(detail.body.contains("已加入典型案例"));
    let title = hidden(&detail.body, "tc_title");
    assert!(!title.is_empty());

    // A tip holding a phone number is refused in place, keeping everything typed.
    let leaky = [
        ("csrf", token.as_str()),
        ("tc_title", title.as_str()),
        ("tc_category", "护肤品"),
        ("tc_summary", "消费者网购面膜后过敏。"),
        ("tc_outcome", "商家退款。"),
        ("tip_title", "维权提示"),
        ("tip_body", "可拨打13712345678咨询"),
    ];
    let refused = web.post(&format!("{detail_path}/content"), &leaky).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("个人信息") && refused.body.contains("可拨打13712345678咨询"));
    let fine = [
        ("csrf", token.as_str()),
        ("tc_title", title.as_str()),
        ("tc_category", "护肤品"),
        ("tc_summary", "消费者网购面膜后过敏。"),
        ("tc_outcome", "商家退款。"),
        ("tip_title", "理性消费"),
        ("tip_body", "保留购物凭证，遇到纠纷可拨打 12315。"),
    ];
    assert_eq!(
        web.post(&format!("{detail_path}/content"), &fine)
            .await
            .status,
        303
    );

    let preview = web.get(&format!("{detail_path}/preview")).await;
    assert!(preview.body.contains("理性消费") && preview.body.contains("草稿"));
    assert_eq!(
        web.post(&format!("{detail_path}/publish"), &[])
            .await
            .status,
        400,
        "no CSRF token"
    );
    let asked = web
        .post(&format!("{detail_path}/publish"), &[("csrf", &token)])
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(asked.body.contains("确认发布？"), "{}", asked.body);
    assert!(
        web.get("/bulletins")
            .await
            .body
            .contains("暂无已发布的通报"),
        "nothing is published before the confirmation"
    );
    let published = web
        .post(
            &format!("{detail_path}/publish"),
            &[("csrf", &token), ("confirm", "yes")],
        )
        .await;
    assert_eq!(published.status, 303);

    let public = Browser::new(&app).get("/bulletins").await;
    assert_eq!(public.status, 200);
    assert!(
        public.body.contains("2026-Q3") && public.body.contains("已发布"),
        "{}",
        public.body
    );
    let id = detail_path.rsplit('/').next().unwrap();
    let page = Browser::new(&app).get(&format!("/bulletins/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.csp.unwrap().contains("default-src 'none'"));
    assert!(page.body.contains("理性消费"));

    let analyst_token = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let res = app
        .client
        .get(app.url("/admin/bulletins"))
        .bearer_auth(analyst_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
}

crate::on_both_backends!(editors_publish_through_the_pages);

async fn forms_are_rate_limited(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.rate_limit_per_minute = 2).await;
    let mut web = Browser::new(&app);
    let token = hidden(&web.get("/login").await.body, "csrf");
    let attempt = [
        ("csrf", token.as_str()),
        ("email", "nobody@jm.gov.cn"),
        ("password", "x"),
    ];
    for _ in 0..2 {
        assert_eq!(web.post("/login", &attempt).await.status, 401);
    }
    let res = web
        .client
        .post(app.url("/login"))
        .header(COOKIE, web.cookie_header())
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(serde_urlencoded::to_string(attempt).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(res.text().await.unwrap().contains("提交过于频繁"));
}

crate::on_both_backends!(forms_are_rate_limited);

/// Adopting reads the draft, finds the candidate and writes the content in one transaction:
/// a refusal anywhere inside leaves the draft exactly as it was.
async fn a_refused_adoption_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    fixture::build(&app).await;
    app.set_now(morning(2026, 11, 20));
    let id = crate::q3_draft(&app).await["id"].as_i64().expect("id");
    let admin = fixture::token(&app, ADMIN).await;
    let (s, candidates) = app
        .get_as(&format!("/api/v1/admin/bulletins/{id}/candidates"), &admin)
        .await;
    assert_eq!(s, 200, "{candidates}");
    let first = &candidates[0];
    let typical = serde_json::json!({
        "title": first["title"], "category": first["category"],
        "summary": first["summary"], "outcome": first["outcome"],
    });
    // A draft already holding the most typical cases allowed.
    let full = serde_json::json!({"typical_cases": vec![typical; 10], "tips": []});
    let res = app
        .client
        .put(app.url(&format!("/api/v1/admin/bulletins/{id}/content")))
        .bearer_auth(&admin)
        .json(&full)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 200);

    let mut web = Browser::new(&app);
    let detail_path = format!("/admin/bulletins/{id}");
    let login = web.get(&format!("/login?next={detail_path}")).await;
    let signed_in = web
        .post(
            "/login",
            &[
                ("csrf", hidden(&login.body, "csrf").as_str()),
                ("email", ADMIN),
                ("password", crate::common::accounts::PASSWORD),
                ("next", &detail_path),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let token = hidden(&web.get(&detail_path).await.body, "csrf");
    let case_no = first["case_no"].as_str().expect("case_no");
    let adopt = format!("{detail_path}/adopt");

    let over = web
        .post(&adopt, &[("csrf", &token), ("case_no", case_no)])
        .await;
    assert_eq!(over.status, 422, "{}", over.body);
    assert!(over.body.contains("最多 10 条"), "{}", over.body);
    let unknown = web
        .post(&adopt, &[("csrf", &token), ("case_no", "TS-2026-999999")])
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);

    let (_, after) = app
        .get_as(&format!("/api/v1/admin/bulletins/{id}"), &admin)
        .await;
    assert_eq!(after["typical_cases"], full["typical_cases"], "{after}");
    assert_eq!(after["status"], "draft");
}

crate::on_both_backends!(a_refused_adoption_changes_nothing);
