//! How long personal data is kept (`[retention]` in the configuration) and when a closed case
//! is due for anonymisation. Figures (dates, codes, amounts, outcomes) are archives and are
//! kept for good; only the personal data of a case goes when its period is over.

use chrono::{Months, NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::case::{CaseKind, CaseState};

/// The shortest period the cosmetics adverse-reaction monitoring rules allow for their records.
pub const ADVERSE_REACTION_MIN_YEARS: u32 = 3;

/// Which retention period applies to a closed case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseRetention {
    /// A complaint that was accepted and closed (settled, terminated, withdrawn, …).
    Complaint,
    /// A report that was verified and decided.
    Report,
    /// Any case with an adverse reaction record (health data, cosmetics monitoring).
    AdverseReaction,
    /// A complaint not accepted, or a report not handled (repeated, referred elsewhere).
    NeverAccepted,
}

impl CaseRetention {
    pub const ALL: [CaseRetention; 4] = [
        CaseRetention::Complaint,
        CaseRetention::Report,
        CaseRetention::AdverseReaction,
        CaseRetention::NeverAccepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseRetention::Complaint => "complaint",
            CaseRetention::Report => "report",
            CaseRetention::AdverseReaction => "adverse_reaction",
            CaseRetention::NeverAccepted => "never_accepted",
        }
    }

    /// The period of a case; an adverse reaction wins over everything else.
    pub fn of(kind: CaseKind, state: CaseState, adverse_reaction: bool) -> CaseRetention {
        if adverse_reaction {
            return CaseRetention::AdverseReaction;
        }
        match state {
            CaseState::NotAccepted | CaseState::Repeated | CaseState::ReferredElsewhere => {
                CaseRetention::NeverAccepted
            }
            _ => match kind {
                CaseKind::Report => CaseRetention::Report,
                CaseKind::Complaint => CaseRetention::Complaint,
            },
        }
    }
}

/// Why a case's personal data was removed; stored on the `anonymised` event as a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    /// Its retention period is over.
    Retention,
    /// A data subject's erasure request.
    Erasure(ErasureBasis),
}

impl Ground {
    pub fn code(self) -> &'static str {
        match self {
            Ground::Retention => "retention",
            Ground::Erasure(_) => "erasure",
        }
    }

    /// The legal basis of an erasure, if this is one.
    pub fn basis(self) -> Option<ErasureBasis> {
        match self {
            Ground::Retention => None,
            Ground::Erasure(b) => Some(b),
        }
    }
}

/// The PIPL Art. 47 paragraph 1 items under which a subject may ask for erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErasureBasis {
    /// (1) the purpose is achieved, cannot be achieved, or the data is no longer needed.
    PurposeAchieved,
    /// (2) the handler stopped providing the service or the retention period is over.
    ServiceEnded,
    /// (3) the individual withdrew consent.
    ConsentWithdrawn,
    /// (4) the handling breaks laws, regulations or the agreement.
    Unlawful,
    /// (5) other circumstances provided by laws and regulations.
    Other,
}

impl ErasureBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            ErasureBasis::PurposeAchieved => "pipl_47_1_1",
            ErasureBasis::ServiceEnded => "pipl_47_1_2",
            ErasureBasis::ConsentWithdrawn => "pipl_47_1_3",
            ErasureBasis::Unlawful => "pipl_47_1_4",
            ErasureBasis::Other => "pipl_47_1_5",
        }
    }
}

/// A resident ID number as stored: 18 characters (or the old 15), digits with a final `X`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(text: &str) -> Option<IdNumber> {
        let id = text.trim().to_ascii_uppercase();
        let n = id.len();
        let digits = id
            .bytes()
            .take(n.saturating_sub(1))
            .all(|b| b.is_ascii_digit());
        let last = id
            .bytes()
            .next_back()
            .is_some_and(|b| b.is_ascii_digit() || b == b'X');
        ((n == 18 || n == 15) && digits && last).then_some(IdNumber(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a data subject asking for access or erasure is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectKey {
    Phone(super::ids::Phone),
    IdNumber(IdNumber),
}

impl SubjectKey {
    /// `phone` or `id_number`, never the value.
    pub fn kind(&self) -> &'static str {
        match self {
            SubjectKey::Phone(_) => "phone",
            SubjectKey::IdNumber(_) => "id_number",
        }
    }

    /// The value, for lookups.
    pub fn value(&self) -> &str {
        match self {
            SubjectKey::Phone(p) => p.as_str(),
            SubjectKey::IdNumber(n) => n.as_str(),
        }
    }
}

/// `[retention]`: years for closed cases (from the closing date), days for ephemera (from
/// their expiry, sending or creation), and how many cases one pass anonymises at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Periods {
    pub complaint_years: u32,
    pub report_years: u32,
    pub adverse_reaction_years: u32,
    pub never_accepted_years: u32,
    /// Phone codes, phone sessions and sign-in sessions, after they expire.
    pub sessions_days: u32,
    /// Outbox messages, after they were sent or given up.
    pub outbox_days: u32,
    /// Webhook deliveries, after they were delivered or given up.
    pub webhook_days: u32,
    /// Idempotency keys, after they were made.
    pub idempotency_days: u32,
    /// E-mail verifications, after they were verified.
    pub email_verification_days: u32,
    /// Most cases anonymised (and most rows of each ephemeral kind deleted) by one pass.
    pub batch: u32,
}

impl Default for Periods {
    fn default() -> Self {
        Periods {
            complaint_years: 3,
            report_years: 5,
            adverse_reaction_years: 5,
            never_accepted_years: 1,
            sessions_days: 30,
            outbox_days: 90,
            webhook_days: 90,
            idempotency_days: 30,
            email_verification_days: 30,
            batch: 200,
        }
    }
}

impl Periods {
    /// Refuses periods the law does not allow, and zero where zero means "never kept".
    pub fn check(&self) -> Result<(), String> {
        if self.adverse_reaction_years < ADVERSE_REACTION_MIN_YEARS {
            return Err(format!(
                "adverse_reaction_years = {} is shorter than the {ADVERSE_REACTION_MIN_YEARS} years \
                 cosmetics adverse-reaction records must be kept",
                self.adverse_reaction_years
            ));
        }
        let years = [
            ("complaint_years", self.complaint_years),
            ("report_years", self.report_years),
            ("never_accepted_years", self.never_accepted_years),
        ];
        if let Some((name, _)) = years.iter().find(|(_, v)| *v == 0) {
            return Err(format!("{name} must be at least 1"));
        }
        if self.batch == 0 {
            return Err("batch must be at least 1".into());
        }
        Ok(())
    }

    pub fn years(&self, kind: CaseRetention) -> u32 {
        match kind {
            CaseRetention::Complaint => self.complaint_years,
            CaseRetention::Report => self.report_years,
            CaseRetention::AdverseReaction => self.adverse_reaction_years,
            CaseRetention::NeverAccepted => self.never_accepted_years,
        }
    }

    /// The latest closing date whose cases of the shortest period are due on `today`: no case
    /// closed after it is due for any kind.
    pub fn earliest_cutoff(&self, today: NaiveDate) -> NaiveDate {
        let shortest = CaseRetention::ALL
            .iter()
            .map(|k| self.years(*k))
            .min()
            .unwrap_or(1);
        cutoff(today, shortest)
    }
}

/// The day a case closed on `closed_on` is due: the same calendar day `years` later (29
/// February counts to 28 February in a common year).
pub fn due_on(closed_on: NaiveDate, years: u32) -> NaiveDate {
    closed_on
        .checked_add_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether a case closed on `closed_on` under `kind` is due for anonymisation on `today`.
pub fn is_due(
    periods: &Periods,
    kind: CaseRetention,
    closed_on: NaiveDate,
    today: NaiveDate,
) -> bool {
    today >= due_on(closed_on, periods.years(kind))
}

/// The latest closing date that is due on `today` after `years`.
pub fn cutoff(today: NaiveDate, years: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MIN)
}

/// Ephemeral rows whose time (expiry, sending, creation) is before the returned instant go.
pub fn ephemeral_cutoff(now: NaiveDateTime, days: u32) -> NaiveDateTime {
    now.checked_sub_signed(TimeDelta::days(i64::from(days)))
        .unwrap_or(NaiveDateTime::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn retention_adverse_reaction_wins_and_never_accepted_is_short() {
        use CaseRetention as R;
        assert_eq!(
            R::of(CaseKind::Complaint, CaseState::Settled, true),
            R::AdverseReaction
        );
        assert_eq!(
            R::of(CaseKind::Complaint, CaseState::NotAccepted, false),
            R::NeverAccepted
        );
        assert_eq!(
            R::of(CaseKind::Report, CaseState::NotOpened, false),
            R::Report
        );
        assert_eq!(
            R::of(CaseKind::Complaint, CaseState::Withdrawn, false),
            R::Complaint
        );
    }

    #[test]
    fn retention_is_due_on_the_same_day_years_later() {
        let p = Periods::default();
        let closed = d("2024-02-29");
        assert_eq!(due_on(closed, 3), d("2027-02-28"));
        assert!(!is_due(
            &p,
            CaseRetention::Complaint,
            closed,
            d("2027-02-27")
        ));
        assert!(is_due(
            &p,
            CaseRetention::Complaint,
            closed,
            d("2027-02-28")
        ));
        assert!(!is_due(&p, CaseRetention::Report, closed, d("2027-02-28")));
        assert_eq!(p.earliest_cutoff(d("2026-12-08")), d("2025-12-08"));
    }

    #[test]
    fn retention_id_numbers_parse_in_both_lengths() {
        assert_eq!(
            IdNumber::parse(" 44070519850512432x ").unwrap().as_str(),
            "44070519850512432X"
        );
        assert!(IdNumber::parse("440705850512432").is_some());
        assert!(IdNumber::parse("4407051985051243").is_none());
        assert!(IdNumber::parse("4407051985X512432X").is_none());
    }

    #[test]
    fn retention_adverse_reaction_records_are_kept_at_least_three_years() {
        let short = Periods {
            adverse_reaction_years: 2,
            ..Periods::default()
        };
        assert!(
            short
                .check()
                .unwrap_err()
                .contains("adverse_reaction_years")
        );
        assert!(Periods::default().check().is_ok());
        let zero = Periods {
            batch: 0,
            ..Periods::default()
        };
        assert!(zero.check().is_err());
    }
}
