//! Reads a quarter's scorecard inputs in one consistent snapshot.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use diesel::Connection;

use crate::bulletin::gather::china_midnight_utc;
use crate::domain::enterprise::Commitment;
use crate::domain::scorecard::Quarter;
use crate::store::bulletin::{CohortCase, CohortEvent};
use crate::store::scorecards::{self as source, Business, FiledReport};
use crate::store::{Db, StoreError};

/// Everything the quarter's scorecards are computed from.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub quarter: Quarter,
    /// Running deadlines are judged as of this China date.
    pub as_of: NaiveDate,
    pub complaints: Vec<(CohortCase, Business)>,
    pub events: Vec<CohortEvent>,
    /// Reports with a decision to open a case (`open_case` step) dated in the quarter.
    pub filed: Vec<FiledReport>,
    /// Case ids of the quarter's adverse-reaction referrals with their business.
    pub referrals: Vec<(i64, Business)>,
    /// Registered USCC → (name, commitments).
    pub registered: HashMap<String, (String, Vec<Commitment>)>,
}

/// The last `open_case` of each report within the quarter: its decision to open a case dated
/// by that step, so later steps (a note, a reopening, another decision) never change a past
/// quarter.
fn last_decisions(rows: Vec<FiledReport>, quarter: Quarter) -> Vec<FiledReport> {
    let until = china_midnight_utc(
        quarter
            .to()
            .checked_add_days(Days::new(1))
            .unwrap_or_default(),
    );
    let mut last: HashMap<i64, FiledReport> = HashMap::new();
    for r in rows.into_iter().filter(|r| r.at < until) {
        match last.get(&r.case_id) {
            Some(kept) if kept.at >= r.at => {}
            _ => {
                last.insert(r.case_id, r);
            }
        }
    }
    let mut out: Vec<FiledReport> = last.into_values().collect();
    out.sort_by_key(|r| r.case_id);
    out
}

pub fn gather(conn: &mut Db, quarter: Quarter, as_of: NaiveDate) -> Result<Inputs, StoreError> {
    conn.transaction(|conn| {
        let (from, to) = (quarter.from(), quarter.to());
        let complaints = source::sector_complaints(conn, from, to)?;
        let events = source::sector_complaint_events(conn, from, to)?;
        let filed = last_decisions(
            source::filed_reports_since(conn, china_midnight_utc(from))?,
            quarter,
        );
        let referrals = source::referrals_opened(conn, from, to)?;
        let mut usccs: Vec<String> = complaints
            .iter()
            .map(|(_, b)| b)
            .chain(filed.iter().map(|f| &f.business))
            .filter_map(|b| b.uscc.clone())
            .collect();
        usccs.sort();
        usccs.dedup();
        let registered = source::registered(conn, &usccs)?
            .into_iter()
            .map(|(uscc, name, stored)| (uscc, (name, Commitment::split(&stored))))
            .collect();
        Ok(Inputs {
            quarter,
            as_of,
            complaints,
            events,
            filed,
            referrals,
            registered,
        })
    })
}
