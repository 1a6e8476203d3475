//! `POST /api/v1/wechat/subscriptions`: the mini-program reports the subscription message
//! templates the signed-in consumer accepted.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::body::json_body;
use super::error::{ApiError, ErrorBody};
use crate::auth::Principal;
use crate::service::subscriptions;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionsInput {
    /// Template ids the consumer accepted in `wx.requestSubscribeMessage` (one grant each).
    #[serde(default)]
    pub template_ids: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubscriptionsView {
    /// Unused grants per reported template id, this one included.
    pub unused: BTreeMap<String, i64>,
}

#[utoipa::path(
    post, path = "/api/v1/wechat/subscriptions", tag = "auth",
    request_body = SubscriptionsInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Grants recorded; each lets one subscription message go to this consumer", body = SubscriptionsView),
        (status = 401, description = "No consumer session", body = ErrorBody),
        (status = 403, description = "Signed in as staff", body = ErrorBody),
        (status = 422, description = "`template_ids_count` or `template_unknown`", body = ErrorBody),
    )
)]
pub async fn report(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let openid = match principal {
        Principal::Consumer { openid } => openid,
        Principal::Staff(_) => return Err(ApiError::Forbidden),
        Principal::Anonymous => return Err(ApiError::Unauthenticated),
    };
    let input: SubscriptionsInput = json_body(&req, &body)?;
    let now = state.clock.now();
    let notices = state
        .settings
        .wechat
        .as_ref()
        .map(|_| state.settings.wechat_notices.clone());
    let unused = state
        .with_db(move |conn| {
            subscriptions::record(conn, notices.as_ref(), &openid, &input.template_ids, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SubscriptionsView { unused }))
}
