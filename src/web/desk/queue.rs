//! The workbench queue: filters in a GET form, cursor paging, due-date marks, and bulk
//! assignment (the use case behind `POST /api/v1/queue/assign`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::{
    CASE_WORKERS, DueMark, Pager, category_label, district_name, due_mark, flag_label, page_number,
};
use crate::auth::{Principal, Role, StaffUser};
use crate::domain::case::CaseState;
use crate::domain::policy::Clock;
use crate::domain::routing::Flag;
use crate::domain::{Nature, Taxonomy};
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::desk;
use crate::service::queue::{self, PageAsk, QueueItem, QueueQuery};
use crate::state::AppState;
use crate::web::nav::StaffNav;
use crate::web::{Form, PageError, csrf, see_other, staff};

/// The filter form as typed; empty fields mean "any".
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Filters {
    #[serde(skip_serializing_if = "String::is_empty")]
    state: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    clock: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    overdue: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    category: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    nature: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    flag: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    mine: String,
    /// `sampled` or `unfulfilled`: the follow-up visit lists.
    #[serde(skip_serializing_if = "String::is_empty")]
    follow_up: String,
    /// A case number to find.
    #[serde(skip_serializing_if = "String::is_empty")]
    no: String,
    /// `true`: closed cases instead of open ones.
    #[serde(skip_serializing_if = "String::is_empty")]
    closed: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    page: String,
    /// How many cases the last bulk assignment assigned, for the notice after the redirect.
    #[serde(skip_serializing_if = "String::is_empty")]
    assigned: String,
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

impl Filters {
    fn to_query(&self) -> QueueQuery {
        QueueQuery {
            state: non_empty(&self.state),
            clock: non_empty(&self.clock),
            overdue: (self.overdue == "true").then_some(true),
            category: non_empty(&self.category),
            nature: non_empty(&self.nature),
            flag: non_empty(&self.flag),
            mine: (self.mine == "true").then_some(true),
            follow_up: non_empty(&self.follow_up),
            cursor: None,
            limit: None,
        }
    }

    fn ask(&self) -> PageAsk {
        PageAsk {
            page: page_number(&self.page),
            closed: self.closed == "true",
            case_no: non_empty(&self.no),
        }
    }

    /// The link to page `page` of the same filters.
    fn page_link(&self, page: i64) -> String {
        let at = Filters {
            page: if page > 1 {
                page.to_string()
            } else {
                String::new()
            },
            ..self.first_page()
        };
        format!("/desk?{}", at.query_string())
    }

    fn query_string(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    /// The same filters from the first page, without the notice.
    fn first_page(&self) -> Filters {
        Filters {
            page: String::new(),
            assigned: String::new(),
            ..self.clone()
        }
    }
}

pub struct Row {
    pub item: QueueItem,
    pub due: DueMark,
    pub checked: bool,
    pub assignee: String,
}

#[derive(Template)]
#[template(path = "desk/queue.html")]
struct QueuePage {
    nav: StaffNav,
    csrf: String,
    user: StaffUser,
    filters: Filters,
    rows: Vec<Row>,
    pager: Pager,
    can_assign: bool,
    workers: Vec<(String, String)>,
    assign_to: String,
    back: String,
    error: Option<String>,
    notice: Option<String>,
    states: Vec<(&'static str, &'static str)>,
    clocks: &'static [(&'static str, &'static str)],
    follow_ups: &'static [(&'static str, &'static str)],
    natures: Vec<(&'static str, &'static str)>,
    flags: Vec<(&'static str, &'static str)>,
    categories: Vec<(String, String)>,
}

impl QueuePage {
    fn flag_label(&self, f: &str) -> String {
        flag_label(f).to_owned()
    }
    fn district(&self, code: &str) -> String {
        district_name(code).to_owned()
    }
    fn category(&self, code: &Option<String>) -> String {
        code.as_deref().map(category_label).unwrap_or_default()
    }
    /// Marks of the work after mediation: parties still to be told, the follow-up sample and
    /// what its visit found.
    fn aftercare_tags(&self, item: &QueueItem) -> Vec<&'static str> {
        let mut tags = Vec::new();
        if item.clock == Some(Clock::TerminationNotice) {
            tags.push("待告知双方");
        }
        match item.fulfilled {
            Some(f) if f.is_unfulfilled() => tags.push(f.label_zh()),
            Some(_) => tags.push("已回访"),
            None if item.follow_up_sampled => tags.push("待回访"),
            None => {}
        }
        tags
    }
    fn role_label(&self, role: &str) -> &'static str {
        if role == "supervisor" {
            "科长"
        } else {
            "调解员"
        }
    }
}

const CLOCKS: [(&str, &str); 5] = [
    ("acceptance", "受理决定"),
    ("odr_negotiation", "ODR企业协商"),
    ("mediation", "调解"),
    ("verification", "举报核查"),
    ("termination_notice", "终止调解告知双方"),
];

/// The follow-up lists (回访, Order 121 Art. 26).
const FOLLOW_UPS: [(&str, &str); 2] = [("sampled", "抽中回访"), ("unfulfilled", "未履行")];

/// What a failed bulk assignment keeps: the boxes ticked, the assignee chosen, the reason.
#[derive(Default)]
struct Assigning {
    selected: Vec<String>,
    user: String,
    error: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    filters: web::Query<Filters>,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &CASE_WORKERS, &crate::web::here(&req))?.clone();
    render(
        &req,
        &state,
        user,
        filters.into_inner(),
        Assigning::default(),
        StatusCode::OK,
    )
    .await
}

fn can_bulk_assign(user: &StaffUser) -> bool {
    matches!(user.role, Role::Admin | Role::Supervisor)
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    user: StaffUser,
    filters: Filters,
    assigning: Assigning,
    mut status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let ctx = state.ctx();
    let (query, ask) = (filters.to_query(), filters.ask());
    let caller = Caller::Staff(user.clone());
    let districts = user.queue_districts();
    let can_assign = can_bulk_assign(&user);
    let (listed, workers) = state
        .with_db(move |conn| {
            let listed = queue::page(conn, &ctx, &caller, &query, &ask);
            let workers = if can_assign {
                desk::case_workers(conn, districts.as_deref())?
            } else {
                Vec::new()
            };
            Ok((listed, workers))
        })
        .await?;
    let mut error = assigning.error;
    let page = match listed {
        Ok(page) => Some(page),
        Err(ServiceError::Invalid(issues)) => {
            status = StatusCode::UNPROCESSABLE_ENTITY;
            let text: Vec<String> = issues.into_iter().map(|i| i.message).collect();
            error = Some(format!("筛选条件有误：{}", text.join("；")));
            None
        }
        Err(other) => return Err(other.into()),
    };
    let pager = Pager::of(page.as_ref(), |n| filters.page_link(n));
    let (items, mut assignees) = page.map_or_else(Default::default, |p| (p.items, p.assignees));
    assignees.resize(items.len(), None);
    let rows = items
        .into_iter()
        .zip(assignees)
        .map(|(item, assignee)| Row {
            due: due_mark(item.overdue, item.remaining),
            checked: assigning.selected.contains(&item.case_no),
            assignee: assignee.unwrap_or_else(|| "未分派".to_owned()),
            item,
        })
        .collect();
    let notice = non_empty(&filters.assigned).map(|n| format!("已分派 {n} 件案件。"));
    let c = csrf::issue(req, state.settings.cookie_secure);
    let template = QueuePage {
        nav: StaffNav::new(&user, &c.token),
        csrf: c.token,
        back: filters.first_page().query_string(),
        filters,
        rows,
        pager,
        can_assign,
        workers,
        assign_to: assigning.user,
        error,
        notice,
        user,
        clocks: &CLOCKS,
        follow_ups: &FOLLOW_UPS,
        states: CaseState::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_zh()))
            .collect(),
        natures: Nature::ALL
            .iter()
            .map(|n| (n.as_str(), n.label_zh()))
            .collect(),
        flags: Flag::ALL
            .iter()
            .map(|f| (f.as_str(), f.label_zh()))
            .collect(),
        categories: Taxonomy::builtin()
            .all_categories()
            .into_iter()
            .map(|c| (c.code.clone(), c.label.clone()))
            .collect(),
    };
    super::page_with_cookie(status, &template, c.cookie)
}

pub async fn assign(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &CASE_WORKERS, "/desk")?.clone();
    let form = Form::parse(&req, &body, "desk_assign")?;
    let filters: Filters =
        serde_urlencoded::from_str(form.get("back").unwrap_or_default()).unwrap_or_default();
    let case_nos: Vec<String> = form.all("case_no").into_iter().map(str::to_owned).collect();
    let assignee = form.get("user").unwrap_or_default().trim().to_owned();
    let ctx = state.ctx();
    let caller = Caller::Staff(user.clone());
    let (nos, to) = (case_nos.clone(), assignee.clone());
    let result = state
        .with_db(move |conn| queue::bulk_assign(conn, &ctx, &caller, &nos, &to))
        .await;
    let (status, message) = match result {
        Ok(n) => {
            let done = Filters {
                assigned: n.to_string(),
                ..filters.first_page()
            };
            return Ok(see_other(&format!("/desk?{}", done.query_string())));
        }
        Err(ServiceError::Invalid(issues)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            issues
                .into_iter()
                .map(|i| i.message)
                .collect::<Vec<_>>()
                .join("；"),
        ),
        Err(ServiceError::NotFound) => (
            StatusCode::NOT_FOUND,
            "所选案件中有不存在或不在您辖区的案件".to_owned(),
        ),
        Err(ServiceError::NotAllowed { action, state, .. }) => (
            StatusCode::CONFLICT,
            ServiceError::not_allowed_text(action, state),
        ),
        Err(e) => return Err(e.into()),
    };
    let assigning = Assigning {
        selected: case_nos,
        user: assignee,
        error: Some(format!("分派未完成：{message}")),
    };
    render(&req, &state, user, filters, assigning, status).await
}
