//! Names, mobile and landline numbers, ID and bank card numbers and e-mail addresses planted
//! in cases (in the party fields and in the consumer's own words) appear in no format of the
//! published bulletin.

use serde_json::{Value, json};

use crate::common::binary::run_on;
use crate::common::{Backend, TestApp, sample_complaint};
use crate::fixture::{self, ADMIN, AS_OF, MEDIATOR, morning, token};
use crate::q3_draft;

const NAMES: [&str; 3] = ["欧阳娜娜", "司马光明", "诸葛青云"];
const PHONES: [&str; 3] = ["13712345678", "15887654321", "18666601234"];
const IDS: [&str; 3] = [
    "440703199001011234",
    "44070519850512432X",
    "440781200012127777",
];
const LANDLINES: [&str; 3] = ["0750-3201234", "(020)87654321", "075032012345"];
const CARDS: [&str; 3] = [
    "6217001234567893",
    "6222021234567890128",
    "4111 1111 1111 1111",
];
const MAILS: [&str; 3] = [
    "nana.ouyang@example.cn",
    "sima@example.com",
    "qingyun@example.org",
];

fn secrets() -> Vec<&'static str> {
    NAMES
        .iter()
        .chain(&PHONES)
        .chain(&IDS)
        .chain(&MAILS)
        .chain(&LANDLINES)
        .chain(&CARDS)
        .copied()
        .collect()
}

async fn plant(app: &TestApp) {
    for i in 0..3 {
        let day = morning(2026, 7, 6 + i as u32);
        app.set_now(day);
        let mut body = sample_complaint();
        body["complainant"] = json!({"name": NAMES[i], "phone": PHONES[i], "email": MAILS[i],
            "id_number": IDS[i], "address": "江门市蓬江区建设路1号"});
        body["purchase"] = json!({"date": "2026-07-01", "amount_fen": 9900, "online": true});
        body["title"] = json!(format!("{}投诉面膜过敏", NAMES[i]));
        body["description"] = json!(format!(
            "我是{}，电话{}，身份证{}，邮箱{}，座机{}，卡号{}。面膜使用后过敏红肿，商家拒绝退款。",
            NAMES[i], PHONES[i], IDS[i], MAILS[i], LANDLINES[i], CARDS[i]
        ));
        let (s, v) = app.post_json("/api/v1/complaints", &body).await;
        assert_eq!(s, 201, "{v}");
        let case_no = v["case_no"].as_str().unwrap().to_owned();
        fixture::act(app, day, MEDIATOR, &case_no, json!({"action": "accept"})).await;
        fixture::act(
            app,
            morning(2026, 7, 20),
            MEDIATOR,
            &case_no,
            json!({"action": "settle", "agreement": "退款", "recovered_fen": 9900}),
        )
        .await;
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(!text.contains(secret), "{what} leaks {secret}");
    }
}

async fn get_bytes(app: &TestApp, path: &str) -> Vec<u8> {
    let res = app.client.get(app.url(path)).send().await.expect("request");
    assert_eq!(res.status().as_u16(), 200, "{path}");
    res.bytes().await.expect("body").to_vec()
}

async fn no_personal_data_in_any_format(backend: Backend) {
    crate::common::chromium::ensure_tools();
    let app = TestApp::spawn(&backend).await;
    fixture::build(&app).await;
    plant(&app).await;
    app.set_now(morning(2026, 11, 20));
    let b = q3_draft(&app).await;
    let id = b["id"].as_i64().unwrap();
    let t = token(&app, ADMIN).await;
    let (_, candidates) = app
        .get_as(&format!("/api/v1/admin/bulletins/{id}/candidates"), &t)
        .await;
    assert_clean("typical-case candidates", &candidates.to_string());
    let typical: Vec<Value> = candidates
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.as_object_mut().unwrap().remove("case_no");
            c
        })
        .collect();
    assert!(typical.len() >= 3, "{candidates}");
    let res = app
        .client
        .put(app.url(&format!("/api/v1/admin/bulletins/{id}/content")))
        .bearer_auth(&t)
        .json(&json!({"typical_cases": typical, "tips": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let (s, published) = app
        .post_as(
            &format!("/api/v1/admin/bulletins/{id}/publish"),
            &t,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{published}");
    assert_eq!(published["figures"], Value::Null, "flattened, not nested");
    assert_clean("API JSON", &published.to_string());

    for ext in ["", ".json", ".csv"] {
        let body = get_bytes(&app, &format!("/bulletins/{id}{ext}")).await;
        assert_clean(
            &format!("/bulletins/{id}{ext}"),
            &String::from_utf8_lossy(&body),
        );
    }
    let pdf = get_bytes(&app, &format!("/bulletins/{id}.pdf")).await;
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2026-Q3"), "{text}");
    assert_clean("PDF", &text);

    // The CLI's files of the same period are clean too.
    let out_dir = dir.path().join("cli");
    let o = run_on(
        &app,
        &[
            "bulletin",
            "2026-Q3",
            "--as-of",
            AS_OF,
            "--format",
            "all",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for ext in ["json", "csv", "html"] {
        let body =
            std::fs::read_to_string(out_dir.join(format!("bulletin-2026-Q3.{ext}"))).unwrap();
        assert_clean(ext, &body);
    }
}

crate::on_both_backends!(no_personal_data_in_any_format);
