//! The request body of a workflow step (`Command`, what `POST /api/v1/cases/{case_no}/actions`
//! takes), and which kind of step it is.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Recipient;
use crate::domain::action::ActionKind;
use crate::domain::aftercare::{ConsumerView, Fulfilled, NoticeMeans, NoticeParty};
use crate::domain::codes::{NotAcceptReason, PauseReason, TerminationReason};
use crate::domain::documents::AgreementForm;

/// `POST /api/v1/cases/{case_no}/actions` bodies, tagged by `action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    Accept,
    NotAccept {
        reason: NotAcceptReason,
        detail: Option<String>,
    },
    /// To another county bureau of the city (`bureau`), or out of our jurisdiction
    /// (`outside: true`).
    Transfer {
        bureau: Option<String>,
        outside: Option<bool>,
        #[serde(default)]
        reason: String,
    },
    Pause {
        reason: PauseReason,
    },
    Resume,
    Settle {
        #[serde(default)]
        agreement: String,
        #[serde(default)]
        recovered_fen: i64,
        /// On a joint complaint: those the representatives speak for agreed to the settlement
        /// (Order 121 Art. 12).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        represented_consent: bool,
        /// Whether a 调解书 is made (Order 121 Art. 24); `written` unless said otherwise.
        #[serde(default)]
        agreement_form: AgreementForm,
        /// The day by which the agreement is to be performed, written into the 调解书.
        #[schema(value_type = Option<String>, format = Date)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        performance_due: Option<NaiveDate>,
    },
    Terminate {
        reason: TerminationReason,
        detail: Option<String>,
        /// With `fraudulent_claim` (Order 121 Art. 42): the police unit the case went to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        police_unit: Option<String>,
        /// With `fraudulent_claim`: the day it was referred.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>, format = Date)]
        referred_on: Option<NaiveDate>,
    },
    Withdraw,
    Reopen {
        reason: Option<String>,
    },
    MergeInto {
        case_no: String,
    },
    Assign {
        user: String,
    },
    Note {
        #[serde(default)]
        text: String,
    },
    Message {
        to: Recipient,
        #[serde(default)]
        text: String,
    },
    OdrAnswer {
        #[serde(default)]
        proposal: String,
    },
    ConsumerAccept,
    ConsumerReject {
        reason: Option<String>,
    },
    Rate {
        score: u8,
        comment: Option<String>,
    },
    OpenCase {
        detail: Option<String>,
    },
    NotOpen {
        #[serde(default)]
        reason: String,
    },
    NotifyReporter {
        text: Option<String>,
    },
    /// The cosmetics adverse-reaction referral was filed with the monitoring body.
    SubmitReferral,
    /// Sweep only: the ODR period ended without settlement.
    #[serde(skip)]
    OdrExpire,
    /// A supervisor approves more time for verifying a report (as long as the policy
    /// version says), once.
    ExtendVerification {
        #[serde(default)]
        reason: String,
    },
    /// With the complainant's consent, this complaint joins `case_no`, which becomes (or is) a
    /// joint complaint (共同投诉, Order 121 Art. 12).
    JoinInto {
        case_no: String,
        #[serde(default)]
        consent: bool,
    },
    /// The joint complaint's representatives (代表人), named by their own case numbers: one or
    /// two, as Art. 12 allows.
    SetRepresentatives {
        first: String,
        second: Option<String>,
    },
    /// Staff ask the complainant to prove their identity by `due` (Order 121 Art. 10).
    RequestIdentity {
        #[schema(value_type = String, format = Date)]
        due: NaiveDate,
        detail: Option<String>,
    },
    /// The identity proof asked for was provided (the complainant, or staff recording it).
    ProvideIdentity {
        detail: Option<String>,
    },
    /// The unified intake unit sends a case awaiting dispatch to a county bureau of the city.
    Dispatch {
        #[serde(default)]
        bureau: String,
    },
    /// A bureau without competence returns the case to the unified intake unit.
    ReturnToDispatcher {
        #[serde(default)]
        reason: String,
    },
    /// Order 121 Art. 35: the same reporter, facts and business as the earlier report
    /// `case_no`; recorded and not handled again.
    MarkRepeated {
        #[serde(default)]
        case_no: String,
        detail: Option<String>,
    },
    /// Order 121 Art. 35: a report adding new facts joins the earlier open report `case_no`,
    /// whose verification period restarts from this report's receipt.
    MergeReport {
        #[serde(default)]
        case_no: String,
    },
    /// Order 121 Art. 27: a lead found while mediating a complaint opens a report of its own.
    OpenLeadReport {
        #[serde(default)]
        detail: String,
    },
    /// Order 121 Art. 34: the bureau has no competence; the reporter is told where to report.
    ReferReporter {
        #[serde(default, rename = "where")]
        authority: String,
        detail: Option<String>,
    },
    /// A party was told of the termination other than by the service's mail (Art. 23).
    RecordNotice {
        party: NoticeParty,
        means: NoticeMeans,
        #[schema(value_type = String, format = Date)]
        date: NaiveDate,
        detail: Option<String>,
    },
    /// A follow-up visit (回访) of a settled complaint (Art. 26).
    FollowUp {
        fulfilled: Fulfilled,
        view: ConsumerView,
        detail: Option<String>,
    },
    /// A party confirms on line the 调解书 `document_id` as issued (Order 121 Art. 24).
    ConfirmAgreement {
        document_id: i64,
    },
    /// Staff record the paper 调解书 signed by both parties: its scan, a file of the case.
    RecordSignedAgreement {
        document_id: i64,
        attachment_id: i64,
    },
    /// Staff issue a corrected document replacing `document_id`: the same kind, from the
    /// replaced one's fields, with the kind's own `fields` changed.
    CorrectDocument {
        document_id: i64,
        #[serde(default)]
        reason: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: BTreeMap<String, String>,
    },
}

impl Command {
    /// Whether the command can move the case to another state (as opposed to notes,
    /// messages, assignment, ratings and referral filing).
    pub fn changes_state(&self) -> bool {
        !matches!(
            self,
            Command::Assign { .. }
                | Command::Note { .. }
                | Command::Message { .. }
                | Command::OdrAnswer { .. }
                | Command::Rate { .. }
                | Command::NotifyReporter { .. }
                | Command::SubmitReferral
                | Command::ExtendVerification { .. }
                | Command::SetRepresentatives { .. }
                | Command::RequestIdentity { .. }
                | Command::ProvideIdentity { .. }
                | Command::OpenLeadReport { .. }
                | Command::RecordNotice { .. }
                | Command::FollowUp { .. }
                | Command::ConfirmAgreement { .. }
                | Command::RecordSignedAgreement { .. }
                | Command::CorrectDocument { .. }
        )
    }

    pub fn kind(&self) -> ActionKind {
        match self {
            Command::Accept => ActionKind::Accept,
            Command::NotAccept { .. } => ActionKind::NotAccept,
            Command::Transfer { .. } => ActionKind::Transfer,
            Command::Pause { .. } => ActionKind::Pause,
            Command::Resume => ActionKind::Resume,
            Command::Settle { .. } => ActionKind::Settle,
            Command::Terminate { .. } => ActionKind::Terminate,
            Command::Withdraw => ActionKind::Withdraw,
            Command::Reopen { .. } => ActionKind::Reopen,
            Command::MergeInto { .. } => ActionKind::MergeInto,
            Command::Assign { .. } => ActionKind::Assign,
            Command::Note { .. } => ActionKind::Note,
            Command::Message { .. } => ActionKind::Message,
            Command::OdrAnswer { .. } => ActionKind::OdrAnswer,
            Command::ConsumerAccept => ActionKind::ConsumerAccept,
            Command::ConsumerReject { .. } => ActionKind::ConsumerReject,
            Command::Rate { .. } => ActionKind::Rate,
            Command::OpenCase { .. } => ActionKind::OpenCase,
            Command::NotOpen { .. } => ActionKind::NotOpen,
            Command::NotifyReporter { .. } => ActionKind::NotifyReporter,
            Command::SubmitReferral => ActionKind::SubmitReferral,
            Command::OdrExpire => ActionKind::OdrExpire,
            Command::ExtendVerification { .. } => ActionKind::ExtendVerification,
            Command::JoinInto { .. } => ActionKind::JoinInto,
            Command::SetRepresentatives { .. } => ActionKind::SetRepresentatives,
            Command::RequestIdentity { .. } => ActionKind::RequestIdentity,
            Command::ProvideIdentity { .. } => ActionKind::ProvideIdentity,
            Command::Dispatch { .. } => ActionKind::Dispatch,
            Command::ReturnToDispatcher { .. } => ActionKind::ReturnToDispatcher,
            Command::MarkRepeated { .. } => ActionKind::MarkRepeated,
            Command::MergeReport { .. } => ActionKind::MergeReport,
            Command::OpenLeadReport { .. } => ActionKind::OpenLeadReport,
            Command::ReferReporter { .. } => ActionKind::ReferReporter,
            Command::RecordNotice { .. } => ActionKind::RecordNotice,
            Command::FollowUp { .. } => ActionKind::FollowUp,
            Command::ConfirmAgreement { .. } => ActionKind::ConfirmAgreement,
            Command::RecordSignedAgreement { .. } => ActionKind::RecordSignedAgreement,
            Command::CorrectDocument { .. } => ActionKind::CorrectDocument,
        }
    }
}
