//! The trends page: the counts of `GET /api/v1/trends` as a column chart whose bars open the
//! cases they count, the split by one dimension as a second linked chart, and both as tables.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate};

use super::super::nav::StaffNav;
use super::chart::{self, LinkedBar};
use super::params::Params;
use super::{FilterForm, blocking, labels, page_with_form, query_issues, viewer};
use crate::auth::Principal;
use crate::clock::china_date;
use crate::search::query::{self, Sort};
use crate::search::trends::{self, Bucket, By, Interval};
use crate::service::ServiceError;
use crate::service::analysis::trend_span;
use crate::state::AppState;
use crate::web::PageError;

/// Values of the split listed per bucket, as the API's default.
const TOP: u32 = 10;

const INTERVALS: [(&str, &str, Interval); 4] = [
    ("day", "按日", Interval::Day),
    ("week", "按周", Interval::Week),
    ("month", "按月", Interval::Month),
    ("quarter", "按季度", Interval::Quarter),
];

/// (parameter, label, dimension, the search filter for one of its values).
const SPLITS: [(&str, &str, By, Option<&str>); 6] = [
    ("category", "类别", By::Category, Some("category")),
    ("nature", "性质", By::Nature, Some("nature")),
    ("district", "辖区", By::District, Some("district")),
    (
        "respondent",
        "被投诉（举报）方",
        By::Respondent,
        Some("respondent"),
    ),
    ("channel", "渠道", By::Channel, None),
    ("state", "状态", By::State, Some("state")),
];

fn interval_of(params: &Params) -> Interval {
    INTERVALS
        .iter()
        .find(|(name, _, _)| *name == params.get("interval"))
        .map_or(Interval::Month, |(_, _, i)| *i)
}

fn split_of(params: &Params) -> Option<(&'static str, By, Option<&'static str>)> {
    SPLITS
        .iter()
        .find(|(name, _, _, _)| *name == params.get("by"))
        .map(|(name, _, by, filter)| (*name, *by, *filter))
}

/// The bucket's full Chinese name and its short axis label.
fn bucket_names(interval: Interval, b: &Bucket, first: bool) -> (String, String) {
    let (from, to) = (b.from, b.to);
    let day = |d: NaiveDate| format!("{}月{}日", d.month(), d.day());
    match interval {
        Interval::Day => (format!("{}年{}", from.year(), day(from)), day(from)),
        Interval::Week => {
            let week = from.iso_week().week();
            (
                format!(
                    "{}年第{week}周（{}—{}）",
                    from.iso_week().year(),
                    day(from),
                    day(to)
                ),
                format!("第{week}周"),
            )
        }
        Interval::Month => {
            let full = format!("{}年{}月", from.year(), from.month());
            let short = if first || from.month() == 1 {
                full.clone()
            } else {
                format!("{}月", from.month())
            };
            (full, short)
        }
        Interval::Quarter => {
            let q = from.month0() / 3 + 1;
            (
                format!("{}年第{q}季度", from.year()),
                format!("{}年Q{q}", from.year()),
            )
        }
    }
}

/// The search behind a count: the page's filters over `[from, to]`.
fn search_link(params: &Params, from: NaiveDate, to: NaiveDate) -> Params {
    params
        .filters_only()
        .with("from", &from.to_string())
        .with("to", &to.to_string())
}

pub struct SplitCell {
    pub label: String,
    pub count: u64,
    pub href: Option<String>,
}

pub struct Row {
    pub name: String,
    pub count: u64,
    pub previous_year: u64,
    pub href: String,
    pub split: Vec<SplitCell>,
}

#[derive(Template)]
#[template(path = "analyst/trends.html")]
struct TrendsView {
    nav: StaffNav,
    form: FilterForm,
    chart: String,
    split_title: String,
    split_chart: String,
    split_rows: Vec<SplitCell>,
    rows: Vec<Row>,
}

impl TrendsView {
    fn intervals(&self) -> Vec<(&'static str, &'static str, bool)> {
        let current = interval_of(&self.form.params);
        INTERVALS
            .iter()
            .map(|(name, label, i)| (*name, *label, *i == current))
            .collect()
    }

    fn splits(&self) -> Vec<(&'static str, &'static str, bool)> {
        let current = self.form.value("by");
        SPLITS
            .iter()
            .map(|(name, label, _, _)| (*name, *label, *name == current))
            .collect()
    }

    fn has_split(&self) -> bool {
        split_of(&self.form.params).is_some()
    }
}

/// The per-value totals over the whole range, from the same search as the search page's
/// facets, so each bar's count is exactly what its link lists.
fn split_totals(facets: &serde_json::Value, dimension: &str) -> Vec<(String, u64)> {
    let mut totals: Vec<(String, u64)> = facets[dimension]
        .as_object()
        .map(|counts| {
            counts
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    totals.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    totals.truncate(TOP as usize);
    totals
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let (scope, nav) = viewer(&req, &state, &principal)?;
    let index_lag = state.index_lag().await?;
    let params = Params::from_query(req.query_string());
    let mut view = TrendsView {
        nav,
        form: FilterForm {
            params: params.clone(),
            issues: Vec::new(),
            index_lag,
        },
        chart: String::new(),
        split_title: String::new(),
        split_chart: String::new(),
        split_rows: Vec::new(),
        rows: Vec::new(),
    };
    let interval = interval_of(&params);
    let today = china_date(state.clock.now());
    let checked = params
        .filters(today)
        .map_err(ServiceError::Invalid)
        .and_then(|filters| Ok((trend_span(&filters, interval, today)?, filters)));
    let (span, filters) = match checked {
        Ok(found) => found,
        Err(ServiceError::Invalid(issues)) => {
            view.form.issues = issues;
            return page_with_form(&req, &state, StatusCode::UNPROCESSABLE_ENTITY, |_| view);
        }
        Err(other) => return Err(other.into()),
    };
    let split = split_of(&params);
    let live = state.search.live();
    let answer = blocking(move || {
        let buckets = trends::trends(
            &live,
            &filters,
            &scope,
            span,
            interval,
            split.map(|s| (s.1, TOP)),
        )?;
        let (Some(first), Some(last)) = (buckets.first(), buckets.last()) else {
            return Ok((buckets, serde_json::Value::Null));
        };
        let mut whole = filters.clone();
        (whole.from, whole.to) = (Some(first.from), Some(last.to));
        let q = query::build(&live, &whole, &scope)?;
        let facets = query::search(&live, &*q, Sort::Newest, None, 1, &[])?.facets;
        Ok((buckets, facets))
    })
    .await?;
    let (buckets, facets) = match answer {
        Ok(found) => found,
        Err(e) => {
            view.form.issues = query_issues(e)?;
            return page_with_form(&req, &state, StatusCode::UNPROCESSABLE_ENTITY, |_| view);
        }
    };
    let mut bars = Vec::new();
    for (i, b) in buckets.iter().enumerate() {
        let (name, short) = bucket_names(interval, b, i == 0);
        let link = search_link(&params, b.from, b.to);
        let split_cells = b
            .split
            .iter()
            .map(|s| SplitCell {
                label: s.label.clone(),
                count: s.count,
                href: split
                    .and_then(|(_, _, filter)| filter)
                    .filter(|_| s.key != "other")
                    .map(|f| link.with(f, &s.key).url("/analyst/search")),
            })
            .collect();
        bars.push(LinkedBar {
            label: name.clone(),
            short,
            value: b.count,
            href: Some(link.url("/analyst/search")),
        });
        view.rows.push(Row {
            name,
            count: b.count,
            previous_year: b.previous_year_count,
            href: link.url("/analyst/search"),
            split: split_cells,
        });
    }
    view.chart = chart::columns("受理件数趋势", &bars);
    if let (Some((name, _, filter)), Some(first), Some(last)) =
        (split, buckets.first(), buckets.last())
    {
        let whole = search_link(&params, first.from, last.to);
        view.split_rows = split_totals(&facets, name)
            .into_iter()
            .map(|(key, count)| SplitCell {
                label: labels::label(name, &key),
                count,
                href: filter.map(|f| whole.with(f, &key).url("/analyst/search")),
            })
            .collect();
        let split_label = SPLITS.iter().find(|s| s.0 == name).map_or("", |s| s.1);
        view.split_title = format!("{}至{}按{split_label}", first.from, last.to);
        let split_bars: Vec<LinkedBar> = view
            .split_rows
            .iter()
            .map(|c| LinkedBar {
                label: c.label.clone(),
                short: c.label.clone(),
                value: c.count,
                href: c.href.clone(),
            })
            .collect();
        view.split_chart = chart::rows(&view.split_title, &split_bars);
    }
    page_with_form(&req, &state, StatusCode::OK, |_| view)
}
