//! Routing at intake: the competent bureau, ODR or the acceptance queue, flags for the
//! mediator, and the side tracks a complaint opens (adverse-reaction referral, counterfeit
//! report). Pure: what is known about the respondent comes in as `RespondentFacts`.

use super::case::{CaseKind, CaseState};
use super::policy::Clock;

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
}

/// Flags as stored on the case row: comma-separated, in `Flag::ALL` order.
pub fn encode_flags(flags: &[Flag]) -> String {
    Flag::ALL
        .into_iter()
        .filter(|f| flags.contains(f))
        .map(Flag::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn decode_flags(s: &str) -> Vec<Flag> {
    s.split(',').filter_map(Flag::parse).collect()
}

/// The facts of a new case that routing looks at.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    pub kind: CaseKind,
    pub prefer_odr: bool,
    pub nature: &'a str,
    /// Severity of an adverse reaction: `general`, `serious`, `public_concern`.
    pub adverse_severity: Option<&'a str>,
    pub duplicates_found: bool,
    /// Other recent complaints against the same respondent about the same kind of issue.
    pub similar_recent: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub state: CaseState,
    /// The clock that runs first: ODR, acceptance or verification.
    pub first_clock: Clock,
    pub flags: Vec<Flag>,
    /// An adverse-reaction referral to open, with its clock.
    pub referral: Option<Clock>,
    /// A counterfeit complaint is also a lead for enforcement: open a linked report.
    pub linked_report: bool,
}

/// This many complaints (the new one included) make a collective complaint.
pub const COLLECTIVE_MIN: usize = 5;

pub fn route(sub: &Submission, respondent: Option<&RespondentFacts>) -> Route {
    let mut flags = Vec::new();
    let (state, first_clock) = match sub.kind {
        CaseKind::Report => (CaseState::PendingVerification, Clock::Verification),
        CaseKind::Complaint => {
            if sub.prefer_odr && respondent.is_some_and(|r| r.enrolled_in_odr) {
                flags.push(Flag::Odr);
                (CaseState::OdrNegotiation, Clock::OdrNegotiation)
            } else {
                (CaseState::PendingAcceptance, Clock::Acceptance)
            }
        }
    };
    if respondent.is_some_and(|r| !r.commitments.is_empty()) {
        flags.push(Flag::CommitmentUnit);
    }
    let referral = match (sub.kind, sub.adverse_severity) {
        (CaseKind::Complaint, Some(severity)) => {
            flags.push(Flag::AdverseReaction);
            Some(match severity {
                "serious" => Clock::AdverseSerious,
                "public_concern" => Clock::AdversePublicConcern,
                _ => Clock::AdverseGeneral,
            })
        }
        _ => None,
    };
    let counterfeit = sub.nature == "counterfeit";
    if counterfeit {
        flags.push(Flag::Counterfeit);
    }
    if sub.duplicates_found {
        flags.push(Flag::LikelyDuplicate);
    }
    if sub.kind == CaseKind::Complaint && sub.similar_recent + 1 >= COLLECTIVE_MIN {
        flags.push(Flag::Collective);
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
            adverse_severity: Some("serious"),
            duplicates_found: true,
            ..sub(CaseKind::Complaint, false)
        };
        let r = route(&s, Some(&committed));
        assert_eq!(r.referral, Some(Clock::AdverseSerious));
        assert!(r.linked_report);
        assert_eq!(
            encode_flags(&r.flags),
            "adverse_reaction,commitment_unit,likely_duplicate,counterfeit"
        );
        assert_eq!(
            decode_flags(&encode_flags(&r.flags)),
            vec![
                Flag::AdverseReaction,
                Flag::CommitmentUnit,
                Flag::LikelyDuplicate,
                Flag::Counterfeit
            ]
        );
    }
}
