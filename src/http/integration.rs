//! An ODR business's own system over HTTP: its API keys and its webhook endpoint, managed by
//! a signed-in enterprise account (never with an API key), and the delivery log. The case
//! work itself is the case API (`cases.rs`), which an API key reaches as the account.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::OpenApi;

use super::body::json_body;
use super::error::{ApiError, ErrorBody};
use crate::auth::extract::signed_in_with_key;
use crate::auth::{Principal, Role, StaffUser};
use crate::domain::webhook::{EventBody, EventData, EventType};
use crate::service::integration::{
    self, Delivery, Endpoint, Integration, KeyInfo, NewKey, Registered,
};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        overview,
        create_key,
        revoke_key,
        put_webhook,
        patch_webhook,
        rotate_secret,
        deliveries,
        resend
    ),
    components(schemas(
        Integration,
        KeyInfo,
        NewKey,
        Endpoint,
        Registered,
        Delivery,
        KeyInput,
        WebhookInput,
        WebhookSwitch,
        EventBody,
        EventData,
        EventType
    ))
)]
pub struct IntegrationDoc;

pub fn routes(scope: &mut web::ServiceConfig) {
    use super::resource;
    scope
        .service(resource("/enterprise/integration", "GET").route(web::get().to(overview)))
        .service(resource("/enterprise/api-keys", "POST").route(web::post().to(create_key)))
        .service(
            resource("/enterprise/api-keys/{id}", "DELETE").route(web::delete().to(revoke_key)),
        )
        .service(
            resource("/enterprise/webhook", "PUT, PATCH")
                .route(web::put().to(put_webhook))
                .route(web::patch().to(patch_webhook)),
        )
        .service(
            resource("/enterprise/webhook/rotate", "POST").route(web::post().to(rotate_secret)),
        )
        .service(resource("/enterprise/webhook/deliveries", "GET").route(web::get().to(deliveries)))
        .service(
            resource("/enterprise/webhook/deliveries/{id}/resend", "POST")
                .route(web::post().to(resend)),
        );
}

/// The signed-in enterprise account, by session: an API key may not manage keys or the
/// webhook (403), so a leaked key cannot make itself a successor.
fn manager(principal: &Principal, req: &HttpRequest) -> Result<StaffUser, ApiError> {
    let user = principal.require_role(&[Role::Enterprise])?;
    if signed_in_with_key(req) {
        return Err(crate::service::ServiceError::Forbidden.into());
    }
    Ok(user.clone())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct KeyInput {
    #[schema(example = "客服系统")]
    pub label: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WebhookInput {
    #[schema(example = "https://erp.example.com/odrdesk/hook")]
    pub url: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WebhookSwitch {
    pub enabled: bool,
}

#[utoipa::path(get, path = "/api/v1/enterprise/integration", tag = "integration",
    security(("bearer" = [])),
    responses((status = 200, description = "The endpoint, the account's keys and the latest deliveries", body = Integration),
        (status = 401, body = ErrorBody), (status = 403, description = "Not an enterprise account, or signed in with an API key", body = ErrorBody)))]
pub async fn overview(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let user = manager(&principal, &req)?;
    let view = state
        .with_db(move |conn| integration::overview(conn, &user))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[utoipa::path(post, path = "/api/v1/enterprise/api-keys", tag = "integration",
    request_body = KeyInput, security(("bearer" = [])),
    responses((status = 201, description = "The key, shown this once", body = NewKey),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_key(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = manager(&principal, &req)?;
    let input: KeyInput = json_body(&req, &body)?;
    let now = state.clock.now();
    let label = input.label.unwrap_or_default();
    let key = state
        .with_db(move |conn| integration::create_key(conn, &user, &label, now))
        .await?;
    Ok(HttpResponse::Created().json(key))
}

#[utoipa::path(delete, path = "/api/v1/enterprise/api-keys/{id}", tag = "integration",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204, description = "Revoked: the key is refused from now on"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_key(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let user = manager(&principal, &req)?;
    let (id, now) = (id.into_inner(), state.clock.now());
    state
        .with_db(move |conn| integration::revoke_key(conn, &user, id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(put, path = "/api/v1/enterprise/webhook", tag = "integration",
    request_body = WebhookInput, security(("bearer" = [])),
    responses((status = 200, description = "Registered and switched on; the signing secret is shown this once", body = Registered),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "`bad_webhook_url` (not HTTPS) or `private_address`", body = ErrorBody)))]
pub async fn put_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = manager(&principal, &req)?;
    let input: WebhookInput = json_body(&req, &body)?;
    let (key, now) = (state.server_key.clone(), state.clock.now());
    let allow = state.settings.webhook_allow_loopback;
    let wanted = integration::Registration {
        url: input.url,
        allow_loopback: allow,
    };
    let limits = &state.integration_limits.registrations;
    let registered = integration::register(&state.pool, limits, key, user, wanted, now).await?;
    Ok(HttpResponse::Ok().json(registered))
}

#[utoipa::path(patch, path = "/api/v1/enterprise/webhook", tag = "integration",
    request_body = WebhookSwitch, security(("bearer" = [])),
    responses((status = 204, description = "Switched on or off; while off no event is queued"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, description = "No endpoint registered", body = ErrorBody)))]
pub async fn patch_webhook(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let user = manager(&principal, &req)?;
    let input: WebhookSwitch = json_body(&req, &body)?;
    let now = state.clock.now();
    state
        .with_db(move |conn| integration::set_enabled(conn, &user, input.enabled, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/enterprise/webhook/rotate", tag = "integration",
    security(("bearer" = [])),
    responses((status = 200, description = "A new signing secret, shown this once; the old one signs nothing more", body = Registered),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let user = manager(&principal, &req)?;
    let (key, now) = (state.server_key.clone(), state.clock.now());
    let registered = state
        .with_db(move |conn| integration::rotate(conn, &key, &user, now))
        .await?;
    Ok(HttpResponse::Ok().json(registered))
}

#[utoipa::path(get, path = "/api/v1/enterprise/webhook/deliveries", tag = "integration",
    security(("bearer" = [])),
    responses((status = 200, description = "The latest 50 deliveries, newest first", body = Vec<Delivery>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn deliveries(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let user = manager(&principal, &req)?;
    let view = state
        .with_db(move |conn| integration::overview(conn, &user))
        .await?;
    Ok(HttpResponse::Ok().json(view.deliveries))
}

#[utoipa::path(post, path = "/api/v1/enterprise/webhook/deliveries/{id}/resend", tag = "integration",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 204, description = "Queued again, with the same event id and a fresh day of retries"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn resend(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let user = manager(&principal, &req)?;
    let (id, now) = (id.into_inner(), state.clock.now());
    state
        .with_db(move |conn| integration::resend(conn, &user, id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The contract of the webhooks, in the document: each event as an OpenAPI 3.1 webhook (a
/// `POST` with `EventBody`), the signature headers, and the API key scheme.
pub fn describe_webhooks(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{
        HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
    };
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::schema::Ref;
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    use utoipa::openapi::{Content, PathsBuilder, Required, Response};

    let header = |name: &str, description: &str| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::True)
            .description(Some(description))
            .build()
    };
    let mut hooks = PathsBuilder::new();
    for event in EventType::ALL {
        let operation = OperationBuilder::new()
            .summary(Some(format!("{}（{}）", event.as_str(), event.label_zh())))
            .description(Some(WEBHOOK_CONTRACT))
            .parameter(header("X-Odrdesk-Timestamp", "Unix seconds when this attempt was signed"))
            .parameter(header(
                "X-Odrdesk-Signature",
                "`v1=` and the hex HMAC-SHA256 of `{timestamp}.{raw body}` under the endpoint's secret",
            ))
            .parameter(header("X-Odrdesk-Event-Id", "The event's id; the same on every redelivery"))
            .request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(
                        "application/json",
                        Content::new(Some(Ref::from_schema_name("EventBody"))),
                    )
                    .build(),
            ))
            .response("2XX", Response::new("Received; anything else is retried"));
        hooks = hooks.path(event.as_str(), PathItem::new(HttpMethod::Post, operation));
    }
    doc.webhooks = Some(hooks.build());
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "enterprise_api_key",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("odk_…")
                .description(Some(
                    "An ODR business's API key (`Authorization: Bearer odk_…`), made on its desk: \
                     the enterprise account's own access to its complaints (list, read, act), \
                     never to a report; 120 requests a minute per key.",
                ))
                .build(),
        ),
    );
}

const WEBHOOK_CONTRACT: &str = "Sent to the endpoint an ODR business registered \
(`PUT /api/v1/enterprise/webhook`). The body carries ids and types only (no party's words or \
personal data): read the case with the API key at `data.api_path`. Verify before trusting: \
recompute HMAC-SHA256 over `{X-Odrdesk-Timestamp}.{raw body}` with the secret, compare with \
`X-Odrdesk-Signature` (after `v1=`) in constant time, and refuse a timestamp more than 5 minutes \
from your clock. Answer 2xx within 10 s; anything else is retried (30 s, doubling, at most an \
hour apart) for 24 hours, then the delivery is dead (it can be resent from the desk). A \
delivery may come twice after a failure: deduplicate by `X-Odrdesk-Event-Id`. No event is ever \
sent for a report.";
