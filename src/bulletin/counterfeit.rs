//! 打击假冒和侵犯知识产权 (measure 12): the period's reports of counterfeits and of trademark,
//! patent and copyright infringement, by nature, and how many of them the bureau filed (立案)
//! by the bulletin date. Counted with `domain::counterfeit::tally`, which also serves any
//! reader counting such findings per business.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::Rate;
use crate::clock::china_date;
use crate::domain::Nature;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::counterfeit::{Finding, NATURES, tally};
use crate::store::bulletin::{CohortCase, CohortEvent};

/// 统计说明 of the section: key, label, numerator, denominator.
pub const DEFINITIONS: [(&str, &str, &str, &str); 2] = [
    (
        "counterfeit_ip.reports",
        "假冒、侵权举报件数",
        "本期登记的举报中，问题性质为假冒、商标侵权、专利侵权或著作权侵权的件数，按性质分列（已并案和重复举报不计）",
        "—",
    ),
    (
        "counterfeit_ip.filed",
        "假冒、侵权举报立案率",
        "上述举报中截至统计日已立案的件数（核查后决定立案，含中止后恢复核查再立案的）",
        "上述举报件数",
    ),
];

/// One nature's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CounterfeitIpRow {
    /// `counterfeit`, `ip_trademark`, `ip_patent` or `ip_copyright`.
    pub code: String,
    pub label: String,
    pub reports: u64,
    /// Filed (立案) by the bulletin date.
    pub filed: u64,
}

/// Counterfeit and IP-infringement reports of the period (absent from bulletins published
/// before the section existed, which render as they did).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CounterfeitIpSection {
    /// Every counted nature, counterfeits first, zero lines included.
    pub rows: Vec<CounterfeitIpRow>,
    /// All four natures together.
    pub reports: u64,
    /// Trademark, patent and copyright infringement alone.
    pub ip_reports: u64,
    /// Filed / reports, all four natures.
    pub filed: Rate,
}

/// Whether the report was filed on or before `as_of` (China date of the step).
fn filed_by(events: &[CohortEvent], as_of: NaiveDate) -> bool {
    events
        .iter()
        .any(|e| e.to_state == Some(CaseState::CaseOpened) && china_date(e.at.and_utc()) <= as_of)
}

/// The section over the period's counted cases (`tally::counted`).
pub fn section(
    cases: &[&CohortCase],
    events: &HashMap<i64, &[CohortEvent]>,
    as_of: NaiveDate,
) -> CounterfeitIpSection {
    let findings: Vec<(Nature, bool)> = cases
        .iter()
        .filter(|c| c.kind == CaseKind::Report)
        .filter_map(|c| {
            let nature = c.nature.parse::<Nature>().ok()?;
            let filed = filed_by(events.get(&c.id).copied().unwrap_or(&[]), as_of);
            Some((nature, filed))
        })
        .collect();
    let t = tally(findings.iter().map(|&(nature, filed)| Finding {
        business: "",
        nature,
        filed,
    }));
    let total = t.total();
    CounterfeitIpSection {
        rows: NATURES
            .iter()
            .map(|n| {
                let c = t.of(*n);
                CounterfeitIpRow {
                    code: n.as_str().to_owned(),
                    label: n.label_zh().to_owned(),
                    reports: c.reports,
                    filed: c.filed,
                }
            })
            .collect(),
        reports: total.reports,
        ip_reports: t.ip().reports,
        filed: Rate::of(total.filed, total.reports),
    }
}
