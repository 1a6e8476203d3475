//! Cross-site request forgery on the JSON API. A browser attaches the session cookie to
//! whatever another site makes it send, so an API write signed in by the cookie must show that
//! it comes from this site: `Sec-Fetch-Site: same-origin`, or, from a browser too old to send
//! fetch metadata, an `Origin` equal to the configured public address. A bearer token is never
//! sent by a browser on its own, so bearer requests need neither. The pages under `web/` keep
//! their own form tokens (`web::csrf`).

use actix_web::HttpRequest;
use actix_web::http::{Method, header};

use crate::http::body::body_without_media_type;
use crate::http::error::ApiError;

/// Refuses a cookie-signed API write that does not come from this site. A body without a
/// declared type is refused as such first (415), as the JSON reader would.
pub fn check_cookie_write(req: &HttpRequest, public_url: &str) -> Result<(), ApiError> {
    if !changes_state(req.method()) || !req.path().starts_with("/api/") {
        return Ok(());
    }
    if from_this_site(req, public_url) {
        return Ok(());
    }
    if body_without_media_type(req) {
        return Err(ApiError::unsupported_json());
    }
    Err(ApiError::CrossSite)
}

fn changes_state(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Fetch metadata decides when the browser sends it; otherwise the `Origin` header must name
/// the public address. With neither, nothing vouches for the request.
fn from_this_site(req: &HttpRequest, public_url: &str) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("Sec-Fetch-Site") {
        return site.as_bytes().eq_ignore_ascii_case(b"same-origin");
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (origin.and_then(origin_of), origin_of(public_url)) {
        (Some(sent), Some(ours)) => sent == ours,
        _ => false,
    }
}

/// `scheme://host[:port]` of a URL, lower-cased and without the scheme's default port.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let authority = authority.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    Some(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origins_compare_without_path_case_or_default_port() {
        let ours = origin_of("https://ODR.example.gov.cn/desk");
        assert_eq!(ours.as_deref(), Some("https://odr.example.gov.cn"));
        assert_eq!(origin_of("https://odr.example.gov.cn:443"), ours);
        assert_ne!(origin_of("http://odr.example.gov.cn"), ours);
        assert_ne!(origin_of("https://odr.example.gov.cn:8443"), ours);
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for broken in [
            "null",
            "",
            "odr.example.gov.cn",
            "https://",
            "https://a@b.cn",
        ] {
            assert_eq!(origin_of(broken), None, "{broken}");
        }
    }
}
