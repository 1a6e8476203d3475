//! The link in the acknowledgement mail that confirms the submitter's e-mail address. Opening
//! it shows a button; only the posted form confirms, so a mail scanner that fetches every link
//! confirms nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::with_csrf;
use crate::service::{ServiceError, verify};
use crate::state::AppState;
use crate::web::{Form, PageError};

#[derive(Template)]
#[template(path = "consumer/verify.html")]
struct VerifyPage {
    csrf: String,
    case_no: String,
    code: String,
    done: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct Link {
    code: Option<String>,
}

fn show(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    case_no: String,
    code: String,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let done = status == StatusCode::OK && error.is_none() && code.is_empty();
    with_csrf(req, state, status, |csrf| VerifyPage {
        csrf,
        case_no,
        code,
        done,
        error,
    })
}

/// Text from the address bar is kept short before it is shown again.
fn short(s: &str) -> String {
    s.trim().chars().take(64).collect()
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    link: web::Query<Link>,
) -> Result<HttpResponse, PageError> {
    let code = short(link.code.as_deref().unwrap_or_default());
    if code.is_empty() {
        return Err(PageError::NotFound);
    }
    show(&req, &state, StatusCode::OK, short(&path), code, None)
}

pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form = Form::parse(&req, &body, "verify_email")?;
    let case_no = short(&path);
    let code = short(form.get("code").unwrap_or_default());
    let (target, given, now) = (case_no.clone(), code.clone(), state.clock.now());
    let confirmed = state
        .with_db(move |conn| verify::confirm(conn, &target, &given, now))
        .await;
    match confirmed {
        Ok(()) => show(&req, &state, StatusCode::OK, case_no, String::new(), None),
        Err(ServiceError::NotFound) => {
            let error = "链接无效：请使用确认邮件中的完整链接。".to_owned();
            show(
                &req,
                &state,
                StatusCode::NOT_FOUND,
                case_no,
                code,
                Some(error),
            )
        }
        Err(e) => Err(e.into()),
    }
}
