//! Consumer warnings take their figures from complaints only: a burst of reports about a
//! business or product yields no warning figures (Order 121 Art. 37).

use chrono::Datelike;
use serde_json::json;

use super::common::{Backend, china_morning, sample_report};
use super::warnings::world;
use super::*;

const TERM: &str = "汞超标";

async fn reports_never_become_warning_figures(backend: Backend) {
    let (app, admin, analyst) = world(&backend).await;
    for i in 0..8u32 {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2 + i % 5).unwrap();
        app.set_now(china_morning(day.year(), day.month(), day.day()));
        let mut r = sample_report();
        r["respondent"]["name"] = json!("江门市祛痘堂");
        r["description"] = json!(format!("该店销售的祛痘膏{TERM}，疑似假冒，第{i}次发现。"));
        let (s, v) = app.post_json("/api/v1/reports", &r).await;
        assert_eq!(s, 201, "{v}");
    }
    app.set_now(china_morning(2026, 11, 20));
    wait_indexed(&app, &analyst, 32).await;

    // The analysts see the term in the reports: the burst is there to be found.
    let (_, hot) = app
        .get_as(
            "/api/v1/hot-terms?from=2026-11-02&to=2026-11-08&kind=report",
            &analyst,
        )
        .await;
    let terms: Vec<String> = hot["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap().to_owned())
        .collect();
    assert!(!terms.is_empty(), "{hot}");

    // No term of the reports only can source a public warning.
    for term in terms.iter().filter(|t| !t.contains("荧光")) {
        let body = json!({"source": {"kind": "hot_term", "term": term, "from": "2026-11-02", "to": "2026-11-08"},
            "title": "标题", "body": "正文"});
        let (s, v) = app.post_as("/api/v1/admin/warnings", &admin, &body).await;
        assert_eq!(s, 422, "{term} from reports became figures: {v}");
        assert_eq!(v["fields"][0]["field"], "source", "{v}");
    }
    // The complaints' alert counts complaints only.
    let body = json!({"source": {"kind": "alert", "category": "goods.cosmetics.whitening_spot", "week_of": "2026-11-04"},
        "title": "标题", "body": "正文"});
    let (s, v) = app.post_as("/api/v1/admin/warnings", &admin, &body).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["figures"]["count"], 8, "{v}");
    assert!(!v["figures_line"].as_str().unwrap().contains("举报"), "{v}");
}

crate::on_both_backends!(reports_never_become_warning_figures);
