//! Administration: registered businesses, accounts and mini-program API keys (admin only).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::json_body;
use super::error::{ApiError, ErrorBody};
use crate::auth::{Principal, Role};
use crate::service::accounts::{
    self, EnterpriseInput, EnterpriseView, IssuedApiKey, UserInput, UserView,
};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ApiKeyInput {
    #[schema(example = "小程序后端")]
    pub label: Option<String>,
}

#[utoipa::path(
    post, path = "/api/v1/admin/enterprises", tag = "admin",
    request_body = EnterpriseInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = EnterpriseView),
        (status = 200, description = "Updated (same USCC)", body = EnterpriseView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "Every invalid field", body = ErrorBody),
    )
)]
pub async fn upsert_enterprise(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&[Role::Admin])?;
    let input: EnterpriseInput = json_body(&req, &body)?;
    let enterprise = accounts::parse_enterprise(&input).map_err(ApiError::Validation)?;
    let now = state.clock.now();
    let (view, created) = state
        .with_db(move |conn| accounts::upsert_enterprise(conn, &enterprise, now))
        .await?;
    Ok(if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

#[utoipa::path(
    get, path = "/api/v1/admin/enterprises", tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every registered business, by USCC", body = Vec<EnterpriseView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
    )
)]
pub async fn list_enterprises(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&[Role::Admin])?;
    let list = state.with_db(accounts::list_enterprises).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(
    post, path = "/api/v1/admin/users", tag = "admin",
    request_body = UserInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "`email_taken`", body = ErrorBody),
        (status = 422, description = "Every invalid field, or an unregistered USCC", body = ErrorBody),
    )
)]
pub async fn create_user(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&[Role::Admin])?;
    let input: UserInput = json_body(&req, &body)?;
    let user = accounts::parse_user(&input).map_err(ApiError::Validation)?;
    let now = state.clock.now();
    let view = state
        .with_db(move |conn| accounts::add_user(conn, user, now))
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[utoipa::path(
    post, path = "/api/v1/admin/api-keys", tag = "admin",
    request_body = ApiKeyInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The key, shown this once; only its hash is kept", body = IssuedApiKey),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "No label", body = ErrorBody),
    )
)]
pub async fn issue_api_key(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    principal.require_role(&[Role::Admin])?;
    let input: ApiKeyInput = json_body(&req, &body)?;
    let label = accounts::parse_label(input.label.as_deref()).map_err(ApiError::Validation)?;
    let now = state.clock.now();
    let issued = state
        .with_db(move |conn| accounts::issue_api_key(conn, &label, now))
        .await?;
    Ok(HttpResponse::Created().json(issued))
}
