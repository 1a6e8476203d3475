//! `/analyst/cases/{case_no}`: the case behind a search hit, read only, as the staff case view
//! shows it to the viewer (masked for analysts). Case workers also get a link to the desk.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{labels, viewer};
use crate::auth::Principal;
use crate::service::access::Caller;
use crate::service::case_view::{self, CaseView, StaffCaseView};
use crate::state::AppState;
use crate::web::nav::{StaffNav, may_open};
use crate::web::{PageError, page};

#[derive(Template)]
#[template(path = "analyst/case.html")]
struct CasePage {
    nav: StaffNav,
    c: StaffCaseView,
    /// The desk's page of the case, for those who work cases.
    desk: Option<String>,
}

impl CasePage {
    fn label(&self, dimension: &str, code: &str) -> String {
        labels::label(dimension, code)
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (_, nav) = viewer(&req, &state, &principal)?;
    let Principal::Staff(user) = principal else {
        return Err(PageError::Forbidden);
    };
    let desk_path = format!("/desk/cases/{path}");
    let desk = may_open(user.role, &desk_path).then_some(desk_path);
    let caller = Caller::Staff(user);
    let ctx = state.ctx();
    let view = state
        .with_db(move |conn| case_view::view(conn, &ctx.reference, &path, &caller, ctx.now))
        .await?;
    let CaseView::Staff(c) = view else {
        return Err(PageError::NotFound);
    };
    page(StatusCode::OK, &CasePage { nav, c: *c, desk })
}
