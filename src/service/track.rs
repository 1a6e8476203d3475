//! The public status view of a case, for whoever holds its tracking token.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::ServiceError;
use crate::domain::action::{ActionKind, PartyLine};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::clocks::REPORT_MERGED;
use crate::domain::event_payload::EventPayload;
use crate::domain::grounds::POLICE_REFERRAL;
use crate::domain::steps::{step_line, substance};
use crate::domain::{Taxonomy, mask_name, mask_phone};
use crate::secrets::TrackingToken;
use crate::store::models::{AttachmentRow, CaseRow, EventRow};
use crate::store::{Db, cases, events};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicCaseView {
    pub case_no: String,
    pub kind: CaseKind,
    pub kind_label: String,
    pub state: CaseState,
    pub state_label: String,
    pub received_at: DateTime<Utc>,
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    pub due_provisional: bool,
    pub channel: String,
    pub channel_label: String,
    pub category: Option<String>,
    pub category_label: Option<String>,
    pub nature: String,
    pub nature_label: Option<String>,
    pub district: String,
    pub district_label: Option<String>,
    pub title: String,
    pub respondent_name: Option<String>,
    /// The complainant or reporter, masked (张*, 138****8000).
    pub submitter: Option<MaskedPerson>,
    pub timeline: Vec<TimelineEntry>,
    pub attachments: Vec<AttachmentView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MaskedPerson {
    pub name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub event: String,
    pub label: String,
    /// What the step decided, in words: the agreement and amount recovered, the proposal,
    /// the reason (`domain::steps::substance`).
    pub detail: Option<String>,
    pub state: Option<String>,
}

impl TimelineEntry {
    /// The step as one line, its state named only where the label does not already say it.
    pub fn line(&self) -> String {
        let to = self
            .state
            .as_deref()
            .and_then(|s| s.parse::<CaseState>().ok());
        step_line(&self.label, self.detail.as_deref(), to)
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

impl From<&AttachmentRow> for AttachmentView {
    fn from(a: &AttachmentRow) -> Self {
        AttachmentView {
            id: a.id,
            name: a.original_name.clone(),
            mime: a.mime.clone(),
            size_bytes: a.size_bytes,
            sha256: a.sha256.clone(),
            uploaded_at: a.created_at.and_utc(),
        }
    }
}

/// The case if the token is its token; `NotFound` for a wrong token as for a missing case,
/// so the answer reveals nothing about which case numbers exist.
pub fn authorised_case(
    conn: &mut Db,
    case_no: &str,
    token: Option<&TrackingToken>,
) -> Result<CaseRow, ServiceError> {
    let case = cases::find_by_case_no(conn, case_no)?.ok_or(ServiceError::NotFound)?;
    match token {
        Some(t) if t.matches(&case.tracking_token_hash) => Ok(case),
        _ => Err(ServiceError::NotFound),
    }
}

pub fn public_view(
    conn: &mut Db,
    case_no: &str,
    token: Option<&TrackingToken>,
) -> Result<PublicCaseView, ServiceError> {
    let case = authorised_case(conn, case_no, token)?;
    public_view_of(conn, &case)
}

/// The masked public view of a case the caller is entitled to.
pub fn public_view_of(conn: &mut Db, case: &CaseRow) -> Result<PublicCaseView, ServiceError> {
    let parties = cases::parties_of(conn, case.id)?;
    let attachments = cases::attachments_of(conn, case.id)?;
    let events = events::list(conn, case.id)?;
    let taxonomy = Taxonomy::builtin();
    let (kind, state) = (case.kind, case.state);
    let submitter = parties
        .iter()
        .find(|p| p.role == "complainant" || p.role == "reporter")
        .map(|p| MaskedPerson {
            name: p.name.as_deref().map(mask_name),
            phone: p.phone.as_deref().map(mask_phone),
        });
    let respondent_name = parties
        .iter()
        .find(|p| p.role == "respondent")
        .and_then(|p| p.name.clone());
    Ok(PublicCaseView {
        kind,
        kind_label: kind.label_zh().into(),
        state,
        state_label: state.label_zh().into(),
        received_at: case.received_at.and_utc(),
        due: case.due_date,
        due_provisional: case.due_provisional,
        channel: case.channel.as_str().into(),
        channel_label: case.channel.label_zh().into(),
        category_label: case
            .category
            .as_deref()
            .and_then(|c| taxonomy.category(c))
            .map(|c| c.label.clone()),
        category: case.category.clone(),
        nature_label: taxonomy.nature(&case.nature).map(|n| n.label.clone()),
        nature: case.nature.clone(),
        district_label: taxonomy.district(&case.district).map(|d| d.name.clone()),
        district: case.district.clone(),
        title: case.title.clone(),
        respondent_name,
        submitter,
        timeline: timeline_of(&events, |_| true),
        attachments: attachments.iter().map(AttachmentView::from).collect(),
        case_no: case.case_no.clone(),
    })
}

/// The steps a party may see (`also` narrows them further), each with what it decided.
pub fn timeline_of(events: &[EventRow], also: impl Fn(&str) -> bool) -> Vec<TimelineEntry> {
    events
        .iter()
        .filter(|e| party_line(&e.kind) != PartyLine::Hidden && also(&e.kind))
        .map(|e| TimelineEntry {
            at: e.at.and_utc(),
            label: event_label(&e.kind, e.to_state).into(),
            detail: EventPayload::parse(&e.payload)
                .filter(|_| party_line(&e.kind) == PartyLine::Full)
                .and_then(|p| substance(&e.kind, &p)),
            event: e.kind.clone(),
            state: e.to_state.map(|s| s.as_str().to_owned()),
        })
        .collect()
}

/// What the parties' timeline shows of a logged event: intake and uploads in full, a step
/// as `ActionKind::party_line` decides, and anything else (the sweep's marks) not at all.
fn party_line(kind: &str) -> PartyLine {
    match kind {
        "submitted" | "attachment_added" => PartyLine::Full,
        other => ActionKind::parse(other).map_or(PartyLine::Hidden, ActionKind::party_line),
    }
}

/// The Chinese label of an event kind that led to `to`, as timelines show it.
pub fn event_label(kind: &str, to: Option<CaseState>) -> &'static str {
    match kind {
        "submitted" => "已提交",
        "attachment_added" => "已上传证据材料",
        POLICE_REFERRAL => "移送公安机关",
        REPORT_MERGED => "并入新举报，核查期限重新计算",
        super::documents::DOCUMENT_ISSUED => "出具文书",
        super::workorders::WORK_ORDER_CHANGED => "12315 工单内容有变更",
        super::phone_access::TRACKING_CODE_REISSUED => "凭手机验证码重新发放查询码",
        crate::domain::disclosure::CONSENT_GIVEN => "投诉人同意公示投诉信息",
        crate::domain::disclosure::CONSENT_WITHDRAWN => "投诉人撤回公示同意",
        crate::domain::disclosure::REPLY_WRITTEN => "商家填写公开回复",
        crate::domain::disclosure::APPROVED => "同意公示投诉信息",
        crate::domain::disclosure::REFUSED => "不予公示投诉信息",
        other => ActionKind::parse(other).map_or("处理进展", |k| k.event_label_to(to)),
    }
}
