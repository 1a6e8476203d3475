//! Search, trends and reindex on a dataset made by `odrdesk gen`, each beside its baseline in
//! the same run: the same searches and counts in SQL (LIKE on SQLite; tsvector on PostgreSQL
//! when `ODRDESK_BENCH_TSV` names a loaded table), and bare jieba over the same texts.
//!
//! Run through `benches/run` (see BENCHMARKS.md), or alone:
//! `cargo bench --bench search -- --cases N` with `ODRDESK_DATA_DIR` and `ODRDESK_DATABASE_URL`
//! set; `--http URL` measures the same mix through a running server's API instead.
//! `cargo test` builds this file but runs nothing (no `--bench` argument).
// Tests stop at the first surprise, and unwrap/expect is how they say so; cleanup in tests
// is best effort.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::let_underscore_must_use
)]

use std::time::Instant;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use odrdesk::search::query::{self, Filters, Sort};
use odrdesk::search::span::DateSpan;
use odrdesk::search::trends::{By, Interval};
use odrdesk::search::{SearchIndex, analyzer, follower};
use odrdesk::store::{self, DatabaseUrl, Db};

/// The fixed query mix: the analyst query, and the words every matching case must contain for
/// the SQL baseline (the index also finds inflected and synonym forms, so its counts are the
/// same or higher).
const MIX: &[(&str, &[&str])] = &[
    ("过敏", &["过敏"]),
    ("退款", &["退款"]),
    ("美白 精华", &["美白", "精华"]),
    ("\"预付卡\"", &["预付卡"]),
    ("假冒 口红", &["假冒", "口红"]),
    ("红肿 瘙痒", &["红肿", "瘙痒"]),
    ("客服 不退款", &["客服", "不退款"]),
    ("虚假宣传", &["虚假宣传"]),
    ("美容院", &["美容院"]),
    ("面膜", &["面膜"]),
];
const ROUNDS: usize = 20;
/// SQL baselines scan the table; fewer rounds keep a 1M-case run within minutes.
const SQL_ROUNDS: usize = 5;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") {
        eprintln!("search benchmark: run with `cargo bench --bench search` (see BENCHMARKS.md)");
        return Ok(());
    }
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let cases = flag("--cases").unwrap_or_default();
    if args.iter().any(|a| a == "--segmented") {
        return segmented();
    }
    match flag("--http") {
        Some(base) => http_mix(&base, &cases),
        None => in_process(&cases),
    }
}

/// p50 and p99 of a list of durations, in milliseconds.
fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    (at(0.50), at(0.99))
}

fn time_ms<T>(f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<(f64, T)> {
    let start = Instant::now();
    let value = f()?;
    Ok((start.elapsed().as_secs_f64() * 1000.0, value))
}

fn report(what: &str, cases: &str, ms: Vec<f64>, extra: &str) {
    let n = ms.len();
    let (p50, p99) = percentiles(ms);
    println!("{what} cases={cases} n={n} p50_ms={p50:.2} p99_ms={p99:.2} {extra}");
}

fn env_path(name: &str) -> anyhow::Result<String> {
    std::env::var(name).map_err(|_| anyhow::anyhow!("{name} is not set"))
}

fn in_process(cases: &str) -> anyhow::Result<()> {
    let data_dir = std::path::PathBuf::from(env_path("ODRDESK_DATA_DIR")?);
    let url = DatabaseUrl::parse(&env_path("ODRDESK_DATABASE_URL")?);
    let pool = store::connect(&url, 2)?;
    let mut conn = pool.get()?;
    let (index, _) = SearchIndex::open(&data_dir.join("search"))?;

    // Reindex: the real rebuild (database → new index directory, published).
    let (reindex_ms, docs) = time_ms(|| Ok(follower::rebuild(&mut conn, &index, &|_, _| {})?))?;
    index.follow_swap()?;
    index.remove_stale_dirs();
    let texts = load_texts(&mut conn)?;
    let (jieba_ms, words) = time_ms(|| {
        Ok(texts
            .iter()
            .map(|t| analyzer::bare_jieba_count(t))
            .sum::<usize>())
    })?;
    let (analyzer_ms, tokens) = time_ms(|| {
        Ok(texts
            .iter()
            .map(|t| analyzer::tokens(t).len())
            .sum::<usize>())
    })?;
    let reindex_rate = docs as f64 / (reindex_ms / 1000.0);
    let jieba_rate = texts.len() as f64 / (jieba_ms / 1000.0);
    let analyzer_rate = texts.len() as f64 / (analyzer_ms / 1000.0);
    println!(
        "reindex cases={cases} docs={docs} reindex_per_s={reindex_rate:.0} \
         bare_jieba_per_s={jieba_rate:.0} jieba_words={words} ratio_to_bare_jieba={:.2} \
         zh_analyzer_per_s={analyzer_rate:.0} zh_tokens={tokens} ratio_to_zh_analyzer={:.2}",
        reindex_rate / jieba_rate,
        reindex_rate / analyzer_rate,
    );
    let bytes = dir_bytes(
        &index
            .root()
            .join(std::fs::read_to_string(index.root().join("CURRENT"))?.trim()),
    );
    println!(
        "index cases={cases} bytes={bytes} bytes_per_case={:.0}",
        bytes as f64 / docs.max(1) as f64
    );

    let live = index.live();
    let (mut index_ms, mut like_ms) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        for (q, words) in MIX {
            let filters = Filters {
                q: Some((*q).into()),
                ..Filters::default()
            };
            let (ms, page) = time_ms(|| {
                let built = query::build(&live, &filters, &None)?;
                Ok(query::search(&live, &*built, Sort::Newest, None, 20, &[])?)
            })?;
            index_ms.push(ms);
            if round < SQL_ROUNDS {
                let (ms, count) = time_ms(|| like_search(&mut conn, words))?;
                like_ms.push(ms);
                if count > page.total as i64 {
                    anyhow::bail!("index found {} for {q}, SQL LIKE {count}", page.total);
                }
            }
        }
    }
    let ratio = percentiles(like_ms.clone()).0 / percentiles(index_ms.clone()).0;
    report(
        "search_index",
        cases,
        index_ms,
        &format!("median_speedup_vs_like={ratio:.1}"),
    );
    report("search_sql_like", cases, like_ms, "");
    if let Some(table) = std::env::var("ODRDESK_BENCH_TSV")
        .ok()
        .filter(|t| !t.is_empty())
    {
        tsvector_mix(cases, &table)?;
    }

    let (mut trend_ms, mut group_ms) = (Vec::new(), Vec::new());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).expect("a date");
    let year_before = chrono::NaiveDate::from_ymd_opt(2025, 9, 30).expect("a date");
    let span = DateSpan::new(year_before, today, today).map_err(|e| anyhow::anyhow!(e.message))?;
    for round in 0..ROUNDS {
        let (ms, _) = time_ms(|| {
            Ok(odrdesk::search::trends::trends(
                &live,
                &Filters::default(),
                &None,
                span,
                Interval::Month,
                Some((By::Category, 10)),
            )?)
        })?;
        trend_ms.push(ms);
        if round < SQL_ROUNDS {
            group_ms.push(time_ms(|| sql_trend(&mut conn))?.0);
        }
    }
    report("trends_index", cases, trend_ms, "");
    report("trends_sql_group_by", cases, group_ms, "");
    let (ms, groups) = time_ms(|| sql_quarter(&mut conn))?;
    println!("bulletin_sql_baseline cases={cases} groups={groups} ms={ms:.0}");
    Ok(())
}

/// The bulletin's plainest tables in SQL: 2026-Q3's cases counted by kind, district, nature
/// and category, the floor under what computing the whole bulletin can cost.
fn sql_quarter(conn: &mut Db) -> anyhow::Result<usize> {
    let rows: Vec<Text1> = diesel::sql_query(
        "SELECT kind || district || nature || coalesce(category, '') || count(*) AS text \
         FROM cases WHERE received_date BETWEEN '2026-07-01' AND '2026-09-30' \
         GROUP BY kind, district, nature, category",
    )
    .load(conn)?;
    Ok(rows.len())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Text1 {
    #[diesel(sql_type = Text)]
    text: String,
}

/// Count and newest page of 20, the way an analyst's search answers, with LIKE.
fn like_search(conn: &mut Db, words: &[&str]) -> anyhow::Result<i64> {
    let haystack = "(title || ' ' || description || ' ' || coalesce(claim, ''))";
    let cond = words
        .iter()
        .map(|w| format!("{haystack} LIKE '%{w}%'"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let count: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM cases WHERE {cond}"))
        .get_result(conn)?;
    let _page: Vec<Text1> = diesel::sql_query(format!(
        "SELECT case_no AS text FROM cases WHERE {cond} ORDER BY received_at DESC LIMIT 20"
    ))
    .load(conn)?;
    Ok(count.n)
}

fn sql_trend(conn: &mut Db) -> anyhow::Result<usize> {
    let rows: Vec<Text1> = diesel::sql_query(
        "SELECT substr(received_at, 1, 7) || ' ' || coalesce(category, '') || ' ' || count(*) \
         AS text FROM cases GROUP BY substr(received_at, 1, 7), category",
    )
    .load(conn)?;
    Ok(rows.len())
}

/// The same mix on PostgreSQL full text search over a table of pre-segmented texts
/// (`id, received_at, doc tsvector` with a GIN index), which `benches/run` loads.
fn tsvector_mix(cases: &str, table: &str) -> anyhow::Result<()> {
    let url = DatabaseUrl::parse(&env_path("ODRDESK_BENCH_PG_DB")?);
    let pool = store::connect(&url, 1)?;
    let mut pg = pool.get()?;
    let mut ms_all = Vec::new();
    for _ in 0..ROUNDS {
        for (_, words) in MIX {
            let tsquery = words
                .iter()
                .flat_map(|w| analyzer::tokens(w))
                .collect::<Vec<_>>()
                .join(" & ");
            let (ms, _) = time_ms(|| {
                let cond = format!("doc @@ to_tsquery('simple', '{tsquery}')");
                let _: Count =
                    diesel::sql_query(format!("SELECT count(*) AS n FROM {table} WHERE {cond}"))
                        .get_result(&mut pg)?;
                let _: Vec<Count> = diesel::sql_query(format!(
                    "SELECT id AS n FROM {table} WHERE {cond} ORDER BY received_at DESC LIMIT 20"
                ))
                .load(&mut pg)?;
                Ok(())
            })?;
            ms_all.push(ms);
        }
    }
    report("search_pg_tsvector", cases, ms_all, "");
    Ok(())
}

#[derive(QueryableByName)]
struct Doc {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    received_at: String,
    #[diesel(sql_type = Text)]
    text: String,
}

/// Writes `id, received_at, words` (tab-separated, for `COPY`) of every case: the texts
/// segmented by the index's analyzer, for the PostgreSQL full text baseline.
fn segmented() -> anyhow::Result<()> {
    use std::io::Write;
    let url = DatabaseUrl::parse(&env_path("ODRDESK_DATABASE_URL")?);
    let pool = store::connect(&url, 1)?;
    let mut conn = pool.get()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut after = 0i64;
    loop {
        let docs: Vec<Doc> = diesel::sql_query(format!(
            "SELECT id, CAST(received_at AS TEXT) AS received_at, \
             title || ' ' || description || ' ' || coalesce(claim, '') AS text \
             FROM cases WHERE id > {after} ORDER BY id LIMIT 10000"
        ))
        .load(&mut conn)?;
        let Some(last) = docs.last() else { break };
        after = last.id;
        for d in &docs {
            let words = analyzer::tokens(&d.text)
                .join(" ")
                .replace(['\\', '\t', '\n'], " ");
            writeln!(out, "{}\t{}\t{}", d.id, d.received_at, words)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Title, description and claim of every case, in id order.
fn load_texts(conn: &mut Db) -> anyhow::Result<Vec<String>> {
    let rows: Vec<Text1> = diesel::sql_query(
        "SELECT title || ' ' || description || ' ' || coalesce(claim, '') AS text FROM cases \
         ORDER BY id",
    )
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.text).collect())
}

fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// The same mix and trends through a running server's API, as an analyst.
fn http_mix(base: &str, cases: &str) -> anyhow::Result<()> {
    let token = env_path("ODRDESK_BENCH_TOKEN")?;
    // reqwest is built without a default TLS provider; plain HTTP still needs one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let get = |path: String| {
            let request = client
                .get(format!("{base}{path}"))
                .bearer_auth(&token)
                .send();
            async move {
                let start = Instant::now();
                let response = request.await?.error_for_status()?;
                response.bytes().await?;
                anyhow::Ok(start.elapsed().as_secs_f64() * 1000.0)
            }
        };
        let (mut search_ms, mut trend_ms) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            for (q, _) in MIX {
                search_ms.push(get(format!("/api/v1/search?sort=newest&q={}", encode(q))).await?);
            }
            trend_ms.push(get("/api/v1/trends?interval=month&by=category".into()).await?);
        }
        report("search_http", cases, search_ms, "");
        report("trends_http", cases, trend_ms, "");
        anyhow::Ok(())
    })
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
