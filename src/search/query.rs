//! Searching: the query language (terms, "phrases", field:term, -exclusion, AND/OR) plus
//! filters, cursor pagination that costs the same on every page, snippets and facet counts.

use std::ops::Bound;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, Query, QueryParser, QueryParserError, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::index::{Live, SearchError};
use super::schema::{Fields, day_number};

pub const MAX_LIMIT: usize = 200;

/// Filters shared by search, trends and hot terms (query string of the analyst API).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// Query: terms, "phrases", field:term (title, description, claim, product, brand,
    /// respondent), -exclusion, AND/OR.
    pub q: Option<String>,
    /// Received on or after (YYYY-MM-DD, China time; 2000-01-01 to a year from today).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Received on or before (same format and bounds).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// Category code or prefix, e.g. goods.cosmetics.
    pub category: Option<String>,
    /// Nature code (comma-separated for several).
    pub nature: Option<String>,
    /// District codes, comma-separated.
    pub district: Option<String>,
    /// Respondent business name (exact).
    pub respondent: Option<String>,
    /// States, comma-separated.
    pub state: Option<String>,
    /// Flags, comma-separated: odr, adverse_reaction, severity:serious, commitment_unit,
    /// likely_duplicate, counterfeit.
    pub flag: Option<String>,
    /// complaint or report.
    pub kind: Option<String>,
}

/// Which districts the caller may search: `None` for all (analysts, supervisors, admins).
pub type Scope = Option<Vec<String>>;

fn term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn any_of(field: Field, values: &[String]) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        values
            .iter()
            .map(|v| (Occur::Should, term(field, v)))
            .collect(),
    ))
}

/// The caller's reach as a query: cases of the scope's districts only (`None` when the caller
/// sees every district). Search and similar cases both restrict their matches with it.
pub(super) fn in_scope(f: &Fields, scope: &Scope) -> Option<Box<dyn Query>> {
    scope
        .as_ref()
        .map(|districts| any_of(f.district, districts))
}

fn list(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The days range `[from, to]` on `received_day`.
pub fn day_range(
    f: &Fields,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Option<Box<dyn Query>> {
    if from.is_none() && to.is_none() {
        return None;
    }
    let bound = |d: Option<NaiveDate>| match d {
        Some(d) => Bound::Included(Term::from_field_i64(f.received_day, day_number(d))),
        None => Bound::Unbounded,
    };
    Some(Box::new(RangeQuery::new(bound(from), bound(to))))
}

/// Builds the whole query: the text part (if any) and every filter, all required.
/// The longest query text accepted, in characters (the search form allows 200).
pub const MAX_QUERY_CHARS: usize = 1000;
/// The deepest nesting of parentheses accepted: the query parser recurses on each level, and
/// a few thousand `(` would overflow the stack of the worker thread.
pub const MAX_QUERY_DEPTH: usize = 16;

fn check_shape(q: &str) -> Result<(), SearchError> {
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(SearchError::Query(format!(
            "查询内容过长（最多{MAX_QUERY_CHARS}个字）"
        )));
    }
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in q.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_QUERY_DEPTH {
        return Err(SearchError::Query(format!(
            "括号嵌套过深（最多{MAX_QUERY_DEPTH}层）"
        )));
    }
    Ok(())
}

/// What is wrong with a query the parser refused, and how to fix it, in Chinese: the
/// parser's own English ("Syntax Error") tells an analyst nothing.
fn explain(e: &QueryParserError) -> String {
    use QueryParserError as E;
    match e {
        E::FieldDoesNotExist(field) => format!(
            "没有名为“{field}”的检索字段：请去掉“{field}:”直接输入检索词，\
             或使用 title、description、claim、product、brand、respondent 之一"
        ),
        E::AllButQueryForbidden => {
            "查询不能只有排除条件：请在 NOT 或“-”之外至少写一个要查找的词".into()
        }
        _ => "查询语句格式有误：请检查引号和括号是否成对，AND、OR、NOT 前后是否都有检索词，\
              例如：退款 AND (发霉 OR 变质)"
            .into(),
    }
}

pub fn build(live: &Live, filters: &Filters, scope: &Scope) -> Result<Box<dyn Query>, SearchError> {
    let f = &live.fields;
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(q) = filters
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        check_shape(q)?;
        let mut parser = QueryParser::for_index(
            &live.index,
            vec![
                f.title,
                f.description,
                f.claim,
                f.product,
                f.brand,
                f.respondent,
            ],
        );
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        let parsed = parser
            .parse_query(q)
            .map_err(|e| SearchError::Query(explain(&e)))?;
        must.push((Occur::Must, parsed));
    }
    if let Some(range) = day_range(f, filters.from, filters.to) {
        must.push((Occur::Must, range));
    }
    let lists = [
        (f.category_path, list(&filters.category)),
        (f.nature, list(&filters.nature)),
        (f.district, list(&filters.district)),
        (f.state, list(&filters.state)),
        (f.flags, list(&filters.flag)),
        (f.kind, list(&filters.kind)),
    ];
    for (field, values) in lists {
        if !values.is_empty() {
            must.push((Occur::Must, any_of(field, &values)));
        }
    }
    if let Some(r) = filters.respondent.as_deref().filter(|r| !r.is_empty()) {
        must.push((Occur::Must, term(f.respondent_exact, r)));
    }
    if let Some(reach) = in_scope(f, scope) {
        must.push((Occur::Must, reach));
    }
    if must.is_empty() {
        return Ok(Box::new(AllQuery));
    }
    Ok(Box::new(BooleanQuery::new(must)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Oldest,
}

/// Sort position of a hit; pages continue strictly after the last one seen.
type Key = (f64, i64);

fn encode_cursor(k: Key) -> String {
    format!("{}_{}", k.0, k.1)
}

pub fn decode_cursor(s: &str) -> Option<Key> {
    let (a, b) = s.split_once('_')?;
    let a: f64 = a.parse().ok()?;
    a.is_finite().then_some(())?;
    Some((a, b.parse().ok()?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub case_no: String,
    pub title: String,
    /// HTML with matches in `<b>`; escaped otherwise.
    pub snippet: String,
    pub received_at: DateTime<Utc>,
    pub category: String,
    pub nature: String,
    pub district: String,
    pub respondent: String,
    pub state: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchPage {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Counts per value of each dimension, for the whole result.
    #[schema(value_type = Object)]
    pub facets: serde_json::Value,
    pub next_cursor: Option<String>,
    /// Events the index has not taken in yet when this answer was given (0: up to date);
    /// while it is above 0, recent changes may be missing from the answer.
    pub index_lag_events: u64,
}

/// Runs a search; `cursor` continues after the last hit of the previous page.
pub fn search(
    live: &Live,
    query: &dyn Query,
    sort: Sort,
    cursor: Option<Key>,
    limit: usize,
    highlight: &[String],
) -> Result<SearchPage, SearchError> {
    let searcher = live.reader.searcher();
    let limit = limit.clamp(1, MAX_LIMIT);
    let top = TopDocs::with_limit(limit).tweak_score(move |segment: &tantivy::SegmentReader| {
        let ids = segment
            .fast_fields()
            .u64("case_id")
            .ok()
            .map(|c| c.first_or_default_col(0));
        let received = segment
            .fast_fields()
            .i64("received_ts")
            .ok()
            .map(|c| c.first_or_default_col(0));
        move |doc, score| -> Key {
            let id = ids.as_ref().map_or(0, |c| c.get_val(doc) as i64);
            let ts = received.as_ref().map_or(0, |c| c.get_val(doc));
            let key = match sort {
                Sort::Relevance => (f64::from(score), -id),
                Sort::Newest => (ts as f64, id),
                Sort::Oldest => (-(ts as f64), -id),
            };
            match cursor {
                Some(c) if key >= c => (f64::NEG_INFINITY, i64::MIN),
                _ => key,
            }
        }
    });
    let (total, found, facets) = searcher.search(query, &(Count, top, facet_collector()))?;
    let found: Vec<(Key, DocAddress)> = found
        .into_iter()
        .filter(|(k, _)| k.0 != f64::NEG_INFINITY)
        .collect();
    let next_cursor = (found.len() == limit)
        .then(|| found.last().map(|(k, _)| encode_cursor(*k)))
        .flatten();
    let hits = found
        .iter()
        .map(|(_, addr)| hit(&searcher, &live.fields, *addr, highlight))
        .collect::<Result<Vec<_>, _>>()?;
    let facets = serde_json::to_value(&facets).unwrap_or_default();
    Ok(SearchPage {
        total,
        hits,
        facets: simplify_facets(&facets),
        next_cursor,
        index_lag_events: 0,
    })
}

fn text_of(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn hit(
    searcher: &Searcher,
    f: &Fields,
    addr: DocAddress,
    highlight: &[String],
) -> Result<Hit, SearchError> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let description = text_of(&doc, f.description);
    let ts = doc
        .get_first(f.received_ts)
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    Ok(Hit {
        case_no: text_of(&doc, f.case_no),
        title: text_of(&doc, f.title),
        snippet: snippet(&description, highlight),
        received_at: DateTime::from_timestamp(ts, 0).unwrap_or_default(),
        category: text_of(&doc, f.category),
        nature: text_of(&doc, f.nature),
        district: text_of(&doc, f.district),
        respondent: text_of(&doc, f.respondent_exact),
        state: text_of(&doc, f.state),
    })
}

/// About 80 characters around the first match, HTML-escaped, matches in `<b>`. (Written here
/// because tantivy's snippet generator assumes tokens do not overlap, and jieba's do.)
pub fn snippet(text: &str, terms: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower = text.to_lowercase();
    let first = terms
        .iter()
        .filter_map(|t| {
            lower
                .find(t.as_str())
                .map(|byte| lower[..byte].chars().count())
        })
        .min()
        .unwrap_or(0);
    let window: String = chars
        .iter()
        .skip(first.saturating_sub(20))
        .take(80)
        .collect();
    let mut out = html_escape(&window);
    let mut marked: Vec<&String> = terms.iter().filter(|t| !t.is_empty()).collect();
    marked.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    marked.dedup();
    for t in marked {
        let escaped = html_escape(t);
        // Skip words inside an already marked longer word.
        if out.contains(&escaped)
            && !out.contains(&format!("<b>{escaped}"))
            && !out.split("<b>").skip(1).any(|part| {
                part.split("</b>")
                    .next()
                    .is_some_and(|m| m.contains(&escaped))
            })
        {
            out = out.replace(&escaped, &format!("<b>{escaped}</b>"));
        }
    }
    out
}

/// The words of a query worth highlighting.
pub fn highlight_terms(q: Option<&str>) -> Vec<String> {
    q.map(|q| {
        super::analyzer::tokens(q)
            .into_iter()
            .filter(|t| t.chars().count() >= 2 || !t.is_ascii())
            .collect()
    })
    .unwrap_or_default()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Facet dimensions counted by aggregation, and how many values of each are listed. Every
/// category is listed (there are fewer than 200), so `category_path`, the count of each level
/// of the tree, is summed from them instead of being counted again over a multi-valued field,
/// which cost a third of a broad query's time at 1M cases. For the same reason `flag` is
/// summed from the combinations of flags that occur (`flag_set`, all of them listed).
pub const FACETS: [(&str, &str, u32); 8] = [
    ("category", "category", 200),
    ("nature", "nature", 50),
    ("district", "district", 50),
    ("state", "state", 50),
    ("channel", "channel", 20),
    ("kind", "kind", 5),
    ("flag_set", "flag_set", 1000),
    ("respondent", "respondent_exact", 50),
];

#[expect(
    clippy::expect_used,
    reason = "the request is built from constants and checked by the search tests"
)]
fn facet_collector() -> AggregationCollector {
    let mut req = serde_json::Map::new();
    for (name, field, size) in FACETS {
        req.insert(
            name.into(),
            serde_json::json!({"terms": {"field": field, "size": size, "min_doc_count": 1}}),
        );
    }
    let aggs: Aggregations =
        serde_json::from_value(serde_json::Value::Object(req)).expect("static aggregation request");
    AggregationCollector::from_aggs(aggs, AggContextParams::default())
}

/// Each level of the category tree with the cases under it: `goods`, `goods.cosmetics`, …
fn category_paths(categories: &serde_json::Map<String, serde_json::Value>) -> serde_json::Value {
    let mut paths: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for (code, n) in categories {
        let n = n.as_u64().unwrap_or(0);
        let mut end = 0;
        for part in code.split('.') {
            end += part.len();
            *paths.entry(code[..end].to_owned()).or_default() += n;
            end += 1;
        }
    }
    serde_json::to_value(paths).unwrap_or_default()
}

/// Cases per flag, from cases per combination of flags.
fn flags_of_sets(sets: &serde_json::Map<String, serde_json::Value>) -> serde_json::Value {
    use super::schema::{FLAG_SET_NONE, FLAG_SET_SEPARATOR};
    let mut flags: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for (set, n) in sets {
        if *set == FLAG_SET_NONE {
            continue;
        }
        for flag in set.split(FLAG_SET_SEPARATOR) {
            *flags.entry(flag).or_default() += n.as_u64().unwrap_or(0);
        }
    }
    serde_json::to_value(flags).unwrap_or_default()
}

/// `{dimension: {value: count, …}, …}` from tantivy's aggregation result.
fn simplify_facets(raw: &serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (name, _, _) in FACETS {
        let mut counts = serde_json::Map::new();
        for b in raw[name]["buckets"].as_array().into_iter().flatten() {
            if let (Some(k), Some(n)) = (b["key"].as_str(), b["doc_count"].as_u64()) {
                counts.insert(k.to_owned(), n.into());
            }
        }
        match name {
            "category" => {
                out.insert("category_path".to_owned(), category_paths(&counts));
            }
            "flag_set" => {
                out.insert("flag".to_owned(), flags_of_sets(&counts));
                continue;
            }
            _ => {}
        }
        out.insert(name.to_owned(), serde_json::Value::Object(counts));
    }
    serde_json::Value::Object(out)
}
