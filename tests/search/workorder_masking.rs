//! Personal data is handled for an imported 12315 work order as for any case: a phone and an
//! ID number written into 诉求内容 reach analysts masked in search results and exports, and
//! the mediator handling the case reads them as written.

use serde_json::json;

use super::common::Backend;
use super::common::workorder_sheet::{Order, write};
use super::*;

const MOBILE: &str = "13912345678";
const ID: &str = "440703199001011234";

async fn imported_free_text_reaches_analysts_masked(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let mediator = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    let claim = format!("面霜使用后过敏红肿，商家拒绝退款。请回电{MOBILE}，身份证号{ID}。");
    let file = app.data_dir().join("orders.xlsx");
    write(
        &file,
        &[Order {
            no: "M-1",
            kind: "投诉",
            address: "江门市蓬江区港口路1号",
            claim: &claim,
            registered: "2026-11-20 09:00",
        }],
    );
    let out = run_on(&app, &["workorders", "import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_indexed(&app, &analyst, 1).await;

    for q in [MOBILE, ID] {
        let page = search(&app, &analyst, &format!("q={q}")).await;
        assert_eq!(page["total"], 0, "{q} finds {page}");
    }
    let page = search(&app, &analyst, "q=%E9%9D%A2%E9%9C%9C").await;
    assert_eq!(page["total"], 1, "{page}");
    let case_no = page["hits"][0]["case_no"].as_str().unwrap().to_owned();
    let text = page.to_string();
    assert!(!text.contains(MOBILE) && !text.contains(ID), "{text}");
    let (s, view) = app
        .get_as(&format!("/api/v1/cases/{case_no}"), &analyst)
        .await;
    assert_eq!(s, 200, "{view}");
    let description = view["description"].as_str().unwrap();
    assert!(
        description.contains("139****5678") && description.contains("440703********1234"),
        "{description}"
    );
    assert!(
        !view.to_string().contains(MOBILE) && !view.to_string().contains(ID),
        "{view}"
    );

    let (s, job) = app
        .post_as("/api/v1/exports", &analyst, &json!({"q": "面霜"}))
        .await;
    assert_eq!(s, 202, "{job}");
    let path = format!("/api/v1/exports/{}", job["id"]);
    for _ in 0..200 {
        if app.get_as(&path, &analyst).await.1["status"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let csv = app.get_text_as(&format!("{path}/download"), &analyst).await;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(!csv.contains(MOBILE) && !csv.contains(ID), "{csv}");
    assert!(csv.contains("139****5678"), "{csv}");

    // The bureau handling it reads the consumer's words as written.
    let (s, view) = app
        .get_as(&format!("/api/v1/cases/{case_no}"), &mediator)
        .await;
    assert_eq!(s, 200, "{view}");
    assert!(
        view["description"].as_str().unwrap().contains(MOBILE),
        "{view}"
    );
}

on_both_backends!(imported_free_text_reaches_analysts_masked);
