//! Case work pages: the mediators' workbench (`/desk`: queue, bulk assignment, case pages with
//! evidence, similar cases and a form for every allowed step) and the enterprise desk
//! (`/enterprise`: its complaints and the ODR answer). Every read and step goes through the
//! same use cases as the JSON API.

mod actions;
mod case;
mod enterprise;
mod evidence;
mod queue;

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate};

use super::{PageError, page};
use crate::auth::Role;
use crate::domain::routing::Flag;
use crate::domain::{CategoryCode, Nature, Taxonomy, WorkCalendar};

/// Who works cases at the bureaus.
pub(crate) const CASE_WORKERS: [Role; 3] = [Role::Admin, Role::Supervisor, Role::Mediator];

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/desk", "GET").route(web::get().to(queue::show)))
        .service(resource("/desk/assign", "POST").route(web::post().to(queue::assign)))
        .service(resource("/desk/cases/{case_no}", "GET").route(web::get().to(case::show)))
        .service(resource("/desk/cases/{case_no}/actions", "POST").route(web::post().to(case::act)))
        .service(
            resource("/desk/cases/{case_no}/attachments/{id}", "GET")
                .route(web::get().to(evidence::attachment)),
        )
        .service(resource("/enterprise", "GET").route(web::get().to(enterprise::queue)))
        .service(
            resource("/enterprise/cases/{case_no}", "GET").route(web::get().to(enterprise::show)),
        )
        .service(
            resource("/enterprise/cases/{case_no}/actions", "POST")
                .route(web::post().to(enterprise::act)),
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
    pub text: &'static str,
}

/// Cases due within this many working days are marked as due soon.
const DUE_SOON_WORKING_DAYS: i64 = 2;

fn due_mark(calendar: &WorkCalendar, today: NaiveDate, due: NaiveDate, overdue: bool) -> DueMark {
    if overdue || due < today {
        DueMark {
            class: "due-overdue",
            text: "已超期",
        }
    } else if calendar.working_days_between(today, due) <= DUE_SOON_WORKING_DAYS {
        DueMark {
            class: "due-soon",
            text: "即将到期",
        }
    } else {
        DueMark {
            class: "due-ok",
            text: "",
        }
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
    fn due_marks_follow_working_days() {
        let cal = WorkCalendar::builtin();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap_or_default();
        // Friday 20 November; Tuesday 24th is two working days on.
        assert_eq!(
            due_mark(&cal, d(11, 20), d(11, 19), false).class,
            "due-overdue"
        );
        assert_eq!(due_mark(&cal, d(11, 20), d(11, 24), false).text, "即将到期");
        assert_eq!(due_mark(&cal, d(11, 20), d(11, 25), false).class, "due-ok");
        assert_eq!(size_text(2048), "2 KB");
        assert_eq!(month_day(d(10, 5)), "10月5日");
    }
}
