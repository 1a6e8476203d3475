//! Work lists: a mediator's queue (their bureaus only), an enterprise's complaints, a
//! consumer's own cases. Ordered by due date, paged by an opaque cursor.

use chrono::NaiveDate;
use serde::Serialize;

use super::access::{Caller, ENTERPRISE_KIND};
use super::aftercare::latest_follow_up;
use super::case_view::{LoadedCase, clocks_of};
use super::{Ctx, ServiceError};
use crate::auth::Role;
use crate::domain::aftercare::{Fulfilled, sampled};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::clocks::{ClockView, current_work};
use crate::domain::policy::{Clock, DaysLeft};
use crate::domain::routing::Flag;
use crate::domain::{CategoryCode, Nature, Taxonomy};
use crate::intake::FieldIssue;
use crate::store::accounts;
use crate::store::models::CaseRow;
use crate::store::workflow::{QueueFilter, queue_count, queue_offset_page, queue_page};
use crate::store::{Db, events};

#[path = "queue_aftercare.rs"]
mod aftercare_lists;

pub const MAX_PAGE: i64 = 200;

/// Query parameters of `GET /api/v1/queue` (and the other lists).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// One or more states, comma-separated.
    pub state: Option<String>,
    /// Clock: acceptance, odr_negotiation, mediation or verification; or
    /// termination_notice: terminated complaints whose parties are not all told yet.
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
    /// The follow-up visits (回访): `sampled` lists the settled complaints the sample drew,
    /// `unfulfilled` those whose visit found the settlement not (fully) carried out.
    pub follow_up: Option<String>,
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
    /// The clock the due date is of: the running stage clock, or a terminated complaint's
    /// termination notice (告知双方) while it runs; none otherwise.
    pub clock: Option<Clock>,
    /// That clock is past its due date.
    pub overdue: bool,
    /// Working days left on the running stage clock (negative once overdue); none when no
    /// stage clock runs.
    pub remaining_working_days: Option<i64>,
    /// Days left on the running stage clock in the unit it counts (Order 121's mediation
    /// counts calendar days).
    pub remaining: Option<DaysLeft>,
    /// The business has answered (`odr_answer`) in the ODR negotiation still running: the
    /// consumer decides next, not the business.
    pub odr_answered: bool,
    pub flags: Vec<String>,
    pub assignee_id: Option<i64>,
    /// Order 121 Art. 17: "疑似职业索赔：…", in the lists of bureau staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screening: Option<String>,
    /// A settled complaint the follow-up sample drew (回访).
    pub follow_up_sampled: bool,
    /// What the latest follow-up visit found, if there was one.
    pub fulfilled: Option<Fulfilled>,
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
            "verification" => vec![
                CaseState::PendingVerification,
                CaseState::VerificationPaused,
            ],
            "termination_notice" => vec![CaseState::MediationTerminated],
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
    reach(caller, q, &mut f)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(bad("limit", "range", "每页数量应在1至200之间"));
    }
    if let Some(which) = aftercare_lists::asked(q)? {
        return Ok(QueuePage {
            items: aftercare_lists::list(conn, ctx, f, which, limit)?,
            next_cursor: None,
        });
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
    let listed = items(conn, ctx, &rows)?;
    Ok(QueuePage {
        items: with_screening(conn, caller, listed, &rows)?,
        next_cursor,
    })
}

/// Narrows `f` to what the caller may list.
fn reach(caller: &Caller, q: &QueueQuery, f: &mut QueueFilter) -> Result<(), ServiceError> {
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
            // The unified intake unit's queue: every case of the city awaiting dispatch.
            Role::Dispatcher => f.states = vec![CaseState::AwaitingDispatch],
        },
        Caller::Consumer { openid } => f.consumer_openid = Some(openid.clone()),
        Caller::TokenHolder(_) => return Err(ServiceError::Unauthenticated),
        Caller::System => {}
    }
    Ok(())
}

/// The list items of `rows`, their due dates and marks from the same derived clocks as the
/// case pages (the row's due date is only a projection, stale while mediation is paused).
pub(super) fn items(
    conn: &mut Db,
    ctx: &Ctx,
    rows: &[CaseRow],
) -> Result<Vec<QueueItem>, ServiceError> {
    rows.iter().map(|r| item(conn, ctx, r)).collect()
}

fn item(conn: &mut Db, ctx: &Ctx, r: &CaseRow) -> Result<QueueItem, ServiceError> {
    let events = events::list(conn, r.id)?;
    let loaded = LoadedCase {
        mail_notices: super::aftercare::mail_notices(conn, r, &events)?,
        case: r.clone(),
        respondent_uscc: None,
        events,
        // Referral clocks are never a stage clock.
        referral: None,
    };
    let clocks = clocks_of(&loaded, &ctx.reference, ctx.today())?;
    let stage = current_work(&clocks);
    let settled = r.kind == CaseKind::Complaint && r.state == CaseState::Settled;
    Ok(QueueItem {
        clock: stage.map(|c| c.name),
        case_no: r.case_no.clone(),
        kind: r.kind,
        state: r.state,
        state_label: r.state.label_zh().into(),
        title: r.title.clone(),
        district: r.district.clone(),
        category: r.category.clone(),
        nature: r.nature.clone(),
        received_date: r.received_date,
        due: stage.map_or(r.due_date, |c| c.due),
        due_provisional: stage.map_or(r.due_provisional, |c| c.provisional),
        overdue: stage.is_some_and(|c| c.overdue),
        remaining_working_days: stage.map(|c| c.remaining_working_days),
        remaining: stage.map(ClockView::days_left),
        odr_answered: r.state == CaseState::OdrNegotiation && loaded.odr_answered(),
        flags: r.flags.iter().map(|f| f.as_str().to_owned()).collect(),
        assignee_id: r.assignee_id,
        screening: None,
        follow_up_sampled: settled && sampled(&r.case_no, ctx.reference.policy.follow_up_share),
        fulfilled: if settled {
            latest_follow_up(&loaded.events)
        } else {
            None
        },
    })
}

/// Adds the Art. 17 screening line to the items, for the bureaus' staff only: never for a
/// business, a consumer or the unified intake unit.
fn with_screening(
    conn: &mut Db,
    caller: &Caller,
    mut items: Vec<QueueItem>,
    rows: &[CaseRow],
) -> Result<Vec<QueueItem>, ServiceError> {
    let staff = matches!(caller, Caller::Staff(u)
        if matches!(u.role, Role::Admin | Role::Supervisor | Role::Mediator));
    if !staff {
        return Ok(items);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut found = super::screening::of_cases(conn, &ids)?;
    for (item, row) in items.iter_mut().zip(rows) {
        item.screening = found.remove(&row.id).and_then(|s| s.headline);
    }
    Ok(items)
}

/// The deepest a page list reaches by offset; narrower filters or the case-number search
/// find anything further down.
pub const MAX_OFFSET: i64 = 10_000;

/// What a page list asks for besides the filters.
#[derive(Debug, Clone, Default)]
pub struct PageAsk {
    /// 1-based.
    pub page: i64,
    /// Closed cases instead of open ones.
    pub closed: bool,
    /// An exact case number: that case alone, open or closed, if the caller may see it.
    pub case_no: Option<String>,
}

/// One page of a work list, with the total for its filters.
pub struct ListedPage {
    pub items: Vec<QueueItem>,
    /// E-mail of each item's assignee, for supervisors and admins (empty for others).
    pub assignees: Vec<Option<String>>,
    pub total: i64,
    pub page: i64,
    pub has_next: bool,
}

/// The desk's and the enterprise desk's list: open cases by default, soonest due first (for
/// a business, those awaiting its answer lead), paged by a bounded offset.
pub fn page(
    conn: &mut Db,
    ctx: &Ctx,
    caller: &Caller,
    q: &QueueQuery,
    ask: &PageAsk,
) -> Result<ListedPage, ServiceError> {
    let mut f = filter_of(q, ctx.today())?;
    reach(caller, q, &mut f)?;
    match ask.case_no.as_deref().map(str::trim) {
        Some(no) if !no.is_empty() => f.case_no = Some(no.to_owned()),
        _ => f.open = Some(!ask.closed),
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(bad("limit", "range", "每页数量应在1至200之间"));
    }
    if let Some(which) = aftercare_lists::asked(q)? {
        let items = aftercare_lists::list(conn, ctx, f, which, limit)?;
        return Ok(ListedPage {
            assignees: Vec::new(),
            total: i64::try_from(items.len()).unwrap_or(0),
            items,
            page: 1,
            has_next: false,
        });
    }
    let offset = (ask.page - 1).saturating_mul(limit);
    if !(0..=MAX_OFFSET).contains(&offset) {
        return Err(bad("page", "range", "页码超出范围，请缩小筛选范围"));
    }
    let staff = match caller {
        Caller::Staff(u) => Some(u.role),
        _ => None,
    };
    let first = (staff == Some(Role::Enterprise)).then_some(CaseState::OdrNegotiation);
    let total = queue_count(conn, &f)?;
    let rows = queue_offset_page(conn, &f, first, offset, limit)?;
    let assignees = if matches!(staff, Some(Role::Admin | Role::Supervisor)) {
        rows.iter()
            .map(|r| match r.assignee_id {
                Some(id) => Ok(accounts::find_user(conn, id)?.map(|u| u.email)),
                None => Ok(None),
            })
            .collect::<Result<_, ServiceError>>()?
    } else {
        Vec::new()
    };
    let listed = items(conn, ctx, &rows)?;
    Ok(ListedPage {
        items: with_screening(conn, caller, listed, &rows)?,
        assignees,
        total,
        page: ask.page,
        has_next: offset + limit < total && offset + limit <= MAX_OFFSET,
    })
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
