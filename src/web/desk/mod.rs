//! Case work pages: the mediators' workbench (`/desk`: queue, bulk assignment, case pages with
//! evidence, similar cases and a form for every allowed step) and the enterprise desk
//! (`/enterprise`: its complaints and the ODR answer). Every read and step goes through the
//! same use cases as the JSON API.

mod actions;
mod case;
mod disclosures;
mod enterprise;
mod evidence;
mod integration;
mod queue;
mod scorecards;
mod signed;

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate};

use super::{PageError, page};
use crate::auth::Role;
use crate::domain::policy::{DayUnit, DaysLeft};
use crate::domain::routing::Flag;
use crate::domain::{CategoryCode, Nature, Taxonomy};
use crate::service::queue::ListedPage;

/// Who works cases at the bureaus.
pub(crate) const CASE_WORKERS: [Role; 4] = [
    Role::Admin,
    Role::Supervisor,
    Role::Mediator,
    Role::Dispatcher,
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/desk", "GET").route(web::get().to(queue::show)))
        .service(resource("/desk/assign", "POST").route(web::post().to(queue::assign)))
        .service(resource("/desk/cases/{case_no}", "GET").route(web::get().to(case::show)))
        .service(resource("/desk/cases/{case_no}/actions", "POST").route(web::post().to(case::act)))
        .service(
            resource("/desk/cases/{case_no}/documents/{id}", "GET")
                .route(web::get().to(crate::web::documents::desk)),
        )
        .service(
            resource("/enterprise/cases/{case_no}/documents/{id}", "GET")
                .route(web::get().to(crate::web::documents::enterprise)),
        )
        .service(
            resource("/desk/cases/{case_no}/documents/{id}/pdf", "GET")
                .route(web::get().to(crate::web::documents::desk_pdf)),
        )
        .service(
            resource("/enterprise/cases/{case_no}/documents/{id}/pdf", "GET")
                .route(web::get().to(crate::web::documents::enterprise_pdf)),
        )
        .service(
            resource("/desk/cases/{case_no}/signed-agreement", "POST")
                .route(web::post().to(signed::upload)),
        )
        .service(
            resource("/desk/cases/{case_no}/attachments/{id}", "GET")
                .route(web::get().to(evidence::attachment)),
        )
        .service(resource("/enterprise", "GET").route(web::get().to(enterprise::queue)))
        .service(resource("/enterprise/scorecards", "GET").route(web::get().to(scorecards::show)))
        .service(
            resource("/enterprise/integration", "GET, POST")
                .route(web::get().to(integration::show))
                .route(web::post().to(integration::post)),
        )
        .service(
            resource("/enterprise/cases/{case_no}", "GET").route(web::get().to(enterprise::show)),
        )
        .service(
            resource("/enterprise/cases/{case_no}/actions", "POST")
                .route(web::post().to(enterprise::act)),
        )
        .service(
            resource("/enterprise/cases/{case_no}/public-reply", "POST")
                .route(web::post().to(disclosures::reply)),
        )
        .service(resource("/desk/disclosures", "GET").route(web::get().to(disclosures::queue)))
        .service(
            resource("/desk/disclosures/{case_no}", "POST")
                .route(web::post().to(disclosures::decide)),
        );
}

/// Renders a page, setting the form cookie its CSRF token relies on when the browser has none.
fn page_with_cookie(
    status: StatusCode,
    template: &impl Template,
    cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse, PageError> {
    let mut res = page(status, template)?;
    if let Some(cookie) = cookie {
        res.add_cookie(&cookie)
            .map_err(|e| PageError::Internal(e.to_string()))?;
    }
    Ok(res)
}

/// How close a due date is: a CSS class and words, so colour is never the only signal.
pub struct DueMark {
    pub class: &'static str,
    /// "超期 3 个工作日" or "即将到期"; empty when nothing is pressing.
    pub text: String,
    /// "剩 3 个工作日" while the clock runs and is not overdue.
    pub left: String,
}

/// Cases due within this many working days are marked as due soon.
const DUE_SOON_WORKING_DAYS: i64 = 2;
/// The same for a calendar-day clock: two working days can span a weekend.
const DUE_SOON_CALENDAR_DAYS: i64 = 4;

/// The mark of a list item from its running stage clock (none for a closed case).
fn due_mark(overdue: bool, remaining: Option<DaysLeft>) -> DueMark {
    let (class, text, left) = match remaining {
        Some(DaysLeft { days, unit }) if overdue => {
            // A due date on Friday is overdue on Saturday, before a working day has passed.
            let text = if days < 0 {
                format!("超期 {}", unit.count_zh(days.unsigned_abs()))
            } else {
                "已超期".to_owned()
            };
            ("due-overdue", text, String::new())
        }
        Some(left) => {
            let soon = match left.unit {
                DayUnit::Working => DUE_SOON_WORKING_DAYS,
                DayUnit::Calendar => DUE_SOON_CALENDAR_DAYS,
            };
            let words = format!("剩 {}", left.unit.count_zh(left.days.unsigned_abs()));
            if left.days <= soon {
                ("due-soon", "即将到期".to_owned(), words)
            } else {
                ("due-ok", String::new(), words)
            }
        }
        None => ("due-ok", String::new(), String::new()),
    };
    DueMark { class, text, left }
}

/// A list's total and the links to the pages either side of this one.
#[derive(Default)]
pub struct Pager {
    pub total: Option<i64>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    fn of(page: Option<&ListedPage>, link: impl Fn(i64) -> String) -> Pager {
        let Some(p) = page else {
            return Pager::default();
        };
        Pager {
            total: Some(p.total),
            prev: (p.page > 1).then(|| link(p.page - 1)),
            next: p.has_next.then(|| link(p.page + 1)),
        }
    }
}

/// The page asked for: 1 when absent, 0 (refused as out of range) when not a number.
fn page_number(text: &str) -> i64 {
    match text.trim() {
        "" => 1,
        n => n.parse().unwrap_or(0),
    }
}

fn flag_label(flag: &str) -> &str {
    Flag::parse(flag).map_or(flag, |f| f.label_zh())
}

fn nature_label(code: &str) -> &str {
    match code.parse::<Nature>() {
        Ok(n) => n.label_zh(),
        Err(_) => code,
    }
}

fn category_label(code: &str) -> String {
    CategoryCode::parse(code).map_or_else(|_| code.to_owned(), |c| c.label().to_owned())
}

fn district_name(code: &str) -> &str {
    Taxonomy::builtin()
        .district(code)
        .map_or(code, |d| d.name.as_str())
}

/// "10月15日", for deadlines in plain words.
fn month_day(d: NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

/// "2.5 MB", "830 KB".
fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_marks_follow_the_running_clock() {
        let working = |days| {
            Some(DaysLeft {
                days,
                unit: DayUnit::Working,
            })
        };
        let calendar = |days| {
            Some(DaysLeft {
                days,
                unit: DayUnit::Calendar,
            })
        };
        let overdue = due_mark(true, working(-3));
        assert_eq!(
            (overdue.class, overdue.text.as_str()),
            ("due-overdue", "超期 3 个工作日")
        );
        assert_eq!(due_mark(true, working(0)).text, "已超期");
        let soon = due_mark(false, working(2));
        assert_eq!((soon.class, soon.text.as_str()), ("due-soon", "即将到期"));
        assert_eq!(soon.left, "剩 2 个工作日");
        assert_eq!(due_mark(false, working(3)).class, "due-ok");
        // Order 121's mediation counts calendar days, and its marks say so.
        let days = due_mark(false, calendar(12));
        assert_eq!((days.class, days.left.as_str()), ("due-ok", "剩 12 天"));
        assert_eq!(due_mark(false, calendar(4)).class, "due-soon");
        assert_eq!(due_mark(true, calendar(-2)).text, "超期 2 天");
        // A closed case has no running clock: nothing is overdue, however old its due date.
        let closed = due_mark(false, None);
        assert_eq!((closed.class, closed.text.as_str()), ("due-ok", ""));
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
        assert_eq!(size_text(2048), "2 KB");
        assert_eq!(month_day(d(10, 5)), "10月5日");
    }
}
