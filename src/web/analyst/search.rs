//! The search page: the query box and filters, hits with highlighted snippets, facet counts
//! that narrow the search, cursor paging, and a CSV export of the same search.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::super::nav::StaffNav;
use super::labels::{self, DIMENSIONS};
use super::params::{Params, issue};
use super::{FilterForm, blocking, page_with_form, query_issues, viewer};
use crate::auth::Principal;
use crate::clock::china_date;
use crate::domain::case::CaseNo;
use crate::search::query::{self, Hit, SearchPage, Sort, decode_cursor};
use crate::state::AppState;
use crate::web::PageError;

const PAGE_SIZE: usize = 20;
/// Facet values listed per dimension; the rest are reachable by narrowing further.
const FACET_VALUES: usize = 12;

/// A piece of snippet text; `marked` pieces matched the query.
pub struct Segment {
    pub text: String,
    pub marked: bool,
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Splits the index's snippet (escaped text, matches in `<b>`) into plain pieces, so the
/// template escapes every piece itself and wraps the matches in `<mark>`.
pub fn segments(snippet: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut push = |text: &str, marked: bool| {
        if !text.is_empty() {
            out.push(Segment {
                text: unescape(text),
                marked,
            });
        }
    };
    for (i, part) in snippet.split("<b>").enumerate() {
        if i == 0 {
            push(part, false);
            continue;
        }
        let (matched, rest) = part.split_once("</b>").unwrap_or((part, ""));
        push(matched, true);
        push(rest, false);
    }
    out
}

pub struct HitView {
    pub case_no: String,
    pub title: String,
    pub snippet: Vec<Segment>,
    pub received: String,
    pub kind_of_case: &'static str,
    pub category: String,
    pub nature: String,
    pub district: String,
    pub respondent: String,
    pub state: String,
}

impl From<Hit> for HitView {
    fn from(h: Hit) -> HitView {
        HitView {
            snippet: segments(&h.snippet),
            received: china_date(h.received_at).to_string(),
            kind_of_case: h
                .case_no
                .parse::<CaseNo>()
                .map_or("", |n| n.kind().label_zh()),
            category: labels::label("category", &h.category),
            nature: labels::label("nature", &h.nature),
            district: labels::label("district", &h.district),
            state: labels::label("state", &h.state),
            case_no: h.case_no,
            title: h.title,
            respondent: h.respondent,
        }
    }
}

pub struct FacetItem {
    pub label: String,
    pub count: u64,
    /// The search narrowed to this value; `None` where no filter exists (channels).
    pub href: Option<String>,
    pub current: bool,
}

pub struct FacetGroup {
    pub title: &'static str,
    pub items: Vec<FacetItem>,
}

fn facet_groups(facets: &serde_json::Value, params: &Params) -> Vec<FacetGroup> {
    let base = params.with("cursor", "");
    DIMENSIONS
        .iter()
        .filter_map(|(name, title, filter)| {
            let counts = facets[*name].as_object()?;
            let mut items: Vec<(&String, u64)> = counts
                .iter()
                .filter_map(|(k, v)| Some((k, v.as_u64()?)))
                .collect();
            items.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            let items: Vec<FacetItem> = items
                .into_iter()
                .take(FACET_VALUES)
                .map(|(code, count)| FacetItem {
                    label: labels::label(name, code),
                    count,
                    href: filter.map(|f| base.with(f, code).url("/analyst/search")),
                    current: filter.is_some_and(|f| params.get(f) == code),
                })
                .collect();
            (!items.is_empty()).then_some(FacetGroup { title, items })
        })
        .collect()
}

pub struct Results {
    pub total: usize,
    pub hits: Vec<HitView>,
    pub facets: Vec<FacetGroup>,
    pub next: Option<String>,
    pub first: Option<String>,
}

#[derive(Template)]
#[template(path = "analyst/search.html")]
struct SearchView {
    nav: StaffNav,
    form: FilterForm,
    results: Option<Results>,
}

impl SearchView {
    fn sorts(&self) -> [(&'static str, &'static str, bool); 3] {
        let current = self.form.value("sort");
        [
            (
                "relevance",
                "相关度",
                !matches!(current, "newest" | "oldest"),
            ),
            ("newest", "最新受理", current == "newest"),
            ("oldest", "最早受理", current == "oldest"),
        ]
    }
}

fn sort_of(params: &Params) -> Sort {
    match params.get("sort") {
        "newest" => Sort::Newest,
        "oldest" => Sort::Oldest,
        _ => Sort::Relevance,
    }
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let (scope, nav) = viewer(&req, &state, &principal)?;
    let index_lag = state.index_lag().await?;
    let params = Params::from_query(req.query_string());
    let show = |form: FilterForm, results: Option<Results>, status| {
        page_with_form(&req, &state, status, |_| SearchView {
            nav: nav.clone(),
            form,
            results,
        })
    };
    let refuse = |issues| {
        show(
            FilterForm {
                params: params.clone(),
                issues,
                index_lag,
            },
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let filters = match params.filters(china_date(state.clock.now())) {
        Ok(f) => f,
        Err(issues) => return refuse(issues),
    };
    let cursor = match params.get("cursor") {
        "" => None,
        raw => match decode_cursor(raw) {
            Some(c) => Some(c),
            None => {
                return refuse(vec![issue(
                    "cursor",
                    "invalid_cursor",
                    "分页链接已失效，请重新检索",
                )]);
            }
        },
    };
    let sort = sort_of(&params);
    let live = state.search.live();
    let found: SearchPage = match blocking(move || {
        let q = query::build(&live, &filters, &scope)?;
        query::search(
            &live,
            &*q,
            sort,
            cursor,
            PAGE_SIZE,
            &query::highlight_terms(filters.q.as_deref()),
        )
    })
    .await?
    {
        Ok(found) => found,
        Err(e) => return refuse(query_issues(e)?),
    };
    let results = Results {
        total: found.total,
        facets: facet_groups(&found.facets, &params),
        next: found
            .next_cursor
            .as_deref()
            .map(|c| params.with("cursor", c).url("/analyst/search")),
        first: cursor.map(|_| params.with("cursor", "").url("/analyst/search")),
        hits: found.hits.into_iter().map(HitView::from).collect(),
    };
    show(
        FilterForm {
            params: params.clone(),
            issues: Vec::new(),
            index_lag,
        },
        Some(results),
        StatusCode::OK,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_into_escaped_pieces() {
        let pieces = segments("用了&lt;script&gt;<b>面膜</b>后 &amp; <b>过敏</b>");
        let shown: Vec<(&str, bool)> = pieces.iter().map(|s| (s.text.as_str(), s.marked)).collect();
        assert_eq!(
            shown,
            [
                ("用了<script>", false),
                ("面膜", true),
                ("后 & ", false),
                ("过敏", true)
            ]
        );
        assert!(segments("").is_empty());
        assert_eq!(segments("<b>x").len(), 1);
    }
}
