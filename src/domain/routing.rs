//! Routing at intake: the competent bureau, ODR or the acceptance queue, flags for the
//! mediator, and the side tracks a complaint opens (adverse-reaction referral, counterfeit
//! report). Pure: what is known about the respondent comes in as `RespondentFacts`.

use std::fmt;
use std::str::FromStr;

use super::case::{CaseKind, CaseState, UnknownValue};
use super::policy::Clock;
use super::severity::Severity;

/// What the registry knows about the respondent business (by USCC).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RespondentFacts {
    pub enrolled_in_odr: bool,
    /// Commitments pledged: `worry_free`, `no_reason_return`.
    pub commitments: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    Odr,
    AdverseReaction,
    CommitmentUnit,
    LikelyDuplicate,
    Counterfeit,
    /// Many consumers, one respondent, one issue, a short window (集体投诉).
    Collective,
}

impl Flag {
    pub const ALL: [Flag; 6] = [
        Flag::Odr,
        Flag::AdverseReaction,
        Flag::CommitmentUnit,
        Flag::LikelyDuplicate,
        Flag::Counterfeit,
        Flag::Collective,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Odr => "odr",
            Flag::AdverseReaction => "adverse_reaction",
            Flag::CommitmentUnit => "commitment_unit",
            Flag::LikelyDuplicate => "likely_duplicate",
            Flag::Counterfeit => "counterfeit",
            Flag::Collective => "collective",
        }
    }

    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Flag::Odr => "在线纠纷解决（ODR）",
            Flag::AdverseReaction => "化妆品不良反应",
            Flag::CommitmentUnit => "放心消费承诺单位",
            Flag::LikelyDuplicate => "疑似重复",
            Flag::Counterfeit => "涉嫌假冒",
            Flag::Collective => "集体投诉",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The flags of a case. Stored as their names joined by commas, in `Flag::ALL` order
/// (`""` for none), so the stored text does not depend on the order they were set in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flags(u8);

impl Flags {
    pub const NONE: Flags = Flags(0);

    pub fn insert(&mut self, flag: Flag) {
        self.0 |= flag.bit();
    }

    pub fn contains(self, flag: Flag) -> bool {
        self.0 & flag.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The flags set, in `Flag::ALL` order.
    pub fn iter(self) -> impl Iterator<Item = Flag> {
        Flag::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl FromIterator<Flag> for Flags {
    fn from_iter<I: IntoIterator<Item = Flag>>(flags: I) -> Self {
        let mut set = Flags::NONE;
        for f in flags {
            set.insert(f);
        }
        set
    }
}

impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, flag) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(flag.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for Flags {
    type Err = UnknownValue;
    /// Strict: a name that is not a flag is an error, not skipped.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Ok(Flags::NONE);
        }
        s.split(',')
            .map(|name| Flag::parse(name).ok_or_else(|| UnknownValue(name.to_owned())))
            .collect()
    }
}

impl serde::Serialize for Flags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The facts of a new case that routing looks at.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    pub kind: CaseKind,
    pub prefer_odr: bool,
    pub nature: &'a str,
    pub adverse_severity: Option<Severity>,
    pub duplicates_found: bool,
    /// Other recent complaints against the same respondent about the same kind of issue.
    pub similar_recent: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub state: CaseState,
    /// The clock that runs first: ODR, acceptance or verification.
    pub first_clock: Clock,
    pub flags: Flags,
    /// An adverse-reaction referral to open, with its clock.
    pub referral: Option<Clock>,
    /// A counterfeit complaint is also a lead for enforcement: open a linked report.
    pub linked_report: bool,
}

/// This many complaints (the new one included) make a collective complaint.
pub const COLLECTIVE_MIN: usize = 5;

pub fn route(sub: &Submission, respondent: Option<&RespondentFacts>) -> Route {
    let mut flags = Flags::NONE;
    let (state, first_clock) = match sub.kind {
        CaseKind::Report => (CaseState::PendingVerification, Clock::Verification),
        CaseKind::Complaint => {
            if sub.prefer_odr && respondent.is_some_and(|r| r.enrolled_in_odr) {
                flags.insert(Flag::Odr);
                (CaseState::OdrNegotiation, Clock::OdrNegotiation)
            } else {
                (CaseState::PendingAcceptance, Clock::Acceptance)
            }
        }
    };
    if respondent.is_some_and(|r| !r.commitments.is_empty()) {
        flags.insert(Flag::CommitmentUnit);
    }
    let referral = match (sub.kind, sub.adverse_severity) {
        (CaseKind::Complaint, Some(severity)) => {
            flags.insert(Flag::AdverseReaction);
            Some(severity.referral_clock())
        }
        _ => None,
    };
    let counterfeit = sub.nature == "counterfeit";
    if counterfeit {
        flags.insert(Flag::Counterfeit);
    }
    if sub.duplicates_found {
        flags.insert(Flag::LikelyDuplicate);
    }
    if sub.kind == CaseKind::Complaint && sub.similar_recent + 1 >= COLLECTIVE_MIN {
        flags.insert(Flag::Collective);
    }
    Route {
        state,
        first_clock,
        flags,
        referral,
        linked_report: counterfeit && sub.kind == CaseKind::Complaint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(kind: CaseKind, prefer_odr: bool) -> Submission<'static> {
        Submission {
            kind,
            prefer_odr,
            nature: "quality",
            adverse_severity: None,
            duplicates_found: false,
            similar_recent: 0,
        }
    }

    #[test]
    fn odr_needs_both_the_consumer_choice_and_an_enrolled_business() {
        let odr = RespondentFacts {
            enrolled_in_odr: true,
            commitments: vec![],
        };
        assert_eq!(
            route(&sub(CaseKind::Complaint, true), Some(&odr)).state,
            CaseState::OdrNegotiation
        );
        assert_eq!(
            route(&sub(CaseKind::Complaint, false), Some(&odr)).state,
            CaseState::PendingAcceptance
        );
        assert_eq!(
            route(&sub(CaseKind::Complaint, true), None).state,
            CaseState::PendingAcceptance
        );
        assert_eq!(
            route(&sub(CaseKind::Report, true), Some(&odr)).state,
            CaseState::PendingVerification
        );
    }

    #[test]
    fn side_tracks_and_flags() {
        let committed = RespondentFacts {
            enrolled_in_odr: false,
            commitments: vec!["no_reason_return".into()],
        };
        let s = Submission {
            nature: "counterfeit",
            adverse_severity: Some(Severity::Serious),
            duplicates_found: true,
            ..sub(CaseKind::Complaint, false)
        };
        let r = route(&s, Some(&committed));
        assert_eq!(r.referral, Some(Clock::AdverseSerious));
        assert!(r.linked_report);
        assert_eq!(
            r.flags.to_string(),
            "adverse_reaction,commitment_unit,likely_duplicate,counterfeit"
        );
        assert_eq!(
            r.flags.iter().collect::<Vec<_>>(),
            vec![
                Flag::AdverseReaction,
                Flag::CommitmentUnit,
                Flag::LikelyDuplicate,
                Flag::Counterfeit
            ]
        );
    }

    #[test]
    fn every_flag_round_trips_through_its_text() {
        for f in Flag::ALL {
            assert_eq!(Flag::parse(f.as_str()), Some(f));
            assert_eq!(f.as_str().parse::<Flags>(), Ok(Flags::from_iter([f])));
        }
    }

    #[test]
    fn flags_parse_and_encode_the_stored_form() {
        assert_eq!("".parse::<Flags>(), Ok(Flags::NONE));
        assert_eq!(Flags::NONE.to_string(), "");
        let set: Flags = "collective,odr".parse().unwrap();
        assert!(set.contains(Flag::Odr) && set.contains(Flag::Collective));
        assert!(!set.contains(Flag::Counterfeit));
        // Written back in `Flag::ALL` order, whatever order it was read in.
        assert_eq!(set.to_string(), "odr,collective");
        let all: Flags = Flag::ALL.into_iter().collect();
        assert_eq!(all.to_string().parse::<Flags>(), Ok(all));
        assert!("odr,bogus".parse::<Flags>().is_err());
        assert!("odr,".parse::<Flags>().is_err());
    }
}
