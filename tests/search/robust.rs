//! On a generated corpus: recall against a brute-force substring scan, and nothing lost or
//! doubled when the server is killed in the middle of intake.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::common::binary::{free_port, odrdesk_in, run_on};
use super::common::{Backend, TestApp};
use super::*;

fn all_sources(db_url: &odrdesk::store::DatabaseUrl) -> Vec<odrdesk::store::search::CaseSource> {
    let pool = odrdesk::store::connect(db_url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let ids = odrdesk::store::search::case_ids_after(&mut conn, 0, 1_000_000).unwrap();
    odrdesk::store::search::load_sources(&mut conn, &ids).unwrap()
}

async fn all_hits(app: &TestApp, token: &str, q: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = format!("q={}&limit=200&sort=newest", enc(q));
        if let Some(c) = &cursor {
            query.push_str(&format!("&cursor={}", enc(c)));
        }
        let page = search(app, token, &query).await;
        found.extend(case_nos(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return found,
        }
    }
}

async fn recall_of_single_terms_against_a_substring_scan(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let out = run_on(&app, &["gen", "--cases", "400", "--seed", "11"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sources = all_sources(&app.settings.database);
    wait_indexed(&app, &analyst, sources.len() as u64).await;
    let mut checked = 0;
    for term in [
        "过敏",
        "烟酰胺",
        "退款",
        "面膜",
        "美容院",
        "口红",
        "防晒",
        "染发",
        "预付卡",
        "虚假宣传",
        "红肿",
        "假货",
    ] {
        let expected: BTreeSet<String> = sources
            .iter()
            .filter(|s| {
                let c = &s.case;
                [
                    Some(&c.title),
                    Some(&c.description),
                    c.claim.as_ref(),
                    s.product.as_ref(),
                    s.brand.as_ref(),
                    s.respondent_name.as_ref(),
                ]
                .into_iter()
                .flatten()
                .any(|t| t.contains(term))
            })
            .map(|s| s.case.case_no.clone())
            .collect();
        if expected.len() < 5 {
            continue;
        }
        let found = all_hits(&app, &analyst, term).await;
        let recall = expected.intersection(&found).count() as f64 / expected.len() as f64;
        assert!(
            recall >= 0.95,
            "{term}: recall {recall:.3} ({} of {})",
            expected.intersection(&found).count(),
            expected.len()
        );
        checked += 1;
    }
    assert!(
        checked >= 6,
        "the corpus should exercise most terms ({checked})"
    );
}

on_both_backends!(recall_of_single_terms_against_a_substring_scan);

async fn wait_up(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server did not start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_during_intake_then_restart_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut add = odrdesk_in(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "ana@jm.gov.cn",
            "--role",
            "analyst",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(add.stdin.as_mut().unwrap(), b"correct horse battery\n").unwrap();
    assert!(add.wait().unwrap().success());
    let client = common::http_client();
    let start = |port: u16| {
        odrdesk_in(dir.path())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let port = free_port();
    let mut server = start(port);
    let base = format!("http://127.0.0.1:{port}");
    wait_up(&client, &base).await;
    let generator = odrdesk_in(dir.path())
        .args(["gen", "--cases", "300", "--seed", "5"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let generated = generator.wait_with_output().unwrap();
    assert!(
        generated.status.success(),
        "gen failed: {}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let port = free_port();
    let mut server = start(port);
    let base = format!("http://127.0.0.1:{port}");
    wait_up(&client, &base).await;
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "ana@jm.gov.cn", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    let token = login.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let expected = all_sources(&odrdesk::store::DatabaseUrl::default_for(dir.path())).len() as u64;
    let deadline = Instant::now() + Duration::from_secs(60);
    let page = loop {
        let page: Value = client
            .get(format!("{base}/api/v1/search?limit=1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if page["total"].as_u64() == Some(expected) || Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        page["total"].as_u64(),
        Some(expected),
        "nothing missing after the restart"
    );
    let kinds: u64 = page["facets"]["kind"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(kinds, expected, "nothing doubled");
    server.kill().unwrap();
    server.wait().unwrap();
}
