//! CSV exports of a search, as `POST /api/v1/exports`: started from the search page, then a
//! status page that refreshes itself (a meta refresh, no script) until the file is ready.
//! The download is the API's own link, which the session cookie authenticates.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::VIEWERS;
use super::params::Params;
use crate::auth::Principal;
use crate::service::exports::ExportStatus;
use crate::state::AppState;
use crate::web::nav::StaffNav;
use crate::web::{Form, PageError, csrf, page, see_other, staff};

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    staff(&principal, &VIEWERS, "/analyst/search")?;
    let form = Form::parse(&req, &body, "export")?;
    let params = Params::from_pairs(
        super::params::FILTER_KEYS
            .iter()
            .filter_map(|k| form.get(k).map(|v| (*k, v))),
    );
    // The form only carries filters the search page accepted; anything else is a bad request.
    let filters = params
        .filters(crate::clock::china_date(state.clock.now()))
        .map_err(PageError::Invalid)?;
    let id = state
        .exports()
        .start(&principal, &filters, params.filters_json())
        .await?;
    Ok(see_other(&format!("/analyst/exports/{id}")))
}

#[derive(Template)]
#[template(path = "analyst/export.html")]
struct ExportView {
    nav: StaffNav,
    export: ExportStatus,
    search: String,
}

impl ExportView {
    fn pending(&self) -> bool {
        matches!(self.export.status.as_str(), "queued" | "running")
    }

    fn status_label(&self) -> &'static str {
        match self.export.status.as_str() {
            "queued" => "排队中",
            "running" => "正在生成",
            "done" => "已完成",
            "expired" => "已过期（文件已删除，请重新导出）",
            _ => "失败",
        }
    }
}

pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let user = staff(&principal, &VIEWERS, req.path())?;
    let nav = StaffNav::new(user, &csrf::issue(&req, state.settings.cookie_secure).token);
    let id: i64 = path.parse().map_err(|_| PageError::NotFound)?;
    let export = state.exports().own(&principal, id).await?;
    // The recorded filters lead back to the search they came from.
    let recorded: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&export.params).unwrap_or_default();
    let search = Params::from_pairs(
        recorded
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))),
    )
    .url("/analyst/search");
    let view = ExportView {
        nav,
        export: export.status,
        search,
    };
    page(StatusCode::OK, &view)
}
