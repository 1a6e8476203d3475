//! Everything a bulletin's figures are computed from, gathered in one value so the figures
//! are a pure function of it and its hash identifies a published bulletin's inputs.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::aftercare::{FollowUpFact, NoticeFact};
use super::model::HotIssue;
use super::period::Period;
use super::tally::Tally;
use crate::domain::severity::Severity;
use crate::store::bulletin::{CohortCase, CohortEvent, Respondent};

/// Where the figures of an earlier period come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Earlier {
    /// Imported with `odrdesk import` (takes precedence: it is the published record).
    History { tally: Tally },
    /// Counted from case records.
    Cases { tally: Tally },
    /// The period predates both: no change can be given.
    Unknown,
}

impl Earlier {
    pub fn tally(&self) -> Option<&Tally> {
        match self {
            Earlier::History { tally } | Earlier::Cases { tally } => Some(tally),
            Earlier::Unknown => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReferralFact {
    pub case_id: i64,
    pub severity: Severity,
    pub due_date: NaiveDate,
    pub submitted_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inputs {
    pub region: String,
    pub period: Period,
    pub as_of: NaiveDate,
    pub cases: Vec<CohortCase>,
    pub events: Vec<CohortEvent>,
    pub respondents: Vec<Respondent>,
    pub referrals: Vec<ReferralFact>,
    /// Recovered by settlements recorded in the period.
    pub recovered_fen: i64,
    pub previous_year: (Period, Earlier),
    pub previous_period: (Period, Earlier),
    pub odr_enterprises: u64,
    /// USCC → registered name.
    pub enterprise_names: BTreeMap<String, String>,
    pub hot: Vec<HotIssue>,
    /// Parties told of a termination (left out of the hash input when there are none, so
    /// earlier bulletins keep their inputs hash).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<NoticeFact>,
    /// The latest follow-up visit of each case that had one (likewise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUpFact>,
}

/// Feeds serialized bytes straight into the digest, so a large quarter is never held as text.
struct Digesting(Sha256);

impl std::io::Write for Digesting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Inputs {
    /// SHA-256 of the canonical JSON of the inputs, hex.
    #[expect(
        clippy::let_underscore_must_use,
        reason = "serialising plain data into an infallible sink cannot fail"
    )]
    pub fn hash(&self) -> String {
        let mut d = Digesting(Sha256::new());
        // Serializing plain data into a sink that cannot fail does not fail.
        let _ = serde_json::to_writer(&mut d, self);
        hex::encode(d.0.finalize())
    }
}
