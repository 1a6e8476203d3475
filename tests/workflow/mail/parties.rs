//! What the parties' own words become in mail: a notice with a link, never the words. Mail is
//! signed by the bureau, so a party must not be able to make the bureau say anything. The
//! words are read on the page of each one entitled to them.

use std::time::Duration;

use serde_json::{Value, json};

use super::{WAIT, confirm_address};
use crate::common::browser::{Browser, hidden};
use crate::common::smtp::{Received, SmtpServer};
use crate::common::{Backend, TestApp};
use crate::{RESPONDENT_USCC, Who, act, mediator, odr_complaint, step, view};

const PLANTED: &str = "【市场监督管理局通知】请加微信 fake-12315 领取退款";

fn planted(tag: &str) -> String {
    format!("{PLANTED} {tag}")
}

/// Waits until `n` mails have arrived, then a little longer to catch any extra.
async fn inbox(smtp: &SmtpServer, n: usize) -> Vec<Received> {
    smtp.wait_for(n, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    smtp.messages()
}

fn texts(view: &Value) -> Vec<String> {
    view["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no messages in {view}"))
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_partys_words_never_reach_a_mail(backend: Backend) {
    let (app, smtp) = TestApp::spawn_with_smtp(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    let firm = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let med = mediator(&app).await;
    let (no, token) = app.file(&odr_complaint()).await;
    let first = inbox(&smtp, 2).await;
    let ack = first
        .iter()
        .find(|m| m.to == ["zhang@example.com"])
        .expect("acknowledgement");
    confirm_address(&app, &ack.body_text()).await;

    let (ent, con) = (Who::Bearer(&firm), Who::Tracking(&token));
    let says = |to: &str, tag: &str| json!({"action": "message", "to": to, "text": planted(tag)});
    step(
        &app,
        &no,
        Who::Bearer(&med),
        json!({"action": "assign", "user": "med@jm.gov.cn"}),
    )
    .await;
    step(
        &app,
        &no,
        ent,
        json!({"action": "odr_answer", "proposal": planted("answer")}),
    )
    .await;
    step(&app, &no, ent, says("complainant", "ent-to-consumer")).await;
    step(&app, &no, ent, says("mediator", "ent-to-mediator")).await;
    step(&app, &no, con, says("enterprise", "consumer-to-ent")).await;
    step(&app, &no, con, says("mediator", "consumer-to-mediator")).await;
    let bureau = "请于三日内补充购物凭证。";
    let staff = json!({"action": "message", "to": "complainant", "text": bureau});
    step(&app, &no, Who::Bearer(&med), staff).await;

    // Acknowledgement and ODR notice, then one notice per message and the bureau's message.
    let all = inbox(&smtp, 8).await;
    assert_eq!(all.len(), 8, "{all:#?}");
    for m in &all {
        let (subject, body) = (m.subject(), m.body_text());
        assert!(
            !subject.contains("fake-12315") && !body.contains("fake-12315"),
            "a party's words went out under the bureau's name: {subject}\n{body}"
        );
    }
    let notices = |to: &str| {
        all.iter()
            .filter(|m| m.to == [to] && m.subject().contains("新留言"))
            .map(Received::body_text)
            .collect::<Vec<_>>()
    };
    let (consumer, business, desk) = (
        notices("zhang@example.com"),
        notices("service@example.com"),
        notices("med@jm.gov.cn"),
    );
    assert_eq!((consumer.len(), business.len(), desk.len()), (2, 1, 2));
    assert!(consumer.iter().all(|b| b.contains(&format!("/track/{no}"))));
    assert!(
        business
            .iter()
            .all(|b| b.contains(&format!("/enterprise/cases/{no}")))
    );
    assert!(
        desk.iter()
            .all(|b| b.contains(&format!("/desk/cases/{no}")))
    );
    assert!(
        all.iter()
            .any(|m| m.to == ["zhang@example.com"] && m.body_text().contains(bureau)),
        "the bureau's own words are mailed as they are"
    );

    // Each party reads what was written to it and what it wrote, nothing else.
    let (_, seen) = view(&app, &no, con).await;
    let mut got = texts(&seen);
    got.sort();
    let mut want: Vec<String> = [
        "answer",
        "ent-to-consumer",
        "consumer-to-ent",
        "consumer-to-mediator",
    ]
    .map(planted)
    .to_vec();
    want.push(bureau.into());
    want.sort();
    assert_eq!(got, want, "the consumer's conversation");
    let (_, seen) = view(&app, &no, ent).await;
    let mut got = texts(&seen);
    got.sort();
    let mut want = [
        "answer",
        "ent-to-consumer",
        "ent-to-mediator",
        "consumer-to-ent",
    ]
    .map(planted);
    want.sort();
    assert_eq!(got, want, "the business's conversation");
    let (_, seen) = view(&app, &no, Who::Bearer(&med)).await;
    assert_eq!(texts(&seen).len(), 6, "staff read the whole conversation");
}

async fn a_party_writes_ten_messages_a_day_on_a_case(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    let firm = app
        .add_user("shop@example.com", "enterprise", &[], Some(RESPONDENT_USCC))
        .await;
    let med = mediator(&app).await;
    let (no, token) = app.file(&odr_complaint()).await;
    let con = Who::Tracking(&token);
    let note = |to: &str| json!({"action": "message", "to": to, "text": "请尽快联系我"});
    for _ in 0..10 {
        step(&app, &no, con, note("mediator")).await;
    }
    let (s, refused) = act(&app, &no, con, note("enterprise")).await;
    assert_eq!(s, 429, "{refused}");
    assert_eq!(refused["error"], "too_many_requests", "{refused}");
    // The other side and the bureau keep their say.
    step(&app, &no, Who::Bearer(&firm), note("complainant")).await;
    for _ in 0..11 {
        step(&app, &no, Who::Bearer(&med), note("complainant")).await;
    }
    // The tracking page says it in Chinese.
    let mut web = Browser::new(&app);
    let form = web.get("/track").await;
    let csrf = hidden(&form.body, "csrf");
    let lookup = [
        ("csrf", csrf.as_str()),
        ("case_no", no.as_str()),
        ("token", token.as_str()),
    ];
    let opened = web.post("/track", &lookup).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let fields = [
        ("csrf", csrf.as_str()),
        ("action", "message"),
        ("to", "mediator"),
        ("text", "再次催促"),
    ];
    let page = web.post(&format!("/track/{no}/action"), &fields).await;
    assert_eq!(page.status, 429, "{}", page.body);
    assert!(page.body.contains("留言已达 10 条上限"), "{}", page.body);
    // So does the enterprise page, once the business has used up its own allowance.
    for _ in 1..10 {
        step(&app, &no, Who::Bearer(&firm), note("complainant")).await;
    }
    let mut shop = Browser::signed_in(&app, "shop@example.com", "/enterprise").await;
    let here = format!("/enterprise/cases/{no}");
    let csrf = hidden(&shop.get(&here).await.body, "csrf");
    let fields = [
        ("csrf", csrf.as_str()),
        ("action", "message"),
        ("to", "complainant"),
        ("text", "请回电"),
    ];
    let page = shop.post(&format!("{here}/actions"), &fields).await;
    assert_eq!(page.status, 429, "{}", page.body);
    assert!(page.body.contains("留言已达 10 条上限"), "{}", page.body);
    // A new day (China time), a new allowance.
    app.set_now(crate::common::china_morning(2026, 11, 21));
    step(&app, &no, con, note("mediator")).await;
}

crate::on_both_backends!(
    a_partys_words_never_reach_a_mail,
    a_party_writes_ten_messages_a_day_on_a_case,
);
