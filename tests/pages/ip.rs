//! The report form's 「我是权利人（企业）」 option without JavaScript: its fields count only
//! when ticked, then each is checked on the server (a bad USCC is shown at its field), and a
//! report filed by a rights holder shows it on the desk.

use crate::common;
use crate::on_both_backends;

use common::browser::{Browser, hidden, unlabelled};
use common::{Backend, TestApp};

const HOLDER_USCC: &str = "91310000MA1FL8TQ36";
const HOLDER_NAME: &str = "上海某化妆品品牌管理有限公司";

fn report_fields<'v>(
    csrf: &'v str,
    idem: &'v str,
    changes: &[(&'v str, &'v str)],
) -> Vec<(&'v str, &'v str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("idem", idem),
        ("nature", "ip_trademark"),
        ("respondent.name", "江门市某美容院"),
        ("place.district", "440705"),
        ("description", "该店销售假冒本公司注册商标的精华液。"),
        ("rights_holder", "yes"),
        ("rights_holder.name", HOLDER_NAME),
        ("rights_holder.uscc", HOLDER_USCC),
        ("rights_holder.contact_name", "林法务"),
        ("rights_holder.contact_phone", "13916881234"),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

async fn a_rights_holder_reports_through_the_form(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let med = app
        .add_user("xh@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    let mut web = Browser::new(&app);
    let form = web.get("/report").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("我是权利人（企业）"), "{}", form.body);
    assert!(form.body.contains("value=\"ip_copyright\""));
    assert!(unlabelled(&form.body).is_empty());
    // The complaint form does not offer IP infringement.
    let complaint = web.get("/complain").await;
    assert!(!complaint.body.contains("value=\"ip_trademark\""));
    assert!(!complaint.body.contains("我是权利人"));

    let (csrf, idem) = (hidden(&form.body, "csrf"), hidden(&form.body, "idem"));
    let bad = web
        .post_multipart(
            "/report",
            &report_fields(
                &csrf,
                &idem,
                &[("rights_holder.uscc", "91310000MA1FL8TQ37")],
            ),
            vec![],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("id=\"f-rights-holder-uscc-err\""),
        "{}",
        bad.body
    );
    assert!(
        bad.body
            .contains("<details class=\"rights-holder\" id=\"rights-holder\" open>")
    );
    // Unticked, the same fields are not read at all: an anonymous report is filed.
    let unticked = web
        .post_multipart(
            "/report",
            &report_fields(
                &csrf,
                &idem,
                &[("rights_holder", ""), ("rights_holder.uscc", "nonsense")],
            ),
            vec![],
        )
        .await;
    assert_eq!(unticked.status, 303, "{}", unticked.body);

    let form = web.get("/report").await;
    let (csrf, idem) = (hidden(&form.body, "csrf"), hidden(&form.body, "idem"));
    let filed = web
        .post_multipart("/report", &report_fields(&csrf, &idem, &[]), vec![])
        .await;
    let filed = web.follow(&filed).await;
    assert_eq!(filed.status, 200, "{}", filed.body);
    let marker = "class=\"mono\">";
    let start = filed.body.find(marker).expect("case number") + marker.len();
    let case_no = filed.body[start..].split('<').next().unwrap().to_owned();
    assert!(case_no.starts_with("JB-2026-"), "{case_no}");
    assert!(
        !filed.body.contains(HOLDER_NAME),
        "the confirmation names no one"
    );
    let desk = app
        .get_text_as(&format!("/desk/cases/{case_no}"), &med)
        .await;
    assert!(
        desk.contains(HOLDER_NAME) && desk.contains(HOLDER_USCC),
        "{desk}"
    );
    assert!(desk.contains("商标侵权"), "{desk}");
}

on_both_backends!(a_rights_holder_reports_through_the_form);
