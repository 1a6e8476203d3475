//! Reporting periods: calendar dates in China Standard Time, both ends inclusive.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Period {
    /// `2026-Q3` for a quarter, `2026-07-01~2026-08-15` for any other span.
    pub label: String,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("期间应写作 2026-Q3 这样的季度")]
    BadLabel,
    #[error("起始日期不能晚于截止日期")]
    Reversed,
    #[error("期间不能超过一年")]
    TooLong,
}

impl Period {
    pub fn quarter(year: i32, q: u32) -> Option<Period> {
        if !(1..=4).contains(&q) {
            return None;
        }
        let from = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
        let to = from.checked_add_months(Months::new(3))?.pred_opt()?;
        Some(Period {
            label: format!("{year}-Q{q}"),
            from,
            to,
        })
    }

    /// `2026-Q3` (case-insensitive `q`).
    pub fn parse_quarter(label: &str) -> Result<Period, PeriodError> {
        let (y, q) = label
            .trim()
            .split_once(['-'])
            .ok_or(PeriodError::BadLabel)?;
        let q = q.strip_prefix(['Q', 'q']).ok_or(PeriodError::BadLabel)?;
        let year: i32 = y.parse().map_err(|_| PeriodError::BadLabel)?;
        let q: u32 = q.parse().map_err(|_| PeriodError::BadLabel)?;
        if !(2000..=2200).contains(&year) {
            return Err(PeriodError::BadLabel);
        }
        Period::quarter(year, q).ok_or(PeriodError::BadLabel)
    }

    /// Any span of up to a year; labelled as a quarter when it is one.
    pub fn span(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if from > to {
            return Err(PeriodError::Reversed);
        }
        if (to - from).num_days() > 366 {
            return Err(PeriodError::TooLong);
        }
        if let Some(q) = Period::quarter_of(from).filter(|q| q.from == from && q.to == to) {
            return Ok(q);
        }
        Ok(Period {
            label: format!("{from}~{to}"),
            from,
            to,
        })
    }

    fn quarter_of(d: NaiveDate) -> Option<Period> {
        Period::quarter(d.year(), d.month0() / 3 + 1)
    }

    pub fn is_quarter(&self) -> bool {
        !self.label.contains('~')
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// The same span one year earlier (29 February becomes 28 February).
    pub fn previous_year(&self) -> Period {
        let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
        Period::span(back(self.from), back(self.to)).unwrap_or_else(|_| self.clone())
    }

    /// The quarter before a quarter; for other spans the span of equal length just before.
    pub fn previous(&self) -> Period {
        if self.is_quarter() {
            let from = self
                .from
                .checked_sub_months(Months::new(3))
                .unwrap_or(self.from);
            return Period::quarter_of(from).unwrap_or_else(|| self.clone());
        }
        let len = self.to - self.from;
        let to = self.from.pred_opt().unwrap_or(self.from);
        Period::span(to - len, to).unwrap_or_else(|_| self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn quarters_parse_and_step_back() {
        let q3 = Period::parse_quarter("2026-Q3").unwrap();
        assert_eq!((q3.from, q3.to), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!(q3.previous_year().label, "2025-Q3");
        assert_eq!(q3.previous().label, "2026-Q2");
        let q1 = Period::parse_quarter("2026-q1").unwrap();
        assert_eq!(q1.previous().label, "2025-Q4");
        assert_eq!(q1.previous().to, d("2025-12-31"));
        for bad in [
            "2026-Q5", "2026", "Q3-2026", "2026-Q0", "abcd-Q1", "1899-Q1",
        ] {
            assert_eq!(
                Period::parse_quarter(bad),
                Err(PeriodError::BadLabel),
                "{bad}"
            );
        }
    }

    #[test]
    fn spans_are_checked_and_named() {
        assert_eq!(
            Period::span(d("2026-10-01"), d("2026-12-31"))
                .unwrap()
                .label,
            "2026-Q4"
        );
        let s = Period::span(d("2026-07-01"), d("2026-08-15")).unwrap();
        assert_eq!(s.label, "2026-07-01~2026-08-15");
        assert_eq!(s.previous().to, d("2026-06-30"));
        assert_eq!(s.previous().from, d("2026-05-16"));
        assert_eq!(s.previous_year().from, d("2025-07-01"));
        assert_eq!(
            Period::span(d("2026-02-01"), d("2026-01-01")),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            Period::span(d("2024-01-01"), d("2026-01-01")),
            Err(PeriodError::TooLong)
        );
        let leap = Period::span(d("2028-02-29"), d("2028-03-01")).unwrap();
        assert_eq!(leap.previous_year().from, d("2027-02-28"));
    }
}
