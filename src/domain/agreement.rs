//! The 调解书 of a mediated settlement (Order 121 Art. 24): whether one is made, and whether
//! the parties have confirmed it on line or the bureau holds the paper copy signed by both.
//! Read from the case's event log each time (`derive`), never stored on its own.

use chrono::NaiveDate;
use serde::Serialize;

use super::documents::{AgreementForm, DocKind};

/// The steps of the log that concern the 调解书, in log order, as the service reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A settlement in mediation, and how it is put on paper.
    Settled { form: AgreementForm },
    /// The case was reopened: an earlier settlement no longer stands.
    Reopened,
    /// A document was issued (a correction names the one it replaces).
    Issued {
        document_id: i64,
        kind: DocKind,
        number: String,
        sha256: String,
    },
    /// A party confirmed a document on line.
    Confirmed {
        document_id: i64,
        party: Party,
        on: NaiveDate,
    },
    /// Staff recorded the paper copy signed by both parties.
    Signed {
        document_id: i64,
        attachment_id: i64,
        on: NaiveDate,
    },
}

/// A party to the agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Consumer,
    Business,
}

impl Party {
    pub fn label_zh(self) -> &'static str {
        match self {
            Party::Consumer => "投诉人",
            Party::Business => "经营者",
        }
    }
}

/// Where the 调解书 stands, by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    PerformedAtOnce,
    Waived,
    /// Settled in writing, and no 调解书 issued (yet).
    NotIssued,
    AwaitingBoth,
    AwaitingConsumer,
    AwaitingBusiness,
    ConfirmedOnline,
    SignedOnPaper,
}

/// The 调解书 of the settlement in force, as every case view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AgreementState {
    pub status: Status,
    /// In words: 待投诉人确认, 双方已在线确认（2026年10月9日）, …
    pub label: String,
    /// The 调解书 in force (the latest, corrections included).
    pub document_id: Option<i64>,
    pub number: Option<String>,
    /// SHA-256 of its text, which a confirmation confirms.
    pub sha256: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub consumer_confirmed_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub business_confirmed_on: Option<NaiveDate>,
    /// The scan of the paper copy signed by both parties.
    pub signed_attachment_id: Option<i64>,
}

impl AgreementState {
    /// Whether `party` may still confirm the 调解书 in force.
    pub fn awaits(&self, party: Party) -> bool {
        if self.document_id.is_none() || self.status == Status::SignedOnPaper {
            return false;
        }
        match party {
            Party::Consumer => self.consumer_confirmed_on.is_none(),
            Party::Business => self.business_confirmed_on.is_none(),
        }
    }
}

/// The 调解书 state of the latest settlement in mediation, or `None` when the case has none
/// standing (never settled in mediation, or reopened since).
pub fn derive(entries: &[Entry]) -> Option<AgreementState> {
    let mut form: Option<AgreementForm> = None;
    let mut doc: Option<(i64, String, String)> = None;
    let (mut consumer, mut business, mut signed) = (None, None, None);
    for entry in entries {
        match entry {
            Entry::Settled { form: f } => {
                form = Some(*f);
                doc = None;
                (consumer, business, signed) = (None, None, None);
            }
            Entry::Reopened => form = None,
            Entry::Issued {
                document_id,
                kind: DocKind::MediationAgreement,
                number,
                sha256,
            } if form.is_some() => {
                // A correction is a new text: it is confirmed or signed afresh.
                doc = Some((*document_id, number.clone(), sha256.clone()));
                (consumer, business, signed) = (None, None, None);
            }
            Entry::Confirmed {
                document_id,
                party,
                on,
            } if doc.as_ref().is_some_and(|d| d.0 == *document_id) => match party {
                Party::Consumer => consumer = consumer.or(Some(*on)),
                Party::Business => business = business.or(Some(*on)),
            },
            Entry::Signed {
                document_id,
                attachment_id,
                ..
            } if doc.as_ref().is_some_and(|d| d.0 == *document_id) => {
                signed = Some(*attachment_id);
            }
            _ => {}
        }
    }
    let form = form?;
    let status = match (form, &doc, signed, consumer, business) {
        (AgreementForm::PerformedAtOnce, ..) => Status::PerformedAtOnce,
        (AgreementForm::Waived, ..) => Status::Waived,
        (_, None, ..) => Status::NotIssued,
        (_, Some(_), Some(_), ..) => Status::SignedOnPaper,
        (_, Some(_), None, Some(_), Some(_)) => Status::ConfirmedOnline,
        (_, Some(_), None, None, None) => Status::AwaitingBoth,
        (_, Some(_), None, None, Some(_)) => Status::AwaitingConsumer,
        (_, Some(_), None, Some(_), None) => Status::AwaitingBusiness,
    };
    let label = match status {
        Status::PerformedAtOnce => "当场履行完毕，不制作调解书".to_owned(),
        Status::Waived => "双方同意不制作调解书".to_owned(),
        Status::NotIssued => "调解书尚未制作".to_owned(),
        Status::AwaitingBoth => "待投诉人确认、待经营者确认".to_owned(),
        Status::AwaitingConsumer => "待投诉人确认".to_owned(),
        Status::AwaitingBusiness => "待经营者确认".to_owned(),
        Status::ConfirmedOnline => {
            let last = consumer.max(business).map(super::documents::date_zh);
            format!("双方已在线确认（{}）", last.unwrap_or_default())
        }
        Status::SignedOnPaper => "已上传双方签字的纸质调解书".to_owned(),
    };
    let written = matches!(form, AgreementForm::Written);
    let (document_id, number, sha256) = match doc.filter(|_| written) {
        Some((id, number, sha)) => (Some(id), Some(number), Some(sha)),
        None => (None, None, None),
    };
    Some(AgreementState {
        status,
        label,
        document_id,
        number,
        sha256,
        consumer_confirmed_on: consumer,
        business_confirmed_on: business,
        signed_attachment_id: signed,
    })
}

/// Why `party` may not confirm `document_id` now, as the refusal's code and message.
pub fn confirm_refusal(
    state: Option<&AgreementState>,
    party: Party,
    document_id: i64,
) -> Option<(&'static str, String)> {
    let Some(state) = state.filter(|s| s.document_id.is_some()) else {
        return Some(("no_agreement", "本案没有待确认的调解书".into()));
    };
    if state.document_id != Some(document_id) {
        return Some((
            "not_current_agreement",
            "该文书不是本案现行的调解书，请确认最新的调解书".into(),
        ));
    }
    if state.status == Status::SignedOnPaper {
        return Some((
            "signed_on_paper",
            "双方已在纸质调解书上签字，无需在线确认".into(),
        ));
    }
    if !state.awaits(party) {
        return Some((
            "already_confirmed",
            format!("{}已确认过本调解书，不能重复确认", party.label_zh()),
        ));
    }
    None
}

/// Why the signed paper copy of `document_id` may not be recorded now.
pub fn sign_refusal(
    state: Option<&AgreementState>,
    document_id: i64,
) -> Option<(&'static str, String)> {
    let Some(state) = state.filter(|s| s.document_id.is_some()) else {
        return Some(("no_agreement", "本案没有调解书".into()));
    };
    if state.document_id != Some(document_id) {
        return Some(("not_current_agreement", "该文书不是本案现行的调解书".into()));
    }
    if state.status == Status::SignedOnPaper {
        return Some(("already_signed", "已上传过双方签字的纸质调解书".into()));
    }
    None
}

#[cfg(test)]
#[path = "agreement_tests.rs"]
mod tests;
