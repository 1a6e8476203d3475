//! Hot issues for the bulletin: the index's rising terms of the period against the period
//! before, city-wide, per day (a quarter of 92 days against one of 90).

use super::model::HotIssue;
use super::period::Period;
use crate::search::hot::{HotParams, hot_terms};
use crate::search::index::{Live, SearchError};
use crate::search::query::Filters;

/// A term must occur in at least this many cases of the period.
const MIN_CASES: u64 = 3;
const LIMIT: usize = 10;

pub fn from_index(live: &Live, period: &Period) -> Result<Vec<HotIssue>, SearchError> {
    let before = period.previous();
    let params = HotParams {
        from: period.from,
        to: period.to,
        baseline_from: before.from,
        baseline_to: before.to,
        min_count: MIN_CASES,
        limit: LIMIT,
    };
    Ok(hot_terms(live, &Filters::default(), &None, &params)?
        .into_iter()
        .map(|t| HotIssue {
            term: t.term,
            count: t.count,
            previous_count: t.baseline_count,
            per_day: Some(t.per_day),
            previous_per_day: Some(t.baseline_per_day),
            lift: t.lift,
            struck: None,
        })
        .collect())
}
