//! A browser without JavaScript for page tests: keeps cookies, does not follow redirects,
//! posts urlencoded and multipart forms, and reads hidden fields back out of the HTML.

use reqwest::header::{self, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

use super::accounts::PASSWORD;
use super::{TestApp, http_client};

pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub client: reqwest::Client,
    pub cookies: Vec<(String, String)>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub csp: Option<String>,
    pub cache_control: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

/// A file to upload: (field name, file name, content).
pub type Upload<'f> = (&'f str, &'f str, Vec<u8>);

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        // Installs the TLS provider the client builder needs.
        let _ = http_client();
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap();
        Browser {
            app,
            client,
            cookies: Vec::new(),
        }
    }

    /// A new browser signed in through the login form.
    pub async fn signed_in(app: &'a TestApp, email: &str, next: &str) -> Browser<'a> {
        let mut web = Browser::new(app);
        web.sign_in(email, next).await;
        web
    }

    /// Signs in through the login form with its CSRF token, as a person would, and checks
    /// the redirect to `next`; the browser then carries the session cookie.
    pub async fn sign_in(&mut self, email: &str, next: &str) {
        let login = self.get(&format!("/login?next={next}")).await;
        let token = hidden(&login.body, "csrf");
        let done = self
            .post(
                "/login",
                &[
                    ("csrf", &token),
                    ("email", email),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{email}: {}", done.body);
        assert_eq!(done.location.as_deref(), Some(next));
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn take(&mut self, res: reqwest::Response) -> Page {
        for c in res.headers().get_all(SET_COOKIE) {
            let raw = c.to_str().unwrap();
            let pair = raw.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        let header = |h| {
            res.headers()
                .get(h)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
        };
        Page {
            status: res.status().as_u16(),
            location: header(LOCATION),
            csp: header(header::CONTENT_SECURITY_POLICY),
            cache_control: header(header::CACHE_CONTROL),
            retry_after: header(header::RETRY_AFTER),
            body: res.text().await.unwrap(),
        }
    }

    /// The page a `303 See Other` sends the browser to, as a browser opens it.
    pub async fn follow(&mut self, answer: &Page) -> Page {
        assert_eq!(answer.status, 303, "{}", answer.body);
        let to = answer.location.clone().expect("Location");
        self.get(&to).await
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let res = self
            .client
            .get(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.take(res).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(form).unwrap();
        let res = self
            .client
            .post(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.take(res).await
    }

    /// A `multipart/form-data` post, text fields first and then the files, in order, as a
    /// browser sends a form whose file input comes last.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: Vec<Upload<'_>>,
    ) -> Page {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        for (name, file_name, bytes) in files {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
            form = form.part(name.to_owned(), part);
        }
        let res = self
            .client
            .post(self.app.url(path))
            .header(COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.take(res).await
    }
}

/// The value of the first hidden input with this name.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The ids of visible inputs, selects and textareas that no `<label for=…>` names.
pub fn unlabelled(html: &str) -> Vec<String> {
    let mut missing = Vec::new();
    for tag in ["<input", "<select", "<textarea"] {
        for (at, _) in html.match_indices(tag) {
            let element = &html[at..at + html[at..].find('>').unwrap_or(0)];
            if element.contains("type=\"hidden\"") {
                continue;
            }
            let id = element
                .split("id=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or("");
            if id.is_empty() || !html.contains(&format!("for=\"{id}\"")) {
                missing.push(element.to_owned());
            }
        }
    }
    missing
}
