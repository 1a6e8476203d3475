//! Pledges a business may have made: worry-free consumption (放心消费承诺) and offline
//! no-reason returns (线下无理由退货承诺). Complaints against such units are flagged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::FieldError;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Commitment {
    WorryFree,
    NoReasonReturn,
}

impl Commitment {
    pub const ALL: [Commitment; 2] = [Commitment::WorryFree, Commitment::NoReasonReturn];

    pub fn as_str(self) -> &'static str {
        match self {
            Commitment::WorryFree => "worry_free",
            Commitment::NoReasonReturn => "no_reason_return",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Commitment::WorryFree => "放心消费承诺单位",
            Commitment::NoReasonReturn => "线下无理由退货承诺单位",
        }
    }

    /// The stored form: known codes, comma-separated, sorted, without repeats.
    pub fn join(list: &[Commitment]) -> String {
        let mut list = list.to_vec();
        list.sort();
        list.dedup();
        list.iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form; unknown codes are skipped.
    pub fn split(stored: &str) -> Vec<Commitment> {
        stored.split(',').filter_map(|s| s.parse().ok()).collect()
    }
}

impl FromStr for Commitment {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Commitment::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| {
                FieldError::new(
                    "unknown_commitment",
                    "未知的承诺类型（worry_free 或 no_reason_return）",
                )
            })
    }
}

impl fmt::Display for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_round_trips_sorted_and_unique() {
        let list = [
            Commitment::NoReasonReturn,
            Commitment::WorryFree,
            Commitment::NoReasonReturn,
        ];
        let stored = Commitment::join(&list);
        assert_eq!(stored, "worry_free,no_reason_return");
        assert_eq!(
            Commitment::split(&stored),
            vec![Commitment::WorryFree, Commitment::NoReasonReturn]
        );
        assert!(Commitment::split("").is_empty());
        assert!("cheap".parse::<Commitment>().is_err());
    }
}
