//! HTTP: routes, the JSON error shape and the OpenAPI document. Handlers parse, call one
//! service function and render; they hold no rules.

pub mod admin;
pub mod analyst;
pub mod auth;
pub mod body;
pub mod bulletins;
pub mod businesses;
pub mod cases;
pub mod disclosures;
pub mod documents;
pub mod error;
pub mod health;
pub mod intake;
pub mod integration;
pub mod meta;
pub mod phone;
pub mod scorecards;
pub mod signed_agreement;
pub mod subject_requests;
pub mod subscriptions;
pub mod track;
pub mod warnings;

use actix_web::web;
use utoipa::OpenApi;

use auth::SecurityAddon;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "odrdesk",
        description = "消费投诉举报与在线纠纷解决（ODR）服务 API"
    ),
    paths(
        intake::submit_complaint,
        intake::submit_report,
        track::track,
        track::upload,
        health::healthz,
        health::readyz,
        health::metrics,
        meta::taxonomy,
        meta::openapi,
        auth::login,
        auth::logout,
        auth::me,
        auth::wechat_login,
        phone::request_code,
        phone::open_session,
        phone::cases,
        phone::fresh_tracking_code,
        subscriptions::report,
        admin::upsert_enterprise,
        admin::list_enterprises,
        admin::create_user,
        admin::issue_api_key,
    ),
    modifiers(&SecurityAddon),
    components(schemas(error::ErrorBody, crate::intake::FieldIssue))
)]
pub struct ApiDoc;

pub fn routes(cfg: &mut web::ServiceConfig, json_limit: usize) {
    cfg.app_data(web::PayloadConfig::new(json_limit))
        .service(resource("/healthz", "GET").route(web::get().to(health::healthz)))
        .service(resource("/readyz", "GET").route(web::get().to(health::readyz)))
        .service(resource("/metrics", "GET").route(web::get().to(health::metrics)))
        .service(resource("/openapi.json", "GET").route(web::get().to(meta::openapi)))
        .configure(bulletins::page_routes)
        .configure(businesses::page_routes)
        .service(
            web::scope("/api/v1")
                .service(
                    resource("/complaints", "POST").route(web::post().to(intake::submit_complaint)),
                )
                .service(resource("/reports", "POST").route(web::post().to(intake::submit_report)))
                .service(resource("/taxonomy", "GET").route(web::get().to(meta::taxonomy)))
                .service(resource("/auth/login", "POST").route(web::post().to(auth::login)))
                .service(resource("/auth/logout", "POST").route(web::post().to(auth::logout)))
                .service(resource("/auth/me", "GET").route(web::get().to(auth::me)))
                .service(
                    resource("/wechat/login", "POST").route(web::post().to(auth::wechat_login)),
                )
                .service(
                    resource("/wechat/subscriptions", "POST")
                        .route(web::post().to(subscriptions::report)),
                )
                .service(
                    resource("/admin/enterprises", "GET, POST")
                        .route(web::get().to(admin::list_enterprises))
                        .route(web::post().to(admin::upsert_enterprise)),
                )
                .service(resource("/admin/users", "POST").route(web::post().to(admin::create_user)))
                .service(
                    resource("/admin/api-keys", "POST").route(web::post().to(admin::issue_api_key)),
                )
                .configure(phone::routes)
                .configure(subject_requests::routes)
                .configure(cases::routes)
                .configure(integration::routes)
                .configure(documents::routes)
                .configure(analyst::routes)
                .configure(bulletins::api_routes)
                .configure(disclosures::routes)
                .configure(businesses::api_routes)
                .configure(warnings::api_routes)
                .configure(scorecards::routes)
                .service(resource("/track/{case_no}", "GET").route(web::get().to(track::track)))
                .service(
                    resource("/track/{case_no}/attachments", "POST")
                        .route(web::post().to(track::upload)),
                ),
        );
}

pub(crate) use crate::routes::resource;
