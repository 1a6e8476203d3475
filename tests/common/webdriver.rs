//! A small W3C WebDriver client for driving headless Chromium through ChromeDriver: open
//! pages, fill and submit forms, click links, read the page, take screenshots. Only the
//! handful of endpoints the page tests use.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// The W3C key for an element reference in responses.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a wait lasts before it fails: generous, because CI shares two cores between
/// the server, Chromium and other tests; a wait that succeeds returns at once.
pub const PATIENCE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(50);

/// WebDriver's codes for keys that type no character.
pub mod key {
    pub const TAB: char = '\u{E004}';
    pub const ENTER: char = '\u{E007}';
    pub const SHIFT: char = '\u{E008}';
    pub const SPACE: char = ' ';
}

/// A ChromeDriver process on a free loopback port, killed on drop.
pub struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    pub async fn start() -> ChromeDriver {
        super::chromium::ensure_tools();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let client = super::http_client();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = client.get(format!("{}/status", driver.url)).send().await;
            if let Ok(res) = ready
                && let Ok(v) = res.json::<Value>().await
                && v["value"]["ready"] == json!(true)
            {
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new headless browser window of the given size.
    pub async fn session(&self, width: u32, height: u32) -> Browser {
        let http = super::http_client();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--hide-scrollbars", format!("--window-size={width},{height}"), "--lang=zh-CN"
            ]}
        }}});
        let res = http
            .post(format!("{}/session", self.url))
            .json(&caps)
            .send()
            .await
            .expect("new session");
        let v: Value = res.json().await.expect("session json");
        let id = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_owned();
        let browser = Browser {
            http,
            base: format!("{}/session/{id}", self.url),
        };
        browser.resize(width, height).await;
        browser
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session.
pub struct Browser {
    http: reqwest::Client,
    base: String,
}

/// An element found on the current page.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Element(String);

impl Element {
    /// The element as a script argument.
    pub fn as_arg(&self) -> Value {
        json!({ ELEMENT: self.0 })
    }
}

impl Browser {
    /// The command's value, or WebDriver's error code (e.g. `stale element reference`).
    async fn try_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("webdriver request");
        let v: Value = res.json().await.expect("webdriver json");
        match v["value"].get("error") {
            Some(error) => Err(format!(
                "{}: {}",
                error.as_str().unwrap_or_default(),
                v["value"]["message"]
            )),
            None => Ok(v["value"].clone()),
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|error| panic!("webdriver {path}: {error}"))
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    /// The browser's Back button.
    pub async fn back(&self) {
        self.post("/back", json!({})).await;
    }

    pub async fn url(&self) -> String {
        self.get("/url")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn source(&self) -> String {
        self.get("/source")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits for the page to contain `needle`; returns the page source. After a click that
    /// navigates, use [`Browser::follow`] instead: the old page may contain `needle` too.
    pub async fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let source = self.source().await;
            if source.contains(needle) {
                return source;
            }
            if Instant::now() > deadline {
                panic!(
                    "{needle:?} never appeared on {}:\n{source}",
                    self.url().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits for the address to contain `part`; returns it.
    pub async fn wait_for_url(&self, part: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let url = self.url().await;
            if url.contains(part) {
                return url;
            }
            if Instant::now() > deadline {
                panic!("never reached an address with {part:?}; at {url}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({"width": width, "height": height}))
            .await;
    }

    /// The first element matching a CSS selector, waiting for it to appear; panics with the
    /// page when there is none.
    pub async fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(e) = self.try_find(css).await {
                return e;
            }
            if Instant::now() > deadline {
                panic!(
                    "no element {css} on {}:\n{}",
                    self.url().await,
                    self.source().await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn try_find(&self, css: &str) -> Option<Element> {
        let res = self
            .http
            .post(format!("{}/element", self.base))
            .json(&json!({"using": "css selector", "value": css}))
            .send()
            .await
            .expect("webdriver request");
        let v: Value = res.json().await.expect("webdriver json");
        v["value"][ELEMENT]
            .as_str()
            .map(|id| Element(id.to_owned()))
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self
            .post("/elements", json!({"using": "css selector", "value": css}))
            .await;
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_owned())))
            .collect()
    }

    pub async fn click(&self, e: &Element) {
        self.post(&format!("/element/{}/click", e.0), json!({}))
            .await;
    }

    /// Clicks a link or submit button and waits until the next page has replaced this one
    /// and finished loading; returns its source. A click returns before the browser has
    /// navigated, so reading the page right after it may still read the old one.
    pub async fn follow(&self, e: &Element) -> String {
        let old_root = self.find("html").await;
        self.click(e).await;
        self.wait_for_new_page(&old_root).await
    }

    /// Waits until the document `old_root` belongs to is gone and the next one has loaded.
    pub async fn wait_for_new_page(&self, old_root: &Element) -> String {
        let deadline = Instant::now() + PATIENCE;
        let was = self.url().await;
        loop {
            let gone = self
                .try_call(
                    reqwest::Method::GET,
                    &format!("/element/{}/name", old_root.0),
                    None,
                )
                .await
                .is_err_and(|e| e.starts_with("stale element reference"));
            if gone && self.execute("return document.readyState", json!([])).await == "complete" {
                return self.source().await;
            }
            assert!(
                Instant::now() < deadline,
                "the click on {was} never led to another page"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs a script in the page (WebDriver's scripts are not bound by the page's CSP).
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({"script": script, "args": args}))
            .await
    }

    /// Runs a script that calls its last argument with the result.
    pub async fn execute_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({"script": script, "args": args}))
            .await
    }

    /// Presses and releases each key in turn on the keyboard (see [`key`]), as a person
    /// typing does; text goes to the focused element.
    pub async fn keys(&self, keys: &str) {
        let strokes: Vec<Value> = keys
            .chars()
            .flat_map(|k| {
                let k = k.to_string();
                [
                    json!({"type": "keyDown", "value": k}),
                    json!({"type": "keyUp", "value": k}),
                ]
            })
            .collect();
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": strokes}]}),
        )
        .await;
    }

    /// The browser's cookies for this site as a `Cookie` header, to fetch a download the
    /// way the browser would.
    pub async fn cookie_header(&self) -> String {
        let cookies = self.get("/cookie").await;
        cookies
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "{}={}",
                    c["name"].as_str().unwrap_or_default(),
                    c["value"].as_str().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The element that has the keyboard focus.
    pub async fn focused(&self) -> Element {
        let v = self.get("/element/active").await;
        Element(
            v[ELEMENT]
                .as_str()
                .expect("an element has focus")
                .to_owned(),
        )
    }

    /// Types into an input (for a file input: the file's path).
    pub async fn type_into(&self, e: &Element, text: &str) {
        self.post(&format!("/element/{}/value", e.0), json!({ "text": text }))
            .await;
    }

    pub async fn clear(&self, e: &Element) {
        self.post(&format!("/element/{}/clear", e.0), json!({}))
            .await;
    }

    /// Fills the field matching `css`, replacing what it held.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.clear(&e).await;
        self.type_into(&e, text).await;
    }

    /// Chooses an `<option>` of a `<select>` by its value.
    pub async fn select(&self, select_css: &str, value: &str) {
        let option = self
            .find(&format!("{select_css} option[value=\"{value}\"]"))
            .await;
        self.click(&option).await;
    }

    pub async fn text(&self, e: &Element) -> String {
        self.get(&format!("/element/{}/text", e.0))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.get(&format!("/element/{}/attribute/{name}", e.0))
            .await
            .as_str()
            .map(str::to_owned)
    }

    /// Saves the viewport as a PNG (make the window tall enough to hold the page).
    pub async fn screenshot(&self, out: &Path) {
        let b64 = self.get("/screenshot").await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .expect("base64 screenshot");
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(out, png).expect("write screenshot");
    }

    /// Screenshots of the current page at phone and desktop widths, as `NAME-360.png` and
    /// `NAME-1280.png` under `target/screenshots/pages/`; the window is restored afterwards.
    pub async fn photograph(&self, name: &str) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots/pages");
        for width in [360, 1280] {
            self.resize(width, 2400).await;
            self.screenshot(&dir.join(format!("{name}-{width}.png")))
                .await;
        }
        self.resize(1280, 1000).await;
    }

    pub async fn quit(self) {
        let _ = self.http.delete(&self.base).send().await;
    }
}
