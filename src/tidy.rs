//! Architecture invariants as tests: they read the source tree and fail when a change breaks
//! the layering ARCHITECTURE.md describes, lets a file grow past the size we can review, or
//! makes the domain read the clock. Each rule names what it protects.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Longest file we accept anywhere in `src/`, `tests/` or `benches/`.
const MAX_LINES: usize = 600;

/// Top-level modules that are front ends: they translate requests to use cases and back.
const FRONT_ENDS: &[&str] = &["http", "web", "cli", "gen"];

/// External crates the pure domain may use: values, serialisation and schema only.
const DOMAIN_CRATES: &[&str] = &[
    "std",
    "core",
    "chrono",
    "serde",
    "serde_json",
    "thiserror",
    "utoipa",
    "validator",
];

/// Ways of reading the time that only `clock::SystemClock` may use.
const CLOCK_READS: &[&str] = &["Utc::now", "Local::now", "SystemTime::now", "Instant::now"];

struct SourceFile {
    /// Module path: `src/web/desk/case.rs` is `["web", "desk", "case"]`.
    module: Vec<String>,
    path: PathBuf,
    /// The text with comments removed.
    code: String,
}

impl SourceFile {
    fn top(&self) -> &str {
        self.module.first().map_or("", String::as_str)
    }

    /// Every `crate::…` path the file names (in `use` trees or inline), as module segments.
    fn crate_paths(&self) -> BTreeSet<Vec<String>> {
        let mut out = BTreeSet::new();
        for statement in use_statements(&self.code) {
            for path in expand_use_tree(&statement) {
                if let Some(resolved) = self.resolve(&path) {
                    out.insert(resolved);
                }
            }
        }
        for inline in inline_crate_paths(&self.code) {
            out.insert(inline);
        }
        out
    }

    /// Resolves `crate::a::b`, `super::a` and `self::a` to absolute module segments; paths
    /// into other crates give `None`.
    fn resolve(&self, path: &[String]) -> Option<Vec<String>> {
        let first = path.first()?;
        let mut base = self.module.clone();
        let rest = match first.as_str() {
            "crate" => {
                base.clear();
                &path[1..]
            }
            "self" => &path[1..],
            "super" => {
                let supers = path.iter().take_while(|s| *s == "super").count();
                base.truncate(base.len().saturating_sub(supers));
                &path[supers..]
            }
            _ => return None,
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// First segments of paths into other crates (`diesel::…`, `use actix_web::…`).
    fn external_crates(&self) -> BTreeSet<String> {
        let children = self.child_modules();
        let mut out = BTreeSet::new();
        for statement in use_statements(&self.code) {
            for path in expand_use_tree(&statement) {
                if let Some(first) = path.first()
                    && !matches!(first.as_str(), "crate" | "self" | "super")
                    && !children.contains(first)
                    && first.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                {
                    out.insert(first.clone());
                }
            }
        }
        out
    }
}

impl SourceFile {
    /// Modules declared in this file (`mod calendar;`), which `use` may name without `self::`.
    fn child_modules(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = self.code.as_str();
        while let Some(at) = find_word(rest, "mod") {
            let name: String = rest[at + 3..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
            rest = &rest[at + 3..];
        }
        out
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn sources() -> Vec<SourceFile> {
    let src = root().join("src");
    rust_files(&src)
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&src).unwrap_or(&path);
            let mut module: Vec<String> = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            SourceFile {
                module,
                code: strip_comments(&text),
                path,
            }
        })
        .collect()
}

/// Removes `//` comments (outside string literals) and `/* */` blocks.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut in_str, mut block) = (false, 0usize);
    while let Some(c) = chars.next() {
        if block > 0 {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                block -= 1;
            } else if c == '\n' {
                out.push('\n');
            }
            continue;
        }
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                block += 1;
            }
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The bodies of `use …;` statements (after `use`, without the `;`).
fn use_statements(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        let after = &rest[at + 3..];
        let Some(end) = after.find(';') else { break };
        out.push(
            after[..end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
        rest = &after[end..];
    }
    out
}

/// Byte offset of `word` standing alone (not part of an identifier).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(i) = text[from..].find(word) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        if !before.is_some_and(ident) && after.is_some_and(|c| c.is_whitespace()) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// `crate::{a::B, c::{d, e}}` → `[crate,a,B]`, `[crate,c,d]`, `[crate,c,e]`.
fn expand_use_tree(tree: &str) -> Vec<Vec<String>> {
    fn walk(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
        let tree = tree.trim().trim_start_matches("::");
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut path = prefix.to_vec();
            path.extend(head);
            for part in split_top_level(inner) {
                walk(&path, part, out);
            }
        } else {
            let mut path = prefix.to_vec();
            let name = tree.split(" as ").next().unwrap_or(tree);
            path.extend(
                name.split("::")
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && *s != "*")
                    .map(str::to_owned),
            );
            if path.last().is_some_and(|s| s == "self") {
                path.pop();
            }
            out.push(path);
        }
    }
    let mut out = Vec::new();
    walk(&[], tree, &mut out);
    out
}

fn split_top_level(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0i32, 0usize, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// `crate::a::b` written inline in code, outside `use` statements.
fn inline_crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = find_path_start(rest, "crate::") {
        let tail = &rest[at..];
        let path: String = tail
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        out.push(
            path.split("::")
                .skip(1)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        );
        rest = &tail["crate::".len()..];
    }
    out
}

fn find_path_start(text: &str, prefix: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(prefix) {
        let at = from + i;
        let before = text[..at].chars().next_back();
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return Some(at);
        }
        from = at + prefix.len();
    }
    None
}

fn display(file: &SourceFile) -> String {
    file.path
        .strip_prefix(root())
        .unwrap_or(&file.path)
        .display()
        .to_string()
}

/// Files whose `crate::` paths reach a top-level module that `forbidden` names.
fn imports_of(files: &[SourceFile], from: &[&str], forbidden: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for file in files.iter().filter(|f| from.contains(&f.top())) {
        for path in file.crate_paths() {
            if let Some(top) = path.first()
                && forbidden.contains(&top.as_str())
                && top != file.top()
            {
                out.push(format!("{} uses crate::{}", display(file), path.join("::")));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn domain_depends_on_nothing_else_in_the_crate() {
    let files = sources();
    let mut found = Vec::new();
    for file in files.iter().filter(|f| f.top() == "domain") {
        for path in file.crate_paths() {
            if path.first().is_some_and(|top| top != "domain") {
                found.push(format!("{} uses crate::{}", display(file), path.join("::")));
            }
        }
        for name in file.external_crates() {
            if !DOMAIN_CRATES.contains(&name.as_str()) {
                found.push(format!("{} uses the crate {name}", display(file)));
            }
        }
    }
    assert!(found.is_empty(), "domain/ is pure:\n{}", found.join("\n"));
}

#[test]
fn domain_never_reads_the_clock() {
    let found: Vec<String> = sources()
        .iter()
        .filter(|f| f.top() == "domain")
        .flat_map(|f| {
            CLOCK_READS
                .iter()
                .filter(|read| f.code.contains(*read))
                .map(move |read| format!("{} calls {read}", display(f)))
        })
        .collect();
    assert!(
        found.is_empty(),
        "time comes in as an argument:\n{}",
        found.join("\n")
    );
}

#[test]
fn front_ends_reach_storage_only_through_services() {
    let found = imports_of(&sources(), FRONT_ENDS, &["store"]);
    assert!(
        found.is_empty(),
        "front ends call service::*:\n{}",
        found.join("\n")
    );
}

#[test]
fn pages_do_not_import_the_json_api() {
    let found = imports_of(&sources(), &["web"], &["http"]);
    assert!(
        found.is_empty(),
        "web/ shares nothing with http/ but services:\n{}",
        found.join("\n")
    );
}

#[test]
fn services_and_storage_know_no_front_end() {
    let mut front_and_app = FRONT_ENDS.to_vec();
    front_and_app.push("app");
    let found = imports_of(
        &sources(),
        &["service", "store", "domain", "intake"],
        &front_and_app,
    );
    assert!(
        found.is_empty(),
        "lower layers never import a front end:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_entry_points_import_app() {
    let files = sources();
    let below: Vec<&str> = files
        .iter()
        .map(SourceFile::top)
        .filter(|top| !matches!(*top, "app" | "main" | "cli" | "lib" | "tidy"))
        .collect();
    let found = imports_of(&files, &below, &["app"]);
    assert!(
        found.is_empty(),
        "shared state lives below the front ends:\n{}",
        found.join("\n")
    );
}

/// A document is issued in one place (ARCHITECTURE.md, "Invariants"): only
/// `service::documents` lays one out (`crate::documents`), takes its number (`next_serial`,
/// inside the deciding transaction) and stores it; only `store::documents` writes the table,
/// and nothing but its erasure (`store::documents`, anonymisation) writes its HTML again.
#[test]
fn documents_are_issued_in_one_place() {
    let issuer = ["service", "documents"];
    let store = ["store", "documents"];
    let mut found = Vec::new();
    for file in sources().iter().filter(|f| f.top() != "tidy") {
        let (is_issuer, is_store) = (file.module == issuer, file.module == store);
        // Reading a stored page back (`documents::read_back`) is not laying one out.
        let lays_out = file
            .crate_paths()
            .iter()
            .any(|p| p.len() >= 2 && p[0] == "documents" && p[1] == "page");
        if lays_out && !is_issuer && file.top() != "documents" {
            found.push(format!("{} lays out a document", display(file)));
        }
        let names_store = file
            .crate_paths()
            .iter()
            .any(|p| p.len() >= 2 && p[..2] == store);
        let numbers = file.code.contains("next_serial(");
        let stores = names_store && file.code.contains("::insert(");
        if (numbers || stores) && !is_issuer && !is_store {
            found.push(format!("{} numbers or stores a document", display(file)));
        }
        let writes = [
            "insert_into(documents",
            "update(documents",
            "delete(documents",
        ]
        .iter()
        .any(|w| file.code.contains(w));
        if writes && !is_store {
            found.push(format!("{} writes the documents table", display(file)));
        }
        let erases = file.code.matches("documents::html.eq(\"\")").count();
        if file.code.matches("documents::html.eq(").count() > erases || (erases > 0 && !is_store) {
            found.push(format!("{} rewrites an issued document", display(file)));
        }
    }
    assert!(
        found.is_empty(),
        "documents are issued by service::documents alone:\n{}",
        found.join("\n")
    );
}

/// Webhook events are queued by `service::webhooks` alone (after `reaches_business`: never a
/// report), and only `store::webhooks` writes the deliveries (ARCHITECTURE.md, `src/webhooks/`).
#[test]
fn webhook_events_are_queued_in_one_place() {
    let (queue, store) = (["service", "webhooks"], ["store", "webhooks"]);
    let found: Vec<String> = sources()
        .iter()
        .filter(|f| f.top() != "tidy" && f.module != queue && f.module != store)
        .filter(|f| {
            let names_store = f
                .crate_paths()
                .iter()
                .any(|p| p.len() >= 2 && p[..2] == store);
            (names_store && f.code.contains("enqueue(")) || f.code.contains("insert_into(wd::")
        })
        .map(display)
        .collect();
    let asks = sources()
        .iter()
        .any(|f| f.module == queue && f.code.contains("reaches_business("));
    assert!(
        found.is_empty() && asks,
        "queue webhooks in service::webhooks: {found:?}"
    );
}

#[test]
fn no_file_is_longer_than_we_can_review() {
    let mut found = Vec::new();
    for dir in ["src", "tests", "benches"] {
        for path in rust_files(&root().join(dir)) {
            let lines = std::fs::read_to_string(&path).map_or(0, |t| t.lines().count());
            if lines > MAX_LINES {
                found.push(format!("{}: {lines} lines", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "split files over {MAX_LINES} lines:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_checks_see_what_they_check() {
    let file = SourceFile {
        module: vec!["web".into(), "desk".into(), "case".into()],
        path: PathBuf::from("src/web/desk/case.rs"),
        code: strip_comments(
            "use crate::{app::AppState, store::{self, cases}};\nuse super::super::super::http::x;\n\
             // crate::bulletin in a comment\nfn f() { crate::service::run(); }\n",
        ),
    };
    let tops: BTreeSet<String> = file
        .crate_paths()
        .into_iter()
        .filter_map(|p| p.first().cloned())
        .collect();
    let want: BTreeSet<String> = ["app", "store", "http", "service"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(tops, want);
}

/// Migration folder names under one backend's directory.
fn migration_names(backend: &str) -> Vec<String> {
    let dir = root().join("migrations").join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Diesel keys a migration by the part of its folder name before the first `_`: two folders
/// with one version would let only one of them run. Both backends carry the same steps.
#[test]
fn migrations_have_unique_versions_on_both_backends() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty(), "no migrations found");
    assert_eq!(sqlite, postgres, "both backends need the same migrations");
    let mut seen = BTreeSet::new();
    let repeated: Vec<&String> = sqlite
        .iter()
        .filter(|name| !seen.insert(name.split('_').next().unwrap_or(name)))
        .collect();
    assert!(
        repeated.is_empty(),
        "migration versions used twice: {repeated:?}"
    );
}
