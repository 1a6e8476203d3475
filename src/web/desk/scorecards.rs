//! The enterprise desk's 信用评分卡 page (`/enterprise/scorecards`): the business's own
//! scorecards of its latest quarters, each item's points, and the method in words. It shows
//! nothing of any report but the counts in its own scorecards (filed cases only).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::auth::{Principal, Role};
use crate::domain::scorecard::{Quarter, Share, num};
use crate::scorecard::Scorecard;
use crate::service::scorecards::{self, OwnScorecards};
use crate::state::AppState;
use crate::web::nav::StaffNav;
use crate::web::{PageError, csrf, staff};

const HERE: &str = "/enterprise/scorecards";

#[derive(Template)]
#[template(path = "enterprise/scorecards.html")]
struct ScorecardsPage {
    nav: StaffNav,
    view: OwnScorecards,
    current: Quarter,
}

impl ScorecardsPage {
    fn share(&self, s: &Share) -> String {
        match s.rate() {
            Some(r) => format!("{}%（{}/{}）", num(r * 100.0), s.numerator, s.denominator),
            None => "无可计算的投诉".to_owned(),
        }
    }

    fn median(&self, c: &Scorecard) -> String {
        c.sector_median.map_or_else(|| "—".to_owned(), num)
    }

    fn number(&self, x: &f64) -> String {
        num(*x)
    }

    fn points(&self, p: &f64) -> String {
        if *p > 0.0 {
            format!("+{}", num(*p))
        } else {
            num(*p)
        }
    }

    fn commitments(&self, c: &Scorecard) -> String {
        if c.commitments.is_empty() {
            return "否".to_owned();
        }
        c.commitments
            .iter()
            .map(|x| x.label_zh())
            .collect::<Vec<_>>()
            .join("、")
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &[Role::Enterprise], HERE)?.clone();
    let ctx = state.ctx();
    let today = ctx.today();
    let method = state.settings.scorecard;
    let reader = user.clone();
    let view = state
        .with_db(move |conn| scorecards::own(conn, &reader, &ctx.reference, today, &method))
        .await?;
    let c = csrf::issue(&req, state.settings.cookie_secure);
    let template = ScorecardsPage {
        nav: StaffNav::new(&user, &c.token),
        view,
        current: Quarter::of(today),
    };
    super::page_with_cookie(StatusCode::OK, &template, c.cookie)
}
