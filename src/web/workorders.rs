//! `/admin/workorders`: the admin uploads the 12315 platform's export (a dry run unless the
//! box is cleared) and reads the same report as `odrdesk workorders import`; and downloads
//! the handling results of a period as `odrdesk workorders export` writes them. Both through
//! the same use cases as the command line; no script.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::consumer::multipart::{FileProblem, MultipartForm, field};
use super::nav::StaffNav;
use super::{PAGE_CSP, PageError, csrf, limit, page, secure, staff, urlencoding};
use crate::auth::{Principal, Role};
use crate::service::workorder_files::{Format, MAX_BYTES};
use crate::service::workorders::{ImportReport, OrderFile, Refusal, import_file};
use crate::service::workorders_export::results_file;
use crate::state::AppState;

const HERE: &str = "/admin/workorders";
/// The file input's name.
const FILE_FIELD: &str = "workbook";
/// Refused rows listed on the page; the rest are counted.
const LISTED_REFUSALS: usize = 50;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(
        resource(HERE, "GET, POST")
            .route(web::get().to(show))
            .route(web::post().to(upload)),
    )
    .service(resource("/admin/workorders/export", "GET").route(web::get().to(export)));
}

#[derive(Template)]
#[template(path = "admin/workorders.html")]
struct WorkOrdersPage<'a> {
    nav: StaffNav,
    /// Why the upload was not imported.
    error: Option<String>,
    report: Option<&'a ImportReport>,
    listed: &'a [Refusal],
    max_mb: u64,
    from: String,
    to: String,
    export_error: Option<String>,
}

fn nav(req: &HttpRequest, state: &AppState, principal: &Principal) -> Result<StaffNav, PageError> {
    let user = staff(principal, &[Role::Admin], HERE)?;
    let c = csrf::issue(req, state.settings.cookie_secure);
    Ok(StaffNav::new(user, &c.token))
}

fn render(
    status: StatusCode,
    nav: StaffNav,
    error: Option<String>,
    report: Option<&ImportReport>,
    export: (String, String, Option<String>),
) -> Result<HttpResponse, PageError> {
    let listed = report.map_or(&[][..], |r| {
        &r.tally.refused[..r.tally.refused.len().min(LISTED_REFUSALS)]
    });
    page(
        status,
        &WorkOrdersPage {
            nav,
            error,
            report,
            listed,
            max_mb: MAX_BYTES / 1024 / 1024,
            from: export.0,
            to: export.1,
            export_error: export.2,
        },
    )
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let nav = nav(&req, &state, &principal)?;
    render(StatusCode::OK, nav, None, None, default_period(&state))
}

/// The export form's period before anything is chosen: the last 30 days.
fn default_period(state: &AppState) -> (String, String, Option<String>) {
    let today = state.ctx().today();
    let from = today - chrono::Duration::days(30);
    (from.to_string(), today.to_string(), None)
}

pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    let nav = nav(&req, &state, &principal)?;
    limit(&req, "workorders")?;
    let mut form = MultipartForm::with_file_field(payload, FILE_FIELD);
    let fields = form.texts().await?;
    if !csrf::verify(&req, field(&fields, "csrf")) {
        return Err(PageError::BadRequest("页面已过期，请刷新后重新提交".into()));
    }
    let refuse = |status, message: String| {
        render(
            status,
            nav.clone(),
            Some(message),
            None,
            default_period(&state),
        )
    };
    let _slot = match state.uploads.try_take() {
        Ok(slot) => slot,
        Err(busy) => {
            let p = FileProblem::from(busy);
            return Ok(FileProblem::mark(
                p.retry_after,
                refuse(p.status, p.message)?,
            ));
        }
    };
    let (name, bytes) = match form.one_file(MAX_BYTES).await? {
        Err(p) => return refuse(p.status, p.message),
        Ok(None) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "请先选择从 12315 平台导出的工单文件（.xlsx 或 .csv）。".into(),
            );
        }
        Ok(Some(file)) => file,
    };
    // A dry run unless the box was cleared, wherever the form placed it.
    let after = form.rest().await?;
    let write = field(&fields, "dry_run").is_none() && field(&after, "dry_run").is_none();
    let orders = match web::block(move || OrderFile::read(&name, &bytes)).await {
        Ok(Ok(orders)) => orders,
        Ok(Err(why)) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{why}；未导入任何工单"),
            );
        }
        Err(e) => return Err(PageError::Internal(e.to_string())),
    };
    let (ctx, by) = (state.ctx(), nav.email.clone());
    let report = state
        .with_db(move |conn| import_file(conn, &ctx, &by, &orders, write, &|| ()))
        .await?;
    render(
        StatusCode::OK,
        nav,
        None,
        Some(&report),
        default_period(&state),
    )
}

#[derive(Deserialize)]
pub struct ExportQuery {
    from: Option<String>,
    to: Option<String>,
    format: Option<String>,
}

pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, PageError> {
    let nav = nav(&req, &state, &principal)?;
    let q = query.into_inner();
    let (from_raw, to_raw) = (q.from.unwrap_or_default(), q.to.unwrap_or_default());
    let day = |raw: &str| raw.trim().parse::<NaiveDate>().ok();
    let format = match q.format.as_deref() {
        Some("csv") => Format::Csv,
        _ => Format::Xlsx,
    };
    let (from, to) = match (day(&from_raw), day(&to_raw)) {
        (Some(from), Some(to)) if from <= to => (from, to),
        (Some(_), Some(_)) => {
            let why = "开始日期不能晚于结束日期".to_owned();
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                nav,
                None,
                None,
                (from_raw, to_raw, Some(why)),
            );
        }
        _ => {
            let why = "请填写开始和结束日期，例如 2026-11-01".to_owned();
            return render(
                StatusCode::UNPROCESSABLE_ENTITY,
                nav,
                None,
                None,
                (from_raw, to_raw, Some(why)),
            );
        }
    };
    let (_, bytes) = state
        .with_db(move |conn| results_file(conn, from, to, format))
        .await?;
    let name = format!("12315工单处理结果_{from}_{to}.{}", format.extension());
    Ok(secure(HttpResponse::Ok(), PAGE_CSP)
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename*=UTF-8''{}", urlencoding(&name)),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
