//! Counts over time: explicit calendar buckets (day, ISO week, month, quarter) split by one
//! dimension, with the same period a year earlier alongside.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector};

use super::index::{Live, SearchError};
use super::query::{Filters, Scope, build};
use super::schema::day_number;
use super::span::{DateSpan, MAX_BUCKETS, week_start};
use crate::domain::Taxonomy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Day,
    Week,
    #[default]
    Month,
    Quarter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Category,
    Nature,
    District,
    Respondent,
    Channel,
    State,
}

impl By {
    fn field(self) -> &'static str {
        match self {
            By::Category => "category",
            By::Nature => "nature",
            By::District => "district",
            By::Respondent => "respondent_exact",
            By::Channel => "channel",
            By::State => "state",
        }
    }

    fn label(self, key: &str) -> String {
        let t = Taxonomy::builtin();
        let found = match self {
            By::Category => t.category(key).map(|c| c.label.clone()),
            By::Nature => t.nature(key).map(|n| n.label.clone()),
            By::District => t.district(key).map(|d| d.name.clone()),
            By::Channel => t.channel(key).map(|c| c.label.clone()),
            By::State => key
                .parse::<crate::domain::case::CaseState>()
                .ok()
                .map(|s| s.label_zh().to_owned()),
            By::Respondent => None,
        };
        found.unwrap_or_else(|| key.to_owned())
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Split {
    pub key: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bucket {
    pub key: String,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub count: u64,
    pub previous_year_count: u64,
    pub split: Vec<Split>,
}

/// The first day of the bucket of `interval` that holds `day`.
fn bucket_start(interval: Interval, day: NaiveDate) -> Option<NaiveDate> {
    match interval {
        Interval::Day => Some(day),
        Interval::Week => week_start(day),
        Interval::Month => day.with_day(1),
        Interval::Quarter => NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1),
    }
}

/// The first day of the bucket after the one starting on `start`, if chrono has one.
fn next_start(interval: Interval, start: NaiveDate) -> Option<NaiveDate> {
    match interval {
        Interval::Day => start.checked_add_days(Days::new(1)),
        Interval::Week => start.checked_add_days(Days::new(7)),
        Interval::Month => start.checked_add_months(Months::new(1)),
        Interval::Quarter => start.checked_add_months(Months::new(3)),
    }
}

/// The calendar buckets covering `[from, to]`, each clipped to the range; at most
/// `MAX_BUCKETS` of them, and none past the end of chrono's calendar.
pub fn buckets(
    interval: Interval,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(String, NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = bucket_start(interval, from).unwrap_or(from);
    while start <= to && (out.len() as u64) < MAX_BUCKETS {
        let next = next_start(interval, start);
        let key = match interval {
            Interval::Day => start.to_string(),
            Interval::Week => format!(
                "{}-W{:02}",
                start.iso_week().year(),
                start.iso_week().week()
            ),
            Interval::Month => format!("{}-{:02}", start.year(), start.month()),
            Interval::Quarter => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
        };
        let last = next.and_then(|n| n.pred_opt()).map_or(to, |l| l.min(to));
        out.push((key, start.max(from), last));
        match next {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

fn year_earlier(d: NaiveDate) -> NaiveDate {
    d.checked_sub_months(Months::new(12)).unwrap_or(d)
}

/// A bucket's total, its listed split values, and the count of everything else.
type BucketCounts = (u64, Vec<(String, u64)>, u64);

/// Counts per bucket, with the `by` split (top `top` values plus "other").
fn counts(
    live: &Live,
    filters: &Filters,
    scope: &Scope,
    ranges: &[(String, NaiveDate, NaiveDate)],
    by: Option<(By, u32)>,
) -> Result<Vec<BucketCounts>, SearchError> {
    let Some(first) = ranges.first() else {
        return Ok(Vec::new());
    };
    let last = ranges.last().unwrap_or(first);
    let mut scoped = filters.clone();
    scoped.from = Some(first.1);
    scoped.to = Some(last.2);
    let query = build(live, &scoped, scope)?;
    let json_ranges: Vec<_> = ranges
        .iter()
        .map(|(key, from, to)| serde_json::json!({"key": key, "from": day_number(*from) as f64, "to": (day_number(*to) + 1) as f64}))
        .collect();
    let mut agg = serde_json::json!({"buckets": {"range": {"field": "received_day", "ranges": json_ranges, "keyed": false}}});
    if let Some((by, top)) = by {
        agg["buckets"]["aggs"] = serde_json::json!({"split": {"terms": {"field": by.field(), "size": top, "min_doc_count": 1}}});
    }
    let aggs: Aggregations =
        serde_json::from_value(agg).map_err(|e| SearchError::Query(e.to_string()))?;
    let result = live.reader.searcher().search(
        &*query,
        &AggregationCollector::from_aggs(aggs, AggContextParams::default()),
    )?;
    let raw = serde_json::to_value(&result).unwrap_or_default();
    let list = raw["buckets"]["buckets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(ranges
        .iter()
        .map(|(key, _, _)| {
            let b = list.iter().find(|b| b["key"].as_str() == Some(key));
            let count = b.and_then(|b| b["doc_count"].as_u64()).unwrap_or(0);
            let split: Vec<(String, u64)> = b
                .and_then(|b| b["split"]["buckets"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|s| Some((s["key"].as_str()?.to_owned(), s["doc_count"].as_u64()?)))
                .collect();
            let listed: u64 = split.iter().map(|s| s.1).sum();
            (count, split, count.saturating_sub(listed))
        })
        .collect())
}

pub fn trends(
    live: &Live,
    filters: &Filters,
    scope: &Scope,
    span: DateSpan,
    interval: Interval,
    by: Option<(By, u32)>,
) -> Result<Vec<Bucket>, SearchError> {
    let ranges = buckets(interval, span.from(), span.to());
    let previous: Vec<_> = ranges
        .iter()
        .map(|(k, f, t)| (k.clone(), year_earlier(*f), year_earlier(*t)))
        .collect();
    let now = counts(live, filters, scope, &ranges, by)?;
    let by = by.map(|(by, _)| by);
    let before = counts(live, filters, scope, &previous, None)?;
    Ok(ranges
        .into_iter()
        .zip(now)
        .zip(before)
        .map(|(((key, from, to), (count, split, other)), (prev, _, _))| {
            let mut split: Vec<Split> = match by {
                Some(b) => split
                    .into_iter()
                    .map(|(k, n)| Split {
                        label: b.label(&k),
                        key: k,
                        count: n,
                    })
                    .collect(),
                None => Vec::new(),
            };
            if by.is_some() && other > 0 {
                split.push(Split {
                    key: "other".into(),
                    label: "其他".into(),
                    count: other,
                });
            }
            Bucket {
                key,
                from,
                to,
                count,
                previous_year_count: prev,
                split,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn quarters_and_weeks_are_calendar_ranges() {
        let q = buckets(Interval::Quarter, d(2026, 2, 10), d(2026, 11, 29));
        let keys: Vec<_> = q.iter().map(|b| (b.0.as_str(), b.1, b.2)).collect();
        assert_eq!(keys[0], ("2026-Q1", d(2026, 2, 10), d(2026, 3, 31)));
        assert_eq!(keys[1], ("2026-Q2", d(2026, 4, 1), d(2026, 6, 30)));
        assert_eq!(keys[3], ("2026-Q4", d(2026, 10, 1), d(2026, 11, 29)));
        let w = buckets(Interval::Week, d(2026, 11, 25), d(2026, 12, 1));
        assert_eq!(w[0], ("2026-W48".into(), d(2026, 11, 25), d(2026, 11, 29)));
        assert_eq!(w[1], ("2026-W49".into(), d(2026, 11, 30), d(2026, 12, 1)));
        assert_eq!(
            buckets(Interval::Month, d(2026, 1, 31), d(2026, 3, 1)).len(),
            3
        );
    }
}
