//! Severity of a cosmetics adverse reaction, which sets the referral's reporting deadline.

use serde::{Deserialize, Serialize};

use super::policy::Clock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    General,
    Serious,
    PublicConcern,
}

// Labels as the cosmetics adverse-reaction rules name the three levels.
code_enum!(Severity, "unknown_severity", "严重程度应为 general、serious 或 public_concern", [
    General = "general", "一般";
    Serious = "serious", "严重";
    PublicConcern = "public_concern", "可能引起较大社会影响";
]);

impl Severity {
    /// The clock the adverse-reaction referral runs against.
    pub fn referral_clock(self) -> Clock {
        match self {
            Severity::General => Clock::AdverseGeneral,
            Severity::Serious => Clock::AdverseSerious,
            Severity::PublicConcern => Clock::AdversePublicConcern,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_severity_round_trips_through_its_text() {
        for s in Severity::ALL {
            assert_eq!(s.as_str().parse::<Severity>(), Ok(s));
            assert!(!s.label_zh().is_empty());
        }
        assert!("grave".parse::<Severity>().is_err());
        assert_eq!(Severity::PublicConcern.label_zh(), "可能引起较大社会影响");
    }
}
