//! Similar cases: likely duplicates (same respondent, similar text) and collective-complaint
//! candidates (one respondent, one issue, many cases within a short window).

use std::collections::HashSet;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::analyzer::tokens;
use super::index::{Live, SearchError};
use super::query::{Scope, in_scope};

/// Another case counts as a likely duplicate when its text scores at least this share of the
/// case's own score against the same query.
const DUPLICATE_SHARE: f32 = 0.6;
/// Days either side of the case for collective candidates.
const COLLECTIVE_WINDOW_DAYS: i64 = 14;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SimilarCase {
    pub case_no: String,
    pub title: String,
    pub similarity: f32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Similar {
    pub case_no: String,
    pub likely_duplicates: Vec<SimilarCase>,
    /// Other cases against the same respondent about the same issue in the window.
    pub collective_candidates: Vec<SimilarCase>,
    pub collective: bool,
}

fn text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn similar(
    live: &Live,
    case_no: &str,
    scope: &Scope,
    collective_min: usize,
) -> Result<Option<Similar>, SearchError> {
    let f = &live.fields;
    let searcher = live.reader.searcher();
    let own = TermQuery::new(
        Term::from_field_text(f.case_no, case_no),
        IndexRecordOption::Basic,
    );
    let Some((_, addr)) = searcher
        .search(&own, &TopDocs::with_limit(1).order_by_score())?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(addr)?;
    let district = text(&doc, f.district);
    if scope.as_ref().is_some_and(|s| !s.contains(&district)) {
        return Ok(None);
    }
    let respondent = text(&doc, f.respondent_exact);
    let received = doc
        .get_first(f.received_ts)
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    let words: HashSet<String> = tokens(&format!(
        "{} {}",
        text(&doc, f.title),
        text(&doc, f.description)
    ))
    .into_iter()
    .filter(|w| w.chars().count() >= 2)
    .take(40)
    .collect();
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for w in &words {
        for field in [f.title, f.description] {
            should.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, w),
                    IndexRecordOption::WithFreqs,
                )),
            ));
        }
    }
    let text_query = BooleanQuery::new(should);
    let same_respondent = TermQuery::new(
        Term::from_field_text(f.respondent_exact, &respondent),
        IndexRecordOption::Basic,
    );
    let mut must: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, Box::new(same_respondent)),
        (Occur::Must, Box::new(text_query)),
    ];
    // Matches stay inside the caller's reach, as search does: a case the caller cannot open
    // is never named to them, nor counted towards a collective complaint.
    if let Some(reach) = in_scope(f, scope) {
        must.push((Occur::Must, reach));
    }
    let query = BooleanQuery::new(must);
    let found = searcher.search(&query, &TopDocs::with_limit(200).order_by_score())?;
    let own_score = found
        .iter()
        .find(|(_, a)| *a == addr)
        .map_or(1.0, |(s, _)| *s)
        .max(f32::EPSILON);
    let mut duplicates = Vec::new();
    let mut collective = Vec::new();
    for (score, a) in found {
        if a == addr {
            continue;
        }
        let other: TantivyDocument = searcher.doc(a)?;
        let similarity = score / own_score;
        let item = SimilarCase {
            case_no: text(&other, f.case_no),
            title: text(&other, f.title),
            similarity,
        };
        let ts = other
            .get_first(f.received_ts)
            .and_then(|v| v.as_i64())
            .unwrap_or(0);
        let near = (ts - received).abs() <= COLLECTIVE_WINDOW_DAYS * 86_400;
        if near && similarity >= DUPLICATE_SHARE / 2.0 {
            collective.push(item.clone());
        }
        if similarity >= DUPLICATE_SHARE {
            duplicates.push(item);
        }
    }
    duplicates.truncate(10);
    Ok(Some(Similar {
        case_no: case_no.to_owned(),
        likely_duplicates: duplicates,
        collective: collective.len() + 1 >= collective_min,
        collective_candidates: collective,
    }))
}
