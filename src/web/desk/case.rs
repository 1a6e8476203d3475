//! The case page of the workbench: the staff case view (`service::case_view`, masked as the
//! role requires), its timeline, clocks, evidence, similar cases, notes, messages and a form
//! for every allowed step.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::actions::{self, ActionForm, Attempt, Audience};
use super::{CASE_WORKERS, category_label, district_name, flag_label, nature_label, size_text};
use crate::auth::{Principal, StaffUser};
use crate::clock::china_offset;
use crate::domain::action::ActionKind;
use crate::domain::case::CaseState;
use crate::domain::event_payload::EventPayload;
use crate::domain::grounds::{POLICE_REFERRAL, PoliceReferral};
use crate::domain::routing::COLLECTIVE_MIN;
use crate::domain::steps::{actor_zh, step_line, substance};
use crate::search::similar::{self, Similar};
use crate::service::access::Caller;
use crate::service::case_view::StaffCaseView;
use crate::service::{Ctx, ServiceError, analysis, desk, track};
use crate::state::AppState;
use crate::web::documents::{self, DocRow};
use crate::web::nav::StaffNav;
use crate::web::{Form, PageError, csrf, see_other, staff};

pub struct TimelineRow {
    pub kind: String,
    pub at: String,
    pub actor: String,
    /// The step, what it decided and the state it led to (`domain::steps::step_line`).
    pub line: String,
}

pub struct NoteRow {
    pub at: String,
    pub by: String,
    pub text: String,
}

struct DeskCase {
    view: StaffCaseView,
    timeline: Vec<TimelineRow>,
    notes: Vec<NoteRow>,
    assignee: Option<String>,
    workers: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "desk/case.html")]
struct CasePage {
    nav: StaffNav,
    csrf: String,
    c: StaffCaseView,
    timeline: Vec<TimelineRow>,
    notes: Vec<NoteRow>,
    assignee: Option<String>,
    similar: Option<Similar>,
    similar_failed: bool,
    forms: Vec<ActionForm>,
    refusal: Option<String>,
    notice: Option<String>,
    post_to: String,
    today: chrono::NaiveDate,
    /// Every document of the case, with its 打印 link.
    documents: Vec<DocRow>,
    /// The 调解书 whose signed paper copy the desk may upload now.
    signed_upload: Option<i64>,
}

impl CasePage {
    fn today(&self) -> chrono::NaiveDate {
        self.today
    }
    fn flag_label(&self, f: &str) -> String {
        flag_label(f).to_owned()
    }
    /// How a linked case relates to this one, in words.
    fn link_label(&self, relation: &str, outgoing: &bool) -> &'static str {
        match (relation, *outgoing) {
            ("possible_repeat", true) => "可能重复的此前举报（请核对是否重复举报）",
            ("possible_repeat", false) => "可能重复本举报的后续举报",
            ("repeat_of", true) => "所重复的此前举报",
            ("repeat_of", false) => "重复本举报的举报",
            ("lead_report", true) => "调解中发现的线索另立的举报",
            ("lead_report", false) => "线索来源投诉",
            ("merged_into", true) => "已并入",
            ("merged_into", false) => "并入本案的案件",
            ("possible_duplicate", true) => "可能重复的此前投诉",
            ("linked_report", true) => "关联的举报",
            ("linked_report", false) => "来源投诉",
            _ => "关联案件",
        }
    }
    fn district(&self, code: &str) -> String {
        district_name(code).to_owned()
    }
    fn category(&self, code: &Option<String>) -> String {
        code.as_deref().map(category_label).unwrap_or_default()
    }
    fn nature(&self, code: &str) -> String {
        nature_label(code).to_owned()
    }
    fn size(&self, bytes: &i64) -> String {
        size_text(*bytes)
    }
    fn is_image(&self, mime: &str) -> bool {
        mime.starts_with("image/")
    }
    fn yuan(&self, fen: &Option<i64>) -> String {
        fen.map(|f| format!("{}.{:02} 元", f / 100, f % 100))
            .unwrap_or_default()
    }
    fn party_role(&self, role: &str) -> &'static str {
        party_role(role)
    }
    fn recipient(&self, to: &str) -> &'static str {
        recipient_label(to)
    }
    /// A termination notice clock in words: "告知双方：剩 3 个工作日" or "已告知双方".
    fn notice_status(&self, k: &crate::domain::clocks::ClockView) -> Option<String> {
        (k.name == crate::domain::policy::Clock::TerminationNotice).then(|| {
            if !k.is_running() {
                "已告知双方".to_owned()
            } else if k.overdue && k.remaining_days < 0 {
                format!(
                    "告知双方：已超期 {}",
                    k.unit.count_zh(k.remaining_days.unsigned_abs())
                )
            } else if k.overdue {
                "告知双方：已超期".to_owned()
            } else {
                format!(
                    "告知双方：剩 {}",
                    k.unit.count_zh(k.remaining_days.unsigned_abs())
                )
            }
        })
    }
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        china_time(*at)
    }
    /// The clock's length and cited basis under the case's policy version.
    fn basis(&self, clock: &crate::domain::policy::Clock) -> String {
        self.c
            .clock_bases
            .iter()
            .find(|b| b.name == *clock)
            .map(|b| b.text.clone())
            .unwrap_or_default()
    }
}

pub fn party_role(role: &str) -> &'static str {
    match role {
        "complainant" => "投诉人",
        "reporter" => "举报人",
        "respondent" => "被投诉（举报）方",
        _ => "当事人",
    }
}

pub fn recipient_label(to: &str) -> &'static str {
    match to {
        "complainant" => "投诉人",
        "reporter" => "举报人",
        "enterprise" => "企业",
        "mediator" => "调解员",
        "admin" | "supervisor" => "市场监管局",
        _ => "其他",
    }
}

pub fn china_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&china_offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn event_label(kind: &str, to: Option<CaseState>) -> &'static str {
    match kind {
        "clock_overdue" => "已超期",
        crate::service::document_print::DOCUMENT_PRINTED => "文书已生成 PDF",
        other => track::event_label(other, to),
    }
}

/// The desk's case with its timeline and internal notes.
fn load(
    conn: &mut crate::service::Db,
    ctx: &Ctx,
    case_no: &str,
    caller: &Caller,
) -> Result<DeskCase, ServiceError> {
    let case = desk::desk_case(conn, ctx, case_no, caller)?;
    let timeline = case
        .events
        .iter()
        .map(|e| {
            let payload = EventPayload::parse(&e.payload);
            let line = match payload {
                Some(p) if e.kind == POLICE_REFERRAL => PoliceReferral::line(&p),
                payload => step_line(
                    event_label(&e.kind, e.to_state),
                    payload.and_then(|p| substance(&e.kind, &p)).as_deref(),
                    e.to_state,
                ),
            };
            TimelineRow {
                kind: e.kind.clone(),
                at: china_time(e.at.and_utc()),
                actor: actor_zh(&e.actor, &e.actor_role),
                line,
            }
        })
        .collect();
    let notes = case
        .events
        .iter()
        .filter(|e| e.kind == "note")
        .map(|e| NoteRow {
            at: china_time(e.at.and_utc()),
            by: actor_zh(&e.actor, &e.actor_role),
            text: EventPayload::parse(&e.payload)
                .and_then(|p| p.text().map(str::to_owned))
                .unwrap_or_default(),
        })
        .collect();
    Ok(DeskCase {
        view: case.view,
        timeline,
        notes,
        assignee: case.assignee,
        workers: case.workers,
    })
}

#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

pub(super) fn here(case_no: &str) -> String {
    format!("/desk/cases/{case_no}")
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &CASE_WORKERS, &here(&path))?.clone();
    let outcome = (StatusCode::OK, Attempt::default(), done.into_inner().done);
    render(&req, &state, user, &path, outcome).await
}

pub(super) async fn render(
    req: &HttpRequest,
    state: &AppState,
    user: StaffUser,
    case_no: &str,
    (status, attempt, done): (StatusCode, Attempt, Option<String>),
) -> Result<HttpResponse, PageError> {
    let ctx = state.ctx();
    let today = ctx.today();
    let caller = Caller::Staff(user.clone());
    let no = case_no.to_owned();
    let data = state
        .with_db(move |conn| load(conn, &ctx, &no, &caller))
        .await?;
    let issued = documents::list(state, case_no, Caller::Staff(user.clone())).await?;
    let (live, no, scope) = (
        state.search.live(),
        case_no.to_owned(),
        analysis::scope_of(&user),
    );
    let found = web::block(move || similar::similar(&live, &no, &scope, COLLECTIVE_MIN)).await;
    let (similar, similar_failed) = match found {
        Ok(Ok(s)) => (s, false),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "similar cases unavailable");
            (None, true)
        }
        Err(_) => (None, true),
    };
    let audience = Audience {
        kind: data.view.kind,
        district: &data.view.district,
        workers: data
            .workers
            .iter()
            .map(|(email, role)| {
                let label = if role == "supervisor" {
                    "科长"
                } else {
                    "调解员"
                };
                (email.clone(), format!("{email}（{label}）"))
            })
            .collect(),
        enterprise: false,
        grounds: Some(&data.view.grounds),
        sideways: !state
            .ctx()
            .reference
            .policy
            .of_case(&data.view.policy_version, data.view.received_date)
            .is_some_and(|p| p.unified_dispatch),
        agreement_id: data.view.agreement.as_ref().and_then(|a| a.document_id),
        // A replaced document is corrected through the one that replaced it.
        documents: issued
            .iter()
            .filter(|d| {
                !issued
                    .iter()
                    .any(|n| n.replaces.as_ref() == Some(&d.number))
            })
            .map(|d| (d.id.to_string(), format!("{}（{}）", d.title, d.number)))
            .collect(),
        counterfeit_or_ip: data
            .view
            .nature
            .parse::<crate::domain::Nature>()
            .is_ok_and(crate::domain::Nature::is_counterfeit_or_ip),
    };
    let notice = done.map(|d| {
        let steps = data
            .timeline
            .iter()
            .map(|r| (r.kind.as_str(), r.line.clone()));
        actions::recorded(&d, steps)
    });
    // The signed 调解书 comes as a file: its own form below, not a step form.
    let signed_upload = audience.agreement_id.filter(|_| {
        data.view
            .allowed_actions
            .contains(&ActionKind::RecordSignedAgreement)
    });
    let offered: Vec<ActionKind> = (data.view.allowed_actions.iter().copied())
        .filter(|a| *a != ActionKind::RecordSignedAgreement)
        .collect();
    let forms = actions::forms(&offered, &audience, &attempt);
    let refusal = actions::unplaced(&attempt, &forms);
    let c = csrf::issue(req, state.settings.cookie_secure);
    let template = CasePage {
        signed_upload,
        nav: StaffNav::new(&user, &c.token),
        csrf: c.token,
        post_to: format!("{}/actions", here(&data.view.case_no)),
        c: data.view,
        timeline: data.timeline,
        notes: data.notes,
        assignee: data.assignee,
        similar,
        similar_failed,
        forms,
        refusal,
        notice,
        today,
        documents: documents::rows(issued, &here(case_no)),
    };
    super::page_with_cookie(status, &template, c.cookie)
}

pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &CASE_WORKERS, &here(&path))?.clone();
    let form = Form::parse(&req, &body, "desk_action")?;
    let caller = Caller::Staff(user.clone());
    match actions::perform(&state, caller, &path, &form).await? {
        // A transfer, a dispatch or a return may take the case out of this desk's reach.
        Ok(ActionKind::Transfer | ActionKind::Dispatch | ActionKind::ReturnToDispatcher) => {
            Ok(see_other("/desk"))
        }
        Ok(done) => Ok(actions::done_page(
            &here(&crate::web::urlencoding(&path)),
            done,
        )),
        Err((status, attempt)) => render(&req, &state, user, &path, (status, attempt, None)).await,
    }
}
