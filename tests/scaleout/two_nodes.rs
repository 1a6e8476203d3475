//! Two `odrdesk serve` processes on one fresh PostgreSQL database, each with its own data dir
//! (and so its own search index), mail to a loopback SMTP server, and the deadline sweep on.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use futures_util::StreamExt;
use odrdesk::store::{self, DatabaseUrl, outbox, schema};
use serde_json::{Value, json};

use crate::common::node::{Node, NodeSpec, add_user};
use crate::common::smtp::SmtpServer;
use crate::common::{PgDatabase, http_client, sample_complaint};
use crate::{Posted, complaint, post, postgres_base, stored_case_nos, unique_word};

/// Complaints posted concurrently, split across both nodes.
const LOAD: usize = 240;
const CONCURRENCY: usize = 16;
/// Complaints keyed in as received weeks ago, so their acceptance clock is overdue.
const OVERDUE: usize = 12;
/// Generous bound for a change on one node to be searchable on the other.
const CROSS_NODE_BOUND: Duration = Duration::from_secs(30);

async fn search_total(client: &reqwest::Client, node: &Node, token: &str, query: &str) -> u64 {
    let res = client
        .get(node.url(&format!("/api/v1/search?limit=1&{query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("search request");
    let (status, body) = crate::common::read(res).await;
    assert_eq!(status, 200, "search {query} on {}: {body}", node.base);
    body["total"].as_u64().expect("total")
}

/// Polls until `query` counts `expected` on `node`; returns how long that took.
async fn wait_search(
    client: &reqwest::Client,
    node: &Node,
    token: &str,
    query: &str,
    expected: u64,
    bound: Duration,
) -> Duration {
    let start = Instant::now();
    loop {
        let total = search_total(client, node, token, query).await;
        if total == expected {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < bound,
            "{query} on {}: {total} after {bound:?}, expected {expected}",
            node.base
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn db_conn(database: &DatabaseUrl) -> store::PooledDb {
    store::connect(database, 1)
        .expect("connect")
        .get()
        .expect("connection")
}

/// `(case_no, payload)` of every `clock_overdue` event of these cases.
fn overdue_markers(database: &DatabaseUrl, case_nos: &[String]) -> Vec<(String, String)> {
    use schema::{case_events, cases};
    case_events::table
        .inner_join(cases::table)
        .filter(cases::case_no.eq_any(case_nos))
        .filter(case_events::kind.eq("clock_overdue"))
        .select((cases::case_no, case_events::payload))
        .load(&mut db_conn(database))
        .expect("overdue markers")
}

/// Keys in a complaint received 30 days ago, so its acceptance clock is overdue.
async fn file_overdue(client: &reqwest::Client, node: &Node, mediator: &str, n: usize) -> String {
    let received = odrdesk::clock::china_date(Utc::now()) - chrono::Duration::days(30);
    let mut c = complaint(10_000 + n);
    c["channel"] = json!("phone");
    c["received_at"] = json!(received.to_string());
    c["purchase"]["date"] = json!((received - chrono::Duration::days(10)).to_string());
    let p = post(
        client,
        &node.url("/api/v1/staff/complaints"),
        Some(mediator),
        &c,
    )
    .await;
    assert_eq!(p.status, 201, "{}", p.body);
    p.case_no()
}

/// Log lines of failed sweep passes.
fn failed_sweeps(node: &Node) -> Vec<Value> {
    node.log_lines()
        .into_iter()
        .filter(|l| {
            l["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("deadline sweep") && m != "deadline sweep")
        })
        .collect()
}

/// One pass of the deadline sweep as a node logged it.
#[derive(Debug)]
struct Pass {
    node: usize,
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
    overdue_marked: u64,
}

fn sweep_passes(node: usize, log: &[Value]) -> Vec<Pass> {
    log.iter()
        .filter(|l| l["fields"]["message"] == "deadline sweep")
        .map(|l| {
            let at = |k: &str| {
                l["fields"][k]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .unwrap_or_else(|| panic!("no {k} in {l}"))
                    .with_timezone(&Utc)
            };
            Pass {
                node,
                started: at("started"),
                finished: at("finished"),
                overdue_marked: l["fields"]["overdue_marked"].as_u64().unwrap_or(0),
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_postgresql_database() {
    let Some(base) = postgres_base() else { return };
    let t0 = Instant::now();
    let (_pg, url) = PgDatabase::create(&base);
    let database = DatabaseUrl::Postgres(url.clone());
    let smtp = SmtpServer::start().await;
    let client = http_client();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let spec = |dir: &tempfile::TempDir| NodeSpec {
        database_url: Some(url.clone()),
        smtp_url: Some(smtp.url()),
        sweep_interval_secs: 1,
        ..NodeSpec::new(dir.path())
    };
    // Both start at once: migrations run under an advisory lock.
    let (spec_a, spec_b) = (spec(&dirs[0]), spec(&dirs[1]));
    let (a, b) = tokio::join!(Node::start(&spec_a, &client), Node::start(&spec_b, &client));
    let nodes = [a, b];
    let db = database.clone();
    tokio::task::spawn_blocking(move || {
        add_user(&db, "ana@jm.gov.cn", "analyst", &[]);
        add_user(&db, "med@jm.gov.cn", "mediator", &["440703"]);
    })
    .await
    .unwrap();
    // Sessions live in the database: a token from one node works on the other.
    let analyst = nodes[0].login(&client, "ana@jm.gov.cn").await;
    let mediator = nodes[1].login(&client, "med@jm.gov.cn").await;
    let started = t0.elapsed();

    // Cases received weeks ago, keyed in by staff on either node: the sweep marks them overdue.
    let mut overdue = Vec::new();
    for n in 0..OVERDUE {
        overdue.push(file_overdue(&client, &nodes[n % 2], &mediator, n).await);
    }

    // Concurrent intake on both nodes.
    let load_start = Instant::now();
    let results: Vec<Posted> = futures_util::stream::iter(0..LOAD)
        .map(|n| {
            let (client, node) = (&client, &nodes[n % 2]);
            async move { post(client, &node.url("/api/v1/complaints"), None, &complaint(n)).await }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let load_time = load_start.elapsed();
    for p in &results {
        assert!(p.is_created_or_retry_later(), "{p:?}");
    }
    let created: Vec<String> = results
        .iter()
        .filter(|p| p.status == 201)
        .map(Posted::case_no)
        .collect();
    let busy = LOAD - created.len();
    assert!(
        created.len() >= LOAD * 9 / 10,
        "{busy} of {LOAD} complaints were refused with 503"
    );
    let unique: BTreeSet<&String> = created.iter().collect();
    assert_eq!(unique.len(), created.len(), "a case number was given twice");
    let stored: BTreeSet<String> = stored_case_nos(&database).into_iter().collect();
    for case_no in created.iter().chain(&overdue) {
        assert!(
            stored.contains(case_no),
            "{case_no} acknowledged, not stored"
        );
    }

    // A change made through node A becomes searchable on node B.
    let word = unique_word();
    let mut c = sample_complaint();
    c["title"] = json!(format!("{word} 面膜过敏"));
    let p = post(&client, &nodes[0].url("/api/v1/complaints"), None, &c).await;
    assert_eq!(p.status, 201, "{}", p.body);
    let new_case_delay = wait_search(
        &client,
        &nodes[1],
        &analyst,
        &format!("q={word}"),
        1,
        CROSS_NODE_BOUND,
    )
    .await;
    let accepted = p.case_no();
    let p = post(
        &client,
        &nodes[0].url(&format!("/api/v1/cases/{accepted}/actions")),
        Some(&mediator),
        &json!({"action": "accept"}),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let state = p.body["state"].as_str().expect("state").to_owned();
    let action_delay = wait_search(
        &client,
        &nodes[1],
        &analyst,
        &format!("state={state}"),
        1,
        CROSS_NODE_BOUND,
    )
    .await;

    // Both indexes converge on the database count.
    let total = stored_case_nos(&database).len() as u64;
    let converge_start = Instant::now();
    for node in &nodes {
        wait_search(&client, node, &analyst, "", total, CROSS_NODE_BOUND).await;
    }
    let converged = converge_start.elapsed();

    // The sweep marks every overdue case once, one node at a time.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let marked: BTreeSet<String> = overdue_markers(&database, &overdue)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        if marked.len() == OVERDUE {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {OVERDUE} overdue cases marked",
            marked.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A few more passes on both nodes: nothing is marked again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut markers: HashMap<(String, String), usize> = HashMap::new();
    for m in overdue_markers(&database, &overdue) {
        *markers.entry(m).or_default() += 1;
    }
    assert!(
        markers.values().all(|&n| n == 1),
        "a clock was marked overdue twice: {markers:?}"
    );

    // Mail: every queued message delivered exactly once across both nodes.
    let deadline = Instant::now() + Duration::from_secs(30);
    let db = database.clone();
    let rows = loop {
        let db = db.clone();
        let (pending, rows) = tokio::task::spawn_blocking(move || {
            let mut conn = db_conn(&db);
            (
                outbox::pending_count(&mut conn).unwrap(),
                outbox::list(&mut conn, false, 100_000).unwrap(),
            )
        })
        .await
        .unwrap();
        if pending == 0 && smtp.messages().len() >= rows.len() {
            break rows;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} messages still pending, {} received",
            smtp.messages().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = smtp.messages();
    let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
    for m in &received {
        *by_id.entry(m.message_id()).or_default() += 1;
    }
    let doubled: Vec<_> = by_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "delivered more than once: {doubled:?}");
    assert_eq!(by_id.len(), rows.len(), "one message per outbox row");
    assert_eq!(received.len(), rows.len());
    assert!(
        rows.len() > LOAD,
        "every acknowledged complaint queued mail ({})",
        rows.len()
    );

    // The sweep's passes, from both nodes' logs: never at the same time, none failed, and
    // each overdue clock counted once.
    nodes_logs_check(&nodes);
    let total_time = t0.elapsed();
    println!(
        "two nodes: started in {started:?}; {LOAD} complaints ({CONCURRENCY} at a time) in \
         {load_time:?}, {busy} refused with 503; new case searchable on the other node after \
         {new_case_delay:?}, an action after {action_delay:?}; indexes converged on {total} \
         cases {converged:?} later; {} mails each delivered once; whole test {total_time:?}",
        rows.len()
    );
}

/// Checks the sweep passes in both nodes' logs.
fn nodes_logs_check(nodes: &[Node; 2]) {
    let mut passes: Vec<Pass> = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        let failed = failed_sweeps(node);
        assert!(failed.is_empty(), "node {i}: {failed:?}");
        passes.extend(sweep_passes(i, &node.log_lines()));
    }
    assert!(!passes.is_empty(), "no sweep pass was logged");
    passes.sort_by_key(|p| p.started);
    for pair in passes.windows(2) {
        let (first, next) = (&pair[0], &pair[1]);
        assert!(
            first.node == next.node || next.started >= first.finished,
            "sweeps overlapped on two nodes: {first:?} and {next:?}"
        );
    }
    let marked: u64 = passes.iter().map(|p| p.overdue_marked).sum();
    assert_eq!(marked, OVERDUE as u64, "{passes:?}");
    let by_node: Vec<usize> = (0..2)
        .map(|i| passes.iter().filter(|p| p.node == i).count())
        .collect();
    println!("sweep passes per node: {by_node:?}");
}

/// A sweep pass that outlasts its lease (one case's row is locked for longer than the lease):
/// the other node takes over only once that case's transaction has ended, and no clock is
/// marked twice, nor does a pass fail on the other node's marker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweep_pass_longer_than_its_lease() {
    let Some(base) = postgres_base() else { return };
    let (_pg, url) = PgDatabase::create(&base);
    let database = DatabaseUrl::Postgres(url.clone());
    let client = http_client();
    let dirs = [(); 3].map(|_| tempfile::tempdir().unwrap());
    // An intake node without the sweep files the cases first.
    let intake = Node::start(
        &NodeSpec {
            database_url: Some(url.clone()),
            ..NodeSpec::new(dirs[0].path())
        },
        &client,
    )
    .await;
    let db = database.clone();
    tokio::task::spawn_blocking(move || add_user(&db, "med@jm.gov.cn", "mediator", &["440703"]))
        .await
        .unwrap();
    let mediator = intake.login(&client, "med@jm.gov.cn").await;
    let mut overdue = Vec::new();
    for n in 0..3 {
        overdue.push(file_overdue(&client, &intake, &mediator, n).await);
    }
    // The second case's row stays locked for 3.5 s: longer than the 2 s lease.
    let slow = overdue[1].clone();
    let locker_url = url.clone();
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel();
    let locker = tokio::task::spawn_blocking(move || {
        use diesel::connection::SimpleConnection;
        let mut conn = PgConnection::establish(&locker_url).expect("connect");
        conn.batch_execute(&format!(
            "BEGIN; SELECT id FROM cases WHERE case_no = '{slow}' FOR UPDATE;"
        ))
        .expect("lock the case row");
        locked_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(3500));
        conn.batch_execute("COMMIT").expect("release");
    });
    locked_rx.await.unwrap();
    let spec = |dir: &tempfile::TempDir| NodeSpec {
        database_url: Some(url.clone()),
        sweep_interval_secs: 1,
        ..NodeSpec::new(dir.path())
    };
    let (spec_a, spec_b) = (spec(&dirs[1]), spec(&dirs[2]));
    let (a, b) = tokio::join!(Node::start(&spec_a, &client), Node::start(&spec_b, &client));
    locker.await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let marked: BTreeSet<String> = overdue_markers(&database, &overdue)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        if marked.len() == overdue.len() {
            break;
        }
        assert!(Instant::now() < deadline, "marked only {marked:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Both nodes keep sweeping a little longer.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let markers = overdue_markers(&database, &overdue);
    assert_eq!(markers.len(), overdue.len(), "marked twice: {markers:?}");
    for node in [&a, &b] {
        let failed = failed_sweeps(node);
        assert!(failed.is_empty(), "{}: {failed:?}", node.base);
    }
    let passes: Vec<usize> = [&a, &b]
        .iter()
        .enumerate()
        .map(|(i, n)| sweep_passes(i, &n.log_lines()).len())
        .collect();
    println!("slow sweep pass: passes with work per node {passes:?}");
}
