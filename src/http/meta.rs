//! Health, reference data and the API description.

use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::OpenApi;

use super::error::{ApiError, ErrorBody};
use crate::app::AppState;
use crate::domain::Taxonomy;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, body = Health), (status = 503, description = "Database unreachable", body = ErrorBody)))]
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .with_db(|conn| conn.batch_execute("SELECT 1").map_err(Into::into))
        .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok",
        database: state.settings.database.backend_name(),
    }))
}

#[utoipa::path(get, path = "/api/v1/taxonomy", tag = "meta",
    responses((status = 200, description = "Categories, natures, districts and channels with Chinese labels", body = Taxonomy)))]
pub async fn taxonomy() -> HttpResponse {
    HttpResponse::Ok().json(Taxonomy::builtin())
}

#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "This document")))]
pub async fn openapi() -> HttpResponse {
    let mut doc = super::ApiDoc::openapi();
    doc.merge(super::cases::CasesDoc::openapi());
    doc.merge(super::analyst::AnalystDoc::openapi());
    doc.merge(super::bulletins::BulletinsDoc::openapi());
    HttpResponse::Ok().json(doc)
}

pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

pub async fn method_not_allowed(allow: &'static str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((actix_web::http::header::ALLOW, allow))
        .finish()
}
