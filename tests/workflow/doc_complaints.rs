//! Every complaint document on both orders: the identity request, the acceptance, the
//! refusal, the termination and the 调解书, each numbered by the bureau, citing its own order
//! only, filled in full, and read by whom it is addressed to.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::common::{Backend, TestApp, china_morning, sample_complaint};
use super::documents::{document_html, documents, issued_text};
use super::*;

pub const ORDER_20: &str = "《市场监督管理投诉举报处理暂行办法》";
pub const ORDER_121: &str = "《市场监督管理投诉举报处理办法》";

/// One order's rules as the documents of its cases cite them.
#[derive(Clone, Copy)]
pub struct Order {
    /// When its cases are filed and decided.
    pub filed: (i32, u32, u32),
    pub decided: (i32, u32, u32),
    /// Its name, and what only the other order's documents say.
    pub cites: &'static str,
    pub foreign: [&'static str; 2],
}

pub const ORDERS: [Order; 2] = [
    Order {
        filed: (2026, 3, 2),
        decided: (2026, 3, 4),
        cites: ORDER_20,
        foreign: [ORDER_121, "第121号令"],
    },
    Order {
        filed: (2026, 5, 6),
        decided: (2026, 5, 8),
        cites: ORDER_121,
        foreign: ["暂行办法", "第20号令"],
    },
];

impl Order {
    pub fn is_20(&self) -> bool {
        self.cites == ORDER_20
    }
}

/// The next number each kind of a bureau gives in 2026, counted as the test decides.
pub struct Ledger {
    bureau: &'static str,
    next: HashMap<&'static str, u32>,
}

impl Ledger {
    pub fn new(bureau: &'static str) -> Ledger {
        Ledger {
            bureau,
            next: HashMap::new(),
        }
    }

    /// The number the next document with code `code` must carry.
    pub fn take(&mut self, code: &'static str) -> String {
        let n = self.next.entry(code).or_insert(0);
        *n += 1;
        format!("{}市监{code}〔2026〕第{n}号", self.bureau)
    }
}

/// What one issued document must be.
pub struct Expected<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub number: String,
    /// Whether the complainant or reporter lists it (a routing notice is staff-only).
    pub consumer_reads: bool,
    /// Whether the business complained about lists it.
    pub business_reads: bool,
    pub says: Vec<String>,
    pub never: Vec<&'a str>,
}

/// Checks the newest document of `kind` on `case_no` against `want`, as staff, the consumer
/// (by the tracking code) and the business see it; returns its text.
pub async fn check(
    app: &TestApp,
    case_no: &str,
    (staff, consumer, firm): (&str, &str, Option<&str>),
    order: &Order,
    want: Expected<'_>,
) -> String {
    let all = documents(app, case_no, Who::Bearer(staff)).await;
    let doc = all
        .iter()
        .rev()
        .find(|d| d["kind"] == want.kind)
        .unwrap_or_else(|| panic!("no {} on {case_no}: {all:?}", want.kind))
        .clone();
    assert_eq!(doc["number"], want.number.as_str(), "{doc}");
    assert_eq!(doc["title"], want.title);
    let mine = documents(app, case_no, Who::Tracking(consumer)).await;
    let listed = mine.iter().any(|d| d["id"] == doc["id"]);
    assert_eq!(listed, want.consumer_reads, "{}: {mine:?}", want.kind);
    let (s, _) = document_html(app, case_no, &doc["id"], Who::Tracking(consumer)).await;
    assert_eq!(s, if want.consumer_reads { 200 } else { 404 });
    if let Some(firm) = firm {
        let theirs = documents(app, case_no, Who::Bearer(firm)).await;
        let listed = theirs.iter().any(|d| d["id"] == doc["id"]);
        assert_eq!(listed, want.business_reads, "{}: {theirs:?}", want.kind);
        let (s, _) = document_html(app, case_no, &doc["id"], Who::Bearer(firm)).await;
        assert_eq!(s, if want.business_reads { 200 } else { 404 });
    }
    let (s, html) = document_html(app, case_no, &doc["id"], Who::Bearer(staff)).await;
    assert_eq!(s, 200, "{html}");
    let text = issued_text(&html);
    assert_filled(&text, order, want.number.as_str());
    for needed in &want.says {
        assert!(
            text.contains(needed.as_str()),
            "{needed} missing from:\n{text}"
        );
    }
    for banned in &want.never {
        assert!(!text.contains(banned), "{banned} in:\n{text}");
    }
    text
}

/// The text cites its own order and not the other, and nothing is left blank.
pub fn assert_filled(text: &str, order: &Order, number: &str) {
    assert!(text.contains(number), "{text}");
    assert!(
        text.contains(order.cites),
        "{} missing from:\n{text}",
        order.cites
    );
    for foreign in order.foreign {
        assert!(!text.contains(foreign), "{foreign} in:\n{text}");
    }
    assert!(!text.contains('{') && !text.contains('}'), "{text}");
    for blank in ["：。", "（）", "于前", "：，", "起（", "。；", "。）"] {
        assert!(!text.contains(blank), "a blank value ({blank}) in:\n{text}");
    }
    // Signature lines end with a colon on purpose: they are signed on paper.
    let filled = |l: &&str| l.starts_with('　') && !l.contains("（签字");
    for paragraph in text.lines().filter(filled) {
        assert!(
            !paragraph.ends_with('：'),
            "a blank value at the end of:\n{text}"
        );
    }
}

async fn file_on(app: &TestApp, (y, m, d): (i32, u32, u32)) -> (String, String) {
    app.set_now(china_morning(y, m, d));
    let mut complaint = sample_complaint();
    let bought = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap() - chrono::Days::new(5);
    complaint["purchase"]["date"] = json!(bought.to_string());
    app.file(&complaint).await
}

fn date_zh((y, m, d): (i32, u32, u32)) -> String {
    format!("{y}年{m}月{d}日")
}

async fn complaint_documents_on_both_orders(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    mediator(&app).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    // Numbers run per bureau, kind and year across both orders.
    let mut ledger = Ledger::new("江蓬");
    let mut samples = Vec::new();
    for order in &ORDERS {
        let mut cases = Vec::new();
        for _ in 0..6 {
            cases.push(file_on(&app, order.filed).await);
        }
        app.set_now(china_morning(
            order.decided.0,
            order.decided.1,
            order.decided.2,
        ));
        let med = relogin(&app, "med@jm.gov.cn").await;
        let shop = relogin(&app, "shop@example.com").await;
        let decided = date_zh(order.decided);
        let (identity, accepted, settled, at_once, waived, refused) = (
            &cases[0], &cases[1], &cases[2], &cases[3], &cases[4], &cases[5],
        );
        let who = |c: &(String, String)| (c.0.clone(), c.1.clone());
        let act_on = async |case: &(String, String), body: Value| {
            step(&app, &case.0, Who::Bearer(&med), body).await;
        };

        // 限期提供身份证明材料通知书: to the complainant, with its due date; a request
        // without details still names what to bring.
        let due = (order.decided.0, order.decided.1, order.decided.2 + 7);
        let due_iso = format!("{}-{:02}-{:02}", due.0, due.1, due.2);
        act_on(
            identity,
            json!({"action": "request_identity", "due": due_iso}),
        )
        .await;
        let (no, token) = who(identity);
        let text = check(
            &app,
            &no,
            (&med, &token, Some(&shop)),
            order,
            Expected {
                kind: "identity_request",
                title: "限期提供身份证明材料通知书",
                number: ledger.take("身份"),
                consumer_reads: true,
                business_reads: false,
                says: vec![
                    format!("请你于{}前向本局提供下列材料：", date_zh(due)),
                    "身份证明材料".into(),
                    "张三：".into(),
                    no.clone(),
                ],
                never: vec![],
            },
        )
        .await;
        samples.push(text);

        // 投诉受理决定书: to both parties, with the order's mediation period.
        let period = if order.is_20() {
            "自投诉受理之日起四十五个工作日"
        } else {
            "自投诉受理之日起六十日"
        };
        for case in [identity, accepted, settled, at_once, waived] {
            act_on(case, json!({"action": "accept"})).await;
            let (no, token) = who(case);
            let text = check(
                &app,
                &no,
                (&med, &token, Some(&shop)),
                order,
                Expected {
                    kind: "acceptance",
                    title: "投诉受理决定书",
                    number: ledger.take("投受"),
                    consumer_reads: true,
                    business_reads: true,
                    says: vec![
                        period.into(),
                        format!("本局决定于{decided}予以受理"),
                        "抄送：江门市美颜化妆品有限公司".into(),
                    ],
                    never: vec![],
                },
            )
            .await;
            if case == accepted {
                samples.push(text);
            }
        }

        // 终止调解决定书: the ground's wording and article, the date, the remedies.
        act_on(
            identity,
            json!({"action": "terminate", "reason": "party_absent", "detail": "被投诉人两次无正当理由未到场"}),
        )
        .await;
        let (ground, article) = if order.is_20() {
            (
                "投诉人或者被投诉人无正当理由不参加调解，或者被投诉人明确拒绝调解的",
                "第20号令第二十一条第三项",
            )
        } else {
            (
                "投诉人或者被投诉人无正当理由不参加调解，或者拒绝调解的",
                "第121号令第二十三条第二项",
            )
        };
        let (no, token) = who(identity);
        let text = check(
            &app,
            &no,
            (&med, &token, Some(&shop)),
            order,
            Expected {
                kind: "termination",
                title: "终止调解决定书",
                number: ledger.take("投终"),
                consumer_reads: true,
                business_reads: true,
                says: vec![
                    format!("本案存在下列情形：{ground}。"),
                    format!("适用条款：{article}"),
                    format!("调解于{decided}终止"),
                    "被投诉人两次无正当理由未到场".into(),
                    "第三十九条".into(),
                    "向人民法院提起诉讼".into(),
                    "张三、江门市美颜化妆品有限公司：".into(),
                ],
                never: vec![],
            },
        )
        .await;
        samples.push(text);

        // 调解书: the parties, facts, terms, amount and performance date.
        act_on(
            settled,
            json!({"action": "settle", "agreement": "被投诉人退还货款并赔偿医疗费",
                   "recovered_fen": 25800, "performance_due": due_iso}),
        )
        .await;
        let (no, token) = who(settled);
        let text = check(
            &app,
            &no,
            (&med, &token, Some(&shop)),
            order,
            Expected {
                kind: "mediation_agreement",
                title: "调解书",
                number: ledger.take("调"),
                consumer_reads: true,
                business_reads: true,
                says: vec![
                    "投诉人：张三".into(),
                    "被投诉人：江门市美颜化妆品有限公司".into(),
                    "经查明：十月初购买的补水面膜，使用两次后面部红肿瘙痒。".into(),
                    "达成如下协议：被投诉人退还货款并赔偿医疗费".into(),
                    "本协议涉及金额：人民币258.00元。".into(),
                    format!("应当于{}前履行完毕", date_zh(due)),
                ],
                never: vec![],
            },
        )
        .await;
        samples.push(text);
        // Performed on the spot, or waived by both: no 调解书 (Art. 24).
        for (case, form) in [(at_once, "performed_at_once"), (waived, "waived")] {
            act_on(
                case,
                json!({"action": "settle", "agreement": "当场退款", "recovered_fen": 12900,
                       "agreement_form": form}),
            )
            .await;
            let docs = documents(&app, &case.0, Who::Bearer(&med)).await;
            let kinds: Vec<&Value> = docs.iter().map(|d| &d["kind"]).collect();
            assert_eq!(kinds, [&json!("acceptance")], "{form}");
        }

        // 投诉不予受理决定书: the ground in full, its article, the routes of 消法 Art. 39.
        act_on(
            refused,
            json!({"action": "not_accept", "reason": "time_barred", "detail": "购买于四年前"}),
        )
        .await;
        let (words, article) = if order.is_20() {
            ("第20号令第十五条第四项", "第十五条的规定")
        } else {
            ("第121号令第十六条第四项", "第十六条的规定")
        };
        let (no, token) = who(refused);
        let text = check(
            &app,
            &no,
            (&med, &token, Some(&shop)),
            order,
            Expected {
                kind: "not_accepted",
                title: "投诉不予受理决定书",
                number: ledger.take("投不受"),
                consumer_reads: true,
                business_reads: false,
                says: vec![
                    "存在下列情形：除法律另有规定外，投诉人知道或者应当知道自己的权益受到被投诉人侵害之日起超过三年的。".into(),
                    format!("适用条款：{words}"),
                    article.into(),
                    "具体理由：购买于四年前".into(),
                    "第三十九条".into(),
                    "（四）根据与经营者达成的仲裁协议提请仲裁机构仲裁".into(),
                ],
                never: vec![],
            },
        )
        .await;
        samples.push(text);
    }
    println!("{}", samples.join("\n\n────────\n\n"));
}

/// Order 121 Art. 42: mediation ended for a fraudulent claim; the parties' document names the
/// ground and its articles, never the police referral or what the staff recorded for it.
async fn a_fraud_termination_keeps_the_police_out(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    mediator(&app).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    app.add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let order = &ORDERS[1];
    app.set_now(china_morning(2026, 5, 6));
    let mut complaint = sample_complaint();
    complaint["purchase"]["date"] = json!("2026-05-01");
    // A title with a phone number: the documents the business reads show it masked.
    complaint["title"] = json!("面膜过敏，请回电13800138000。");
    let (no, token) = app.file(&complaint).await;
    app.set_now(china_morning(2026, 6, 1));
    let med = relogin(&app, "med@jm.gov.cn").await;
    let shop = relogin(&app, "shop@example.com").await;
    step(&app, &no, Who::Bearer(&med), json!({"action": "accept"})).await;
    step(
        &app,
        &no,
        Who::Bearer(&med),
        json!({"action": "terminate", "reason": "fraudulent_claim",
               "detail": "以曝光相威胁索要五万元，已移送公安机关",
               "police_unit": "江门市公安局蓬江分局", "referred_on": "2026-06-01"}),
    )
    .await;
    check(
        &app,
        &no,
        (&med, &token, Some(&shop)),
        order,
        Expected {
            kind: "termination",
            title: "终止调解决定书",
            number: "江蓬市监投终〔2026〕第1号".into(),
            consumer_reads: true,
            business_reads: true,
            says: vec![
                "第四十二条规定情形的".into(),
                "适用条款：第121号令第二十三条第六项、第四十二条".into(),
                "调解于2026年6月1日终止".into(),
            ],
            never: vec!["公安", "蓬江分局", "五万元", "移送", "敲诈", "13800138000"],
        },
    )
    .await;
}

on_both_backends!(
    complaint_documents_on_both_orders,
    a_fraud_termination_keeps_the_police_out,
);
