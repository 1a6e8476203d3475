//! Reports under Order 121: the verification period, its one extension and its pauses.

use serde_json::json;

use super::common::{Backend, TestApp, china_morning, sample_report};
use super::*;

async fn a_supervisor_extends_verification_once_with_a_reason(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app
        .add_user("xh@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    let sup = app
        .add_user("sup@jm.gov.cn", "supervisor", &["440705"], None)
        .await;
    let (s, r) = app.post_json("/api/v1/reports", &sample_report()).await;
    assert_eq!(s, 201);
    let no = r["case_no"].as_str().unwrap();
    let page = app.get_text_as(&format!("/desk/cases/{no}"), &sup).await;
    assert!(page.contains("延长核查期限"), "{page}");
    assert!(page.contains("延长理由"), "{page}");
    let extend = |reason: &str| json!({"action": "extend_verification", "reason": reason});
    // A mediator may not extend; the refusal lists what they may do.
    let (s, refusal) = act(&app, no, Who::Bearer(&med), extend("需调取监控")).await;
    assert_eq!(s, 409, "{refusal}");
    let (s, v) = act(&app, no, Who::Bearer(&sup), extend(" ")).await;
    assert_eq!((s, v["fields"][0]["field"].as_str()), (422, Some("reason")));
    assert_eq!(
        step(&app, no, Who::Bearer(&sup), extend("需调取监控录像")).await,
        "pending_verification"
    );
    let (_, v) = view(&app, no, Who::Bearer(&med)).await;
    // 2026-12-11 (15 working days from 2026-11-20) and 15 working days more.
    let due = clock(&v, "verification")["due"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(due, "2027-01-01");
    // The desk timeline says it was extended and why.
    let page = app.get_text_as(&format!("/desk/cases/{no}"), &sup).await;
    assert!(page.contains("核查期限已延长"), "{page}");
    assert!(page.contains("需调取监控录像"), "{page}");
    // The queue shows the extended date too.
    let (_, q) = app.get_as("/api/v1/queue", &med).await;
    let item = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["case_no"] == no)
        .unwrap();
    assert_eq!(item["due"], due.as_str());
    // Once only.
    let (s, v) = act(&app, no, Who::Bearer(&sup), extend("再延一次")).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["code"], "already_extended");
    assert_eq!(
        v["fields"][0]["message"],
        "核查期限已延长过一次，不能再次延长"
    );
    // Nor is it offered again, on the API or the desk.
    let (_, v) = view(&app, no, Who::Bearer(&sup)).await;
    assert!(
        !v["allowed_actions"]
            .to_string()
            .contains("extend_verification"),
        "{v}"
    );
    let page = app.get_text_as(&format!("/desk/cases/{no}"), &sup).await;
    assert!(
        !page.contains(r#"name="action" value="extend_verification""#),
        "{page}"
    );
}

async fn identification_pauses_verification_until_resumed(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app
        .add_user("xh@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    let (_, r) = app.post_json("/api/v1/reports", &sample_report()).await;
    let no = r["case_no"].as_str().unwrap();
    let page = app.get_text_as(&format!("/desk/cases/{no}"), &med).await;
    assert!(
        page.contains("中止核查（检测、鉴定、权利人辨认鉴别）"),
        "{page}"
    );
    assert!(page.contains("权利人辨认鉴别"), "{page}");
    // A report has no mediator to recuse: its pause form does not offer it.
    assert!(
        page.contains("<option value=\"rights_holder_identification\""),
        "{page}"
    );
    assert!(!page.contains("<option value=\"recusal\""), "{page}");
    let pause = json!({"action": "pause", "reason": "rights_holder_identification"});
    assert_eq!(
        step(&app, no, Who::Bearer(&med), pause).await,
        "verification_paused"
    );
    let (_, v) = view(&app, no, Who::Bearer(&med)).await;
    assert_eq!(clock(&v, "verification")["paused"], true);
    assert_eq!(v["state_label"], "核查中止（检测、鉴定、权利人辨认鉴别）");
    let (s, _) = act(&app, no, Who::Bearer(&med), json!({"action": "open_case"})).await;
    assert_eq!(s, 409, "nothing is decided while paused");
    // Queues filtered by the verification clock still list it.
    let (_, q) = app.get_as("/api/v1/queue?clock=verification", &med).await;
    assert_eq!(q["items"][0]["case_no"], no);
    app.set_now(china_morning(2026, 11, 27));
    let med = relogin(&app, "xh@jm.gov.cn").await;
    assert_eq!(
        step(&app, no, Who::Bearer(&med), json!({"action": "resume"})).await,
        "pending_verification"
    );
    let (_, v) = view(&app, no, Who::Bearer(&med)).await;
    let verification = clock(&v, "verification");
    // Due 2026-12-11, pushed out by the five working days 11-20 .. 11-27 it stood still.
    assert_eq!(verification["due"], "2026-12-18");
    assert_eq!(verification["paused"], false);
    let page = app.get_text_as(&format!("/desk/cases/{no}"), &med).await;
    assert!(page.contains("核查中止"), "{page}");
    assert!(page.contains("恢复核查"), "{page}");
}

on_both_backends!(
    a_supervisor_extends_verification_once_with_a_reason,
    identification_pauses_verification_until_resumed,
);
