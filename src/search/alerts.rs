//! Alerts: categories and respondents whose count in the latest week exceeds their rolling
//! baseline (the mean of the previous weeks) by a threshold.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector};

use super::index::{Live, SearchError};
use super::query::{Filters, Scope, build};
use super::schema::day_number;
use super::span::week_start;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Alert {
    /// `category` or `respondent`.
    pub dimension: String,
    pub key: String,
    #[schema(value_type = String, format = Date)]
    pub week_from: NaiveDate,
    pub count: u64,
    /// Mean weekly count over the baseline weeks.
    pub baseline: f64,
    pub ratio: f64,
}

pub struct AlertParams {
    /// Any day in the week to examine.
    pub week_of: NaiveDate,
    pub baseline_weeks: u32,
    pub threshold: f64,
    pub min_count: u64,
}

pub fn alerts(
    live: &Live,
    filters: &Filters,
    scope: &Scope,
    p: &AlertParams,
) -> Result<Vec<Alert>, SearchError> {
    let weeks = p.baseline_weeks.clamp(1, 52);
    let week = |start: NaiveDate, n: u32| start.checked_add_days(Days::new(7 * u64::from(n)));
    let current = week_start(p.week_of);
    let first = current.and_then(|c| c.checked_sub_days(Days::new(7 * u64::from(weeks))));
    // Checked dates always have these; a week outside chrono's calendar has no cases.
    let (Some(current), Some(first), Some(last)) = (
        current,
        first,
        current.and_then(|c| c.checked_add_days(Days::new(6))),
    ) else {
        return Ok(Vec::new());
    };
    let mut scoped = filters.clone();
    scoped.from = Some(first);
    scoped.to = Some(last);
    let query = build(live, &scoped, scope)?;
    let ranges: Vec<_> = (0..=weeks)
        .map(|i| {
            let start = week(first, i).unwrap_or(last);
            serde_json::json!({"key": format!("w{i}"), "from": day_number(start) as f64, "to": (day_number(start) + 7) as f64})
        })
        .collect();
    let mut out = Vec::new();
    for (dimension, field) in [("category", "category"), ("respondent", "respondent_exact")] {
        let agg = serde_json::json!({"weeks": {"range": {"field": "received_day", "ranges": ranges, "keyed": false},
            "aggs": {"keys": {"terms": {"field": field, "size": 1000, "min_doc_count": 1}}}}});
        let aggs: Aggregations =
            serde_json::from_value(agg).map_err(|e| SearchError::Query(e.to_string()))?;
        let result = live.reader.searcher().search(
            &*query,
            &AggregationCollector::from_aggs(aggs, AggContextParams::default()),
        )?;
        let raw = serde_json::to_value(&result).unwrap_or_default();
        let buckets = raw["weeks"]["buckets"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let count_in = |week: u32, key: &str| -> u64 {
            buckets
                .iter()
                .find(|b| b["key"] == format!("w{week}"))
                .and_then(|b| b["keys"]["buckets"].as_array().cloned())
                .and_then(|list| {
                    list.iter()
                        .find(|k| k["key"] == key)
                        .and_then(|k| k["doc_count"].as_u64())
                })
                .unwrap_or(0)
        };
        let latest = buckets
            .iter()
            .find(|b| b["key"] == format!("w{weeks}"))
            .and_then(|b| b["keys"]["buckets"].as_array().cloned())
            .unwrap_or_default();
        for k in latest {
            let (Some(key), Some(count)) = (k["key"].as_str(), k["doc_count"].as_u64()) else {
                continue;
            };
            if count < p.min_count {
                continue;
            }
            let baseline =
                (0..weeks).map(|w| count_in(w, key)).sum::<u64>() as f64 / f64::from(weeks);
            let ratio = count as f64 / baseline.max(1.0);
            if ratio >= p.threshold {
                out.push(Alert {
                    dimension: dimension.into(),
                    key: key.into(),
                    week_from: current,
                    count,
                    baseline,
                    ratio,
                });
            }
        }
    }
    out.sort_by(|a, b| b.ratio.total_cmp(&a.ratio));
    Ok(out)
}
