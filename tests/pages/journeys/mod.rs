//! Journeys as tests: each role starts at the home page and walks to the end in headless
//! Chromium, clicking the links and buttons a person would and asserting on what they see.
//! Every step is photographed at 360 and 1280 px wide under
//! `target/screenshots/journeys/<role>/NN-<step>-<width>.png`, must fit a 360 px screen
//! without scrolling sideways, and must pass axe-core's WCAG 2.1 AA rules.

mod admin_public;
mod analyst;
mod anonymous;
mod axe;
mod consumer;
mod enterprise;
mod keyboard;
mod mediator;
mod supervisor;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::common;
use crate::e2e::World;
use common::webdriver::Browser;

/// Widths of a phone and a desktop screen, in CSS pixels.
const PHONE: u32 = 360;
const DESKTOP: u32 = 1280;
/// Tall enough for most pages to fit in one screenshot.
const PHOTO_HEIGHT: u32 = 2400;

/// The widest elements sticking out of the viewport, if the page is wider than it.
const TOO_WIDE: &str = r#"
const root = document.documentElement;
if (root.scrollWidth <= window.innerWidth) return null;
const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
  + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '');
const wide = [...document.body.querySelectorAll('*')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 8).map(name);
return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide: wide};
"#;

/// One role's walk through the site: the app, a browser, and its numbered steps.
pub struct Journey {
    pub w: World,
    role: &'static str,
    steps: AtomicUsize,
}

impl Journey {
    /// A fresh app and browser; the role's old screenshots are removed.
    pub async fn start(role: &'static str) -> Journey {
        let _ = std::fs::remove_dir_all(Self::photo_dir(role));
        Journey {
            w: World::start().await,
            role,
            steps: AtomicUsize::new(0),
        }
    }

    fn photo_dir(role: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("target/screenshots/journeys")
            .join(role)
    }

    pub fn browser(&self) -> &Browser {
        &self.w.browser
    }

    /// Opens the home page: the only address a journey types.
    pub async fn home(&self) {
        self.w.open("/").await;
        self.step("home").await;
    }

    /// Follows the link or button matching `css` to the next page; returns its source.
    pub async fn go(&self, css: &str) -> String {
        let b = self.browser();
        b.follow(&b.find(css).await).await
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let b = self.browser();
        b.text(&b.find(css).await).await
    }

    /// Downloads what the link matching `css` points to, with the browser's cookies, as a
    /// person saving the file would; returns its content type and bytes.
    pub async fn download(&self, css: &str) -> (String, Vec<u8>) {
        let b = self.browser();
        let href = b.attr(&b.find(css).await, "href").await.expect("a link");
        let res = common::http_client()
            .get(self.w.app.url(&href))
            .header(reqwest::header::COOKIE, b.cookie_header().await)
            .send()
            .await
            .expect("download");
        assert_eq!(res.status(), 200, "{href}");
        let kind = res.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        (kind, res.bytes().await.expect("body").to_vec())
    }

    /// Photographs the page at both widths, checks that it fits a phone's screen and that
    /// axe-core finds nothing serious; fails naming the step.
    pub async fn step(&self, name: &str) {
        let n = self.steps.fetch_add(1, Ordering::Relaxed) + 1;
        let b = self.browser();
        let page = format!("{} step {n:02} {name}", self.role);
        for width in [PHONE, DESKTOP] {
            b.resize(width, PHOTO_HEIGHT).await;
            if width == PHONE {
                let wide: Value = b.execute(TOO_WIDE, json!([])).await;
                assert!(
                    wide.is_null(),
                    "{page} is wider than a {PHONE} px screen ({}): {wide}",
                    b.url().await
                );
            }
            let file = format!("{n:02}-{name}-{width}.png");
            b.screenshot(&Self::photo_dir(self.role).join(file)).await;
        }
        b.resize(DESKTOP, 1000).await;
        axe::assert_accessible(b, &page).await;
    }

    /// From the home page through 工作人员登录 to the role's own page, as `email`.
    pub async fn sign_in(&self, email: &str, landing: &str, heading: &str) {
        let b = self.browser();
        self.home().await;
        self.go("a[href='/login']").await;
        self.step("login").await;
        b.fill("#email", email).await;
        b.fill("#password", common::accounts::PASSWORD).await;
        self.go("main form button[type=submit]").await;
        let url = b.url().await;
        assert!(url.ends_with(landing), "{email} landed on {url}");
        let h1 = self.text("h1").await;
        assert!(h1.contains(heading), "{email} sees {h1}");
        self.step("signed-in").await;
    }

    /// 退出登录 in the header leads back to the sign-in page.
    pub async fn sign_out(&self) {
        self.go("header form[action='/logout'] button").await;
        self.browser().wait_for_url("/login").await;
    }

    pub async fn finish(self) {
        self.w.browser.quit().await;
    }
}
