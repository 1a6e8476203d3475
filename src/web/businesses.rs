//! Public business pages (企业投诉公示): the searchable list `/businesses` and one registered
//! business's complaint figures `/businesses/{uscc}`, with the definitions printed beneath.
//! The addresses are routed by `http::businesses`, which answers JSON to clients asking for
//! it and hands everyone else these pages. No script; tables scroll inside their box on a
//! phone.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use chrono::{Datelike, NaiveDate};

use super::{PageError, page};
use crate::bulletin::business::QuarterLine;
use crate::bulletin::model::{Indicator, Rate};
use crate::service::ServiceError;
use crate::service::businesses::{BusinessList, BusinessPage, BusinessSummary, MAX_QUERY_CHARS};

/// `2026年11月20日`.
fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `2026年第3季度`, from `2026-Q3`.
fn quarter_zh(label: &str) -> String {
    match label.split_once("-Q") {
        Some((y, q)) => format!("{y}年第{q}季度"),
        None => label.to_owned(),
    }
}

/// `37.5%` (one decimal), or `不适用` without a denominator.
fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "不适用".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

/// `+25.0%`, `-10.0%`, `持平`; `—` when the earlier count is 0 or missing.
fn change_zh(value: Option<f64>) -> String {
    match value {
        None => "—".to_owned(),
        Some(0.0) => "持平".to_owned(),
        Some(v) => format!("{:+.1}%", v * 100.0),
    }
}

fn answer(status: StatusCode, t: &impl Template) -> HttpResponse {
    match page(status, t) {
        Ok(mut res) => {
            res.headers_mut()
                .insert(header::VARY, header::HeaderValue::from_static("Accept"));
            res
        }
        Err(e) => e.error_response(),
    }
}

fn error_page(e: ServiceError) -> HttpResponse {
    PageError::from(e).error_response()
}

#[derive(Template)]
#[template(path = "businesses.html")]
struct ListPage {
    q: String,
    max_chars: usize,
    since: String,
    as_of: String,
    total: i64,
    items: Vec<BusinessSummary>,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
}

/// A link to another page of the same search.
fn page_link(q: &str, page: i64) -> String {
    if q.is_empty() {
        format!("/businesses?page={page}")
    } else {
        format!("/businesses?q={}&page={page}", encode_query(q))
    }
}

fn encode_query(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The list page, or the error page the use case's refusal calls for.
pub fn list_page(answer_of: Result<BusinessList, ServiceError>) -> HttpResponse {
    let list = match answer_of {
        Ok(list) => list,
        Err(e) => return error_page(e),
    };
    let q = list.q.clone().unwrap_or_default();
    let pages = list.pages();
    let t = ListPage {
        previous: (list.page > 1).then(|| page_link(&q, list.page - 1)),
        next: (list.page < pages).then(|| page_link(&q, list.page + 1)),
        q,
        max_chars: MAX_QUERY_CHARS,
        since: date_zh(list.since),
        as_of: date_zh(list.as_of),
        total: list.total,
        page: list.page,
        pages,
        items: list.items,
    };
    answer(StatusCode::OK, &t)
}

/// A quarter's line as the table shows it.
struct QuarterRow {
    name: String,
    complaints: u64,
    qoq: String,
    yoy: String,
    so_far: bool,
}

impl From<&QuarterLine> for QuarterRow {
    fn from(q: &QuarterLine) -> Self {
        let name = if q.so_far {
            format!(
                "{}（截至{}月{}日）",
                quarter_zh(&q.label),
                q.to.month(),
                q.to.day()
            )
        } else {
            quarter_zh(&q.label)
        };
        let with_count = |change: Option<f64>, before: Option<u64>| match before {
            None => "—（本季度未结束）".to_owned(),
            Some(n) => format!("{}（上期 {n} 件）", change_zh(change)),
        };
        QuarterRow {
            name,
            complaints: q.complaints,
            qoq: with_count(q.qoq, q.previous_quarter),
            yoy: with_count(q.yoy, q.previous_year),
            so_far: q.so_far,
        }
    }
}

/// A rate as the page shows it: the percentage with its numerator and denominator.
struct RateLine {
    label: &'static str,
    percent: String,
    counts: String,
}

fn rate_line(label: &'static str, r: &Rate) -> RateLine {
    RateLine {
        label,
        percent: percent(r.value),
        counts: format!("{} / {} 件", r.numerator, r.denominator),
    }
}

/// One complaint published with its complainant's consent, as an editor approved it.
pub struct DisclosedComplaint {
    pub received: String,
    pub closed: String,
    pub category: String,
    pub summary: String,
    pub outcome: String,
    pub reply: Option<String>,
}

#[derive(Template)]
#[template(path = "business.html")]
struct DetailPage {
    b: BusinessPage,
    odr: String,
    as_of: String,
    window: String,
    quarters: Vec<QuarterRow>,
    rates: Vec<RateLine>,
    methodology: Vec<Indicator>,
    disclosed: Vec<DisclosedComplaint>,
}

/// The business page, or the Chinese error page (400 for a malformed USCC, 404 for one not
/// registered).
pub fn business_page(answer_of: Result<BusinessPage, ServiceError>) -> HttpResponse {
    let b = match answer_of {
        Ok(b) => b,
        Err(e) => return error_page(e),
    };
    let f = &b.figures;
    let odr = match (b.odr.enrolled, b.odr.since) {
        (true, Some(since)) => format!("已加入在线消费纠纷解决（ODR），自{}起", date_zh(since)),
        (true, None) => "已加入在线消费纠纷解决（ODR）".to_owned(),
        (false, _) => "未加入在线消费纠纷解决（ODR）".to_owned(),
    };
    let t = DetailPage {
        odr,
        as_of: date_zh(f.as_of),
        window: format!(
            "{}至{}收到的投诉，共 {} 件",
            date_zh(f.window_from),
            date_zh(f.window_to),
            f.complaints
        ),
        quarters: f.quarters.iter().map(QuarterRow::from).collect(),
        rates: vec![
            rate_line("企业自行和解率", &f.settled_in_odr_period),
            rate_line("调解成功率", &f.mediation_success),
            rate_line("ODR 按时响应率", &f.odr_response_on_time),
        ],
        methodology: f.methodology.clone(),
        disclosed: b
            .entries
            .iter()
            .map(|e| DisclosedComplaint {
                received: date_zh(e.received_on),
                closed: date_zh(e.closed_on),
                category: e.category_zh.clone().unwrap_or_else(|| "—".to_owned()),
                summary: e.summary.clone(),
                outcome: e.outcome_zh.clone(),
                reply: e.reply.clone(),
            })
            .collect(),
        b,
    };
    answer(StatusCode::OK, &t)
}
