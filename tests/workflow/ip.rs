//! Counterfeits and IP infringement (measure 12): a rights holder reports infringement of its
//! trademark, staff see who it is, the reported business sees nothing (Order 121 Art. 37),
//! and identifying the goods (权利人辨认鉴别) stops the verification clock.

use serde_json::{Value, json};

use super::common::{Backend, TestApp, china_morning, sample_complaint, sample_report};
use super::*;

/// A valid USCC (GB 32100 check character) of the rights holder, not the reported business.
const HOLDER_USCC: &str = "91310000MA1FL8TQ36";
const HOLDER_NAME: &str = "上海某化妆品品牌管理有限公司";
const HOLDER_PHONE: &str = "13916881234";

fn ip_report() -> Value {
    let mut r = sample_report();
    r["nature"] = json!("ip_trademark");
    r["respondent"] =
        json!({"name": "江门市美颜化妆品有限公司", "uscc": RESPONDENT_USCC, "district": "440703"});
    r["place"] = json!({"district": "440703"});
    r["rights_holder"] = json!({
        "uscc": HOLDER_USCC,
        "name": HOLDER_NAME,
        "contact_name": "林法务",
        "contact_phone": HOLDER_PHONE,
    });
    r
}

async fn a_rights_holder_reports_and_only_staff_see_it(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    let firm = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let med = mediator(&app).await;
    let (s, r) = app.post_json("/api/v1/reports", &ip_report()).await;
    assert_eq!(s, 201, "{r}");
    let no = r["case_no"].as_str().unwrap().to_owned();
    let token = r["tracking_token"].as_str().unwrap().to_owned();

    let (s, staff) = view(&app, &no, Who::Bearer(&med)).await;
    assert_eq!(s, 200, "{staff}");
    assert_eq!(staff["nature"], "ip_trademark");
    assert_eq!(
        staff["rights_holder"],
        json!({"uscc": HOLDER_USCC, "name": HOLDER_NAME, "contact_name": "林法务",
               "contact_phone": HOLDER_PHONE})
    );
    let page = app.get_text_as(&format!("/desk/cases/{no}"), &med).await;
    assert!(page.contains("举报人为权利人（企业）"), "{page}");
    assert!(
        page.contains(HOLDER_NAME) && page.contains(HOLDER_USCC),
        "{page}"
    );

    // The reported business finds nothing: not the case, not in its list, not on its desk.
    let (s, _) = view(&app, &no, Who::Bearer(&firm)).await;
    assert_eq!(s, 404);
    let (_, list) = app.get_as("/api/v1/enterprise/cases", &firm).await;
    assert_eq!(list["items"], json!([]), "{list}");
    for path in ["/enterprise".to_owned(), format!("/enterprise/cases/{no}")] {
        let page = app.get_text_as(&path, &firm).await;
        for secret in [HOLDER_NAME, HOLDER_USCC, HOLDER_PHONE, no.as_str()] {
            assert!(!page.contains(secret), "{path} shows {secret}: {page}");
        }
    }
    // The public tracking view carries no rights-holder field either.
    let (s, tracked) = app.track(&no, &token).await;
    assert_eq!(s, 200, "{tracked}");
    let text = tracked.to_string();
    for secret in [HOLDER_NAME, HOLDER_USCC, HOLDER_PHONE, "rights_holder"] {
        assert!(!text.contains(secret), "tracking shows {secret}: {text}");
    }
}

async fn a_bad_rights_holder_and_an_ip_complaint_are_field_errors(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut bad = ip_report();
    // One character off: the GB 32100 check character no longer matches.
    bad["rights_holder"]["uscc"] = json!("91310000MA1FL8TQ37");
    bad["rights_holder"]["contact_phone"] = json!("");
    let (s, v) = app.post_json("/api/v1/reports", &bad).await;
    assert_eq!(s, 422, "{v}");
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["rights_holder.uscc", "rights_holder.contact_phone"],
        "{v}"
    );
    assert_eq!(v["fields"][1]["message"], "请填写「联系人手机号码」");
    // Trademark, patent and copyright infringement are reported, never complained of.
    let mut complaint = sample_complaint();
    complaint["nature"] = json!("ip_patent");
    let (s, v) = app.post_json("/api/v1/complaints", &complaint).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "nature");
    assert_eq!(v["fields"][0]["code"], "nature_report_only");
}

async fn identification_stops_the_clock_of_an_ip_report(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(china_morning(2026, 9, 22));
    let med = mediator(&app).await;
    let (s, r) = app.post_json("/api/v1/reports", &ip_report()).await;
    assert_eq!(s, 201, "{r}");
    let no = r["case_no"].as_str().unwrap().to_owned();
    let (_, v) = view(&app, &no, Who::Bearer(&med)).await;
    // 15 working days from 2026-09-22 under the 2026 calendar: 中秋 (09-25..27) and 国庆
    // (10-01..07) are off, the make-up Saturday 10-10 is worked.
    assert_eq!(clock(&v, "verification")["due"], "2026-10-20");
    // For a counterfeit or IP report the desk offers identification first.
    let page = app.get_text_as(&format!("/desk/cases/{no}"), &med).await;
    let at = |code: &str| {
        page.find(&format!("<option value=\"{code}\""))
            .unwrap_or_else(|| no_option(code, &page))
    };
    assert!(at("rights_holder_identification") < at("testing"), "{page}");

    app.set_now(china_morning(2026, 9, 23));
    let med = relogin(&app, "med@jm.gov.cn").await;
    let pause = json!({"action": "pause", "reason": "rights_holder_identification"});
    assert_eq!(
        step(&app, &no, Who::Bearer(&med), pause).await,
        "verification_paused"
    );
    // Past the first due date, still paused: it stands still and is not overdue.
    app.set_now(china_morning(2026, 10, 21));
    let med = relogin(&app, "med@jm.gov.cn").await;
    let (_, v) = view(&app, &no, Who::Bearer(&med)).await;
    let paused = clock(&v, "verification");
    assert_eq!(
        (&paused["paused"], &paused["overdue"]),
        (&json!(true), &json!(false)),
        "{v}"
    );
    assert_eq!(
        step(&app, &no, Who::Bearer(&med), json!({"action": "resume"})).await,
        "pending_verification"
    );
    let (_, v) = view(&app, &no, Who::Bearer(&med)).await;
    let resumed = clock(&v, "verification");
    // Paused from 09-23 to 10-21: the fifteen working days 09-24, 09-28..30, 10-08..10,
    // 10-12..16 and 10-19..21 (holidays and weekends in between not counted) push the due
    // date from 10-20 fifteen working days on.
    assert_eq!(resumed["due"], "2026-11-10", "{v}");
    assert_eq!(
        (&resumed["paused"], &resumed["overdue"]),
        (&json!(false), &json!(false))
    );
}

fn no_option(code: &str, page: &str) -> usize {
    panic!("no {code} option: {page}")
}

on_both_backends!(
    a_rights_holder_reports_and_only_staff_see_it,
    a_bad_rights_holder_and_an_ip_complaint_are_field_errors,
    identification_stops_the_clock_of_an_ip_report,
);
