//! The editors' consumer-warning pages: current alerts and hot terms to draft from, the
//! draft form (figures computed, never typed), editing, preview as the public will see it,
//! publishing and correcting. Admins and supervisors only.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::nav::StaffNav;
use super::warnings::{Article, Show};
use super::{Form, PageError, csrf, messages_for, page, see_other, staff};
use crate::auth::Principal;
use crate::clock::china_date;
use crate::domain::Taxonomy;
use crate::domain::warning::{WarningFigures, WarningStatus};
use crate::intake::FieldIssue;
use crate::service::ServiceError;
use crate::service::analysis::scope_of;
use crate::service::warnings::{
    self, Source, SourceInput, TextInput, Warning, create_draft, current_sources, figures_of,
};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(
        resource("/desk/warnings", "GET, POST")
            .route(web::get().to(desk))
            .route(web::post().to(create)),
    )
    .service(resource("/desk/warnings/new", "GET").route(web::get().to(new_form)))
    .service(
        resource("/desk/warnings/{id}", "GET, POST")
            .route(web::get().to(detail))
            .route(web::post().to(save)),
    )
    .service(resource("/desk/warnings/{id}/preview", "GET").route(web::get().to(preview)))
    .service(resource("/desk/warnings/{id}/publish", "POST").route(web::post().to(publish)))
    .service(resource("/desk/warnings/{id}/correct", "POST").route(web::post().to(correct)));
}

// Who may open these pages: the bulletin's editors.
use super::bulletins::EDITORS;

fn editor(
    req: &HttpRequest,
    state: &AppState,
    principal: &Principal,
    here: &str,
) -> Result<(StaffNav, crate::search::query::Scope), PageError> {
    let user = staff(principal, &EDITORS, here)?;
    let nav = StaffNav::new(user, &csrf::issue(req, state.settings.cookie_secure).token);
    Ok((nav, scope_of(user)))
}

/// The query string that asks for a source's figures again.
fn source_query(input: &SourceInput) -> String {
    let pairs: Vec<(&str, String)> = match input {
        SourceInput::Alert { category, week_of } => vec![
            ("kind", "alert".into()),
            ("category", category.clone()),
            (
                "week_of",
                week_of.map(|d| d.to_string()).unwrap_or_default(),
            ),
        ],
        SourceInput::HotTerm { term, from, to } => vec![
            ("kind", "hot_term".into()),
            ("term", term.clone()),
            ("from", from.map(|d| d.to_string()).unwrap_or_default()),
            ("to", to.map(|d| d.to_string()).unwrap_or_default()),
        ],
    };
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// Reads a source from form or query fields.
fn source_from(get: impl Fn(&str) -> String) -> Result<SourceInput, PageError> {
    let date = |name: &str| -> Result<Option<NaiveDate>, PageError> {
        match get(name).trim() {
            "" => Ok(None),
            raw => raw
                .parse()
                .map(Some)
                .map_err(|_| PageError::BadRequest("日期应写作 2026-11-20 这样的形式".into())),
        }
    };
    match get("kind").as_str() {
        "alert" => Ok(SourceInput::Alert {
            category: get("category"),
            week_of: date("week_of")?,
        }),
        "hot_term" => Ok(SourceInput::HotTerm {
            term: get("term"),
            from: date("from")?,
            to: date("to")?,
        }),
        _ => Err(PageError::BadRequest("请从当前预警或热词中选择".into())),
    }
}

struct SourceLine {
    kind: &'static str,
    line: String,
    href: String,
}

#[derive(Template)]
#[template(path = "warnings/desk.html")]
struct Desk {
    nav: StaffNav,
    sources: Vec<SourceLine>,
    items: Vec<Warning>,
}

pub async fn desk(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let (nav, scope) = editor(&req, &state, &principal, "/desk/warnings")?;
    let today = china_date(state.clock.now());
    let sources = current_sources(&state.search, scope, today)
        .await?
        .into_iter()
        .map(|Source { figures, input }| SourceLine {
            kind: figures.source.label_zh(),
            line: figures.line(),
            href: format!("/desk/warnings/new?{}", source_query(&input)),
        })
        .collect();
    let items = state.with_db(warnings::list_desk).await?;
    page(
        StatusCode::OK,
        &Desk {
            nav,
            sources,
            items,
        },
    )
}

/// Every category as (code, indented label), for the category select.
fn categories() -> Vec<(String, String)> {
    fn walk(c: &crate::domain::Category, depth: usize, out: &mut Vec<(String, String)>) {
        out.push((c.code.clone(), format!("{}{}", "　".repeat(depth), c.label)));
        for child in &c.children {
            walk(child, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    for c in &Taxonomy::builtin().categories {
        walk(c, 0, &mut out);
    }
    out
}

#[derive(Template)]
#[template(path = "warnings/form.html")]
struct FormPage {
    nav: StaffNav,
    /// Where the form posts: `/desk/warnings` (new) or the draft's own address.
    action: String,
    figures: WarningFigures,
    /// The source's fields, carried as hidden inputs on a new draft.
    source: Vec<(String, String)>,
    title: String,
    body: String,
    category: String,
    categories: Vec<(String, String)>,
    issues: Vec<FieldIssue>,
    /// Set on a stored draft.
    draft: Option<Warning>,
    notice: Option<&'static str>,
}

impl FormPage {
    fn errors(&self, field: &str) -> Vec<String> {
        messages_for(&self.issues, field)
    }
    /// A new draft, or a stored version still a draft.
    fn editable(&self) -> bool {
        self.draft
            .as_ref()
            .is_none_or(|w| w.status == WarningStatus::Draft)
    }
}

fn hidden_source(input: &SourceInput) -> Vec<(String, String)> {
    serde_urlencoded::from_str(&source_query(input)).unwrap_or_default()
}

#[derive(serde::Deserialize)]
pub struct SourceQuery {
    kind: Option<String>,
    category: Option<String>,
    week_of: Option<String>,
    term: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

pub async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<SourceQuery>,
) -> Result<HttpResponse, PageError> {
    let (nav, scope) = editor(&req, &state, &principal, "/desk/warnings")?;
    let q = query.into_inner();
    let input = source_from(|name| {
        let value = match name {
            "kind" => &q.kind,
            "category" => &q.category,
            "week_of" => &q.week_of,
            "term" => &q.term,
            "from" => &q.from,
            _ => &q.to,
        };
        value.clone().unwrap_or_default()
    })?;
    let today = china_date(state.clock.now());
    let figures = figures_of(&state.search, scope, input.clone(), today).await?;
    let category = match input {
        SourceInput::Alert { ref category, .. } => category.clone(),
        SourceInput::HotTerm { .. } => String::new(),
    };
    page(
        StatusCode::OK,
        &FormPage {
            nav,
            action: "/desk/warnings".into(),
            title: format!("关于{}的消费提示", figures.subject),
            body: String::new(),
            figures,
            source: hidden_source(&input),
            category,
            categories: categories(),
            issues: Vec::new(),
            draft: None,
            notice: None,
        },
    )
}

fn text_of(form: &Form) -> TextInput {
    let category = form.get("category").unwrap_or("").trim();
    TextInput {
        title: form.get("title").unwrap_or("").to_owned(),
        body: form.get("body").unwrap_or("").replace("\r\n", "\n"),
        category: (!category.is_empty()).then(|| category.to_owned()),
    }
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (nav, scope) = editor(&req, &state, &principal, "/desk/warnings")?;
    let form = Form::parse(&req, &body, "warning")?;
    let input = source_from(|name| form.get(name).unwrap_or("").to_owned())?;
    let now = state.clock.now();
    let figures = figures_of(&state.search, scope, input.clone(), china_date(now)).await?;
    let text = text_of(&form);
    let by = nav.email.clone();
    let (f, t) = (figures.clone(), text.clone());
    match state
        .with_db(move |conn| create_draft(conn, &f, &t, &by, now))
        .await
    {
        Ok(w) => Ok(see_other(&format!("/desk/warnings/{}?saved=draft", w.id))),
        Err(ServiceError::Invalid(issues)) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormPage {
                nav,
                action: "/desk/warnings".into(),
                figures,
                source: hidden_source(&input),
                title: text.title,
                body: text.body,
                category: text.category.unwrap_or_default(),
                categories: categories(),
                issues,
                draft: None,
                notice: None,
            },
        ),
        Err(e) => Err(e.into()),
    }
}

fn parse_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PageError::NotFound)
}

/// The stored version's page: its form while a draft, with what would keep it from being
/// published; the correction form once published.
fn draft_page(
    nav: StaffNav,
    w: Warning,
    text: Option<TextInput>,
    mut issues: Vec<FieldIssue>,
    notice: Option<&'static str>,
) -> FormPage {
    let text = text.unwrap_or_else(|| TextInput {
        title: w.title.clone(),
        body: w.body.clone(),
        category: w.category.clone(),
    });
    if issues.is_empty() && w.status == WarningStatus::Draft {
        issues = warnings::personal_data_issues(&w);
    }
    FormPage {
        nav,
        action: format!("/desk/warnings/{}", w.id),
        figures: w.figures.clone(),
        source: Vec::new(),
        title: text.title,
        body: text.body,
        category: text.category.unwrap_or_default(),
        categories: categories(),
        issues,
        draft: Some(w),
        notice,
    }
}

#[derive(serde::Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    query: web::Query<Saved>,
) -> Result<HttpResponse, PageError> {
    let here = format!("/desk/warnings/{path}");
    let (nav, _) = editor(&req, &state, &principal, &here)?;
    let id = parse_id(&path)?;
    let w = state
        .with_db(move |conn| warnings::get(conn, id, false))
        .await?;
    let notice = match query.saved.as_deref() {
        Some("draft") => Some("草稿已保存（草稿不公开）"),
        Some("published") => Some("已发布，公众现在可以查看"),
        Some("correction") => Some("已生成更正草稿，修改后发布即取代原版本"),
        _ => None,
    };
    page(
        StatusCode::OK,
        &draft_page(nav, w, None, Vec::new(), notice),
    )
}

pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (nav, _) = editor(&req, &state, &principal, &format!("/desk/warnings/{path}"))?;
    let id = parse_id(&path)?;
    let form = Form::parse(&req, &body, "warning")?;
    let text = text_of(&form);
    let t = text.clone();
    match state
        .with_db(move |conn| warnings::update_draft(conn, id, &t))
        .await
    {
        Ok(_) => Ok(see_other(&format!("/desk/warnings/{id}?saved=draft"))),
        Err(ServiceError::Invalid(issues)) => {
            let w = state
                .with_db(move |conn| warnings::get(conn, id, false))
                .await?;
            let shown = draft_page(nav, w, Some(text), issues, None);
            page(StatusCode::UNPROCESSABLE_ENTITY, &shown)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    editor(
        &req,
        &state,
        &principal,
        &format!("/desk/warnings/{path}/preview"),
    )?;
    let id = parse_id(&path)?;
    let w = state
        .with_db(move |conn| warnings::get(conn, id, false))
        .await?;
    let preview = w.status == WarningStatus::Draft;
    page(
        StatusCode::OK,
        &Show {
            a: Article::new(w),
            preview,
        },
    )
}

pub async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (nav, _) = editor(&req, &state, &principal, &format!("/desk/warnings/{path}"))?;
    let id = parse_id(&path)?;
    Form::parse(&req, &body, "warning")?;
    let now = state.clock.now();
    match state
        .with_db(move |conn| warnings::publish(conn, id, now))
        .await
    {
        Ok(_) => Ok(see_other(&format!("/desk/warnings/{id}?saved=published"))),
        Err(ServiceError::Invalid(issues)) => {
            let w = state
                .with_db(move |conn| warnings::get(conn, id, false))
                .await?;
            let shown = draft_page(nav, w, None, issues, None);
            page(StatusCode::UNPROCESSABLE_ENTITY, &shown)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn correct(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (nav, _) = editor(&req, &state, &principal, &format!("/desk/warnings/{path}"))?;
    let id = parse_id(&path)?;
    let form = Form::parse(&req, &body, "warning")?;
    let erratum = form.get("erratum").unwrap_or("").to_owned();
    let by = nav.email.clone();
    let now = state.clock.now();
    let w = state
        .with_db(move |conn| warnings::correct(conn, id, &erratum, &by, now))
        .await?;
    Ok(see_other(&format!(
        "/desk/warnings/{}?saved=correction",
        w.id
    )))
}
