//! Counts by dimension, from case rows or from imported history; the same shape for the
//! period and for the periods it is compared with.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::store::bulletin::CohortCase;

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

/// Merged duplicates were folded into another case and are not counted again.
pub fn counted(case: &CohortCase) -> bool {
    case.state != "merged"
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
            if case.kind == "complaint" {
                t.complaints += 1;
            } else {
                t.reports += 1;
            }
            t.add("district", &case.district);
            t.add("category", &category_group(case.category.as_deref()));
            t.add("nature", &case.nature);
            t.add("channel", &case.channel);
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
        *self.table_mut(table).entry(code.to_owned()).or_default() += 1;
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
}
