//! Hot terms: reader words (`hot_words`) used by more cases per day in a period than in a
//! baseline period, ranked by that lift, with a minimum support so a single odd case does not
//! make a trend. Rates are per day so periods of different lengths compare fairly.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::hot_words::reader_words;
use super::index::{Live, SearchError};
use super::query::{Filters, Scope, build};

/// A term must be used at least this many times as often per day as in the baseline.
const MIN_LIFT: f64 = 2.0;
/// …and by a larger share of the cases: a word that only rose with the number of complaints
/// (退款 in a busy week) is not hot.
const MIN_SHARE_LIFT: f64 = 1.5;
/// At most this many documents are read per side; larger periods are sampled by recency.
const MAX_DOCS: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HotTerm {
    pub term: String,
    /// Cases of the period that use the term.
    pub count: u64,
    /// Cases of the baseline period that use it.
    pub baseline_count: u64,
    /// Cases per day in the period.
    pub per_day: f64,
    /// Cases per day in the baseline.
    pub baseline_per_day: f64,
    /// How many times as many cases per day as in the baseline (baseline smoothed by one
    /// case); `null` when the baseline has none (a new term).
    pub lift: Option<f64>,
    /// The ranking key: the lift, smoothed for new terms too.
    pub score: f64,
    /// Up to three case numbers that use it.
    pub examples: Vec<String>,
}

/// Per term: in how many documents it occurs, and the first few case numbers.
type TermStats = HashMap<String, (u64, Vec<String>)>;

/// What one period's cases say.
struct PeriodCounts {
    /// Days in the period, at least one.
    days: u64,
    /// Cases in the period, and how many of them (the most recent) were read.
    total: usize,
    read: usize,
    terms: TermStats,
}

impl PeriodCounts {
    fn new(from: NaiveDate, to: NaiveDate, total: usize, read: usize, terms: TermStats) -> Self {
        let days = u64::try_from((to - from).num_days() + 1)
            .unwrap_or(1)
            .max(1);
        PeriodCounts {
            days,
            total,
            read,
            terms,
        }
    }

    /// Cases per day for `cases` found among those read, scaled up to all of the period's.
    fn per_day(&self, cases: f64) -> f64 {
        let sampled = if self.read == 0 {
            1.0
        } else {
            self.total as f64 / self.read as f64
        };
        cases * sampled / self.days as f64
    }

    fn count(&self, term: &str) -> u64 {
        self.terms.get(term).map_or(0, |t| t.0)
    }

    /// The share of the cases read that use a term, smoothed like a rate (Laplace).
    fn share(&self, cases: u64) -> f64 {
        (cases as f64 + 1.0) / (self.read as f64 + 2.0)
    }
}

/// Reads the documents of a period and counts, per reader word, the documents that use it.
fn document_frequencies(
    live: &Live,
    query: &dyn Query,
) -> Result<(usize, usize, TermStats), SearchError> {
    let searcher = live.reader.searcher();
    let (docs, total): (Vec<(Option<i64>, DocAddress)>, usize) = searcher.search(
        query,
        &(
            TopDocs::with_limit(MAX_DOCS)
                .order_by_fast_field::<i64>("received_ts", tantivy::Order::Desc),
            Count,
        ),
    )?;
    let f = &live.fields;
    let mut df: TermStats = HashMap::new();
    for (_, addr) in &docs {
        let doc: TantivyDocument = searcher.doc(*addr)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let case_no = text(f.case_no);
        // Each distinct word once per case.
        for w in reader_words(&format!("{}\n{}", text(f.title), text(f.description))) {
            let entry = df.entry(w).or_default();
            entry.0 += 1;
            if entry.1.len() < 3 {
                entry.1.push(case_no.clone());
            }
        }
    }
    Ok((total, docs.len(), df))
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
    let (fg_total, fg_read, fg) = fg?;
    let (bg_total, bg_read, bg) = bg.map_err(|_| {
        SearchError::Io(std::io::Error::other("counting baseline terms panicked"))
    })??;
    Ok(rank(
        &PeriodCounts::new(p.from, p.to, fg_total, fg_read, fg),
        &PeriodCounts::new(p.baseline_from, p.baseline_to, bg_total, bg_read, bg),
        p.min_count,
        p.limit,
    ))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The terms of `fg` used by at least `min_count` cases, at least [`MIN_LIFT`] times as many
/// cases per day as in `bg` and by a larger share of them, best first.
fn rank(fg: &PeriodCounts, bg: &PeriodCounts, min_count: u64, limit: usize) -> Vec<HotTerm> {
    let mut out: Vec<HotTerm> = fg
        .terms
        .iter()
        .filter(|(_, (n, _))| *n >= min_count)
        .filter_map(|(term, (n, examples))| {
            let baseline = bg.count(term);
            let per_day = fg.per_day(*n as f64);
            // One case added to the baseline: a term it lacks still gets a finite lift, and a
            // rare baseline term does not get an inflated one.
            let lift = per_day / bg.per_day(baseline as f64 + 1.0);
            let share_lift = fg.share(*n) / bg.share(baseline);
            (lift >= MIN_LIFT && share_lift >= MIN_SHARE_LIFT).then(|| HotTerm {
                term: term.clone(),
                count: *n,
                baseline_count: baseline,
                per_day: round2(per_day),
                baseline_per_day: round2(bg.per_day(baseline as f64)),
                lift: (baseline > 0).then_some(round2(lift)),
                score: lift,
                examples: examples.clone(),
            })
        })
        .collect();
    // Best first; among equals the more used, then the longer (more specific) word first.
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| b.term.chars().count().cmp(&a.term.chars().count()))
            .then_with(|| a.term.cmp(&b.term))
    });
    // A part of a better-ranked word found in exactly as many cases is that word cut
    // differently where it stood next to other text (荧光 beside 荧光剂): it adds nothing.
    let mut kept: Vec<HotTerm> = Vec::new();
    for t in out {
        if !kept
            .iter()
            .any(|k| k.count == t.count && k.term.contains(&t.term))
        {
            kept.push(t);
        }
    }
    kept.truncate(limit.clamp(1, 200));
    kept
}

#[cfg(test)]
#[path = "hot_tests.rs"]
mod tests;
