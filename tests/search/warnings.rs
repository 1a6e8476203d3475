//! Consumer warnings: drafted from an alert or hot term with the figures computed, frozen when
//! published, corrected by a new version, never showing a draft or personal data to the
//! public, and fed as Atom 1.0.

use chrono::Datelike;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use serde_json::json;

use super::common::browser::Browser;
use super::common::{Backend, TestApp, china_morning};
use super::*;

const ADMIN: &str = "admin@jm.gov.cn";
const WHITENING: &str = "goods.cosmetics.whitening_spot";

/// Eight ordinary weeks of two complaints each, then eight whitening complaints naming
/// 荧光剂 in the week of 2026-11-02: a category alert and a hot term.
async fn burst(app: &TestApp) {
    let usual = [
        ("面膜过敏", "面膜用后过敏红肿，要求退货退款。"),
        ("口红掉色", "口红掉色严重，与宣传不符，要求退款。"),
        ("洗面奶刺痛", "洗面奶用后刺痛，客服不处理，要求退货。"),
    ];
    let file = |day: chrono::NaiveDate, body: Value| {
        app.set_now(china_morning(day.year(), day.month(), day.day()));
        let mut body = body;
        body["purchase"]["date"] = json!("2024-01-01");
        async move { app.file(&body).await }
    };
    for week in 0..8u64 {
        let monday =
            chrono::NaiveDate::from_ymd_opt(2026, 9, 7).unwrap() + chrono::Days::new(7 * week);
        for (i, (title, text)) in usual.iter().cycle().skip(week as usize).take(2).enumerate() {
            let c = complaint(
                title,
                text,
                "goods.cosmetics.skincare",
                "440703",
                "日常商家",
            );
            file(monday + chrono::Days::new(i as u64), c).await;
        }
    }
    for i in 0..8u32 {
        let (title, text) = usual[i as usize % usual.len()];
        let c = complaint(
            &format!("{title}，含荧光剂"),
            &format!("{text}含荧光剂。"),
            WHITENING,
            "440703",
            "江门市白雪美妆店",
        );
        file(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 2 + i % 5).unwrap(),
            c,
        )
        .await;
    }
}

/// The app after the burst, on 2026-11-20, with an admin (an editor) and an analyst.
pub async fn world(backend: &Backend) -> (TestApp, String, String) {
    let app = TestApp::spawn(backend).await;
    burst(&app).await;
    app.set_now(china_morning(2026, 11, 20));
    let admin = app.add_user(ADMIN, "admin", &[], None).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    wait_indexed(&app, &analyst, 24).await;
    (app, admin, analyst)
}

fn alert_draft(title: &str, body: &str) -> Value {
    json!({"source": {"kind": "alert", "category": WHITENING, "week_of": "2026-11-04"},
           "title": title, "body": body})
}

async fn put_as(app: &TestApp, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    super::common::read(res).await
}

/// The part of a warning's page that is the warning itself.
fn content(page: &str) -> String {
    let start = page.find("<div id=\"warning-content\">").expect(page);
    let end = start + page[start..].find("</div>").expect(page);
    page[start..end].to_owned()
}

async fn a_draft_from_an_alert_or_hot_term_carries_their_figures(backend: Backend) {
    let (app, admin, analyst) = world(&backend).await;
    let (_, alerts) = app
        .get_as("/api/v1/alerts?week_of=2026-11-04", &analyst)
        .await;
    let alert = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == WHITENING)
        .cloned()
        .expect("the whitening alert");
    let (s, w) = app
        .post_as(
            "/api/v1/admin/warnings",
            &admin,
            &alert_draft("警惕美白祛斑类化妆品", "近期涉及荧光剂的投诉增多。"),
        )
        .await;
    assert_eq!(s, 201, "{w}");
    let f = &w["figures"];
    assert_eq!(f["source"], "alert");
    assert_eq!(f["count"], alert["count"], "{w} vs {alert}");
    assert_eq!(f["baseline"], alert["baseline"], "{w} vs {alert}");
    assert_eq!(f["ratio"], alert["ratio"], "{w} vs {alert}");
    assert_eq!(f["from"], alert["week_from"]);
    assert_eq!(w["category"], WHITENING, "the alert's category by default");
    assert_eq!(w["status"], "draft");
    let line = w["figures_line"].as_str().unwrap();
    assert!(
        line.contains("投诉 8 件") && line.contains("2026-11-02 至 2026-11-08"),
        "{line}"
    );

    let (_, hot) = app
        .get_as("/api/v1/hot-terms?from=2026-11-02&to=2026-11-08", &analyst)
        .await;
    let term = hot["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["term"] == "荧光剂")
        .cloned()
        .expect("荧光剂 is hot");
    let body = json!({"source": {"kind": "hot_term", "term": "荧光剂", "from": "2026-11-02", "to": "2026-11-08"},
        "title": "警惕含荧光剂的化妆品", "body": "请到正规渠道购买。"});
    let (s, h) = app.post_as("/api/v1/admin/warnings", &admin, &body).await;
    assert_eq!(s, 201, "{h}");
    assert_eq!(h["figures"]["count"], term["count"]);
    assert_eq!(
        h["figures"]["baseline"].as_f64(),
        term["baseline_count"].as_f64()
    );
    assert_eq!(h["figures"]["ratio"], term["lift"]);

    // Figures come from a current alert or hot term only.
    for source in [
        json!({"kind": "alert", "category": "goods.cosmetics.skincare", "week_of": "2026-11-04"}),
        json!({"kind": "hot_term", "term": "没有这个词", "from": "2026-11-02", "to": "2026-11-08"}),
    ] {
        let (s, v) = app
            .post_as(
                "/api/v1/admin/warnings",
                &admin,
                &json!({"source": source, "title": "标题", "body": "正文"}),
            )
            .await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["fields"][0]["field"], "source", "{v}");
    }
    let (s, v) = app
        .post_as(
            "/api/v1/admin/warnings",
            &admin,
            &json!({"source": {"kind": "alert", "category": WHITENING, "week_of": "2026-11-04"},
                    "title": "标题", "body": "正文", "count": 999}),
        )
        .await;
    assert_eq!(s, 422, "typed figures are refused: {v}");
}

async fn only_editors_draft_and_drafts_are_never_public(backend: Backend) {
    let (app, admin, analyst) = world(&backend).await;
    let mediator = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    for token in [&analyst, &mediator] {
        let (s, v) = app
            .post_as(
                "/api/v1/admin/warnings",
                token,
                &alert_draft("标题", "正文"),
            )
            .await;
        assert_eq!(s, 403, "{v}");
        assert_eq!(app.get_as("/api/v1/admin/warnings", token).await.0, 403);
    }
    let (s, _) = app
        .post_json("/api/v1/admin/warnings", &alert_draft("标题", "正文"))
        .await;
    assert_eq!(s, 401);
    let (_, w) = app
        .post_as(
            "/api/v1/admin/warnings",
            &admin,
            &alert_draft("草稿标题", "草稿正文"),
        )
        .await;
    let id = w["id"].as_i64().unwrap();
    for token in [&analyst, &mediator] {
        let path = format!("/api/v1/admin/warnings/{id}/publish");
        assert_eq!(app.post_as(&path, token, &json!({})).await.0, 403);
    }
    assert_eq!(app.get(&format!("/api/v1/warnings/{id}")).await.0, 404);
    let (_, list) = app.get("/api/v1/warnings").await;
    assert_eq!(list["total"], 0, "{list}");
    let mut web = Browser::new(&app);
    assert_eq!(web.get(&format!("/warnings/{id}")).await.status, 404);
    assert!(!web.get("/warnings").await.body.contains("草稿标题"));
    assert!(!web.get("/warnings.atom").await.body.contains("草稿标题"));
    assert!(!web.get("/").await.body.contains("草稿标题"));
    // The desk pages are the editors' own.
    let mut ana = Browser::signed_in(&app, "ana@jm.gov.cn", "/analyst").await;
    assert_eq!(ana.get("/desk/warnings").await.status, 403);
    assert_eq!(
        ana.get(&format!("/desk/warnings/{id}/preview"))
            .await
            .status,
        403
    );
}

const PLANTS: [&str; 3] = [
    "联系人张伟先生反映",
    "请拨打 13800138000 咨询",
    "身份证 440703199001011234",
];

async fn personal_data_is_refused_at_publish_and_never_shown(backend: Backend) {
    let (app, admin, _) = world(&backend).await;
    let (_, w) = app
        .post_as(
            "/api/v1/admin/warnings",
            &admin,
            &alert_draft("标题", "正文"),
        )
        .await;
    let id = w["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/warnings/{id}");
    for plant in PLANTS {
        for (title, body) in [("警惕美白产品", plant), (plant, "正文")] {
            let text = json!({"title": title, "body": format!("近期投诉增多。\n{body}")});
            assert_eq!(put_as(&app, &path, &admin, &text).await.0, 200);
            let (s, v) = app
                .post_as(&format!("{path}/publish"), &admin, &json!({}))
                .await;
            assert_eq!(s, 422, "{plant}: {v}");
            assert_eq!(v["fields"][0]["code"], "personal_data", "{v}");
        }
    }
    let clean = json!({"title": "警惕美白产品", "body": "近期投诉增多，请谨慎购买。"});
    assert_eq!(put_as(&app, &path, &admin, &clean).await.0, 200);
    let (s, v) = app
        .post_as(&format!("{path}/publish"), &admin, &json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    let mut web = Browser::new(&app);
    let shown = [
        app.get(&format!("/api/v1/warnings/{id}"))
            .await
            .1
            .to_string(),
        app.get("/api/v1/warnings").await.1.to_string(),
        web.get(&format!("/warnings/{id}")).await.body,
        web.get("/warnings").await.body,
        web.get("/warnings.atom").await.body,
        web.get("/").await.body,
    ];
    for text in shown {
        assert!(text.contains("警惕美白产品"), "{text}");
        for needle in ["张伟", "13800138000", "440703199001011234"] {
            assert!(!text.contains(needle), "{needle} in {text}");
        }
    }
}

async fn published_warnings_are_frozen_and_corrections_supersede(backend: Backend) {
    let (app, admin, _) = world(&backend).await;
    let (_, w) = app
        .post_as(
            "/api/v1/admin/warnings",
            &admin,
            &alert_draft("警惕美白祛斑产品", "近期投诉增多。\n请到正规渠道购买。"),
        )
        .await;
    let id = w["id"].as_i64().unwrap();
    let mut desk = Browser::signed_in(&app, ADMIN, "/desk/warnings").await;
    let preview = desk.get(&format!("/desk/warnings/{id}/preview")).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("preview-banner"));
    let path = format!("/api/v1/admin/warnings/{id}");
    assert_eq!(
        app.post_as(&format!("{path}/publish"), &admin, &json!({}))
            .await
            .0,
        200
    );
    let mut web = Browser::new(&app);
    let public = web.get(&format!("/warnings/{id}")).await;
    assert_eq!(public.status, 200);
    assert_eq!(
        content(&preview.body),
        content(&public.body),
        "preview = page"
    );
    assert!(!public.body.contains("preview-banner"));

    // Frozen: no edit, no second publication.
    let edit = json!({"title": "改过的标题", "body": "改过的正文"});
    let (s, v) = put_as(&app, &path, &admin, &edit).await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["error"], "not_a_draft", "{v}");
    assert_eq!(
        app.post_as(&format!("{path}/publish"), &admin, &json!({}))
            .await
            .0,
        409
    );

    // A correction is a new draft; published, it supersedes the first version.
    let (s, c) = app
        .post_as(
            &format!("{path}/corrections"),
            &admin,
            &json!({"erratum": "更正了购买建议"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let next = c["id"].as_i64().unwrap();
    assert_eq!(c["version"], 2);
    assert_eq!(c["supersedes"], id);
    assert_eq!(c["figures"], w["figures"]);
    assert_eq!(app.get(&format!("/api/v1/warnings/{next}")).await.0, 404);
    let fixed = json!({"title": "警惕美白祛斑产品", "body": "近期投诉增多。\n请认准备案信息。"});
    assert_eq!(
        put_as(
            &app,
            &format!("/api/v1/admin/warnings/{next}"),
            &admin,
            &fixed
        )
        .await
        .0,
        200
    );
    let (s, again) = app
        .post_as(
            &format!("{path}/corrections"),
            &admin,
            &json!({"erratum": "再次更正"}),
        )
        .await;
    assert_eq!(s, 409, "{again}");
    let publish_next = format!("/api/v1/admin/warnings/{next}/publish");
    assert_eq!(app.post_as(&publish_next, &admin, &json!({})).await.0, 200);

    let (_, old) = app.get(&format!("/api/v1/warnings/{id}")).await;
    assert_eq!(old["status"], "superseded", "{old}");
    assert_eq!(old["superseded_by"], next, "{old}");
    assert_eq!(
        old["body"], "近期投诉增多。\n请到正规渠道购买。",
        "never rewritten"
    );
    let old_page = web.get(&format!("/warnings/{id}")).await.body;
    assert!(
        old_page.contains(&format!("href=\"/warnings/{next}\"")),
        "{old_page}"
    );
    assert!(old_page.contains("请到正规渠道购买"));
    let new_page = web.get(&format!("/warnings/{next}")).await.body;
    assert!(new_page.contains("更正了购买建议") && new_page.contains("请认准备案信息"));
    let (_, list) = app.get("/api/v1/warnings").await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["warnings"][0]["id"], next, "newest first: {list}");
    assert_eq!(app.get("/api/v1/warnings?page=x").await.0, 400);
    assert_eq!(web.get("/warnings?page=0").await.status, 400);
}

/// Every element's text in an Atom document, by path (`feed/entry/title`), in order; the
/// attributes of `link` elements as `…/link@href`.
fn atom(xml: &str) -> Vec<(String, String)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    // The text of each open element, entity references resolved.
    let mut texts: Vec<String> = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                path.push(e.local_name().as_ref().to_owned());
                texts.push(String::new());
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                for a in e.attributes() {
                    let a = a.unwrap();
                    let key = a.key.as_ref().to_owned();
                    let value = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned();
                    out.push((format!("{}/{name}@{key}", path.join("/")), value));
                }
            }
            Event::Text(t) => {
                if let Some(open) = texts.last_mut() {
                    open.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => match &*r {
                        "amp" => "&".to_owned(),
                        "lt" => "<".to_owned(),
                        "gt" => ">".to_owned(),
                        "quot" => "\"".to_owned(),
                        "apos" => "'".to_owned(),
                        n => panic!("unknown entity {n}"),
                    },
                };
                texts
                    .last_mut()
                    .expect("text inside an element")
                    .push_str(&ch);
            }
            Event::End(_) => {
                let text = texts.pop().unwrap_or_default();
                if !text.trim().is_empty() {
                    out.push((path.join("/"), text));
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

async fn the_atom_feed_is_valid_and_escaped(backend: Backend) {
    let (app, admin, _) = world(&backend).await;
    let title = "美白产品 <慎用> & \"三无\" 'A'";
    let (_, w) = app
        .post_as(
            "/api/v1/admin/warnings",
            &admin,
            &alert_draft(title, "第一段。\n第二段 <b>&amp;</b>"),
        )
        .await;
    let id = w["id"].as_i64().unwrap();
    let path = format!("/api/v1/admin/warnings/{id}/publish");
    assert_eq!(app.post_as(&path, &admin, &json!({})).await.0, 200);
    let res = app
        .client
        .get(app.url("/warnings.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/atom+xml"), "{ct}");
    let xml = res.text().await.unwrap();
    assert!(
        xml.contains("xmlns=\"http://www.w3.org/2005/Atom\""),
        "{xml}"
    );
    let fields = atom(&xml);
    let one = |p: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(k, _)| k == p)
            .map(|(_, v)| v.clone())
            .collect()
    };
    for required in ["feed/id", "feed/title", "feed/updated", "feed/author/name"] {
        assert_eq!(one(required).len(), 1, "{required} in {xml}");
    }
    assert_eq!(
        one("feed/updated"),
        vec!["2026-11-20T02:00:00Z".to_owned()],
        "{xml}"
    );
    assert_eq!(one("feed/entry/title"), vec![title.to_owned()], "{xml}");
    let entry_id = one("feed/entry/id");
    assert!(
        entry_id[0].ends_with(&format!("/warnings/{id}")),
        "{entry_id:?}"
    );
    assert_eq!(one("feed/entry/link@href"), entry_id);
    assert_eq!(one("feed/entry/updated"), one("feed/updated"));
    let content = one("feed/entry/content").concat();
    assert!(
        content.contains(w["figures_line"].as_str().unwrap()),
        "{content}"
    );
    assert!(content.contains("第二段 <b>&amp;</b>"), "{content}");
}

crate::on_both_backends!(
    a_draft_from_an_alert_or_hot_term_carries_their_figures,
    only_editors_draft_and_drafts_are_never_public,
    personal_data_is_refused_at_publish_and_never_shown,
    published_warnings_are_frozen_and_corrections_supersede,
    the_atom_feed_is_valid_and_escaped,
);
