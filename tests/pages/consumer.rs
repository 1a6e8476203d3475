//! The consumer pages without JavaScript: filing a complaint with evidence, refusals shown in
//! place, one case per idempotency key, tracking with the 查询码, rating after settlement,
//! the report form, CSRF, rate limits and labelled inputs.

use crate::common;
use crate::on_both_backends;

use common::browser::{Browser, Page, Upload, hidden, unlabelled};
use common::{Backend, PNG, TestApp};
use serde_json::json;

/// The complaint form filled in as the sample complaint, with a few fields overridden.
pub(crate) fn complaint_fields<'v>(
    csrf: &'v str,
    idem: &'v str,
    changes: &[(&'v str, &'v str)],
) -> Vec<(&'v str, &'v str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("idem", idem),
        ("category", "goods.cosmetics.skincare"),
        ("nature", "quality"),
        ("title", "面膜使用后皮肤过敏红肿"),
        (
            "description",
            "十月初购买的补水面膜，使用两次后面部红肿瘙痒。",
        ),
        ("claim", "退货退款并赔偿医疗费"),
        ("respondent.name", "江门市美颜化妆品有限公司"),
        ("respondent.uscc", "91440703MA4UJ5QX2U"),
        ("respondent.address", "江门市蓬江区港口路8号"),
        ("respondent.district", "440703"),
        ("purchase.date", "2026-10-02"),
        ("purchase.amount_yuan", "129.00"),
        ("purchase.online", "no"),
        ("adverse_reaction.onset_date", "2026-10-05"),
        ("adverse_reaction.symptoms", "面部红肿瘙痒"),
        ("adverse_reaction.body_site", "面部"),
        ("adverse_reaction.severity", "general"),
        ("complainant.name", "张三"),
        ("complainant.phone", "13800138000"),
        ("complainant.email", "zhang@example.com"),
        ("complainant.address", "江门市蓬江区建设路1号"),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    fields
}

fn receipt() -> Vec<Upload<'static>> {
    vec![("evidence", "receipt.png", PNG.to_vec())]
}

/// The text of the first element with this class.
pub(crate) fn class_text(html: &str, class: &str) -> String {
    let marker = format!("class=\"{class}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {class} in {html}"))
        + marker.len();
    html[start..].split('<').next().unwrap().to_owned()
}

fn assert_labelled(page: &Page) {
    let missing = unlabelled(&page.body);
    assert!(
        missing.is_empty(),
        "inputs without <label for>: {missing:?}"
    );
}

async fn file_through_the_form(web: &mut Browser<'_>) -> (String, String, Page) {
    let form = web.get("/complain").await;
    let (csrf, idem) = (hidden(&form.body, "csrf"), hidden(&form.body, "idem"));
    let answer = web
        .post_multipart("/complain", &complaint_fields(&csrf, &idem, &[]), receipt())
        .await;
    let to = answer.location.clone().unwrap_or_default();
    assert!(
        to.starts_with("/track/TS-") && to.ends_with("/filed"),
        "{to}"
    );
    let page = web.follow(&answer).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let case_no = class_text(&page.body, "mono");
    let token = class_text(&page.body, "mono token");
    (case_no, token, page)
}

async fn complaint_is_filed_with_evidence(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut web = Browser::new(&app);

    let home = web.get("/").await;
    assert_eq!(home.status, 200);
    for link in ["/complain", "/report", "/track", "/bulletins", "/login"] {
        assert!(home.body.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(
        home.body
            .contains("10个工作日内未解决的转由市场监管部门处理")
    );

    let form = web.get("/complain").await;
    assert_eq!(form.status, 200);
    assert!(form.csp.as_deref().unwrap().contains("default-src 'none'"));
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(form.body.contains("<optgroup label=\"商品类 · 化妆品\">"));
    assert_labelled(&form);

    let (case_no, token, page) = file_through_the_form(&mut web).await;
    assert!(case_no.starts_with("TS-2026-"), "{case_no}");
    assert_eq!(token.len(), 24, "20 characters in groups of four: {token}");
    assert_eq!(token.split('-').count(), 5, "{token}");
    assert_eq!(page.cache_control.as_deref(), Some("no-store"));
    assert!(page.body.contains("受理期限："), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/track/{case_no}\"")));
    assert!(page.body.contains("receipt.png"));
    assert!(
        page.body
            .contains("src=\"data:image/png;base64,iVBORw0KGgo")
    );

    let (status, view) = app.track(&case_no, &token).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(view["category"], "goods.cosmetics.skincare");
}

on_both_backends!(complaint_is_filed_with_evidence);

async fn refusals_are_shown_in_place(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut web = Browser::new(&app);
    let form = web.get("/complain").await;
    let (csrf, idem) = (hidden(&form.body, "csrf"), hidden(&form.body, "idem"));
    let fields = complaint_fields(
        &csrf,
        &idem,
        &[
            ("complainant.phone", "12345"),
            ("claim", ""),
            ("title", ""),
            ("purchase.amount_yuan", "一百元"),
            ("purchase.quantity", "两盒"),
        ],
    );
    let page = web.post_multipart("/complain", &fields, receipt()).await;
    assert_eq!(page.status, 422, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("手机号码格式不正确"));
    assert!(
        body.contains("请填写「一句话概括」"),
        "the summary names the field"
    );
    assert!(body.contains("金额请填写数字"));
    assert!(
        body.contains("数量请填写整数"),
        "the quantity is checked in place"
    );
    assert!(body.contains("value=\"12345\""), "typed phone kept");
    assert!(body.contains("value=\"江门市美颜化妆品有限公司\""));
    assert!(body.contains("十月初购买的补水面膜"), "typed text kept");
    assert!(body.contains("<option value=\"440703\" selected>"));
    assert!(body.contains(
        "aria-invalid=\"true\" aria-describedby=\"f-complainant-phone-hint f-complainant-phone-err\""
    ));
    assert!(body.contains("id=\"f-complainant-phone-err\" role=\"alert\""));
    assert!(body.contains("请重新选择"), "files are not kept");
    assert_eq!(hidden(body, "idem"), idem, "same key for the retry");
    assert_labelled(&page);
    assert_eq!(app.track_count().await, 0);
}

on_both_backends!(refusals_are_shown_in_place);

async fn one_case_per_idempotency_key(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut web = Browser::new(&app);
    let form = web.get("/complain").await;
    let (csrf, idem) = (hidden(&form.body, "csrf"), hidden(&form.body, "idem"));
    let fields = complaint_fields(&csrf, &idem, &[]);
    let first = web.post_multipart("/complain", &fields, receipt()).await;
    let first = web.follow(&first).await;
    let again = web.post_multipart("/complain", &fields, receipt()).await;
    let again = web.follow(&again).await;
    assert_eq!((first.status, again.status), (200, 200), "{}", again.body);
    let case_no = class_text(&first.body, "mono");
    assert_eq!(class_text(&again.body, "mono"), case_no);
    let token = class_text(&first.body, "mono token");
    assert_eq!(class_text(&again.body, "mono token"), token);
    let (_, view) = app.track(&case_no, &token).await;
    assert_eq!(view["attachments"].as_array().unwrap().len(), 1, "{view}");
    assert_eq!(app.track_count().await, 1);
}

on_both_backends!(one_case_per_idempotency_key);

async fn tracking_needs_the_token(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut web = Browser::new(&app);
    let (case_no, token, _) = file_through_the_form(&mut web).await;
    // Another browser, which never saw the confirmation.
    let mut web = Browser::new(&app);
    let case_page = format!("/track/{case_no}");

    let form = web.get(&case_page).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(&format!("value=\"{case_no}\"")));
    assert!(!form.body.contains("当前状态："), "no cookie, no case");
    assert_labelled(&form);
    let csrf = hidden(&form.body, "csrf");

    let wrong = web
        .post(
            "/track",
            &[
                ("csrf", &csrf),
                ("case_no", &case_no),
                ("token", "0123-4567-89AB-CDEF-GHJK"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 404);
    assert!(wrong.body.contains("案件编号或查询码不正确"));

    // Typed as read aloud: lower case, spaces, O for 0.
    let typed = token.to_lowercase().replace('-', " ").replace('0', "o");
    let answer = web
        .post(
            "/track",
            &[("csrf", &csrf), ("case_no", &case_no), ("token", &typed)],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(answer.location.as_deref(), Some(case_page.as_str()));
    let page = web.follow(&answer).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.cache_control.as_deref(), Some("no-store"));
    assert!(page.body.contains("当前状态："));
    assert!(page.body.contains("受理期限："), "{}", page.body);
    assert!(page.body.contains("已提交"), "timeline");
    assert!(page.body.contains("张*"), "submitter masked");
    assert!(!page.body.contains("13800138000"));
    assert!(page.body.contains("receipt.png"));
    assert!(page.body.contains("撤回投诉"));
    assert!(!page.body.contains(&token), "the code is not in the page");
    assert_labelled(&page);

    let more = web
        .post_multipart(
            &format!("{case_page}/evidence"),
            &[("csrf", &csrf)],
            vec![("evidence", "invoice.pdf", b"%PDF-1.4\n%%EOF\n".to_vec())],
        )
        .await;
    assert_eq!(more.location, Some(format!("{case_page}?done=uploaded")));
    let more = web.follow(&more).await;
    assert!(more.body.contains("证据材料已上传") && more.body.contains("invoice.pdf"));
    let mut stranger = Browser::new(&app);
    let csrf = hidden(&stranger.get("/track").await.body, "csrf");
    let refused = stranger
        .post_multipart(
            &format!("{case_page}/evidence"),
            &[("csrf", &csrf)],
            vec![("evidence", "x.png", PNG.to_vec())],
        )
        .await;
    assert_eq!(refused.status, 403, "no code held: type it again");
    assert!(refused.body.contains("请重新输入查询码"));
}

on_both_backends!(tracking_needs_the_token);

async fn rating_after_settlement(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut web = Browser::new(&app);
    let (case_no, _, _) = file_through_the_form(&mut web).await;
    let admin = app.add_user("admin@jm.gov.cn", "admin", &[], None).await;
    let actions = format!("/api/v1/cases/{case_no}/actions");
    let (s, v) = app
        .post_as(&actions, &admin, &json!({"action": "accept"}))
        .await;
    assert_eq!(s, 200, "{v}");
    let settle = json!({"action": "settle", "agreement": "退款129元", "recovered_fen": 12900});
    let (s, v) = app.post_as(&actions, &admin, &settle).await;
    assert_eq!(s, 200, "{v}");

    let case_page = format!("/track/{case_no}");
    let page = web.get(&case_page).await;
    assert!(page.body.contains("调解成功") && page.body.contains("提交评价"));
    assert!(
        !page.body.contains("撤回投诉"),
        "closed cases cannot be withdrawn"
    );
    assert_labelled(&page);
    let csrf = hidden(&page.body, "csrf");
    let rate = |score| {
        [
            ("csrf", csrf.as_str()),
            ("action", "rate"),
            ("score", score),
            ("comment", "处理及时"),
        ]
    };
    let action = format!("{case_page}/action");
    let refused = web.post(&action, &rate("9")).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("请选择 1 到 5 分"));
    let good = rate("4");
    let rated = web.post(&action, &good).await;
    assert_eq!(rated.status, 303, "{}", rated.body);
    assert_eq!(rated.location, Some(format!("{case_page}?done=rated")));
    let thanked = web.follow(&rated).await;
    assert!(thanked.body.contains("感谢您的评价"), "{}", thanked.body);
    assert!(
        thanked.body.contains("您给出的评价：4 分"),
        "{}",
        thanked.body
    );
    assert!(!thanked.body.contains("提交评价"), "rated once");
    // Reloading the page later still thanks, without a form.
    let again = web.get(&case_page).await;
    assert!(again.body.contains("感谢您的评价") && !again.body.contains("name=\"score\""));
    let twice = web.post(&action, &good).await;
    assert!(matches!(twice.status, 409 | 422), "{}", twice.status);
    assert!(twice.body.contains("role=\"alert\""));
}

on_both_backends!(rating_after_settlement);

async fn report_form_works(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut web = Browser::new(&app);
    let form = web.get("/report").await;
    assert_eq!(form.status, 200);
    assert_labelled(&form);
    assert!(!form.body.contains("adverse_reaction"), "complaints only");
    let (csrf, idem) = (hidden(&form.body, "csrf"), hidden(&form.body, "idem"));
    let missing = web
        .post_multipart(
            "/report",
            &[("csrf", &csrf), ("idem", &idem), ("nature", "counterfeit")],
            vec![],
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.body.contains("id=\"f-place-district-err\""));
    let filed = web
        .post_multipart(
            "/report",
            &[
                ("csrf", &csrf),
                ("idem", &idem),
                ("nature", "counterfeit"),
                ("respondent.name", "江门市某美容院"),
                ("place.district", "440705"),
                ("place.address", "新会区会城某路"),
                ("description", "该店销售疑似假冒品牌精华液，无中文标签。"),
            ],
            vec![("evidence", "", Vec::new())],
        )
        .await;
    let filed = web.follow(&filed).await;
    assert_eq!(filed.status, 200, "{}", filed.body);
    let case_no = class_text(&filed.body, "mono");
    assert!(case_no.starts_with("JB-2026-"), "{case_no}");
    assert!(filed.body.contains("核查期限："));
}

on_both_backends!(report_form_works);

async fn forms_need_csrf_and_are_rate_limited(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.rate_limit_per_minute = 3).await;
    let mut web = Browser::new(&app);
    let form = web.get("/complain").await;
    let idem = hidden(&form.body, "idem");
    let forged = web
        .post_multipart("/complain", &complaint_fields("", &idem, &[]), vec![])
        .await;
    assert_eq!(forged.status, 400);
    assert!(forged.body.contains("页面已过期"));
    let no_token = web
        .post("/track", &[("case_no", "TS-2026-000001"), ("token", "x")])
        .await;
    assert_eq!(no_token.status, 400);
    let csrf = hidden(&form.body, "csrf");
    let attempt = [
        ("csrf", csrf.as_str()),
        ("case_no", "TS-2026-000001"),
        ("token", "x"),
    ];
    for _ in 0..2 {
        assert_eq!(web.post("/track", &attempt).await.status, 404);
    }
    let limited = web.post("/track", &attempt).await;
    assert_eq!(limited.status, 429);
    assert!(limited.retry_after.is_some() && limited.body.contains("提交过于频繁"));
    assert_eq!(app.track_count().await, 0);
}

on_both_backends!(forms_need_csrf_and_are_rate_limited);

trait CaseCount {
    async fn track_count(&self) -> usize;
}

impl CaseCount for TestApp {
    /// How many cases exist: the next complaint's number tells.
    async fn track_count(&self) -> usize {
        let (_, body) = self
            .post_json("/api/v1/complaints", &common::sample_complaint())
            .await;
        let no = body["case_no"].as_str().unwrap().to_owned();
        no.rsplit('-').next().unwrap().parse::<usize>().unwrap() - 1
    }
}
