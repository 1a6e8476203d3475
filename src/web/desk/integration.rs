//! The enterprise desk's 系统对接 page (`/enterprise/integration`): the business's API keys
//! and webhook endpoint, each new secret shown once, and the delivery log with a resend.
//! Only a signed-in session may manage them, never an API key.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::auth::extract::signed_in_with_key;
use crate::auth::{Principal, Role, StaffUser};
use crate::service::ServiceError;
use crate::service::integration::{self, Integration};
use crate::state::AppState;
use crate::web::nav::StaffNav;
use crate::web::{Form, PageError, csrf, staff};

const HERE: &str = "/enterprise/integration";

#[derive(Template)]
#[template(path = "enterprise/integration.html")]
struct IntegrationPage {
    nav: StaffNav,
    csrf: String,
    view: Integration,
    /// A secret or key made just now, with what it is; shown this once.
    shown_once: Option<(&'static str, String)>,
    notice: Option<String>,
    error: Option<String>,
}

impl IntegrationPage {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        super::case::china_time(*at)
    }
}

fn manager(principal: &Principal, req: &HttpRequest) -> Result<StaffUser, PageError> {
    let user = staff(principal, &[Role::Enterprise], HERE)?;
    if signed_in_with_key(req) {
        return Err(PageError::Forbidden);
    }
    Ok(user.clone())
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, PageError> {
    let user = manager(&principal, &req)?;
    render(&req, &state, user, StatusCode::OK, Said::default()).await
}

/// What the last form came to.
#[derive(Default)]
struct Said {
    shown_once: Option<(&'static str, String)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    user: StaffUser,
    status: StatusCode,
    said: Said,
) -> Result<HttpResponse, PageError> {
    let reader = user.clone();
    let view = state
        .with_db(move |conn| integration::overview(conn, &reader))
        .await?;
    let c = csrf::issue(req, state.settings.cookie_secure);
    let template = IntegrationPage {
        nav: StaffNav::new(&user, &c.token),
        csrf: c.token,
        view,
        shown_once: said.shown_once,
        notice: said.notice,
        error: said.error,
    };
    super::page_with_cookie(status, &template, c.cookie)
}

fn id_of(form: &Form) -> Result<i64, PageError> {
    form.get("id")
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| PageError::BadRequest("缺少编号".into()))
}

/// `POST /enterprise/integration` with `do`: `create_key`, `revoke_key`, `register`,
/// `rotate`, `disable`, `enable` or `resend`.
pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let user = manager(&principal, &req)?;
    let form = Form::parse(&req, &body, "enterprise_integration")?;
    let (now, key) = (state.clock.now(), state.server_key.clone());
    let allow = state.settings.webhook_allow_loopback;
    let label = form.get("label").unwrap_or_default().to_owned();
    let url = form.get("url").unwrap_or_default().to_owned();
    let acting = user.clone();
    let said: Result<Said, ServiceError> = match form.get("do").unwrap_or_default() {
        "create_key" => state
            .with_db(move |conn| integration::create_key(conn, &acting, &label, now))
            .await
            .map(|k| Said {
                shown_once: Some(("API 密钥", k.key)),
                ..Said::default()
            }),
        "revoke_key" => {
            let id = id_of(&form)?;
            state
                .with_db(move |conn| integration::revoke_key(conn, &acting, id, now))
                .await
                .map(|()| notice("API 密钥已作废，使用它的请求将被拒绝"))
        }
        "register" => {
            let wanted = integration::Registration {
                url,
                allow_loopback: allow,
            };
            let limits = &state.integration_limits.registrations;
            integration::register(&state.pool, limits, key, acting, wanted, now)
                .await
                .map(|r| Said {
                    shown_once: Some(("签名密钥", r.secret)),
                    notice: Some("接收地址已保存并启用".into()),
                    ..Said::default()
                })
        }
        "rotate" => state
            .with_db(move |conn| integration::rotate(conn, &key, &acting, now))
            .await
            .map(|r| Said {
                shown_once: Some(("新的签名密钥", r.secret)),
                notice: Some("旧的签名密钥已停止使用".into()),
                ..Said::default()
            }),
        switch @ ("disable" | "enable") => {
            let on = switch == "enable";
            state
                .with_db(move |conn| integration::set_enabled(conn, &acting, on, now))
                .await
                .map(|()| {
                    notice(if on {
                        "推送已启用"
                    } else {
                        "推送已停用"
                    })
                })
        }
        "resend" => {
            let id = id_of(&form)?;
            state
                .with_db(move |conn| integration::resend(conn, &acting, id, now))
                .await
                .map(|()| notice("已重新排队发送"))
        }
        _ => return Err(PageError::BadRequest("未知的操作".into())),
    };
    match said {
        Ok(said) => render(&req, &state, user, StatusCode::OK, said).await,
        Err(ServiceError::Invalid(issues)) => {
            let text: Vec<String> = issues.into_iter().map(|i| i.message).collect();
            let said = Said {
                error: Some(text.join("；")),
                ..Said::default()
            };
            render(&req, &state, user, StatusCode::UNPROCESSABLE_ENTITY, said).await
        }
        Err(ServiceError::NotFound) => {
            let said = Said {
                error: Some("没有找到该项，可能已被删除或尚未设置接收地址".into()),
                ..Said::default()
            };
            render(&req, &state, user, StatusCode::NOT_FOUND, said).await
        }
        Err(other) => Err(other.into()),
    }
}

fn notice(text: &str) -> Said {
    Said {
        notice: Some(text.into()),
        ..Said::default()
    }
}
