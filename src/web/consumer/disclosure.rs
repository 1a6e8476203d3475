//! The complainant's consent to publication on the case page (Order 121 Art. 38): a form that
//! gives or withdraws it, authorised by the case's cookie like every other step. Withdrawal
//! unpublishes at once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::holder::{self, Done};
use super::track::{Outcome, holder_of, refused, show_case};
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::disclosure;
use crate::state::AppState;
use crate::web::{Form, PageError};

pub async fn consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Form::parse(&req, &body, "track_action")?;
    let (case_no, token) = match holder_of(&req, &state, &path).await? {
        Ok(held) => held,
        Err(page) => return Ok(page),
    };
    let consent = match form.get("consent") {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            let outcome = Outcome::failed(
                StatusCode::UNPROCESSABLE_ENTITY,
                "请选择同意或撤回公示。".into(),
            );
            return show_case(&req, &state, &case_no, token, outcome).await;
        }
    };
    let ctx = state.ctx();
    let caller = Caller::TokenHolder(token.clone());
    let target = case_no.clone();
    let result = state
        .with_db(move |conn| disclosure::set_consent(conn, &ctx, &target, &caller, consent))
        .await;
    match result {
        Ok(_) => {
            let done = if consent {
                Done::ConsentGiven
            } else {
                Done::ConsentWithdrawn
            };
            holder::to_case(&case_no, &token, done, state.settings.cookie_secure)
        }
        Err(ServiceError::NotFound) => refused(&req, &state, &case_no),
        Err(ServiceError::Conflict { message, .. }) => {
            let outcome = Outcome::failed(StatusCode::CONFLICT, message);
            show_case(&req, &state, &case_no, token, outcome).await
        }
        Err(e) => Err(e.into()),
    }
}
