//! `GET /api/v1/scorecards/{quarter}`: a quarter's credit scorecards of cosmetics and
//! beauty businesses for the credit system, as JSON or CSV.

use actix_web::http::header::{CONTENT_DISPOSITION, ContentType};
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::OpenApi;

use super::error::{ApiError, ErrorBody};
use crate::auth::Principal;
use crate::scorecard::Scorecard;
use crate::scorecard::export::{self, ScorecardSet};
use crate::service::ServiceError;
use crate::service::scorecards::{parse_quarter, read_quarter};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(quarter),
    components(schemas(
        ScorecardSet,
        Scorecard,
        crate::domain::scorecard::Method,
        crate::domain::scorecard::Share,
        crate::domain::scorecard::Item,
        crate::domain::scorecard::Grade,
        crate::domain::scorecard::Sector
    ))
)]
pub struct ScorecardsDoc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/scorecards/{quarter}", "GET").route(web::get().to(quarter)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScorecardQuery {
    /// `json` (the default) or `csv`.
    pub format: Option<String>,
    /// Judge running deadlines as of this China date (YYYY-MM-DD; default: today).
    pub as_of: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/scorecards/{quarter}", tag = "scorecards",
    params(("quarter" = String, Path, example = "2026Q3"), ScorecardQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The quarter's scorecards (JSON, or CSV with format=csv)",
            content((ScorecardSet = "application/json"), (String = "text/csv"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "The quarter, `format` or `as_of` is not understood", body = ErrorBody)))]
pub async fn quarter(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    query: web::Query<ScorecardQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&crate::service::scorecards::READERS)?;
    let q = parse_quarter(&path)?;
    let csv = match query.format.as_deref().map(str::trim) {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ServiceError::invalid_field(
                "format",
                "invalid_format",
                "格式应为 json 或 csv (format must be json or csv)".into(),
            )
            .into());
        }
    };
    let ctx = state.ctx();
    let as_of = match query.as_of.as_deref().map(str::trim) {
        None | Some("") => ctx.today(),
        Some(text) => text.parse::<NaiveDate>().map_err(|_| {
            ServiceError::invalid_field(
                "as_of",
                "invalid_date",
                "日期应写作 2026-11-20 (date as YYYY-MM-DD)".into(),
            )
        })?,
    };
    let method = state.settings.scorecard;
    let format = if csv { "csv" } else { "json" };
    let set = state
        .with_db(move |conn| {
            read_quarter(conn, &principal, &ctx.reference, q, as_of, &method, format)
        })
        .await?;
    if csv {
        let bytes =
            export::csv(&set).map_err(|e| ApiError::from(ServiceError::Internal(e.to_string())))?;
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"scorecards-{q}.csv\""),
            ))
            .body(bytes));
    }
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(export::json(&set)))
}
