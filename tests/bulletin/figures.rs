//! Every headline figure of the fixture's 2026-Q3, checked against SQL written independently
//! of the bulletin code and against the answers worked out by hand in `fixture.rs`.

use std::collections::BTreeMap;

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use serde_json::{Value, json};

use crate::common::binary::run_on;
use crate::common::{Backend, TestApp};
use crate::fixture::{self, RESPONDENT_USCC};
use crate::q3_draft;

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

const Q3: &str =
    "received_date >= '2026-07-01' AND received_date <= '2026-09-30' AND state <> 'merged'";

fn table(v: &Value) -> BTreeMap<String, u64> {
    v.as_array()
        .expect("table")
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap().to_owned(),
                r["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn rate(v: &Value) -> (u64, u64) {
    (
        v["numerator"].as_u64().unwrap(),
        v["denominator"].as_u64().unwrap(),
    )
}

async fn figures_match_sql_and_known_answers(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let fx = fixture::build(&app).await;
    let b = q3_draft(&app).await;

    let totals = grouped(
        &app,
        &format!("SELECT kind AS code, COUNT(*) AS n FROM cases WHERE {Q3} GROUP BY kind"),
    );
    assert_eq!(b["totals"]["complaints"], json!(totals["complaint"]), "{b}");
    assert_eq!(b["totals"]["reports"], json!(totals["report"]));
    assert_eq!(
        (totals["complaint"], totals["report"]),
        (5, 2),
        "A B C E F; R1 R2"
    );
    for dim in ["district", "nature", "channel"] {
        let sql =
            format!("SELECT {dim} AS code, COUNT(*) AS n FROM cases WHERE {Q3} GROUP BY {dim}");
        assert_eq!(
            table(&b[format!("by_{dim}")]),
            grouped(&app, &sql),
            "by_{dim}"
        );
    }
    // The transferred complaint counts in 新会区, where it is handled.
    assert_eq!(table(&b["by_district"])["440705"], 3);
    let categories = table(&b["by_category"]);
    assert_eq!(categories["goods.cosmetics"], 3);
    assert_eq!(categories["goods.food"], 1);
    assert_eq!(categories["goods.electronics"], 1);
    assert_eq!(categories["unspecified"], 2, "reports name no category");
    let shares: f64 = b["by_district"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 0.001, "{shares}");

    // Merged duplicate and the Q4 case are excluded; the 23:30 case of 30 September is in.
    let case_nos = grouped(
        &app,
        &format!("SELECT case_no AS code, CAST(1 AS BIGINT) AS n FROM cases WHERE {Q3}"),
    );
    assert!(!case_nos.contains_key(&fx.merged));
    assert!(!case_nos.contains_key(&fx.cross_quarter_out));
    assert!(case_nos.contains_key(&fx.cross_quarter_in));
    assert!(case_nos.contains_key(&fx.settled));

    assert_eq!(b["totals"]["recovered_fen"], json!(12900));
    let change = &b["change"]["complaints"];
    assert_eq!(
        (
            change["previous_year"].clone(),
            change["previous_period"].clone()
        ),
        (json!(2), json!(1))
    );
    assert_eq!(
        (change["yoy"].as_f64(), change["qoq"].as_f64()),
        (Some(1.5), Some(4.0))
    );
    assert_eq!(
        b["change"]["reports"]["yoy"],
        Value::Null,
        "no reports a year earlier"
    );

    let rates = &b["rates"];
    assert_eq!(
        rate(&rates["acceptance_on_time"]),
        (2, 4),
        "A, C on time; B late; F overdue"
    );
    assert_eq!(rates["acceptance_on_time"]["value"].as_f64(), Some(0.5));
    assert_eq!(
        rate(&rates["closure_on_time"]),
        (2, 3),
        "A, B closed in time; C overdue"
    );
    assert_eq!(
        rate(&rates["verification_on_time"]),
        (1, 2),
        "R1 on time; R2 overdue"
    );
    assert_eq!(
        rate(&rates["mediation_success"]),
        (1, 2),
        "A settled, B terminated"
    );
    assert_eq!(
        rate(&rates["online_shopping"]),
        (2, 5),
        "A and F bought online"
    );

    let odr = &b["odr"];
    assert_eq!(odr["enterprises_enrolled"], json!(1));
    assert_eq!(odr["cases"], json!(1));
    assert_eq!(rate(&odr["settled"]), (1, 1));
    assert_eq!(odr["median_working_days"].as_f64(), Some(2.0));

    let cosmetics = &b["cosmetics"];
    assert_eq!(cosmetics["complaints"], json!(3));
    assert_eq!(cosmetics["referrals_by_severity"][0]["code"], "general");
    assert_eq!(cosmetics["referrals_by_severity"][0]["count"], json!(1));
    assert_eq!(rate(&cosmetics["referrals_on_time"]), (1, 1));

    let top = &b["top_businesses"][0];
    assert_eq!(top["uscc"], RESPONDENT_USCC);
    assert_eq!(top["name"], "江门市美颜化妆品有限公司");
    assert_eq!(top["complaints"], json!(4), "A B C E; D merged");
    assert_eq!(rate(&top["response"]), (1, 1));
    assert_eq!(
        rate(&top["settlement"]),
        (2, 3),
        "A, E settled; B terminated"
    );

    let methodology = b["methodology"].as_array().unwrap();
    assert!(
        methodology
            .iter()
            .all(|m| m["numerator"].is_string() && m["denominator"].is_string())
    );
    assert_eq!(b["period"]["label"], "2026-Q3");
    assert_eq!(b["status"], "draft");
}

crate::on_both_backends!(figures_match_sql_and_known_answers);

/// Imported figures of an earlier quarter take precedence over the records for comparisons.
async fn imported_history_sets_the_year_on_year_base(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    fixture::build(&app).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("history.csv");
    std::fs::write(
        &file,
        "period,table,code,count\n2025-Q3,totals,complaints,4\n2025-Q3,totals,reports,2\n\
         2025-Q3,district,440703,3\n2025-Q3,district,440705,1\n",
    )
    .expect("write");
    let out = run_on(&app, &["import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = q3_draft(&app).await;
    assert_eq!(b["history_periods"], json!(["2025-Q3"]));
    let change = &b["change"]["complaints"];
    assert_eq!(change["previous_year"], json!(4));
    assert_eq!(change["yoy"].as_f64(), Some(0.25), "5 against 4");
    assert_eq!(
        b["change"]["reports"]["yoy"].as_f64(),
        Some(0.0),
        "2 against 2"
    );
    assert_eq!(
        change["previous_period"],
        json!(1),
        "2026-Q2 still from the records"
    );
    let district = b["by_district"].as_array().unwrap();
    let row = district.iter().find(|r| r["code"] == "440703").unwrap();
    assert_eq!(row["previous_year"], json!(3));
    assert_eq!(row["yoy"].as_f64(), Some(0.0), "3 against 3");
}

crate::on_both_backends!(imported_history_sets_the_year_on_year_base);
