//! Personal data written into a case's free text never reaches analysts unmasked: not in
//! search (API and page), snippets, similar cases, exports or the analyst's case view, not
//! after a rebuild either. The mediator handling the case reads the text as written.

use serde_json::json;

use super::common::Backend;
use super::common::browser::Browser;
use super::*;

const NAME: &str = "欧阳娜娜";
const MOBILE: &str = "13712345678";
const LANDLINE: &str = "0750-3201234";
const ID: &str = "440703199001011234";
const MAIL: &str = "nana.ouyang@example.cn";
const CARD: &str = "6217 0012 3456 7893";

/// What a raw secret is searched by: the digits as one term, the local number, each
/// middle group of the card, the name.
const QUERIES: [&str; 8] = [
    MOBILE,
    "3201234",
    ID,
    MAIL,
    "0012",
    "3456",
    "6217001234567893",
    NAME,
];

fn planted(title: &str) -> Value {
    let mut c = complaint(
        &format!("{NAME}{title}，回电{MOBILE}"),
        &format!(
            "我是{NAME}，座机{LANDLINE}，身份证{ID}，邮箱{MAIL}，退款请打到卡号{CARD}。\
             面膜使用后过敏红肿，商家拒绝退款。"
        ),
        "goods.cosmetics.skincare",
        "440703",
        "江门市美颜化妆品有限公司",
    );
    c["complainant"]["name"] = json!(NAME);
    c["claim"] = json!(format!("退款到{CARD}"));
    c
}

fn assert_clean(what: &str, text: &str) {
    for secret in [
        NAME,
        MOBILE,
        LANDLINE,
        "3201234",
        ID,
        MAIL,
        CARD,
        "0012 3456",
    ] {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

async fn analysts_never_see_or_find_personal_data_in_free_text(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let mediator = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    let mut body = planted("面膜过敏烂脸");
    body["adverse_reaction"] = json!({"onset_date": "2026-10-05", "body_site": "面部",
        "symptoms": format!("面部红肿，就医时留了电话{MOBILE}"), "severity": "general",
        "treatment": format!("{NAME}自行停用")});
    let (first, token) = app.file(&body).await;
    let file_name = format!("{NAME}身份证{ID}.png");
    let (s, v) = app
        .upload_evidence(&first, &token, vec![(&file_name, common::PNG.to_vec())])
        .await;
    assert_eq!(s, 201, "{v}");
    let second = app.file(&planted("面膜过敏烂脸")).await.0;
    wait_indexed(&app, &analyst, 2).await;

    for pass in ["served", "rebuilt"] {
        for q in QUERIES {
            let page = search(&app, &analyst, &format!("q={}", enc(q))).await;
            assert_eq!(page["total"], 0, "{pass}: {q} finds {page}");
        }
        let page = search(&app, &analyst, "q=%E9%9D%A2%E8%86%9C").await;
        assert_eq!(page["total"], 2, "{pass}: {page}");
        let text = page.to_string();
        assert_clean("search hits", &text);
        assert!(
            text.contains("137****5678") && text.contains("欧***"),
            "{text}"
        );
        if pass == "served" {
            // A rebuild from the command line writes masked documents too.
            let out = run_on(&app, &["reindex"]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    let (s, similar) = app
        .get_as(&format!("/api/v1/similar/{second}"), &analyst)
        .await;
    assert_eq!(s, 200, "{similar}");
    assert!(similar.to_string().contains(&first), "{similar}");
    assert_clean("similar cases", &similar.to_string());

    let (s, view) = app
        .get_as(&format!("/api/v1/cases/{first}"), &analyst)
        .await;
    assert_eq!(s, 200, "{view}");
    assert_clean("the analyst's case view", &view.to_string());
    let evidence = view["attachments"][0]["name"].as_str().unwrap();
    assert!(evidence.starts_with("欧***身份证440703"), "{evidence}");
    let symptoms = view["adverse_reaction"]["symptoms"].as_str().unwrap();
    assert!(symptoms.ends_with("137****5678"), "{symptoms}");
    let description = view["description"].as_str().unwrap();
    for masked in [
        "欧***",
        "0750-*****34",
        "440703********1234",
        "n****@example.cn",
    ] {
        assert!(description.contains(masked), "{masked} in {description}");
    }
    assert!(description.contains("6217 **** **** 7893"), "{description}");

    // The mediator handling the case reads the consumer's words as written.
    let (s, view) = app
        .get_as(&format!("/api/v1/cases/{first}"), &mediator)
        .await;
    assert_eq!(s, 200, "{view}");
    let description = view["description"].as_str().unwrap();
    for secret in [NAME, LANDLINE, ID, MAIL, CARD] {
        assert!(description.contains(secret), "{secret} in {description}");
    }
    assert!(view["title"].as_str().unwrap().contains(MOBILE), "{view}");
    assert!(view.to_string().contains(&file_name), "{view}");

    let (s, job) = app
        .post_as("/api/v1/exports", &analyst, &json!({"q": "面膜"}))
        .await;
    assert_eq!(s, 202, "{job}");
    let path = format!("/api/v1/exports/{}", job["id"]);
    for _ in 0..200 {
        if app.get_as(&path, &analyst).await.1["status"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Both files of the export: the people's CSV and the machine CSV.
    for (form, headers) in [
        ("", ",标题,情况说明"),
        ("?format=machine", ",title,description"),
    ] {
        let csv = app
            .get_text_as(&format!("{path}/download{form}"), &analyst)
            .await;
        assert!(csv.lines().next().unwrap().ends_with(headers), "{csv}");
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert_clean("export", &csv);
        assert!(
            csv.contains("0750-*****34") && csv.contains("137****5678"),
            "{csv}"
        );
    }

    // The analyst pages answer from the same index.
    let mut web = Browser::new(&app);
    web.sign_in("ana@jm.gov.cn", "/analyst").await;
    for q in QUERIES {
        let page = web.get(&format!("/analyst/search?q={}", enc(q))).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains(&first), "{q} finds {first} on the page");
    }
    let page = web.get("/analyst/search?q=%E9%9D%A2%E8%86%9C").await;
    assert!(page.body.contains(&first) && page.body.contains(&second));
    assert_clean("search page", &page.body);
}

/// An index written before the mask (here by hand, as schema version 2 wrote documents: the
/// words as given, under version 2's tag) is served until the next start, which rebuilds it
/// masked.
async fn an_index_written_before_the_mask_is_rebuilt_masked_at_start(backend: Backend) {
    use odrdesk::search::analyzer::analyzer_fingerprint;
    use odrdesk::search::index::{new_dir_name, open_dir, publish};
    use tantivy::{TantivyDocument, doc};

    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let body = planted("面膜过敏");
    let case_no = app.file(&body).await.0;
    wait_indexed(&app, &analyst, 1).await;

    let root = app.data_dir().join("search");
    let name = new_dir_name();
    let old = open_dir(&root.join(&name)).unwrap();
    let f = old.fields;
    let mut writer = old.index.writer::<TantivyDocument>(15_000_000).unwrap();
    writer
        .add_document(doc!(
            f.case_id => 1u64,
            f.case_no => case_no.clone(),
            f.kind => "complaint",
            f.district => "440703",
            f.title => body["title"].as_str().unwrap(),
            f.description => body["description"].as_str().unwrap(),
            f.received_ts => 1_790_000_000i64,
        ))
        .unwrap();
    let mut commit = writer.prepare_commit().unwrap();
    // Far ahead of the log, so the running server's follower leaves the document alone.
    let version = format!("schema-2+{}", analyzer_fingerprint());
    commit.set_payload(&json!({"event_id": 1_000_000_000, "version": version}).to_string());
    commit.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    drop(old);
    publish(&root, &name).unwrap();
    let q = format!("q={}", enc(MOBILE));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while search(&app, &analyst, &q).await["total"] != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the old index is never served"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let app = app.restart().await;
    let analyst = app
        .login_token("ana@jm.gov.cn", common::accounts::PASSWORD)
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let raw = search(&app, &analyst, &q).await;
        let page = search(&app, &analyst, "q=%E9%9D%A2%E8%86%9C").await;
        if raw["total"] == 0 && page["total"] == 1 {
            assert_clean("rebuilt hits", &page.to_string());
            assert!(page.to_string().contains("137****5678"), "{page}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never rebuilt: {raw}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both_backends!(
    analysts_never_see_or_find_personal_data_in_free_text,
    an_index_written_before_the_mask_is_rebuilt_masked_at_start,
);
