//! The counterfeit and IP-infringement section (measure 12): reports of the period by nature
//! and how many were filed by the bulletin date, checked against SQL written independently of
//! the bulletin code, and rendered in every format.

use std::collections::BTreeMap;

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use odrdesk::bulletin::model::Bulletin;
use odrdesk::bulletin::render;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, sample_complaint, sample_report};
use crate::draft;
use crate::fixture::{ADMIN, AS_OF, MEDIATOR, act, morning};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn grouped(app: &TestApp, sql: &str) -> BTreeMap<String, u64> {
    let mut conn = app.db();
    let rows: Vec<Count> =
        tokio::task::block_in_place(|| diesel::sql_query(sql).load(&mut *conn).expect("query"));
    rows.into_iter().map(|r| (r.code, r.n as u64)).collect()
}

const GROUP: &str = "('counterfeit', 'ip_trademark', 'ip_patent', 'ip_copyright')";
const Q3_REPORTS: &str = "c.kind = 'report' AND c.received_date >= '2026-07-01' \
     AND c.received_date <= '2026-09-30' AND c.state NOT IN ('merged', 'repeated')";

async fn report(app: &TestApp, day: (u32, u32), nature: &str) -> String {
    app.set_now(morning(2026, day.0, day.1));
    let mut body = sample_report();
    body["nature"] = json!(nature);
    body["description"] = json!(format!("{nature} 举报 {}-{}", day.0, day.1));
    let (s, v) = app.post_json("/api/v1/reports", &body).await;
    assert_eq!(s, 201, "{v}");
    v["case_no"].as_str().unwrap().to_owned()
}

async fn file(app: &TestApp, day: (u32, u32), no: &str) {
    let open = json!({"action": "open_case"});
    act(app, morning(2026, day.0, day.1), MEDIATOR, no, open).await;
}

async fn counterfeit_and_ip_figures_match_sql(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(morning(2026, 7, 1));
    app.add_user(ADMIN, "admin", &[], None).await;
    app.add_user(MEDIATOR, "mediator", &["440703", "440705"], None)
        .await;
    let a = report(&app, (8, 3), "counterfeit").await;
    file(&app, (8, 5), &a).await;
    report(&app, (8, 4), "counterfeit").await;
    let c = report(&app, (8, 10), "ip_trademark").await;
    file(&app, (8, 12), &c).await;
    report(&app, (8, 11), "ip_trademark").await;
    let e = report(&app, (9, 1), "ip_patent").await;
    let pause = json!({"action": "pause", "reason": "rights_holder_identification"});
    act(&app, morning(2026, 9, 2), MEDIATOR, &e, pause).await;
    let f = report(&app, (9, 2), "ip_copyright").await;
    let g = report(&app, (9, 3), "quality").await;
    file(&app, (9, 4), &g).await;
    // A consumer sold a fake complains; the complaint opens a counterfeit report as a lead.
    app.set_now(morning(2026, 9, 4));
    let mut complaint = sample_complaint();
    complaint["nature"] = json!("counterfeit");
    complaint["purchase"] = json!({"date": "2026-08-30", "amount_fen": 12900, "online": false});
    app.file(&complaint).await;
    // Next quarter's report is not counted.
    report(&app, (10, 9), "ip_copyright").await;
    // Filed after the bulletin date (2026-11-20): a report, but not yet filed as of then.
    file(&app, (11, 25), &f).await;

    app.set_now(morning(2026, 11, 26));
    let b = draft(&app, json!({"period": "2026-Q3", "as_of": AS_OF})).await;
    let section = &b["counterfeit_ip"];
    let by = |field: &str| -> BTreeMap<String, u64> {
        section["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r[field].as_u64().unwrap() > 0)
            .map(|r| {
                (
                    r["code"].as_str().unwrap().to_owned(),
                    r[field].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let reports = grouped(
        &app,
        &format!(
            "SELECT c.nature AS code, COUNT(*) AS n FROM cases c \
             WHERE {Q3_REPORTS} AND c.nature IN {GROUP} GROUP BY c.nature"
        ),
    );
    // Filed by the end of the bulletin date in China time (UTC+8): before 16:00 UTC.
    let filed = grouped(
        &app,
        &format!(
            "SELECT c.nature AS code, COUNT(DISTINCT c.id) AS n FROM cases c \
             JOIN case_events e ON e.case_id = c.id \
             WHERE {Q3_REPORTS} AND c.nature IN {GROUP} AND e.to_state = 'case_opened' \
             AND e.at < '2026-11-20 16:00:00' GROUP BY c.nature"
        ),
    );
    assert_eq!(by("reports"), reports, "{section}");
    assert_eq!(by("filed"), filed, "{section}");
    // And the answers worked out by hand.
    let expected: BTreeMap<String, u64> = [
        ("counterfeit", 3),
        ("ip_patent", 1),
        ("ip_copyright", 1),
        ("ip_trademark", 2),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(reports, expected);
    assert_eq!(
        filed,
        [
            ("counterfeit".to_owned(), 1),
            ("ip_trademark".to_owned(), 1)
        ]
        .into()
    );
    assert_eq!(section["reports"], 7);
    assert_eq!(section["ip_reports"], 4);
    assert_eq!(
        (
            &section["filed"]["numerator"],
            &section["filed"]["denominator"]
        ),
        (&json!(2), &json!(7))
    );
    let method: Vec<&str> = b["methodology"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["key"].as_str())
        .collect();
    assert!(method.contains(&"counterfeit_ip.filed"), "{method:?}");

    // Every format carries it.
    let bulletin: Bulletin = serde_json::from_value(b.clone()).expect("a bulletin");
    let html = render::html(&bulletin);
    assert!(html.contains("专题：打击假冒和侵犯知识产权"), "{html}");
    assert!(html.contains("<td>商标侵权</td><td class=\"num\">2</td><td class=\"num\">1</td>"));
    let csv = render::csv(&bulletin);
    assert!(
        csv.contains(",counterfeit_ip,ip_trademark,商标侵权,2,"),
        "{csv}"
    );
    assert!(csv.contains(",counterfeit_ip_filed,counterfeit,"), "{csv}");
    let open: Value = serde_json::from_str(&render::json(&bulletin)).unwrap();
    assert_eq!(open["counterfeit_ip"], *section);
}

crate::on_both_backends!(counterfeit_and_ip_figures_match_sql);
