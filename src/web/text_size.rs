//! Large text without script: a link sets a cookie, and every page's second stylesheet
//! (`/text-size.css`) answers with larger type when that cookie says so. Pages themselves stay
//! the same for everyone, so no handler needs to know the reader's choice.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{PAGE_CSP, login, secure};

const COOKIE: &str = "odrdesk_text";
const LARGE: &str = "large";

/// Sizes are in rem throughout, so one root size scales every page; the toggle shows the way
/// back to normal type.
const LARGE_CSS: &str = "html { font-size: 125%; }\n\
    header.site .text-size-large { display: none; }\n\
    header.site .text-size-normal { display: inline; }\n";

pub fn routes(cfg: &mut web::ServiceConfig) {
    use crate::routes::resource;
    cfg.service(resource("/text-size", "GET").route(web::get().to(choose)))
        .service(resource("/text-size.css", "GET").route(web::get().to(stylesheet)));
}

#[derive(Deserialize)]
pub struct Choice {
    size: String,
}

/// Whether the reader asked for large text.
fn large(req: &HttpRequest) -> bool {
    req.cookie(COOKIE).is_some_and(|c| c.value() == LARGE)
}

async fn stylesheet(req: HttpRequest) -> HttpResponse {
    secure(HttpResponse::Ok(), PAGE_CSP)
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::VARY, "Cookie"))
        .body(if large(&req) { LARGE_CSS } else { "" })
}

/// Remembers the choice for a year and goes back to the page the link was on.
async fn choose(req: HttpRequest, choice: web::Query<Choice>) -> HttpResponse {
    let cookie = Cookie::build(
        COOKIE,
        if choice.size == LARGE {
            LARGE
        } else {
            "normal"
        },
    )
    .path("/")
    .same_site(SameSite::Lax)
    .http_only(true)
    .max_age(Duration::days(365))
    .finish();
    HttpResponse::SeeOther()
        .cookie(cookie)
        .insert_header((header::LOCATION, back(&req)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The page the toggle was clicked on, when it is one of the site's own (the referrer
/// policy sends the address to this site only); else the home page.
fn back(req: &HttpRequest) -> String {
    let conn = req.connection_info();
    let origin = format!("{}://{}", conn.scheme(), conn.host());
    req.headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.strip_prefix(&origin))
        .filter(|path| login::is_own_page(path))
        .unwrap_or("/")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn from(referer: &str) -> String {
        let req = TestRequest::default()
            .insert_header((header::HOST, "odr.example"))
            .insert_header((header::REFERER, referer))
            .to_http_request();
        back(&req)
    }

    #[test]
    fn the_toggle_returns_only_to_the_sites_own_pages() {
        assert_eq!(from("http://odr.example/complain"), "/complain");
        assert_eq!(from("http://odr.example/desk?state=x"), "/desk?state=x");
        assert_eq!(from("http://evil.example/complain"), "/");
        assert_eq!(from("http://odr.example//evil.example"), "/");
        assert_eq!(from("http://odr.example.evil/complain"), "/");
    }
}
