//! Data subject requests (PIPL Art. 45, 47): an administrator exports everything held about a
//! person by phone or ID number, and erases their cases once all are closed.

use serde_json::{Value, json};

use crate::common::{Backend, TestApp, sample_complaint};

pub(super) const ADMIN: &str = "admin@jm.gov.cn";
pub(super) const MEDIATOR: &str = "med@jm.gov.cn";
const PHONE: &str = "13912345678";
const ID_NUMBER: &str = "440703199001011234";
const OTHER_PHONE: &str = "13712340000";
const OTHER_NAME: &str = "诸葛青云";

pub(super) async fn file(
    app: &TestApp,
    name: &str,
    phone: &str,
    id_number: Option<&str>,
) -> String {
    let mut body = sample_complaint();
    body["complainant"] = json!({"name": name, "phone": phone, "id_number": id_number,
        "email": format!("{}@example.cn", phone.replace(['+', ' '], "")), "address": "江门市蓬江区建设路1号"});
    body["description"] = json!(format!("我是{name}，面膜过敏。"));
    app.file(&body).await.0
}

pub(super) async fn act(app: &TestApp, t: &str, case_no: &str, body: Value) {
    let (s, v) = app
        .post_as(&format!("/api/v1/cases/{case_no}/actions"), t, &body)
        .await;
    assert_eq!(s, 200, "{case_no} {body}: {v}");
}

pub(super) async fn close(app: &TestApp, t: &str, case_no: &str) {
    act(app, t, case_no, json!({"action": "accept"})).await;
    act(
        app,
        t,
        case_no,
        json!({"action": "settle", "agreement": "退款", "recovered_fen": 100}),
    )
    .await;
}

pub(super) fn case_nos(export: &Value) -> Vec<String> {
    export["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_no"].as_str().unwrap().to_owned())
        .collect()
}

async fn export_and_erase(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.add_user(ADMIN, "admin", &[], None).await;
    let med = app.add_user(MEDIATOR, "mediator", &["440703"], None).await;
    let closed = file(&app, "欧阳娜娜", PHONE, Some(ID_NUMBER)).await;
    close(&app, &med, &closed).await;
    let open = file(&app, "欧阳娜娜", &format!("+86 {PHONE}"), None).await;
    let other = file(&app, OTHER_NAME, OTHER_PHONE, None).await;
    close(&app, &med, &other).await;

    let (s, v) = app
        .get_as(
            &format!("/api/v1/admin/subject-requests/export?phone={PHONE}"),
            &admin,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(case_nos(&v), vec![closed.clone(), open.clone()]);
    let text = v.to_string();
    assert!(
        text.contains(ID_NUMBER) && text.contains("面膜过敏"),
        "{text}"
    );
    assert!(
        v["cases"][0]["events"].as_array().unwrap().len() >= 3,
        "{v}"
    );
    for foreign in [OTHER_NAME, OTHER_PHONE, other.as_str()] {
        assert!(
            !text.contains(foreign),
            "another person's {foreign} exported"
        );
    }
    let (s, by_id) = app
        .post_as(
            "/api/v1/admin/subject-requests/export",
            &admin,
            &json!({"id_number": ID_NUMBER}),
        )
        .await;
    assert_eq!(s, 200, "{by_id}");
    assert_eq!(case_nos(&by_id), vec![closed.clone()]);
    let (s, v) = app
        .post_as(
            "/api/v1/admin/subject-requests/export",
            &admin,
            &json!({"phone": PHONE, "id_number": ID_NUMBER}),
        )
        .await;
    assert_eq!(s, 422, "one key only: {v}");

    // Only administrators.
    let (s, _) = app
        .get_as(
            &format!("/api/v1/admin/subject-requests/export?phone={PHONE}"),
            &med,
        )
        .await;
    assert_eq!(s, 403);
    let erase = json!({"phone": PHONE, "basis": "consent_withdrawn"});
    let (s, _) = app
        .post_as("/api/v1/admin/subject-requests/erase", &med, &erase)
        .await;
    assert_eq!(s, 403);

    // An open case refuses the erasure, naming it; nothing is erased meanwhile.
    let (s, v) = app
        .post_as("/api/v1/admin/subject-requests/erase", &admin, &erase)
        .await;
    assert_eq!(s, 409, "{v}");
    assert!(v["message"].as_str().unwrap().contains(&open), "{v}");
    assert!(!v["message"].as_str().unwrap().contains(&closed), "{v}");
    let (_, still) = app
        .get_as(
            &format!("/api/v1/admin/subject-requests/export?phone={PHONE}"),
            &admin,
        )
        .await;
    assert!(still.to_string().contains("欧阳娜娜"));

    close(&app, &med, &open).await;
    let (s, v) = app
        .post_as("/api/v1/admin/subject-requests/erase", &admin, &erase)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["anonymised"], json!([closed, open]), "{v}");
    let (s, after) = app
        .get_as(
            &format!("/api/v1/admin/subject-requests/export?id_number={ID_NUMBER}"),
            &admin,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        case_nos(&after),
        Vec::<String>::new(),
        "the key is gone with the data"
    );
    let (_, case) = app.get_as(&format!("/api/v1/cases/{closed}"), &admin).await;
    assert!(!case.to_string().contains("欧阳娜娜"), "{case}");
    assert_eq!(case["state"], "settled");
    let (_, kept) = app.get_as(&format!("/api/v1/cases/{other}"), &admin).await;
    assert!(
        kept.to_string().contains(OTHER_NAME),
        "another person's case is untouched"
    );
    let (s, v) = app
        .post_as("/api/v1/admin/subject-requests/erase", &admin, &erase)
        .await;
    assert_eq!(
        (s, v["anonymised"].clone()),
        (200, json!([])),
        "a second erasure finds nothing"
    );
}

crate::on_both_backends!(export_and_erase);
