//! Case identity: kinds, human-readable case numbers and the states a case starts in.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A complaint (投诉) seeks settlement; a report (举报) is a lead for enforcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Complaint,
    Report,
}

impl CaseKind {
    pub const ALL: [CaseKind; 2] = [CaseKind::Complaint, CaseKind::Report];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Complaint => "complaint",
            CaseKind::Report => "report",
        }
    }

    /// Prefix of the case number: 投诉 TS, 举报 JB.
    fn prefix(self) -> &'static str {
        match self {
            CaseKind::Complaint => "TS",
            CaseKind::Report => "JB",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CaseKind::Complaint => "投诉",
            CaseKind::Report => "举报",
        }
    }
}

impl fmt::Display for CaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "complaint" => Ok(CaseKind::Complaint),
            "report" => Ok(CaseKind::Report),
            _ => Err(UnknownValue(s.to_owned())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

/// `TS-2026-000123`: kind prefix, year received, sequence within that year and kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseNo {
    kind: CaseKind,
    year: i32,
    seq: i64,
}

impl CaseNo {
    pub fn new(kind: CaseKind, year: i32, seq: i64) -> Self {
        CaseNo { kind, year, seq }
    }
    pub fn kind(&self) -> CaseKind {
        self.kind
    }
}

impl fmt::Display for CaseNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:06}", self.kind.prefix(), self.year, self.seq)
    }
}

impl FromStr for CaseNo {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || UnknownValue(s.chars().take(40).collect());
        let mut parts = s.split('-');
        let (Some(prefix), Some(year), Some(seq), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let kind = match prefix {
            "TS" => CaseKind::Complaint,
            "JB" => CaseKind::Report,
            _ => return Err(bad()),
        };
        let digits = |t: &str, min: usize, max: usize| {
            t.len() >= min && t.len() <= max && t.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(year, 4, 4) || !digits(seq, 6, 12) {
            return Err(bad());
        }
        let year = year.parse().map_err(|_| bad())?;
        let seq = seq.parse().map_err(|_| bad())?;
        Ok(CaseNo { kind, year, seq })
    }
}

/// States a case can be in. Later workflow steps add transitions; intake only creates the
/// first state of each track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    OdrNegotiation,
    PendingAcceptance,
    NotAccepted,
    InMediation,
    MediationPaused,
    Settled,
    MediationTerminated,
    Withdrawn,
    TransferredOut,
    Merged,
    PendingVerification,
    /// Verification stopped for testing, appraisal or rights-holder identification; its
    /// clock stands still (Order 121 Art. 27 does not count that time).
    VerificationPaused,
    CaseOpened,
    NotOpened,
    /// Returned by a bureau without competence; the city's unified intake unit dispatches it
    /// again (Order 121 Art. 41). No stage clock runs.
    AwaitingDispatch,
    /// Order 121 Art. 35: the same reporter, facts and business as an earlier report; recorded
    /// and not handled again.
    Repeated,
    /// Order 121 Art. 34: the bureau has no competence; the reporter was told where to go.
    ReferredElsewhere,
}

impl CaseState {
    pub const ALL: [CaseState; 17] = [
        CaseState::OdrNegotiation,
        CaseState::PendingAcceptance,
        CaseState::NotAccepted,
        CaseState::InMediation,
        CaseState::MediationPaused,
        CaseState::Settled,
        CaseState::MediationTerminated,
        CaseState::Withdrawn,
        CaseState::TransferredOut,
        CaseState::Merged,
        CaseState::PendingVerification,
        CaseState::VerificationPaused,
        CaseState::CaseOpened,
        CaseState::NotOpened,
        CaseState::AwaitingDispatch,
        CaseState::Repeated,
        CaseState::ReferredElsewhere,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::OdrNegotiation => "odr_negotiation",
            CaseState::PendingAcceptance => "pending_acceptance",
            CaseState::NotAccepted => "not_accepted",
            CaseState::InMediation => "in_mediation",
            CaseState::MediationPaused => "mediation_paused",
            CaseState::Settled => "settled",
            CaseState::MediationTerminated => "mediation_terminated",
            CaseState::Withdrawn => "withdrawn",
            CaseState::TransferredOut => "transferred_out",
            CaseState::Merged => "merged",
            CaseState::PendingVerification => "pending_verification",
            CaseState::VerificationPaused => "verification_paused",
            CaseState::CaseOpened => "case_opened",
            CaseState::NotOpened => "not_opened",
            CaseState::AwaitingDispatch => "awaiting_dispatch",
            CaseState::Repeated => "repeated",
            CaseState::ReferredElsewhere => "referred_elsewhere",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CaseState::OdrNegotiation => "企业协商中（ODR）",
            CaseState::PendingAcceptance => "待受理",
            CaseState::NotAccepted => "不予受理",
            CaseState::InMediation => "调解中",
            CaseState::MediationPaused => "调解中止",
            CaseState::Settled => "调解成功",
            CaseState::MediationTerminated => "终止调解",
            CaseState::Withdrawn => "已撤回",
            CaseState::TransferredOut => "已转办",
            CaseState::Merged => "已合并",
            CaseState::PendingVerification => "待核查",
            CaseState::VerificationPaused => "核查中止（检测、鉴定、权利人辨认鉴别）",
            CaseState::CaseOpened => "已立案",
            CaseState::NotOpened => "不予立案",
            CaseState::AwaitingDispatch => "待分送",
            CaseState::Repeated => "重复举报，不再重复处理",
            CaseState::ReferredElsewhere => "告知向有权机关举报",
        }
    }

    /// The state a newly received case enters.
    pub fn initial(kind: CaseKind) -> CaseState {
        match kind {
            CaseKind::Complaint => CaseState::PendingAcceptance,
            CaseKind::Report => CaseState::PendingVerification,
        }
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseState {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_no_round_trips_and_rejects_junk() {
        let no = CaseNo::new(CaseKind::Complaint, 2026, 42);
        assert_eq!(no.to_string(), "TS-2026-000042");
        assert_eq!("TS-2026-000042".parse::<CaseNo>(), Ok(no));
        assert_eq!(
            "JB-2025-1234567".parse::<CaseNo>().map(|n| n.kind()),
            Ok(CaseKind::Report)
        );
        for junk in [
            "",
            "TS-2026",
            "XX-2026-000001",
            "TS-26-000001",
            "TS-2026-00001a",
            "TS-2026-000001-1",
            "../etc",
        ] {
            assert!(junk.parse::<CaseNo>().is_err(), "{junk} should not parse");
        }
    }

    #[test]
    fn states_round_trip() {
        for st in CaseState::ALL {
            assert_eq!(st.as_str().parse::<CaseState>(), Ok(st));
            assert_eq!(st.to_string(), st.as_str());
        }
        assert!("closed".parse::<CaseState>().is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for kind in CaseKind::ALL {
            assert_eq!(kind.as_str().parse::<CaseKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert!("Complaint".parse::<CaseKind>().is_err());
    }
}
