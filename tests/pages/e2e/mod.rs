//! The pages in real headless Chromium, driven over WebDriver (ChromeDriver): what people do
//! with the site, end to end, with screenshots of every page at 360 and 1280 px wide saved
//! under `target/screenshots/pages/`.

use crate::common;

mod analyst;
mod businesses;
pub mod complaint;
mod disclosure;
mod documents;
mod fit;
mod ip;
mod scorecards;
mod tour;
mod warnings;
mod workorders;

use common::webdriver::{Browser, ChromeDriver};
use common::{Backend, TestApp};

/// The app, a driver and one browser window (desktop size to start with).
pub struct World {
    pub app: TestApp,
    /// Held so that ChromeDriver runs as long as the world does.
    #[allow(dead_code)]
    pub driver: ChromeDriver,
    pub browser: Browser,
}

impl World {
    pub async fn start() -> World {
        World::on(&Backend::Sqlite).await
    }

    /// The world on `backend`'s database.
    pub async fn on(backend: &Backend) -> World {
        let app = TestApp::spawn(backend).await;
        let driver = ChromeDriver::start().await;
        let browser = driver.session(1280, 1000).await;
        World {
            app,
            driver,
            browser,
        }
    }

    pub async fn open(&self, path: &str) {
        self.browser.goto(&self.app.url(path)).await;
    }

    /// Signs a staff user in through the login page; they land on their role's home.
    pub async fn sign_in(&self, email: &str, home: &str) {
        self.open("/login").await;
        let b = &self.browser;
        b.fill("#email", email).await;
        b.fill("#password", common::accounts::PASSWORD).await;
        b.follow(&b.find("form button[type=submit]").await).await;
        b.wait_for_url(home).await;
    }
}
