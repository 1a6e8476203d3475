//! The bulletin as published: computed figures plus the editors' typical cases and tips.
//! This is the JSON open-data schema (`schema_version` 1); every renderer reads only this.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::Period;

pub const SCHEMA_VERSION: u32 = 1;

/// A count with a numerator and denominator spelled out, so a reader can check the rate.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rate {
    pub numerator: u64,
    pub denominator: u64,
    /// numerator / denominator rounded to 4 decimals; `null` when the denominator is 0.
    pub value: Option<f64>,
}

impl Rate {
    pub fn of(numerator: u64, denominator: u64) -> Rate {
        Rate {
            numerator,
            denominator,
            value: ratio(numerator as f64, denominator as f64),
        }
    }
}

/// `a / b` rounded to 4 decimals, `None` when `b` is 0.
pub fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0).then(|| ((a / b) * 10_000.0).round() / 10_000.0)
}

/// Relative change from `before` to `now`; `None` when there is no earlier figure or it is 0.
pub fn change(now: i64, before: Option<i64>) -> Option<f64> {
    before
        .filter(|b| *b != 0)
        .and_then(|b| ratio((now - b) as f64, b as f64))
}

/// One line of a breakdown table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Row {
    pub code: String,
    pub label: String,
    pub count: u64,
    /// count / the table's total, 4 decimals.
    pub share: Option<f64>,
    /// Change against the same period a year earlier; `null` without an earlier figure.
    pub yoy: Option<f64>,
    /// The earlier figure the change was computed from.
    pub previous_year: Option<u64>,
}

/// A headline figure with its earlier values.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Change {
    pub previous_year: Option<i64>,
    pub previous_period: Option<i64>,
    pub yoy: Option<f64>,
    /// Against the period just before (quarter on quarter for quarters).
    pub qoq: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PeriodInfo {
    pub label: String,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// Clocks still running are judged as of this date.
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub previous_year: Period,
    pub previous_period: Period,
}

impl PeriodInfo {
    /// The period itself, as it was asked for.
    pub fn period(&self) -> Period {
        Period {
            label: self.label.clone(),
            from: self.from,
            to: self.to,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Totals {
    /// Complaints received in the period, merged duplicates not counted.
    pub complaints: u64,
    /// Reports received in the period, merged duplicates not counted.
    pub reports: u64,
    /// Money recovered for consumers by settlements made in the period, in fen.
    pub recovered_fen: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TotalsChange {
    pub complaints: Change,
    pub reports: Change,
    pub recovered_fen: Change,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rates {
    /// Complaints decided (accept or not) within the acceptance limit.
    pub acceptance_on_time: Rate,
    /// Mediations closed within the mediation limit.
    pub closure_on_time: Rate,
    /// Reports decided (open a case or not) within the verification limit.
    pub verification_on_time: Rate,
    /// Mediations that ended in settlement.
    pub mediation_success: Rate,
    /// Complaints about online purchases.
    pub online_shopping: Rate,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OdrStats {
    /// Businesses enrolled in online dispute resolution by the end of the period.
    pub enterprises_enrolled: u64,
    /// Complaints of the period sent to the business first.
    pub cases: u64,
    /// Of ODR negotiations that ended, those settled by the parties.
    pub settled: Rate,
    /// Median working days from receipt to the end of the ODR negotiation.
    pub median_working_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HotIssue {
    pub term: String,
    /// Cases of the period that mention it.
    pub count: u64,
    /// Cases of the period before that mention it.
    pub previous_count: u64,
    /// Cases per day of the period; absent in bulletins made before per-day figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<f64>,
    /// Cases per day of the period before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_per_day: Option<f64>,
    /// How many times as many cases per day as in the period before; absent for a term the
    /// period before did not have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lift: Option<f64>,
    /// Set when an editor struck the term from the draft: it is then left out of every
    /// rendering and of the public JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub struck: Option<Strike>,
}

/// Who struck a hot term from a draft, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Strike {
    pub by: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: chrono::DateTime<chrono::Utc>,
}

impl HotIssue {
    /// Not struck by an editor: shown in the bulletin.
    pub fn shown(&self) -> bool {
        self.struck.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CosmeticsSection {
    pub complaints: u64,
    pub reports: u64,
    /// Adverse-reaction referrals opened in the period, by severity.
    pub referrals_by_severity: Vec<Row>,
    /// Referrals filed with the monitoring body within their limit.
    pub referrals_on_time: Rate,
    /// Complaints against businesses that pledged worry-free consumption or no-reason returns.
    pub commitment_unit_complaints: u64,
    /// The most frequent problems (by nature) in cosmetics complaints and reports.
    pub top_issues: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BusinessRow {
    pub name: String,
    pub uscc: Option<String>,
    pub complaints: u64,
    /// Complaints sent to it through ODR that it answered.
    pub response: Rate,
    /// Its closed complaints that ended settled.
    pub settlement: Rate,
}

/// How an indicator is computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Indicator {
    pub key: String,
    pub label: String,
    pub numerator: String,
    pub denominator: String,
}

/// Everything computed from the records; reproducible from the same inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    pub schema_version: u32,
    pub region: String,
    pub period: PeriodInfo,
    pub totals: Totals,
    pub change: TotalsChange,
    pub rates: Rates,
    pub odr: OdrStats,
    pub by_channel: Vec<Row>,
    pub by_district: Vec<Row>,
    pub by_category: Vec<Row>,
    pub by_nature: Vec<Row>,
    pub hot_issues: Vec<HotIssue>,
    pub cosmetics: CosmeticsSection,
    pub top_businesses: Vec<BusinessRow>,
    pub methodology: Vec<Indicator>,
    /// Earlier periods whose figures came from imported history rather than case records.
    pub history_periods: Vec<String>,
    /// Termination notices and follow-up visits (absent from bulletins published before).
    #[serde(default)]
    pub aftercare: super::aftercare::AftercareSection,
    /// Counterfeit and IP-infringement reports (measure 12). Absent from bulletins published
    /// before, and then left out of every rendering, so those render as they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterfeit_ip: Option<super::counterfeit::CounterfeitIpSection>,
}

impl Figures {
    /// Strikes hot term `term` (`Some`) or shows it again (`None`). Striking a struck term
    /// keeps the first record. False when the bulletin has no such hot term.
    pub fn mark_hot_issue(&mut self, term: &str, strike: Option<Strike>) -> bool {
        let Some(issue) = self.hot_issues.iter_mut().find(|h| h.term == term) else {
            return false;
        };
        match strike {
            Some(strike) => {
                issue.struck.get_or_insert(strike);
            }
            None => issue.struck = None,
        }
        true
    }

    /// The strikes of these figures, to carry into a correction.
    pub fn strikes(&self) -> Vec<(String, Strike)> {
        self.hot_issues
            .iter()
            .filter_map(|h| Some((h.term.clone(), h.struck.clone()?)))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TypicalCase {
    pub title: String,
    /// Goods or service category, as a label.
    pub category: String,
    pub summary: String,
    pub outcome: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tip {
    pub title: String,
    pub body: String,
}

/// A bulletin: figures plus editorial content and its publication record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Bulletin {
    /// `null` for a preview that was never stored.
    pub id: Option<i64>,
    pub version: i32,
    /// `preview`, `draft`, `published` or `superseded`.
    pub status: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Why this version replaced the one before.
    pub erratum: Option<String>,
    /// The version this one corrects.
    pub supersedes: Option<i64>,
    /// SHA-256 of the records the figures were computed from.
    pub inputs_hash: String,
    #[serde(flatten)]
    pub figures: Figures,
    pub typical_cases: Vec<TypicalCase>,
    pub tips: Vec<Tip>,
}
