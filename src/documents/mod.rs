//! Laying out an official document (文书) as the printable page that is issued and frozen:
//! A4, CJK serif fonts, the verification code in the footer. The page is rendered once, in the
//! deciding transaction; readers serve the stored bytes, never a fresh rendering.

mod read_back;

pub use read_back::read_back;

use askama::Template;

use crate::domain::documents::{DocText, VerifyCode};

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage<'a> {
    text: &'a DocText,
    code: String,
    verify_url: String,
    replaces: Option<&'a str>,
}

/// The document's page. `public_url` is the service's address printed beside the code;
/// `replaces` is the number of the document this one corrects.
pub fn page(
    text: &DocText,
    code: &VerifyCode,
    public_url: &str,
    replaces: Option<&str>,
) -> Result<String, askama::Error> {
    DocumentPage {
        text,
        code: code.grouped(),
        verify_url: format!(
            "{}/verify/{}",
            public_url.trim_end_matches('/'),
            code.grouped()
        ),
        replaces,
    }
    .render()
}
