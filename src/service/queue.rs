//! Work lists: a mediator's queue (their bureaus only), an enterprise's complaints, a
//! consumer's own cases. Ordered by due date, paged by an opaque cursor.

use chrono::NaiveDate;
use serde::Serialize;

use super::access::{Caller, ENTERPRISE_KIND};
use super::{Ctx, ServiceError};
use crate::auth::Role;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::routing::Flag;
use crate::domain::{CategoryCode, Nature, Taxonomy};
use crate::intake::FieldIssue;
use crate::store::Db;
use crate::store::models::CaseRow;
use crate::store::workflow::{QueueFilter, queue_page};

pub const MAX_PAGE: i64 = 200;

/// Query parameters of `GET /api/v1/queue` (and the other lists).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// One or more states, comma-separated.
    pub state: Option<String>,
    /// Clock: acceptance, odr_negotiation, mediation or verification.
    pub clock: Option<String>,
    /// `true`: only cases past their due date.
    pub overdue: Option<bool>,
    /// Category code or prefix, e.g. goods.cosmetics.
    pub category: Option<String>,
    pub nature: Option<String>,
    /// odr, adverse_reaction, commitment_unit, likely_duplicate, counterfeit.
    pub flag: Option<String>,
    /// `true`: only cases assigned to me.
    pub mine: Option<bool>,
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub case_no: String,
    pub kind: CaseKind,
    pub state: CaseState,
    pub state_label: String,
    pub title: String,
    pub district: String,
    pub category: Option<String>,
    pub nature: String,
    #[schema(value_type = String, format = Date)]
    pub received_date: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    pub due_provisional: bool,
    pub overdue: bool,
    pub flags: Vec<String>,
    pub assignee_id: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    pub next_cursor: Option<String>,
}

fn bad(field: &str, code: &str, message: &str) -> ServiceError {
    ServiceError::Invalid(vec![FieldIssue {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }])
}

fn parse_cursor(c: &str) -> Option<(NaiveDate, i64)> {
    let (date, id) = c.split_once('.')?;
    Some((date.parse().ok()?, id.parse().ok()?))
}

/// Turns query parameters into a filter, refusing unknown values with 422.
fn filter_of(q: &QueueQuery, today: NaiveDate) -> Result<QueueFilter, ServiceError> {
    let mut f = QueueFilter::default();
    let mut states: Vec<CaseState> = Vec::new();
    if let Some(list) = &q.state {
        for s in list.split(',').filter(|s| !s.is_empty()) {
            let st: CaseState = s
                .parse()
                .map_err(|_| bad("state", "unknown_state", "未知的案件状态"))?;
            states.push(st);
        }
    }
    if let Some(clock) = &q.clock {
        let st = match clock.as_str() {
            "acceptance" => vec![CaseState::PendingAcceptance],
            "odr_negotiation" => vec![CaseState::OdrNegotiation],
            "mediation" => vec![CaseState::InMediation, CaseState::MediationPaused],
            "verification" => vec![CaseState::PendingVerification],
            _ => return Err(bad("clock", "unknown_clock", "未知的时限类型")),
        };
        states.extend(st);
    }
    f.states = states;
    if let Some(prefix) = &q.category {
        let code = CategoryCode::parse(prefix).map_err(|e| bad("category", e.code, &e.message))?;
        let codes: Vec<String> = Taxonomy::builtin()
            .all_categories()
            .into_iter()
            .map(|c| c.code.clone())
            .filter(|c| c == code.as_str() || c.starts_with(&format!("{}.", code.as_str())))
            .collect();
        f.categories = Some(codes);
    }
    if let Some(n) = &q.nature {
        let nature: Nature = n
            .parse()
            .map_err(|_| bad("nature", "unknown_nature", "未知的投诉性质"))?;
        f.nature = Some(nature.as_str().into());
    }
    if let Some(flag) = &q.flag {
        f.flag = Some(Flag::parse(flag).ok_or_else(|| bad("flag", "unknown_flag", "未知的标记"))?);
    }
    if q.overdue == Some(true) {
        f.overdue_before = Some(today);
    }
    Ok(f)
}

/// The cases the caller works on, with the caller's reach applied.
pub fn list(
    conn: &mut Db,
    ctx: &Ctx,
    caller: &Caller,
    q: &QueueQuery,
) -> Result<QueuePage, ServiceError> {
    let today = ctx.today();
    let mut f = filter_of(q, today)?;
    match caller {
        Caller::Staff(user) => match user.role {
            Role::Admin | Role::Supervisor | Role::Mediator => {
                f.districts = user.queue_districts();
                if q.mine == Some(true) {
                    f.assignee_id = Some(user.id);
                }
            }
            // Enterprises see complaints against their business, never reports.
            Role::Enterprise => {
                f.respondent_uscc = Some(user.uscc.clone().ok_or(ServiceError::Forbidden)?);
                f.kind = Some(ENTERPRISE_KIND);
            }
            Role::Analyst => return Err(ServiceError::Forbidden),
        },
        Caller::Consumer { openid } => f.consumer_openid = Some(openid.clone()),
        Caller::TokenHolder(_) => return Err(ServiceError::Unauthenticated),
        Caller::System => {}
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(bad("limit", "range", "每页数量应在1至200之间"));
    }
    let after = match &q.cursor {
        Some(c) => {
            Some(parse_cursor(c).ok_or_else(|| bad("cursor", "invalid_cursor", "分页游标无效"))?)
        }
        None => None,
    };
    let rows = queue_page(conn, &f, after, limit + 1)?;
    let more = rows.len() as i64 > limit;
    let rows: Vec<CaseRow> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = more
        .then(|| rows.last().map(|r| format!("{}.{}", r.due_date, r.id)))
        .flatten();
    Ok(QueuePage {
        items: rows.iter().map(|r| item(r, today)).collect(),
        next_cursor,
    })
}

fn item(r: &CaseRow, today: NaiveDate) -> QueueItem {
    QueueItem {
        case_no: r.case_no.clone(),
        kind: r.kind,
        state: r.state,
        state_label: r.state.label_zh().into(),
        title: r.title.clone(),
        district: r.district.clone(),
        category: r.category.clone(),
        nature: r.nature.clone(),
        received_date: r.received_date,
        due: r.due_date,
        due_provisional: r.due_provisional,
        overdue: r.closed_on.is_none() && r.due_date < today,
        flags: r.flags.iter().map(|f| f.as_str().to_owned()).collect(),
        assignee_id: r.assignee_id,
    }
}

/// Assigns many cases at once (supervisors); each is its own `assign` step in the log.
pub fn bulk_assign(
    conn: &mut Db,
    ctx: &Ctx,
    caller: &Caller,
    case_nos: &[String],
    user: &str,
) -> Result<usize, ServiceError> {
    if !matches!(caller, Caller::Staff(u) if matches!(u.role, Role::Admin | Role::Supervisor)) {
        return Err(ServiceError::Forbidden);
    }
    if case_nos.is_empty() || case_nos.len() > MAX_PAGE as usize {
        return Err(bad("case_nos", "range", "一次可分派1至200件"));
    }
    let command = crate::domain::workflow::Command::Assign {
        user: user.to_owned(),
    };
    crate::store::write_transaction(conn, |conn| {
        for case_no in case_nos {
            super::actions::act(conn, ctx, case_no, caller, command.clone())?;
        }
        Ok(case_nos.len())
    })
}
