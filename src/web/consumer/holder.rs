//! How the case page knows its visitor holds the 查询码 after a redirect: every consumer post
//! answers 303 to `GET /track/{case_no}` (so Back and reload never resubmit), and the code
//! travels to that page in a cookie, never in a URL that would reach logs or a `Referer`.
//! The cookie is HttpOnly, `SameSite=Strict`, scoped to the one case's path and lives half
//! an hour; the code in it passes the per-case limit on wrong codes like a typed one.

use actix_web::HttpRequest;
use actix_web::HttpResponse;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::header;

use crate::secrets::TrackingToken;
use crate::web::{PageError, see_other};

/// The cookie's name; its path tells the cases apart.
pub const HOLDER_COOKIE: &str = "odrdesk_track";
/// How long a browser stays let in after the code was typed (renewed by every post).
const HOLDER_MINUTES: i64 = 30;

/// The case page's address.
pub fn case_path(case_no: &str) -> String {
    format!("/track/{case_no}")
}

/// The 查询码 this browser holds for the case the request's path names.
pub fn held(req: &HttpRequest) -> Option<TrackingToken> {
    req.cookie(HOLDER_COOKIE)
        .and_then(|c| TrackingToken::parse(c.value()))
}

pub(super) fn cookie(case_no: &str, token: &TrackingToken, secure: bool) -> Cookie<'static> {
    Cookie::build(HOLDER_COOKIE, token.as_str().to_owned())
        .path(case_path(case_no))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(Duration::minutes(HOLDER_MINUTES))
        .finish()
}

/// What a post did, named in the redirect's query (`?done=rated`) and said on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Filed,
    /// Filed, but its evidence could not be stored: upload again from the case page.
    FiledWithoutEvidence,
    Opened,
    Accepted,
    Rejected,
    Withdrawn,
    Rated,
    Messaged,
    Supplemented,
    Uploaded,
    /// The complainant says the identity proof asked for was provided.
    IdentityProvided,
    /// The complainant confirmed the 调解书 on line.
    AgreementConfirmed,
    /// The complainant agreed to publication (Order 121 Art. 38).
    ConsentGiven,
    /// The complainant withdrew consent to publication.
    ConsentWithdrawn,
}

impl Done {
    const ALL: [Done; 14] = [
        Done::Filed,
        Done::FiledWithoutEvidence,
        Done::Opened,
        Done::Accepted,
        Done::Rejected,
        Done::Withdrawn,
        Done::Rated,
        Done::Messaged,
        Done::Supplemented,
        Done::Uploaded,
        Done::IdentityProvided,
        Done::AgreementConfirmed,
        Done::ConsentGiven,
        Done::ConsentWithdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Done::Filed => "filed",
            Done::FiledWithoutEvidence => "evidence_failed",
            Done::Opened => "opened",
            Done::Accepted => "accepted",
            Done::Rejected => "rejected",
            Done::Withdrawn => "withdrawn",
            Done::Rated => "rated",
            Done::Messaged => "message",
            Done::Supplemented => "supplement",
            Done::Uploaded => "uploaded",
            Done::IdentityProvided => "identity_provided",
            Done::AgreementConfirmed => "agreement_confirmed",
            Done::ConsentGiven => "consent_given",
            Done::ConsentWithdrawn => "consent_withdrawn",
        }
    }

    /// The `done` value of a query string; anything else says nothing.
    pub fn from_query(query: &str) -> Option<Done> {
        let value = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("done="))?;
        Done::ALL.into_iter().find(|d| d.as_str() == value)
    }

    /// The notice above the case; none for simply opening it.
    pub fn notice(self) -> Option<&'static str> {
        Some(match self {
            Done::Filed | Done::FiledWithoutEvidence | Done::Opened => return None,
            Done::Accepted => "您已接受商家的方案。",
            Done::Rejected => "您不接受商家的方案，投诉已转由市场监管部门处理。",
            Done::Withdrawn => "您已撤回，案件办结。",
            Done::Rated => "感谢您的评价。",
            Done::Messaged => "留言已发送，对方会收到查看提醒。",
            Done::Supplemented => "补充说明已提交，调解员会看到。",
            Done::Uploaded => "证据材料已上传。",
            Done::IdentityProvided => "已告知办理单位您已提供身份证明材料。",
            Done::AgreementConfirmed => "您已确认调解书。",
            Done::ConsentGiven => "您已同意公示投诉信息，办结并经审核后公示。",
            Done::ConsentWithdrawn => "您已撤回公示同意，投诉信息不再公示。",
        })
    }
}

/// `303 See Other` to the case page, letting this browser in for the next half hour.
pub fn to_case(
    case_no: &str,
    token: &TrackingToken,
    done: Done,
    secure: bool,
) -> Result<HttpResponse, PageError> {
    let case = case_path(case_no);
    let to = match done {
        Done::Opened => case,
        Done::Filed => format!("{case}/filed"),
        other @ Done::FiledWithoutEvidence => format!("{case}/filed?done={}", other.as_str()),
        other => format!("{case}?done={}", other.as_str()),
    };
    let_in(&to, case_no, token, secure)
}

/// `303 See Other` to a document of the case (the link in a mail, once the code is typed).
pub fn to_document(
    case_no: &str,
    token: &TrackingToken,
    id: i64,
    secure: bool,
) -> Result<HttpResponse, PageError> {
    let to = format!("{}/documents/{id}", case_path(case_no));
    let_in(&to, case_no, token, secure)
}

fn let_in(
    to: &str,
    case_no: &str,
    token: &TrackingToken,
    secure: bool,
) -> Result<HttpResponse, PageError> {
    let mut res = see_other(to);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    res.add_cookie(&cookie(case_no, token, secure))
        .map_err(|e| PageError::Internal(e.to_string()))?;
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_reads_back_from_its_query() {
        for done in Done::ALL {
            assert_eq!(
                Done::from_query(&format!("done={}", done.as_str())),
                Some(done)
            );
            assert_eq!(
                Done::from_query(&format!("x=1&done={}", done.as_str())),
                Some(done)
            );
        }
        assert_eq!(Done::from_query("done=hacked"), None);
        assert_eq!(Done::from_query(""), None);
    }

    #[test]
    fn the_cookie_is_scoped_to_the_case_and_hidden_from_script() {
        let token = TrackingToken::parse("7K2M-9QXD-1A0B-CDEF-GH10").unwrap();
        let c = cookie("TS-2026-000001", &token, true);
        assert_eq!(c.path(), Some("/track/TS-2026-000001"));
        assert_eq!(c.http_only(), Some(true));
        assert_eq!(c.same_site(), Some(SameSite::Strict));
        assert_eq!(c.secure(), Some(true));
        assert_eq!(c.max_age(), Some(Duration::minutes(30)));
    }
}
