//! axe-core, the accessibility checker, run in the page over WebDriver: the first test that
//! needs it installs the pinned version with npm under `target/axe` (one process at a time);
//! every page of a journey must then show no serious or critical WCAG 2.1 AA violation.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::common::chromium::InstallLock;
use crate::common::webdriver::Browser;

/// The one place the axe-core version is pinned.
const AXE_CORE_VERSION: &str = "4.10.3";

/// The rule sets of WCAG 2.1 levels A and AA.
const WCAG_21_AA: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

fn install_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/axe")
}

fn installed_version() -> Option<String> {
    let manifest = install_dir().join("node_modules/axe-core/package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v["version"].as_str().map(str::to_owned)
}

fn install() {
    if installed_version().as_deref() == Some(AXE_CORE_VERSION) {
        return;
    }
    let _lock = InstallLock::acquire("odrdesk-test-axe-core.lock");
    // Another test process may have installed it while this one waited.
    if installed_version().as_deref() == Some(AXE_CORE_VERSION) {
        return;
    }
    let dir = install_dir();
    std::fs::create_dir_all(&dir).expect("axe-core install dir");
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("axe-core@{AXE_CORE_VERSION}"))
        .status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "npm could not install axe-core {AXE_CORE_VERSION} (Node.js and npm are needed)"
    );
}

/// The checker's script, installed on first use.
fn source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        install();
        let path = install_dir().join("node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    })
}

const RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(r => done({passed: r.passes.length, violations: r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' '))}))}))
  .catch(e => done({error: String(e)}));
"#;

/// Fails on any serious or critical violation on the current page, naming the rule, what it
/// asks for and where. The page's CSP forbids scripts; WebDriver's are not bound by it.
pub async fn assert_accessible(b: &Browser, page: &str) {
    let loaded = b
        .execute("return typeof window.axe === 'object'", json!([]))
        .await;
    if loaded != json!(true) {
        b.execute(&format!("{}\nreturn true;", source()), json!([]))
            .await;
    }
    let found = b.execute_async(RUN, json!([WCAG_21_AA])).await;
    // A checker that checked nothing must not pass the page.
    assert!(
        found["passed"].as_u64().is_some_and(|n| n > 0),
        "axe-core did not run on {page}: {found}"
    );
    let violations: Vec<String> = found["violations"]
        .as_array()
        .expect("axe-core's violations")
        .iter()
        .map(|v| {
            format!(
                "{} ({}): {} at {}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or_default(),
                v["help"].as_str().unwrap_or_default(),
                v["targets"]
            )
        })
        .collect();
    assert!(
        violations.is_empty(),
        "axe-core on {page} ({}):\n{}",
        b.url().await,
        violations.join("\n")
    );
}
