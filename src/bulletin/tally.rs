//! Counts by dimension, from case rows or from imported history; the same shape for the
//! period and for the periods it is compared with.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::case::{CaseKind, CaseState};
use crate::store::bulletin::{CaseGroup, CohortCase};

/// The dimensions a bulletin breaks counts down by (names match the CSV `table` column).
pub const TABLES: [&str; 4] = ["district", "category", "nature", "channel"];

/// Code used when a case has no category (reports often do not name goods or services).
pub const NO_CATEGORY: &str = "unspecified";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub complaints: u64,
    pub reports: u64,
    pub recovered_fen: i64,
    /// table → code → count, over complaints and reports together.
    pub tables: BTreeMap<String, BTreeMap<String, u64>>,
}

/// Merged duplicates were folded into another case and are not counted again, nor are
/// repeated reports (Order 121 Art. 35: not handled again).
pub fn counted(case: &CohortCase) -> bool {
    !matches!(case.state, CaseState::Merged | CaseState::Repeated)
}

/// The second level of the goods/services tree (`goods.cosmetics.skincare` → `goods.cosmetics`).
pub fn category_group(code: Option<&str>) -> String {
    match code {
        None | Some("") => NO_CATEGORY.to_owned(),
        Some(c) => c.splitn(3, '.').take(2).collect::<Vec<_>>().join("."),
    }
}

impl Tally {
    pub fn of_cases(cases: &[CohortCase], recovered_fen: i64) -> Tally {
        let mut t = Tally {
            recovered_fen,
            ..Tally::default()
        };
        for case in cases.iter().filter(|c| counted(c)) {
            if case.kind == CaseKind::Complaint {
                t.complaints += 1;
            } else {
                t.reports += 1;
            }
            t.add("district", &case.district);
            t.add("category", &category_group(case.category.as_deref()));
            t.add("nature", &case.nature);
            t.add("channel", case.channel.as_str());
        }
        t
    }

    /// From counted groups of cases (an earlier period): the same tally as [`Tally::of_cases`]
    /// over those cases.
    pub fn of_groups(groups: &[CaseGroup], recovered_fen: i64) -> Tally {
        let mut t = Tally {
            recovered_fen,
            ..Tally::default()
        };
        for g in groups {
            if g.kind == CaseKind::Complaint {
                t.complaints += g.n;
            } else {
                t.reports += g.n;
            }
            t.add_n("district", &g.district, g.n);
            t.add_n("category", &category_group(g.category.as_deref()), g.n);
            t.add_n("nature", &g.nature, g.n);
            t.add_n("channel", g.channel.as_str(), g.n);
        }
        t
    }

    /// From imported rows `(table, code, count)`; `totals` rows carry the headline counts.
    pub fn of_history<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str, i64)>) -> Tally {
        let mut t = Tally::default();
        for (table, code, count) in rows {
            let n = count.max(0) as u64;
            match (table, code) {
                ("totals", "complaints") => t.complaints = n,
                ("totals", "reports") => t.reports = n,
                ("totals", "recovered_fen") => t.recovered_fen = count.max(0),
                (table, code) if TABLES.contains(&table) => {
                    *t.table_mut(table).entry(code.to_owned()).or_default() += n;
                }
                _ => {}
            }
        }
        t
    }

    fn table_mut(&mut self, table: &str) -> &mut BTreeMap<String, u64> {
        self.tables.entry(table.to_owned()).or_default()
    }

    fn add(&mut self, table: &str, code: &str) {
        self.add_n(table, code, 1);
    }

    fn add_n(&mut self, table: &str, code: &str, n: u64) {
        *self.table_mut(table).entry(code.to_owned()).or_default() += n;
    }

    pub fn count(&self, table: &str, code: &str) -> u64 {
        self.tables
            .get(table)
            .and_then(|t| t.get(code))
            .copied()
            .unwrap_or(0)
    }

    pub fn table(&self, table: &str) -> impl Iterator<Item = (&String, &u64)> {
        self.tables.get(table).into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::routing::Flags;
    use crate::domain::taxonomy::Channel;

    #[test]
    fn category_groups_take_two_levels() {
        assert_eq!(
            category_group(Some("goods.cosmetics.skincare")),
            "goods.cosmetics"
        );
        assert_eq!(category_group(Some("goods.food")), "goods.food");
        assert_eq!(category_group(None), NO_CATEGORY);
    }

    #[test]
    fn history_rows_fill_totals_and_tables() {
        let t = Tally::of_history([
            ("totals", "complaints", 10),
            ("totals", "reports", 4),
            ("totals", "recovered_fen", 12345),
            ("district", "440703", 6),
            ("hot_issue", "x", 9),
        ]);
        assert_eq!((t.complaints, t.reports, t.recovered_fen), (10, 4, 12345));
        assert_eq!(t.count("district", "440703"), 6);
        assert_eq!(t.count("district", "440704"), 0);
        assert!(!t.tables.contains_key("hot_issue"));
    }

    #[test]
    fn counted_groups_tally_like_the_cases_they_count() {
        let case = |kind, state, district: &str, category: Option<&str>| CohortCase {
            id: 0,
            kind,
            state,
            received_date: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("a date"),
            district: district.into(),
            category: category.map(str::to_owned),
            nature: "quality".into(),
            channel: Channel::Web,
            purchase_online: None,
            flags: Flags::NONE,
            policy_version: "v1".into(),
        };
        let cases = [
            case(
                CaseKind::Complaint,
                CaseState::Settled,
                "440703",
                Some("goods.cosmetics.skincare"),
            ),
            case(
                CaseKind::Complaint,
                CaseState::Settled,
                "440703",
                Some("goods.cosmetics.makeup"),
            ),
            case(
                CaseKind::Complaint,
                CaseState::Merged,
                "440703",
                Some("goods.cosmetics.makeup"),
            ),
            case(
                CaseKind::Report,
                CaseState::PendingVerification,
                "440705",
                None,
            ),
            // Order 121 Art. 35: a repeated report is not handled, nor counted, again.
            case(CaseKind::Report, CaseState::Repeated, "440705", None),
            case(
                CaseKind::Report,
                CaseState::ReferredElsewhere,
                "440705",
                None,
            ),
        ];
        let group = |kind, district: &str, category: Option<&str>, n| CaseGroup {
            kind,
            district: district.into(),
            category: category.map(str::to_owned),
            nature: "quality".into(),
            channel: Channel::Web,
            n,
        };
        // What `counted_groups` returns for those cases: merged ones are not counted.
        let groups = [
            group(
                CaseKind::Complaint,
                "440703",
                Some("goods.cosmetics.skincare"),
                1,
            ),
            group(
                CaseKind::Complaint,
                "440703",
                Some("goods.cosmetics.makeup"),
                1,
            ),
            group(CaseKind::Report, "440705", None, 2),
        ];
        let (a, b) = (Tally::of_cases(&cases, 7), Tally::of_groups(&groups, 7));
        assert_eq!((a.complaints, a.reports), (b.complaints, b.reports));
        assert_eq!(a.tables, b.tables);
        assert_eq!(b.count("category", "goods.cosmetics"), 2);
        assert_eq!(a.reports, 2);
    }
}
