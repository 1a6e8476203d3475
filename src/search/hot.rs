//! Hot terms: words over-represented in a period against a baseline period, scored by how
//! much more often they occur (foreground vs background document rates), with a minimum
//! support so a single odd case does not make a trend.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::analyzer::tokens;
use super::index::{Live, SearchError};
use super::query::{Filters, Scope, build};

/// A term must occur at least this many times as often as in the baseline to count as hot.
const MIN_LIFT: f64 = 2.0;
/// At most this many documents are read per side; larger periods are sampled by recency.
const MAX_DOCS: usize = 20_000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HotTerm {
    pub term: String,
    pub count: u64,
    pub baseline_count: u64,
    pub score: f64,
    pub examples: Vec<String>,
}

/// Per term: in how many documents it occurs, and the first few case numbers.
type TermStats = HashMap<String, (u64, Vec<String>)>;

/// Reads the documents of a period and counts, per term, the documents that use it.
fn document_frequencies(live: &Live, query: &dyn Query) -> Result<(usize, TermStats), SearchError> {
    let searcher = live.reader.searcher();
    let docs: Vec<(Option<i64>, DocAddress)> = searcher.search(
        query,
        &TopDocs::with_limit(MAX_DOCS)
            .order_by_fast_field::<i64>("received_ts", tantivy::Order::Desc),
    )?;
    let f = &live.fields;
    let mut df: HashMap<String, (u64, Vec<String>)> = HashMap::new();
    for (_, addr) in &docs {
        let doc: TantivyDocument = searcher.doc(*addr)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let case_no = text(f.case_no);
        let words: HashSet<String> = tokens(&format!("{} {}", text(f.title), text(f.description)))
            .into_iter()
            .filter(|t| t.chars().count() >= 2 && !t.chars().all(|c| c.is_ascii_digit()))
            .collect();
        for w in words {
            let entry = df.entry(w).or_default();
            entry.0 += 1;
            if entry.1.len() < 3 {
                entry.1.push(case_no.clone());
            }
        }
    }
    Ok((docs.len(), df))
}

pub struct HotParams {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub baseline_from: NaiveDate,
    pub baseline_to: NaiveDate,
    pub min_count: u64,
    pub limit: usize,
}

pub fn hot_terms(
    live: &Live,
    filters: &Filters,
    scope: &Scope,
    p: &HotParams,
) -> Result<Vec<HotTerm>, SearchError> {
    let period = |from, to| {
        let mut f = filters.clone();
        f.from = Some(from);
        f.to = Some(to);
        build(live, &f, scope)
    };
    let (foreground, baseline) = (
        period(p.from, p.to)?,
        period(p.baseline_from, p.baseline_to)?,
    );
    // The two periods are read and analysed at the same time, on two cores.
    let (fg, bg) = std::thread::scope(|scope| {
        let bg = scope.spawn(|| document_frequencies(live, &*baseline));
        let fg = document_frequencies(live, &*foreground);
        (fg, bg.join())
    });
    let (fg_n, fg) = fg?;
    let (bg_n, bg) = bg.map_err(|_| {
        SearchError::Io(std::io::Error::other("counting baseline terms panicked"))
    })??;
    if fg_n == 0 {
        return Ok(Vec::new());
    }
    let mut out: Vec<HotTerm> = fg
        .into_iter()
        .filter(|(_, (n, _))| *n >= p.min_count)
        .map(|(term, (n, examples))| {
            let baseline = bg.get(&term).map_or(0, |b| b.0);
            // Laplace-smoothed rates; score = rate difference × rate ratio (JLH).
            let fg_rate = n as f64 / fg_n as f64;
            let bg_rate = (baseline as f64 + 1.0) / (bg_n as f64 + 2.0);
            let score = if fg_rate >= MIN_LIFT * bg_rate {
                (fg_rate - bg_rate) * (fg_rate / bg_rate)
            } else {
                0.0
            };
            HotTerm {
                term,
                count: n,
                baseline_count: baseline,
                score,
                examples,
            }
        })
        .filter(|t| t.score > 0.0)
        .collect();
    // Best first; among equals the longer (more specific) word first.
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.term.chars().count().cmp(&a.term.chars().count()))
            .then_with(|| a.term.cmp(&b.term))
    });
    // A fragment of a better-ranked word found in exactly as many cases adds nothing
    // (segmentation emits both 荧光剂 and 荧光).
    let mut kept: Vec<HotTerm> = Vec::new();
    for t in out {
        if !kept
            .iter()
            .any(|k| k.count == t.count && k.term.contains(&t.term))
        {
            kept.push(t);
        }
    }
    kept.truncate(p.limit.clamp(1, 200));
    Ok(kept)
}
