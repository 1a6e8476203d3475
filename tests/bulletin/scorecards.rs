//! Credit scorecards end to end: the quarter built through intake and workflow steps
//! (`common::scorecards`), graded as worked out by hand; the CSV and JSON exports read back
//! and compared, formula cells guarded; a configured method grades differently as worked out
//! by hand (the binary with a `[scorecard]` section); an open report changes nothing a
//! business sees; a business reads only its own scorecards, only supervisors and admins export
//! (an analyst gets 403).

use serde_json::{Value, json};

use crate::common::binary::run_on;
use crate::common::scorecards::*;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

fn card<'a>(set: &'a Value, name: &str) -> &'a Value {
    set["scorecards"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no scorecard of {name} in {set}"))
}

async fn quarter_json(app: &TestApp, email: &str) -> Value {
    let t = token(app, email).await;
    let (s, v) = app
        .get_as(&format!("/api/v1/scorecards/2026Q3?as_of={AS_OF}"), &t)
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn scorecards_are_graded_as_worked_by_hand(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    build(&app).await;
    let set = quarter_json(&app, ADMIN).await;
    assert_eq!(set["quarter"], "2026Q3");
    assert_eq!(set["scorecards"].as_array().map(Vec::len), Some(3), "{set}");
    let a = card(&set, A_NAME);
    assert_eq!(a["uscc"], A_USCC);
    assert_eq!(a["sector"], "cosmetics");
    assert_eq!(a["complaints"], 3);
    assert_eq!(a["sector_median"], 1.0);
    assert_eq!(a["response"], json!({"numerator": 1, "denominator": 1}));
    assert_eq!(a["settlement"], json!({"numerator": 1, "denominator": 2}));
    assert_eq!(
        (a["violations"].clone(), a["counterfeit_ip"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(a["adverse_referrals"], 1);
    assert_eq!(a["commitments"], json!(["worry_free"]));
    // 100 − 20 − 0 − 10 − 15 − 10 − 2 + 5 = 48.
    assert_eq!(
        (a["score"].as_f64(), a["grade"].as_str()),
        (Some(48.0), Some("D"))
    );
    for name in [B_NAME, C_NAME] {
        let c = card(&set, name);
        assert_eq!(
            (c["complaints"].as_u64(), c["score"].as_f64()),
            (Some(1), Some(100.0))
        );
        assert_eq!(c["grade"], "A");
    }
    assert_eq!(card(&set, C_NAME)["uscc"], Value::Null);
    let text = set["methodology"].to_string();
    assert!(text.contains("每件扣 15 分"), "{text}");

    // A report under verification changes nothing; nor does its decision not to open a case.
    let open = open_report(&app).await;
    assert_eq!(
        quarter_json(&app, ADMIN).await["scorecards"],
        set["scorecards"]
    );
    act(
        &app,
        crate::common::china_morning(2026, 11, 20),
        MEDIATOR,
        &open,
        json!({"action": "not_open", "reason": "证据不足"}),
    )
    .await;
    assert_eq!(
        quarter_json(&app, ADMIN).await["scorecards"],
        set["scorecards"]
    );
}

/// Splits a CSV export into rows of cells.
fn rows(csv: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    r.records()
        .map(|rec| rec.expect("csv row").iter().map(str::to_owned).collect())
        .collect()
}

async fn exports_read_back_equal_and_guard_formulas(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    build(&app).await;
    let set = quarter_json(&app, ADMIN).await;
    let t = token(&app, ADMIN).await;
    let csv = app
        .get_text_as(
            &format!("/api/v1/scorecards/2026-Q3?format=csv&as_of={AS_OF}"),
            &t,
        )
        .await;
    let table = rows(&csv);
    assert_eq!(table[0][..4], ["quarter", "uscc", "name", "sector"]);
    let header = &table[0];
    let cards = set["scorecards"].as_array().expect("cards");
    assert_eq!(table.len(), cards.len() + 1, "{csv}");
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    for (row, card) in table[1..].iter().zip(cards) {
        assert_eq!(row[col("uscc")], card["uscc"].as_str().unwrap_or_default());
        assert_eq!(row[col("grade")], card["grade"].as_str().unwrap());
        assert_eq!(
            row[col("score")].parse::<f64>().ok(),
            card["score"].as_f64()
        );
        for (cell, field) in [
            ("complaints", "complaints"),
            ("violations", "violations"),
            ("counterfeit_ip", "counterfeit_ip"),
            ("adverse_referrals", "adverse_referrals"),
        ] {
            assert_eq!(
                row[col(cell)].parse::<u64>().ok(),
                card[field].as_u64(),
                "{cell}"
            );
        }
        assert_eq!(
            row[col("settled")].parse::<u64>().ok(),
            card["settlement"]["numerator"].as_u64()
        );
        let name = card["name"].as_str().unwrap();
        if name.starts_with('=') {
            assert_eq!(
                row[col("name")],
                format!("'{name}"),
                "a formula cell is guarded"
            );
        } else {
            assert_eq!(row[col("name")], name);
        }
    }
    assert!(csv.contains("'=江门市某美妆店"), "{csv}");

    // The binary writes the same JSON and CSV.
    let dir = tempfile::tempdir().unwrap();
    let json_out = dir.path().join("q3.json");
    let out = run_on(
        &app,
        &[
            "scorecard",
            "--quarter",
            "2026Q3",
            "--format",
            "json",
            "--as-of",
            AS_OF,
            "--out",
            json_out.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_cli: Value = serde_json::from_slice(&std::fs::read(&json_out).unwrap()).unwrap();
    assert_eq!(from_cli, set);
    let csv_out = dir.path().join("q3.csv");
    let out = run_on(
        &app,
        &[
            "scorecard",
            "--quarter",
            "2026Q3",
            "--format",
            "csv",
            "--as-of",
            AS_OF,
            "--out",
            csv_out.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&csv_out).unwrap(), csv);
}

async fn a_configured_method_grades_as_worked_by_hand(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    build(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("odrdesk.toml");
    // No points for filed reports, B from 70: A gets 48 + 15 + 10 = 73 → B.
    std::fs::write(
        &config,
        "[scorecard]\nviolation_points = 0\ncounterfeit_ip_points = 0\ngrade_b = 70\n",
    )
    .unwrap();
    let out_file = dir.path().join("q3.json");
    let out = run_on(
        &app,
        &[
            "--config",
            config.to_str().unwrap(),
            "scorecard",
            "--quarter",
            "2026Q3",
            "--format",
            "json",
            "--as-of",
            AS_OF,
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let set: Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    let a = card(&set, A_NAME);
    assert_eq!(
        (a["score"].as_f64(), a["grade"].as_str()),
        (Some(73.0), Some("B"))
    );
    assert!(
        set["methodology"]
            .to_string()
            .contains("70 分及以上为 B 级"),
        "{set}"
    );
    // A method out of order is refused before anything is read.
    std::fs::write(&config, "[scorecard]\ngrade_b = 95\n").unwrap();
    let out = run_on(
        &app,
        &[
            "--config",
            config.to_str().unwrap(),
            "scorecard",
            "--quarter",
            "2026Q3",
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
}

async fn only_the_credit_readers_export_and_businesses_see_their_own(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    build(&app).await;
    for (who, status) in [(A_DESK, 403), (MEDIATOR, 403), (ANALYST, 403), (ADMIN, 200)] {
        let t = token(&app, who).await;
        let (s, v) = app.get_as("/api/v1/scorecards/2026Q3", &t).await;
        assert_eq!(s, status, "{who}: {v}");
    }
    assert_eq!(app.get("/api/v1/scorecards/2026Q3").await.0, 401);
    let t = token(&app, ADMIN).await;
    for bad in [
        "/api/v1/scorecards/2026Q9",
        "/api/v1/scorecards/2026Q3?format=xlsx",
        "/api/v1/scorecards/2026Q3?as_of=tomorrow",
    ] {
        let (s, v) = app.get_as(bad, &t).await;
        assert_eq!(s, 422, "{bad}: {v}");
    }
}

on_both_backends!(
    scorecards_are_graded_as_worked_by_hand,
    exports_read_back_equal_and_guard_formulas,
    a_configured_method_grades_as_worked_by_hand,
    only_the_credit_readers_export_and_businesses_see_their_own,
);
