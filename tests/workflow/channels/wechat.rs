//! WeChat subscription messages: the mini-program reports the templates a consumer accepted;
//! each grant lets one message go; the access token from stable_token is fetched once for many
//! sends and fetched anew (forced) when WeChat calls it invalid.

use std::collections::BTreeMap;
use std::time::Duration;

use odrdesk::auth::wechat::WechatConfig;
use odrdesk::notify::wechat::{WechatNotices, WechatTemplate};
use serde_json::{Value, json};

use crate::common::providers::WechatStandIn;
use crate::common::{Backend, TestApp, read, sample_complaint};
use crate::mail::{WAIT, pool, rows};
use crate::{Who, mediator, step};

const OPENID: &str = "oWx-consumer-9";

fn notices() -> WechatNotices {
    let template = |id: &str| WechatTemplate {
        id: id.into(),
        page: "pages/track/index".into(),
        keys: vec!["character_string1".into(), "date2".into()],
    };
    let mut templates = BTreeMap::new();
    templates.insert("acknowledgement".to_owned(), template("tmpl-ack"));
    templates.insert("accepted".to_owned(), template("tmpl-accepted"));
    templates.insert(
        "outcome".to_owned(),
        WechatTemplate {
            keys: vec!["character_string1".into()],
            ..template("tmpl-outcome")
        },
    );
    WechatNotices { templates }
}

/// Signs the consumer in through the mini-program backend: API key, then `wx.login` code.
async fn consumer(app: &TestApp) -> String {
    let admin = app
        .add_user("admin@example.gov.cn", "admin", &[], None)
        .await;
    let (status, issued) = app
        .post_as(
            "/api/v1/admin/api-keys",
            &admin,
            &json!({"label": "小程序后端"}),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let res = app
        .client
        .post(app.url("/api/v1/wechat/login"))
        .header("X-Api-Key", issued["key"].as_str().unwrap())
        .json(&json!({"code": "any-code"}))
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

async fn sends_within(wx: &WechatStandIn, n: usize) -> Vec<(String, Value)> {
    let deadline = std::time::Instant::now() + WAIT;
    while wx.sends().len() < n && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    wx.sends()
}

async fn subscribed_consumers_get_one_message_per_grant(backend: Backend) {
    let wx = WechatStandIn::start(OPENID);
    let base = wx.base.clone();
    let app = TestApp::spawn_with(&backend, |s| {
        s.wechat = Some(WechatConfig {
            appid: "wx-test-app".into(),
            secret: "s3cret".into(),
            api_base: base,
        });
        s.wechat_notices = notices();
        s.mail_poll_ms = 50;
    })
    .await;
    let med = mediator(&app).await;
    let token = consumer(&app).await;
    let report = |ids: Value| {
        app.client
            .post(app.url("/api/v1/wechat/subscriptions"))
            .bearer_auth(&token)
            .json(&json!({ "template_ids": ids }))
            .send()
    };
    let (status, body) = read(report(json!(["tmpl-ack", "tmpl-accepted"])).await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["unused"], json!({"tmpl-ack": 1, "tmpl-accepted": 1}));
    let (status, body) = read(report(json!(["tmpl-unknown"])).await.unwrap()).await;
    assert_eq!(
        (status, body["fields"][0]["code"].as_str()),
        (422, Some("template_unknown")),
        "{body}"
    );
    let (status, _) = read(report(json!([])).await.unwrap()).await;
    assert_eq!(status, 422);
    let anonymous = app
        .client
        .post(app.url("/api/v1/wechat/subscriptions"))
        .json(&json!({"template_ids": ["tmpl-ack"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    // Filed from the mini-program: the case knows the consumer's openid.
    let mut complaint = sample_complaint();
    complaint["channel"] = json!("mini_program");
    let res = app
        .client
        .post(app.url("/api/v1/complaints"))
        .bearer_auth(&token)
        .json(&complaint)
        .send()
        .await
        .unwrap();
    let (status, filed) = read(res).await;
    assert_eq!(status, 201, "{filed}");
    let no = filed["case_no"].as_str().unwrap().to_owned();
    let sent = sends_within(&wx, 1).await;
    assert_eq!(sent.len(), 1, "{sent:#?} {:#?}", rows(&pool(&app)).await);
    let (_, ack) = &sent[0];
    assert_eq!(ack["touser"], OPENID);
    assert_eq!(ack["template_id"], "tmpl-ack");
    assert_eq!(ack["page"], format!("pages/track/index?case_no={no}"));
    assert_eq!(ack["data"]["character_string1"]["value"], no.as_str());
    assert!(
        ack["data"]["date2"]["value"]
            .as_str()
            .unwrap()
            .starts_with("20")
    );

    // WeChat no longer takes the cached token: one forced refresh, then the send goes.
    wx.revoke_current_token();
    step(&app, &no, Who::Bearer(&med), json!({"action": "accept"})).await;
    let sent = sends_within(&wx, 2).await;
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(sent[1].1["template_id"], "tmpl-accepted");
    let calls = wx.token_calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!(calls[0]["grant_type"], "client_credential");
    assert_eq!(
        (calls[0]["appid"].as_str(), calls[0]["secret"].as_str()),
        (Some("wx-test-app"), Some("s3cret"))
    );
    assert_eq!(
        (
            calls[0]["force_refresh"].as_bool(),
            calls[1]["force_refresh"].as_bool()
        ),
        (Some(false), Some(true))
    );

    // The outcome template was never granted: no WeChat message, the grants are used up.
    let settle = json!({"action": "settle", "agreement": "退款", "recovered_fen": 100});
    step(&app, &no, Who::Bearer(&med), settle).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(wx.sends().len(), 2);
    let stored = rows(&pool(&app)).await;
    let wechat: Vec<_> = stored.iter().filter(|r| r.channel == "wechat").collect();
    assert_eq!(wechat.len(), 2, "{wechat:#?}");
    assert!(
        wechat
            .iter()
            .all(|r| r.sent_at.is_some() && r.to_addr == OPENID)
    );
    let (_, again) = read(report(json!(["tmpl-ack"])).await.unwrap()).await;
    assert_eq!(
        again["unused"],
        json!({"tmpl-ack": 1}),
        "the first grant was used"
    );
}

crate::on_both_backends!(subscribed_consumers_get_one_message_per_grant);
