//! Bulletin pages: the public list, and the editors' flow (generate a draft, adopt and edit
//! typical cases, write consumer tips, preview, publish, correct).

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::bulletin_terms::{HotTermLine, hot_term_lines};
use super::nav::StaffNav;
use super::{BULLETIN_CSP, Form, PageError, csrf, messages_for, page, secure, see_other, staff};
use crate::auth::{Principal, Role};
use crate::bulletin::model::{Bulletin, Tip, TypicalCase};
use crate::bulletin::period::Period;
use crate::bulletin::render;
use crate::intake::FieldIssue;
use crate::service::ServiceError;
use crate::service::bulletins::{self, Candidate, ContentInput, NewVersion, Summary, new_version};
use crate::state::AppState;

pub(crate) const EDITORS: [Role; 2] = [Role::Admin, Role::Supervisor];

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/bulletins", "GET").route(web::get().to(public_list)))
        .service(
            resource("/admin/bulletins", "GET, POST")
                .route(web::get().to(list))
                .route(web::post().to(create)),
        )
        .service(resource("/admin/bulletins/{id}", "GET").route(web::get().to(detail)))
        .service(resource("/admin/bulletins/{id}/preview", "GET").route(web::get().to(preview)))
        .service(resource("/admin/bulletins/{id}/content", "POST").route(web::post().to(content)))
        .service(resource("/admin/bulletins/{id}/adopt", "POST").route(web::post().to(adopt)))
        .service(resource("/admin/bulletins/{id}/publish", "POST").route(web::post().to(publish)))
        .service(
            resource("/admin/bulletins/{id}/hot-terms", "POST")
                .route(web::post().to(super::bulletin_terms::hot_term)),
        )
        .service(resource("/admin/bulletins/{id}/correct", "POST").route(web::post().to(correct)));
}

fn status_label(status: &str) -> &'static str {
    match status {
        "draft" => "草稿",
        "published" => "已发布",
        "superseded" => "已被更正",
        _ => "预览",
    }
}

#[derive(Template)]
#[template(path = "bulletins.html")]
struct PublicList {
    items: Vec<Summary>,
}

impl PublicList {
    fn status_label(&self, s: &str) -> &'static str {
        status_label(s)
    }
}

pub async fn public_list(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let items = state.with_db(|conn| bulletins::list(conn, true)).await?;
    page(StatusCode::OK, &PublicList { items })
}

#[derive(Template)]
#[template(path = "admin/bulletins.html")]
struct AdminList<'a> {
    nav: StaffNav,
    items: Vec<Summary>,
    period: &'a str,
    as_of: &'a str,
    error: Option<String>,
}

impl AdminList<'_> {
    fn status_label(&self, s: &str) -> &'static str {
        status_label(s)
    }
}

async fn show_list(
    state: &AppState,
    nav: StaffNav,
    status: StatusCode,
    input: (&str, &str),
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let items = state.with_db(|conn| bulletins::list(conn, false)).await?;
    page(
        status,
        &AdminList {
            nav,
            items,
            period: input.0,
            as_of: input.1,
            error,
        },
    )
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let nav = editor(&req, &state, &principal, "/admin/bulletins")?;
    show_list(&state, nav, StatusCode::OK, ("", ""), None).await
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let nav = editor(&req, &state, &principal, "/admin/bulletins")?;
    let by = nav.email.clone();
    let form = Form::parse(&req, &body, "bulletin")?;
    let label = form.get("period").unwrap_or("").trim().to_owned();
    let as_of_raw = form.get("as_of").unwrap_or("").trim().to_owned();
    let refuse = |message: String| {
        show_list(
            &state,
            nav.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            (&label, &as_of_raw),
            Some(message),
        )
    };
    let period = match Period::parse_quarter(&label) {
        Ok(p) => p,
        Err(e) => return refuse(e.to_string()).await,
    };
    let as_of = match as_of_raw.as_str() {
        "" => None,
        raw => match raw.parse::<NaiveDate>() {
            Ok(d) => Some(d),
            Err(_) => return refuse("统计截止日期应写作 2026-11-20 这样的日期".into()).await,
        },
    };
    let b = new_version(
        &state.pool,
        &state.search,
        state.ctx(),
        period,
        as_of,
        by,
        NewVersion::Draft,
    )
    .await?;
    Ok(see_other(&format!(
        "/admin/bulletins/{}",
        b.id.unwrap_or_default()
    )))
}

#[derive(Template)]
#[template(path = "admin/bulletin.html")]
struct Detail<'a> {
    nav: StaffNav,
    b: &'a Bulletin,
    status: &'static str,
    typical: Vec<TypicalCase>,
    tips: Vec<Tip>,
    candidates: Vec<Candidate>,
    hot_terms: Vec<HotTermLine>,
    issues: Vec<FieldIssue>,
    notice: Option<String>,
}

impl Detail<'_> {
    fn is_draft(&self) -> bool {
        self.b.status == "draft"
    }
    fn errors(&self, prefix: &str) -> Vec<String> {
        messages_for(&self.issues, prefix)
    }
    fn item_errors(&self, list: &str, index: &usize) -> Vec<String> {
        messages_for(&self.issues, &format!("{list}[{index}]."))
    }
    fn yuan(&self, fen: &i64) -> String {
        format!("{}.{:02}", fen / 100, (fen % 100).abs())
    }
    fn percent(&self, r: &crate::bulletin::model::Rate) -> String {
        r.value
            .map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0))
    }
}

/// The signed-in editor's page header; anyone else is sent to sign in or refused.
pub(super) fn editor(
    req: &HttpRequest,
    state: &AppState,
    principal: &Principal,
    here: &str,
) -> Result<StaffNav, PageError> {
    let user = staff(principal, &EDITORS, here)?;
    Ok(StaffNav::new(
        user,
        &csrf::issue(req, state.settings.cookie_secure).token,
    ))
}

pub(super) fn parse_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PageError::NotFound)
}

struct Shown {
    typical: Vec<TypicalCase>,
    tips: Vec<Tip>,
    issues: Vec<FieldIssue>,
    notice: Option<String>,
}

async fn show_detail(
    nav: StaffNav,
    state: &AppState,
    status: StatusCode,
    b: Bulletin,
    shown: Option<Shown>,
) -> Result<HttpResponse, PageError> {
    let id = b.id.unwrap_or_default();
    let candidates = if b.status == "draft" {
        state
            .with_db(move |conn| bulletins::candidates(conn, id))
            .await?
    } else {
        Vec::new()
    };
    let shown = shown.unwrap_or_else(|| Shown {
        typical: b.typical_cases.clone(),
        tips: b.tips.clone(),
        issues: Vec::new(),
        notice: None,
    });
    page(
        status,
        &Detail {
            nav,
            status: status_label(&b.status),
            b: &b,
            typical: shown.typical,
            tips: shown.tips,
            candidates,
            hot_terms: hot_term_lines(&b),
            issues: shown.issues,
            notice: shown.notice,
        },
    )
}

/// The bulletin's page again with its stored content and why the step was refused.
pub(super) async fn refused_in_place(
    nav: &StaffNav,
    state: &AppState,
    b: Bulletin,
    issues: Vec<FieldIssue>,
) -> Result<HttpResponse, PageError> {
    let shown = Shown {
        typical: b.typical_cases.clone(),
        tips: b.tips.clone(),
        issues,
        notice: None,
    };
    show_detail(
        nav.clone(),
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        b,
        Some(shown),
    )
    .await
}

pub(super) async fn load(state: &AppState, id: i64) -> Result<Bulletin, PageError> {
    Ok(state
        .with_db(move |conn| bulletins::get(conn, id, false))
        .await?)
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
    let nav = editor(
        &req,
        &state,
        &principal,
        &format!("/admin/bulletins/{path}"),
    )?;
    let b = load(&state, parse_id(&path)?).await?;
    let notice = match query.saved.as_deref() {
        Some("content") => Some("已保存"),
        Some("adopted") => Some("已加入典型案例，可在下方修改"),
        Some("published") => Some("已发布，公众现在可以查看"),
        Some("struck") => Some("已从通报中删除该热点词，发布前可以恢复"),
        Some("restored") => Some("已恢复该热点词"),
        _ => None,
    };
    let shown = Shown {
        typical: b.typical_cases.clone(),
        tips: b.tips.clone(),
        issues: Vec::new(),
        notice: notice.map(str::to_owned),
    };
    show_detail(nav, &state, StatusCode::OK, b, Some(shown)).await
}

pub async fn preview(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    staff(
        &principal,
        &EDITORS,
        &format!("/admin/bulletins/{path}/preview"),
    )?;
    let b = load(&state, parse_id(&path)?).await?;
    Ok(secure(HttpResponse::Ok(), BULLETIN_CSP)
        .content_type(ContentType::html())
        .body(render::html(&b)))
}

/// Typical cases and tips from the edit form: blank blocks and ticked removals dropped.
fn content_of(form: &Form) -> ContentInput {
    let removed = |name: &str| {
        form.all(name)
            .into_iter()
            .filter_map(|v| v.parse::<usize>().ok())
            .collect::<Vec<_>>()
    };
    let (titles, categories, summaries, outcomes) = (
        form.all("tc_title"),
        form.all("tc_category"),
        form.all("tc_summary"),
        form.all("tc_outcome"),
    );
    let drop_cases = removed("tc_remove");
    let typical_cases = (0..titles.len())
        .filter(|i| !drop_cases.contains(i))
        .map(|i| TypicalCase {
            title: titles[i].trim().to_owned(),
            category: categories.get(i).unwrap_or(&"").trim().to_owned(),
            summary: summaries.get(i).unwrap_or(&"").trim().to_owned(),
            outcome: outcomes.get(i).unwrap_or(&"").trim().to_owned(),
        })
        .filter(|c| {
            !(c.title.is_empty()
                && c.category.is_empty()
                && c.summary.is_empty()
                && c.outcome.is_empty())
        })
        .collect();
    let (tip_titles, tip_bodies) = (form.all("tip_title"), form.all("tip_body"));
    let drop_tips = removed("tip_remove");
    let tips = (0..tip_titles.len())
        .filter(|i| !drop_tips.contains(i))
        .map(|i| Tip {
            title: tip_titles[i].trim().to_owned(),
            body: tip_bodies.get(i).unwrap_or(&"").trim().to_owned(),
        })
        .filter(|t| !(t.title.is_empty() && t.body.is_empty()))
        .collect();
    ContentInput {
        typical_cases,
        tips,
    }
}

/// Saves content; on refusal shows the form again with what was typed and every message.
async fn save(
    nav: &StaffNav,
    state: &AppState,
    id: i64,
    input: ContentInput,
    notice: &str,
) -> Result<HttpResponse, PageError> {
    let kept = ContentInput {
        typical_cases: input.typical_cases.clone(),
        tips: input.tips.clone(),
    };
    match state
        .with_db(move |conn| bulletins::set_content(conn, id, &input))
        .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/bulletins/{id}?saved={notice}"))),
        Err(ServiceError::Invalid(issues)) => refused_content(nav, state, id, kept, issues).await,
        Err(e) => Err(e.into()),
    }
}

/// The detail page again with the refused content as typed and every message.
async fn refused_content(
    nav: &StaffNav,
    state: &AppState,
    id: i64,
    kept: ContentInput,
    issues: Vec<FieldIssue>,
) -> Result<HttpResponse, PageError> {
    let b = load(state, id).await?;
    let shown = Shown {
        typical: kept.typical_cases,
        tips: kept.tips,
        issues,
        notice: None,
    };
    show_detail(
        nav.clone(),
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        b,
        Some(shown),
    )
    .await
}

pub async fn content(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let nav = editor(
        &req,
        &state,
        &principal,
        &format!("/admin/bulletins/{path}"),
    )?;
    let id = parse_id(&path)?;
    let form = Form::parse(&req, &body, "bulletin")?;
    save(&nav, &state, id, content_of(&form), "content").await
}

/// Adds an anonymised candidate to the typical cases.
pub async fn adopt(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let nav = editor(
        &req,
        &state,
        &principal,
        &format!("/admin/bulletins/{path}"),
    )?;
    let id = parse_id(&path)?;
    let form = Form::parse(&req, &body, "bulletin")?;
    let case_no = form.get("case_no").unwrap_or("").to_owned();
    let chosen = case_no.clone();
    match state
        .with_db(move |conn| bulletins::adopt(conn, id, &chosen))
        .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/bulletins/{id}?saved=adopted"))),
        Err(ServiceError::Invalid(issues)) => {
            // Show what adopting would have made, beside the messages.
            let attempted = state
                .with_db(move |conn| bulletins::with_candidate(conn, id, &case_no))
                .await?;
            refused_content(&nav, &state, id, attempted, issues).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/publish.html")]
struct ConfirmPublish<'a> {
    nav: StaffNav,
    b: &'a Bulletin,
}

pub async fn publish(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let nav = editor(
        &req,
        &state,
        &principal,
        &format!("/admin/bulletins/{path}"),
    )?;
    let id = parse_id(&path)?;
    let form = Form::parse(&req, &body, "bulletin")?;
    if form.get("confirm") != Some("yes") {
        // Publishing cannot be undone, so the first press only asks again.
        let b = load(&state, id).await?;
        return page(StatusCode::OK, &ConfirmPublish { nav, b: &b });
    }
    let now = state.clock.now();
    let result = state
        .with_db(move |conn| bulletins::publish(conn, id, now))
        .await;
    step_done(&nav, &state, id, result, "published").await
}

/// After a step on bulletin `id`: back to its page with the `saved` notice, or the page again
/// with why the step was refused.
pub(super) async fn step_done(
    nav: &StaffNav,
    state: &AppState,
    id: i64,
    result: Result<Bulletin, ServiceError>,
    saved: &str,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(_) => Ok(see_other(&format!("/admin/bulletins/{id}?saved={saved}"))),
        Err(ServiceError::Invalid(issues)) => {
            let b = load(state, id).await?;
            refused_in_place(nav, state, b, issues).await
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
    let nav = editor(
        &req,
        &state,
        &principal,
        &format!("/admin/bulletins/{path}"),
    )?;
    let by = nav.email.clone();
    let id = parse_id(&path)?;
    let form = Form::parse(&req, &body, "bulletin")?;
    let erratum = form.get("erratum").unwrap_or("").trim().to_owned();
    let b = load(&state, id).await?;
    let what = NewVersion::Correction { id, erratum };
    let result = new_version(
        &state.pool,
        &state.search,
        state.ctx(),
        b.figures.period.period(),
        None,
        by,
        what,
    )
    .await;
    match result {
        Ok(created) => Ok(see_other(&format!(
            "/admin/bulletins/{}",
            created.id.unwrap_or_default()
        ))),
        Err(ServiceError::Invalid(issues)) => refused_in_place(&nav, &state, b, issues).await,
        Err(e) => Err(e.into()),
    }
}
