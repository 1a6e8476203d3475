//! Publication of complaint information (Order 121 Art. 38): consent through every intake
//! path and never presumed, the business's public reply, the editors' review on the case's
//! chain, and the published entries, masked, gone at once when consent is withdrawn.

use odrdesk::auth::wechat::WechatConfig;
use serde_json::{Value, json};

use crate::common::binary::run_on;
use crate::common::{Backend, TestApp, read, sample_complaint, sample_report};
use crate::on_both_backends;

pub(crate) const USCC: &str = "91440703MA4UJ5QX2U";
pub(crate) const ENTRIES: &str = "/api/v1/businesses/91440703MA4UJ5QX2U/entries";
const PAGE: &str = "/businesses/91440703MA4UJ5QX2U/entries";
const BUSINESS_API: &str = "/api/v1/businesses/91440703MA4UJ5QX2U";
const BUSINESS_PAGE: &str = "/businesses/91440703MA4UJ5QX2U";

async fn public_page(app: &TestApp, path: &str) -> String {
    let res = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// Personal data planted in a complaint's and a reply's free text, none of which may reach
/// the public: the complainant's name and address as given, a phone, an ID number, e-mail.
const PLANTED: [&str; 6] = [
    "张三",
    "建设路1号",
    "13912345678",
    "440703199001011234",
    "zhang@example.com",
    "13800138000",
];

pub(crate) fn planted_complaint() -> Value {
    let mut c = sample_complaint();
    c["disclosure_consent"] = json!(true);
    c["title"] = json!("张三的面膜过敏投诉");
    c["description"] = json!(
        "本人张三，住江门市蓬江区建设路1号，电话13912345678，身份证440703199001011234，\
         邮箱zhang@example.com。十月购买的面膜使用后过敏。"
    );
    c
}

pub(crate) async fn consent_of(app: &TestApp, no: &str, token: &str) -> (u16, Value) {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/track/{no}/disclosure-consent")))
        .header("X-Tracking-Token", token)
        .send()
        .await
        .unwrap();
    read(res).await
}

async fn set_consent(app: &TestApp, no: &str, token: &str, consent: bool) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/track/{no}/disclosure-consent")))
        .header("X-Tracking-Token", token)
        .json(&json!({"consent": consent}))
        .send()
        .await
        .unwrap();
    read(res).await
}

pub(crate) async fn put_as(app: &TestApp, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    read(res).await
}

/// Accepts and settles a complaint as the mediator: closed, with an outcome.
pub(crate) async fn settle(app: &TestApp, med: &str, no: &str) {
    let path = format!("/api/v1/cases/{no}/actions");
    let (s, v) = app.post_as(&path, med, &json!({"action": "accept"})).await;
    assert_eq!(s, 200, "{v}");
    let body = json!({"action": "settle", "agreement": "退款", "recovered_fen": 12900});
    let (s, v) = app.post_as(&path, med, &body).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("settled")), "{v}");
}

pub(crate) struct Desk {
    pub(crate) med: String,
    pub(crate) admin: String,
    pub(crate) sup: String,
    pub(crate) analyst: String,
    pub(crate) shop: String,
}

pub(crate) async fn desk(app: &TestApp) -> Desk {
    app.add_enterprise(USCC, "江门市美颜化妆品有限公司", "440703", false);
    Desk {
        med: app
            .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
            .await,
        admin: app.add_user("admin@jm.gov.cn", "admin", &[], None).await,
        sup: app
            .add_user("sup@jm.gov.cn", "supervisor", &["440703"], None)
            .await,
        analyst: app.add_user("ana@jm.gov.cn", "analyst", &[], None).await,
        shop: app
            .add_user("shop@example.com", "enterprise", &[], Some(USCC))
            .await,
    }
}

/// Approves the entry of `no` as `editor` sees it in the queue now.
pub(crate) async fn approve(app: &TestApp, editor: &str, no: &str) -> (u16, Value) {
    let queue = app.get_as("/api/v1/disclosures", editor).await.1;
    let version = queued(&queue, no).map_or(Value::Null, |c| c["version"].clone());
    let body = json!({"decision": "approve", "reviewed_version": version});
    let path = format!("/api/v1/disclosures/{no}/decision");
    app.post_as(&path, editor, &body).await
}

pub(crate) fn queued(queue: &Value, no: &str) -> Option<Value> {
    queue
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case_no"] == no)
        .cloned()
}

async fn consent_is_asked_on_every_path_and_never_presumed(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    let mut yes = sample_complaint();
    yes["disclosure_consent"] = json!(true);
    let mut no = sample_complaint();
    no["disclosure_consent"] = json!(false);
    for (body, expected) in [
        (yes.clone(), true),
        (no, false),
        (sample_complaint(), false),
    ] {
        let (case_no, token) = app.file(&body).await;
        let (s, v) = consent_of(&app, &case_no, &token).await;
        assert_eq!(
            (s, v["consent"].as_bool()),
            (200, Some(expected)),
            "{body} → {v}"
        );
        assert_eq!(v["published"], false);
    }
    // Keyed in by staff from the paper 投诉登记表: the complainant's own answer on it, and
    // no when the form left it blank: the bureau never answers for the complainant.
    for (answer, expected) in [
        (json!(true), true),
        (json!(false), false),
        (json!(null), false),
    ] {
        let mut staff = sample_complaint();
        staff["disclosure_consent"] = answer.clone();
        staff["channel"] = json!("phone");
        staff["received_at"] = json!("2026-11-19");
        let (s, v) = app.post_as("/api/v1/staff/complaints", &med, &staff).await;
        assert_eq!(s, 201, "{v}");
        let (no, token) = (
            v["case_no"].as_str().unwrap(),
            v["tracking_token"].as_str().unwrap(),
        );
        let consent = &consent_of(&app, no, token).await.1["consent"];
        assert_eq!(consent, expected, "staff intake with {answer}");
    }
    // A report is never published, whatever its body says.
    let mut report = sample_report();
    report["disclosure_consent"] = json!(true);
    let (s, v) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(s, 201, "{v}");
    let (no, token) = (
        v["case_no"].as_str().unwrap(),
        v["tracking_token"].as_str().unwrap(),
    );
    let (s, v) = consent_of(&app, no, token).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (409, Some("report_never_published"))
    );
    assert_eq!(set_consent(&app, no, token, true).await.0, 409);
    // A wrong code reads nothing.
    let (case_no, _) = app.file(&yes).await;
    let (s, _) = consent_of(&app, &case_no, "0000-0000-0000-0000-0000").await;
    assert_eq!(s, 404);
}

async fn the_mini_program_gives_and_withdraws_consent(backend: Backend) {
    let stand_in = crate::auth::wechat::stand_in();
    let base = stand_in.base.clone();
    let app = TestApp::spawn_with(&backend, |s| {
        s.wechat = Some(WechatConfig {
            appid: "wx-test-app".into(),
            secret: "s3cret".into(),
            api_base: base,
        })
    })
    .await;
    let admin = app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let (_, issued) = app
        .post_as(
            "/api/v1/admin/api-keys",
            &admin,
            &json!({"label": "小程序后端"}),
        )
        .await;
    let res = app
        .client
        .post(app.url("/api/v1/wechat/login"))
        .header("X-Api-Key", issued["key"].as_str().unwrap())
        .json(&json!({"code": "good-code"}))
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    assert_eq!(status, 200, "{body}");
    let consumer = body["token"].as_str().unwrap().to_owned();
    let mut c = sample_complaint();
    c["channel"] = json!("mini_program");
    c["disclosure_consent"] = json!(true);
    let (s, v) = app.post_as("/api/v1/complaints", &consumer, &c).await;
    assert_eq!(s, 201, "{v}");
    let no = v["case_no"].as_str().unwrap();
    let path = format!("/api/v1/track/{no}/disclosure-consent");
    let (s, v) = app.get_as(&path, &consumer).await;
    assert_eq!((s, v["consent"].as_bool()), (200, Some(true)), "{v}");
    let (s, v) = app
        .post_as(&path, &consumer, &json!({"consent": false}))
        .await;
    assert_eq!((s, v["consent"].as_bool()), (200, Some(false)), "{v}");
    c["disclosure_consent"] = json!(null);
    let (_, v) = app.post_as("/api/v1/complaints", &consumer, &c).await;
    let path = format!(
        "/api/v1/track/{}/disclosure-consent",
        v["case_no"].as_str().unwrap()
    );
    assert_eq!(app.get_as(&path, &consumer).await.1["consent"], false);
}

async fn an_approved_entry_is_published_masked_until_consent_is_withdrawn(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let d = desk(&app).await;
    let (no, token) = app.file(&planted_complaint()).await;
    // Open: neither in the queue nor replied to.
    assert!(queued(&app.get_as("/api/v1/disclosures", &d.admin).await.1, &no).is_none());
    let reply_path = format!("/api/v1/cases/{no}/public-reply");
    let reply = json!({"reply": "已联系张三（电话13800138000）全额退款，欢迎致电。"});
    let (s, v) = put_as(&app, &reply_path, &d.shop, &reply).await;
    assert_eq!(
        (s, v["error"].as_str()),
        (409, Some("reply_not_allowed")),
        "{v}"
    );
    settle(&app, &d.med, &no).await;
    let too_long = json!({"reply": "好".repeat(501)});
    assert_eq!(put_as(&app, &reply_path, &d.shop, &too_long).await.0, 422);
    let (s, v) = put_as(&app, &reply_path, &d.shop, &reply).await;
    assert_eq!((s, v["review"].as_str()), (200, Some("queued")), "{v}");

    // The queue shows the entry exactly as it would be published, masked.
    let (s, queue) = app.get_as("/api/v1/disclosures", &d.sup).await;
    assert_eq!(s, 200, "{queue}");
    let candidate = queued(&queue, &no).expect("queued");
    let shown = candidate["entry"].to_string();
    for planted in PLANTED {
        assert!(!shown.contains(planted), "{planted} in {shown}");
    }
    assert_eq!(candidate["entry"]["outcome"], "settled");
    assert_eq!(candidate["entry"]["outcome_zh"], "调解成功");
    assert!(
        candidate["entry"]["reply"]
            .as_str()
            .unwrap()
            .contains("全额退款")
    );

    // Only editors decide.
    let decision = format!("/api/v1/disclosures/{no}/decision");
    let approve = json!({"decision": "approve", "reviewed_version": candidate["version"]});
    for other in [&d.med, &d.analyst, &d.shop] {
        assert_eq!(app.get_as("/api/v1/disclosures", other).await.0, 403);
        assert_eq!(app.post_as(&decision, other, &approve).await.0, 403);
    }
    let (s, v) = app
        .post_as(&decision, &d.admin, &json!({"decision": "refuse"}))
        .await;
    assert_eq!(
        (s, v["fields"][0]["field"].as_str()),
        (422, Some("reason")),
        "{v}"
    );
    assert_eq!(
        app.get(ENTRIES).await.1,
        json!([]),
        "nothing before approval"
    );
    let (s, v) = app.post_as(&decision, &d.sup, &approve).await;
    assert_eq!((s, v["published"].as_bool()), (200, Some(true)), "{v}");
    assert_eq!(app.post_as(&decision, &d.admin, &approve).await.0, 409);

    // Published: the same entry on the JSON and the page, no case number, nothing personal.
    let (s, entries) = app.get(ENTRIES).await;
    assert_eq!(s, 200);
    assert_eq!(entries.as_array().unwrap().len(), 1, "{entries}");
    assert_eq!(entries[0], candidate["entry"]);
    let page = app
        .client
        .get(app.url(PAGE))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for text in [&entries.to_string(), &page] {
        assert!(!text.contains(&no) && !text.contains("case_no"), "{text}");
        for planted in PLANTED {
            assert!(!text.contains(planted), "{planted} in {text}");
        }
    }
    assert!(
        page.contains("全额退款") && page.contains("调解成功"),
        "{page}"
    );
    // The business's own page shows the same entry, in its JSON and on the page.
    let (s, business) = app.get(BUSINESS_API).await;
    assert_eq!((s, &business["entries"]), (200, &entries), "{business}");
    let business_page = public_page(&app, BUSINESS_PAGE).await;
    assert!(business_page.contains("全额退款"), "{business_page}");
    for planted in PLANTED {
        assert!(!business_page.contains(planted), "{planted}");
    }
    assert!(set_consent(&app, &no, &token, true).await.1["published"] == true);

    // Logged on the chain, staff only, and the chain still verifies.
    let (_, events) = app
        .get_as(&format!("/api/v1/cases/{no}/events"), &d.admin)
        .await;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"disclosure_reply_written"), "{kinds:?}");
    assert!(kinds.contains(&"disclosure_approved"), "{kinds:?}");
    let (_, tracked) = app.track(&no, &token).await;
    assert!(!tracked.to_string().contains("disclosure"), "{tracked}");

    // Withdrawn: gone at once from the JSON and the page, and logged.
    let (s, v) = set_consent(&app, &no, &token, false).await;
    assert_eq!((s, v["published"].as_bool()), (200, Some(false)), "{v}");
    assert_eq!(app.get(ENTRIES).await.1, json!([]));
    let page = app
        .client
        .get(app.url(PAGE))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("全额退款"), "{page}");
    assert_eq!(app.get(BUSINESS_API).await.1["entries"], json!([]));
    assert!(!public_page(&app, BUSINESS_PAGE).await.contains("全额退款"));
    // Given again: back to the editors, not published on the old approval.
    let (_, v) = set_consent(&app, &no, &token, true).await;
    assert_eq!(
        (v["published"].as_bool(), v["review"].as_str()),
        (Some(false), Some("queued"))
    );
    assert!(queued(&app.get_as("/api/v1/disclosures", &d.admin).await.1, &no).is_some());
    assert_eq!(app.get(ENTRIES).await.1, json!([]));
    let (_, events) = app
        .get_as(&format!("/api/v1/cases/{no}/events"), &d.admin)
        .await;
    let text = events.to_string();
    assert!(
        text.contains("disclosure_consent_withdrawn") && text.contains("disclosure_consent_given")
    );
    let verified = run_on(&app, &["audit", "verify"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

async fn a_changed_reply_waits_while_the_approved_one_stays(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let d = desk(&app).await;
    let (no, _) = app.file(&planted_complaint()).await;
    settle(&app, &d.med, &no).await;
    let reply_path = format!("/api/v1/cases/{no}/public-reply");
    put_as(&app, &reply_path, &d.shop, &json!({"reply": "第一版回复"})).await;
    let decision = format!("/api/v1/disclosures/{no}/decision");
    assert_eq!(approve(&app, &d.admin, &no).await.0, 200);
    let (s, _) = put_as(&app, &reply_path, &d.shop, &json!({"reply": "第二版回复"})).await;
    assert_eq!(s, 200);
    let entries = app.get(ENTRIES).await.1;
    assert_eq!(entries[0]["reply"], "第一版回复", "{entries}");
    let candidate = queued(&app.get_as("/api/v1/disclosures", &d.admin).await.1, &no).unwrap();
    assert_eq!(candidate["entry"]["reply"], "第二版回复");
    assert_eq!(candidate["published_reply"], "第一版回复");
    let refuse = json!({"decision": "refuse", "reason": "回复与事实不符"});
    let (s, v) = app.post_as(&decision, &d.admin, &refuse).await;
    assert_eq!((s, v["review"].as_str()), (200, Some("refused")), "{v}");
    assert_eq!(app.get(ENTRIES).await.1, json!([]), "a refusal unpublishes");
    let (_, events) = app
        .get_as(&format!("/api/v1/cases/{no}/events"), &d.admin)
        .await;
    assert!(events.to_string().contains("disclosure_refused"));
}

async fn unconsented_open_and_report_cases_never_appear(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let d = desk(&app).await;
    // Closed but never consented.
    let (silent, _) = app.file(&sample_complaint()).await;
    settle(&app, &d.med, &silent).await;
    // Consented but still open.
    let (open, _) = app.file(&planted_complaint()).await;
    // A report posting consent fields.
    let mut report = sample_report();
    report["disclosure_consent"] = json!(true);
    report["respondent"]["uscc"] = json!(USCC);
    let (s, r) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(s, 201, "{r}");
    let queue = app.get_as("/api/v1/disclosures", &d.admin).await.1;
    assert_eq!(queue, json!([]), "{queue}");
    for no in [&silent, &open, &r["case_no"].as_str().unwrap().to_owned()] {
        let decision = format!("/api/v1/disclosures/{no}/decision");
        let (s, v) = app
            .post_as(
                &decision,
                &d.admin,
                &json!({"decision": "approve", "reviewed_version": "0"}),
            )
            .await;
        assert!(s == 409 || s == 404, "{no}: {s} {v}");
    }
    let (s, v) = put_as(
        &app,
        &format!("/api/v1/cases/{silent}/public-reply"),
        &d.shop,
        &json!({"reply": "已处理"}),
    )
    .await;
    assert_eq!(
        (s, v["error"].as_str()),
        (409, Some("reply_not_allowed")),
        "{v}"
    );
    assert_eq!(app.get(ENTRIES).await.1, json!([]));
    let (s, _) = app.get("/api/v1/businesses/not-a-code/entries").await;
    assert_eq!(s, 404);
}

on_both_backends!(
    consent_is_asked_on_every_path_and_never_presumed,
    the_mini_program_gives_and_withdraws_consent,
    an_approved_entry_is_published_masked_until_consent_is_withdrawn,
    a_changed_reply_waits_while_the_approved_one_stays,
    unconsented_open_and_report_cases_never_appear,
);
