//! The scorecards as the credit system reads them: JSON (with the method and its text) and
//! a CSV with English headers, codes and plain numbers, every text cell through
//! `domain::csv_cell::text_cell`.

use chrono::NaiveDate;
use serde::Serialize;

use super::compute::Scorecard;
use crate::domain::csv_cell::text_cell;
use crate::domain::enterprise::Commitment;
use crate::domain::scorecard::{Method, Quarter};

/// A quarter's scorecards with the method they were graded by.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScorecardSet {
    #[schema(value_type = String, example = "2026Q3")]
    pub quarter: Quarter,
    /// Running deadlines were judged as of this China date.
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub method: Method,
    /// The method in words, generated from the same values.
    pub methodology: Vec<String>,
    pub scorecards: Vec<Scorecard>,
}

pub const CSV_HEADERS: [&str; 16] = [
    "quarter",
    "uscc",
    "name",
    "sector",
    "grade",
    "score",
    "complaints",
    "sector_median",
    "response_answered",
    "response_counted",
    "settled",
    "settlement_counted",
    "violations",
    "counterfeit_ip",
    "adverse_referrals",
    "commitments",
];

pub fn json(set: &ScorecardSet) -> String {
    serde_json::to_string_pretty(set).unwrap_or_else(|_| "{}".to_owned())
}

fn row(s: &Scorecard) -> Vec<String> {
    let text = |t: &str| text_cell(t).into_owned();
    // Commitments as codes separated by `;` (the cell stays one field in any reader).
    let commitments = Commitment::join(&s.commitments).replace(',', ";");
    vec![
        text(&s.quarter.to_string()),
        text(s.uscc.as_deref().unwrap_or_default()),
        text(&s.name),
        text(s.sector.as_str()),
        text(s.grade.as_str()),
        s.score.to_string(),
        s.complaints.to_string(),
        s.sector_median.map(|m| m.to_string()).unwrap_or_default(),
        s.response.numerator.to_string(),
        s.response.denominator.to_string(),
        s.settlement.numerator.to_string(),
        s.settlement.denominator.to_string(),
        s.violations.to_string(),
        s.counterfeit_ip.to_string(),
        s.adverse_referrals.to_string(),
        text(&commitments),
    ]
}

pub fn csv(set: &ScorecardSet) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADERS)?;
    for s in &set.scorecards {
        w.write_record(row(s))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
