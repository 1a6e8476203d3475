//! Row types: what goes into and comes out of the tables, nothing more.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::domain::case::{CaseKind, CaseState};
use crate::domain::routing::Flags;
use crate::domain::severity::Severity;
use crate::domain::taxonomy::Channel;

use super::schema::{
    adverse_reactions, attachments, case_events, case_links, case_parties, case_products, cases,
    idempotency_keys,
};

#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = cases, treat_none_as_null = true)]
pub struct NewCaseRow {
    pub case_no: String,
    pub kind: CaseKind,
    pub state: CaseState,
    pub tracking_token_hash: String,
    pub channel: Channel,
    pub received_at: NaiveDateTime,
    pub received_date: NaiveDate,
    pub policy_version: String,
    pub due_date: NaiveDate,
    pub due_provisional: bool,
    pub district: String,
    pub category: Option<String>,
    pub nature: String,
    pub title: String,
    pub description: String,
    pub claim: Option<String>,
    pub prefer_odr: bool,
    pub purchase_date: Option<NaiveDate>,
    pub purchase_amount_fen: Option<i64>,
    pub purchase_online: Option<bool>,
    pub purchase_platform: Option<String>,
    pub purchase_order_no: Option<String>,
    pub created_at: NaiveDateTime,
    pub assignee_id: Option<i64>,
    pub consumer_openid: Option<String>,
    /// Flags set at intake, stored comma-separated.
    pub flags: Flags,
    pub closed_on: Option<NaiveDate>,
    /// Count and last hash of the case's events, so that removing the newest event is
    /// detectable too.
    pub event_count: i32,
    pub last_event_hash: String,
    /// The respondent's USCC and name as received (also in `case_parties`), indexed with
    /// nature and time for intake's collective-complaint count.
    pub respondent_uscc: Option<String>,
    pub respondent_name: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: NewCaseRow,
}

impl std::ops::Deref for CaseRow {
    type Target = NewCaseRow;
    fn deref(&self) -> &NewCaseRow {
        &self.data
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_links)]
pub struct NewCaseLink {
    pub case_id: i64,
    pub linked_case_id: i64,
    pub relation: String,
}

#[derive(Debug, Clone, Default, Insertable, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = case_parties, treat_none_as_null = true)]
pub struct NewParty {
    pub case_id: i64,
    pub role: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub id_number: Option<String>,
    pub uscc: Option<String>,
    pub district: Option<String>,
    pub platform: Option<String>,
    /// The complainant or reporter asked to hear of the case by SMS.
    pub sms_notices: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_parties)]
pub struct PartyRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: NewParty,
}

impl std::ops::Deref for PartyRow {
    type Target = NewParty;
    fn deref(&self) -> &NewParty {
        &self.data
    }
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = case_products, treat_none_as_null = true)]
pub struct NewProduct {
    pub case_id: i64,
    pub name: String,
    pub brand: Option<String>,
    pub cosmetics_id: Option<String>,
    pub cosmetics_id_kind: Option<String>,
    pub batch: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_products)]
pub struct ProductRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: NewProduct,
}

impl std::ops::Deref for ProductRow {
    type Target = NewProduct;
    fn deref(&self) -> &NewProduct {
        &self.data
    }
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = adverse_reactions, treat_none_as_null = true)]
pub struct AdverseReactionRow {
    pub case_id: i64,
    pub onset_date: NaiveDate,
    pub symptoms: String,
    pub body_site: String,
    pub severity: Severity,
    pub started_use: Option<NaiveDate>,
    pub stopped_use: Option<NaiveDate>,
    pub treatment: Option<String>,
    pub allergy_history: Option<String>,
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = attachments)]
pub struct NewAttachment {
    pub case_id: i64,
    pub sha256: String,
    pub mime: String,
    pub size_bytes: i64,
    pub original_name: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: NewAttachment,
}

impl std::ops::Deref for AttachmentRow {
    type Target = NewAttachment;
    fn deref(&self) -> &NewAttachment {
        &self.data
    }
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = case_events, treat_none_as_null = true)]
pub struct NewEventRow {
    pub case_id: i64,
    pub case_seq: i32,
    pub kind: String,
    pub actor: String,
    pub actor_role: String,
    pub at: NaiveDateTime,
    pub from_state: Option<CaseState>,
    pub to_state: Option<CaseState>,
    pub reason: Option<String>,
    /// Format 1: the whole payload. Format 2: only the kept keys; the personal rest is in
    /// `event_personal` (until forgotten), committed to by `personal_digest`.
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
    pub personal_digest: Option<String>,
    pub chain_format: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_events)]
pub struct EventRow {
    pub id: i64,
    #[diesel(embed)]
    pub data: NewEventRow,
}

impl std::ops::Deref for EventRow {
    type Target = NewEventRow;
    fn deref(&self) -> &NewEventRow {
        &self.data
    }
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub scope: String,
    pub key_hash: String,
    pub request_hash: String,
    pub case_id: i64,
    pub sealed_token: String,
    pub created_at: NaiveDateTime,
}

#[cfg(test)]
impl NewCaseRow {
    /// A complaint in mediation received on `day` at `at`, for tests that need a whole row;
    /// they change what they test with struct update syntax.
    pub fn example(case_no: &str, at: NaiveDateTime) -> NewCaseRow {
        use crate::domain::case::{CaseKind, CaseState};
        use crate::domain::taxonomy::Channel;
        NewCaseRow {
            case_no: case_no.into(),
            kind: CaseKind::Complaint,
            state: CaseState::InMediation,
            tracking_token_hash: String::new(),
            channel: Channel::Web,
            received_at: at,
            received_date: at.date(),
            policy_version: "v1".into(),
            due_date: at.date(),
            due_provisional: false,
            district: "440703".into(),
            category: None,
            nature: "quality".into(),
            title: String::new(),
            description: String::new(),
            claim: None,
            prefer_odr: false,
            purchase_date: None,
            purchase_amount_fen: None,
            purchase_online: None,
            purchase_platform: None,
            purchase_order_no: None,
            created_at: at,
            assignee_id: None,
            consumer_openid: None,
            flags: Default::default(),
            closed_on: None,
            event_count: 0,
            last_event_hash: String::new(),
            respondent_uscc: None,
            respondent_name: String::new(),
        }
    }
}
