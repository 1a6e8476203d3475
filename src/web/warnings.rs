//! Consumer warnings for the public: the list (newest first, paged), each version (a
//! superseded one pointing to its correction) and the Atom feed. No script; nothing of any
//! case, only the editors' checked text and the figures.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, SecondsFormat, Utc};

use super::{PAGE_CSP, PageError, page, secure};
use crate::clock::china_offset;
use crate::service::warnings::{self, Warning, WarningPage};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/warnings", "GET").route(web::get().to(list)))
        .service(resource("/warnings.atom", "GET").route(web::get().to(feed)))
        .service(resource("/warnings/{id}", "GET").route(web::get().to(show)));
}

/// How a warning reads on its page: the same for the public and the editors' preview.
pub struct Article {
    pub w: Warning,
    pub published: Option<String>,
    pub paragraphs: Vec<String>,
}

fn china_minute(t: DateTime<Utc>) -> String {
    t.with_timezone(&china_offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

impl Article {
    pub fn new(w: Warning) -> Article {
        Article {
            published: w.published_at.map(china_minute),
            paragraphs: w
                .body
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            w,
        }
    }
}

#[derive(Template)]
#[template(path = "warnings/show.html")]
pub struct Show {
    pub a: Article,
    /// The editors' preview of a draft: the page as it will be, with a banner above it.
    pub preview: bool,
}

#[derive(Template)]
#[template(path = "warnings/list.html")]
struct List {
    items: Vec<Article>,
    prev: Option<String>,
    next: Option<String>,
    total: i64,
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

fn page_number(raw: Option<&str>) -> Result<i64, PageError> {
    match raw {
        None | Some("") => Ok(1),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=warnings::MAX_PAGE).contains(n))
            .ok_or_else(|| PageError::BadRequest("页码应为 1 至 10000 的整数".into())),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let n = page_number(query.page.as_deref())?;
    let WarningPage {
        page: n,
        total,
        per_page,
        warnings,
    } = state
        .with_db(move |conn| warnings::list_public(conn, n))
        .await?;
    let link = |p: i64| format!("/warnings?page={p}");
    page(
        StatusCode::OK,
        &List {
            items: warnings.into_iter().map(Article::new).collect(),
            prev: (n > 1).then(|| link(n - 1)),
            next: (n * per_page < total).then(|| link(n + 1)),
            total,
        },
    )
}

fn parse_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PageError::NotFound)
}

pub async fn show(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path)?;
    let w = state
        .with_db(move |conn| warnings::get(conn, id, true))
        .await?;
    page(
        StatusCode::OK,
        &Show {
            a: Article::new(w),
            preview: false,
        },
    )
}

struct Entry {
    id: String,
    title: String,
    updated: String,
    content: String,
}

#[derive(Template)]
#[template(path = "warnings/feed.xml")]
struct Feed {
    base: String,
    updated: String,
    entries: Vec<Entry>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `/warnings.atom`: the newest page of published warnings as Atom 1.0 (RFC 4287); askama
/// escapes every text for XML.
pub async fn feed(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let list = state.with_db(|conn| warnings::list_public(conn, 1)).await?;
    let base = state.settings.public_url.trim_end_matches('/').to_owned();
    let updated = list
        .warnings
        .iter()
        .filter_map(|w| w.published_at)
        .max()
        .map_or_else(|| "2026-01-01T00:00:00Z".to_owned(), rfc3339);
    let entries = list
        .warnings
        .into_iter()
        .map(|w| Entry {
            id: format!("{base}/warnings/{}", w.id),
            title: match w.superseded_by {
                Some(_) => format!("［已更正］{}", w.title),
                None => w.title.clone(),
            },
            updated: w
                .published_at
                .map(rfc3339)
                .unwrap_or_else(|| updated.clone()),
            content: format!("{}\n\n{}", w.figures_line, w.body),
        })
        .collect();
    let body = Feed {
        base,
        updated,
        entries,
    }
    .render()
    .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(secure(HttpResponse::Ok(), PAGE_CSP)
        .content_type("application/atom+xml; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(body))
}
