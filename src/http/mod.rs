//! HTTP: routes, the JSON error shape and the OpenAPI document. Handlers parse, call one
//! service function and render; they hold no rules.

pub mod body;
pub mod error;
pub mod intake;
pub mod meta;
pub mod track;

use actix_web::web;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "odrdesk", description = "消费投诉举报与在线纠纷解决（ODR）服务 API"),
    paths(
        intake::submit_complaint,
        intake::submit_report,
        track::track,
        track::upload,
        meta::healthz,
        meta::taxonomy,
        meta::openapi,
    ),
    components(schemas(error::ErrorBody, crate::intake::FieldIssue))
)]
pub struct ApiDoc;

pub fn routes(cfg: &mut web::ServiceConfig, json_limit: usize) {
    cfg.app_data(web::PayloadConfig::new(json_limit))
        .route("/healthz", web::get().to(meta::healthz))
        .route("/openapi.json", web::get().to(meta::openapi))
        .service(
            web::scope("/api/v1")
                .route("/complaints", web::post().to(intake::submit_complaint))
                .route("/reports", web::post().to(intake::submit_report))
                .route("/taxonomy", web::get().to(meta::taxonomy))
                .route("/track/{case_no}", web::get().to(track::track))
                .route("/track/{case_no}/attachments", web::post().to(track::upload)),
        );
}
