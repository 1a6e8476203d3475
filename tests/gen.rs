//! `odrdesk gen`: the real binary writes a corpus through intake on a fresh database, and the
//! database shows what a demo needs: every district, many categories, three years of dates,
//! respondents with several cases.

#[path = "common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use chrono::{Months, NaiveDate, Utc};
use common::{Backend, TestApp};
use diesel::prelude::*;
use odrdesk::store::DatabaseUrl;
use odrdesk::store::schema::{case_links, case_parties, cases};

fn gen_corpus(app: &TestApp, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_odrdesk"));
    cmd.env_remove("ODRDESK_DATABASE_URL")
        .env_remove("ODRDESK_CONFIG")
        .arg("--data-dir")
        .arg(app.data_dir());
    if let DatabaseUrl::Postgres(url) = &app.settings.database {
        cmd.args(["--database-url", url]);
    }
    let out = tokio::task::block_in_place(|| cmd.arg("gen").args(args).output()).expect("run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

async fn writes_a_realistic_corpus_through_intake(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let out = gen_corpus(&app, &["--cases", "300", "--seed", "7"]);
    assert!(out.contains("generated 300 case(s)"), "{out}");

    let mut conn = app.db();
    let total: i64 = cases::table.count().get_result(&mut conn).unwrap();
    // A counterfeit complaint also opens a linked report: those are intake's, not ours.
    let linked: i64 = case_links::table
        .filter(case_links::relation.eq("linked_report"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(total - linked, 300, "{out}");
    let complaints: i64 = cases::table
        .filter(cases::kind.eq("complaint"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert!((220..=285).contains(&complaints), "{complaints} complaints");

    let rows: Vec<(Option<String>, String, NaiveDate)> = cases::table
        .select((cases::category, cases::district, cases::received_date))
        .load(&mut conn)
        .unwrap();
    let categories: BTreeSet<_> = rows.iter().filter_map(|r| r.0.clone()).collect();
    assert!(categories.len() >= 5, "{categories:?}");
    assert!(
        categories.iter().any(|c| c.starts_with("goods.cosmetics.")),
        "{categories:?}"
    );
    let districts: BTreeSet<_> = rows.iter().map(|r| r.1.as_str()).collect();
    for d in [
        "440703", "440704", "440705", "440781", "440783", "440784", "440785",
    ] {
        assert!(districts.contains(d), "district {d} missing: {districts:?}");
    }

    let today = odrdesk::clock::china_date(Utc::now());
    let start = today.checked_sub_months(Months::new(36)).unwrap();
    let first = rows.iter().map(|r| r.2).min().unwrap();
    let last = rows.iter().map(|r| r.2).max().unwrap();
    assert!(first >= start && last <= today, "{first}..{last}");
    assert!((first - start).num_days() < 90, "first case {first}");
    assert!((today - last).num_days() < 90, "last case {last}");

    let respondents: Vec<String> = case_parties::table
        .filter(case_parties::role.eq("respondent"))
        .select(case_parties::name)
        .load::<Option<String>>(&mut conn)
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    let mut per_respondent = BTreeMap::<&str, usize>::new();
    for r in &respondents {
        *per_respondent.entry(r).or_default() += 1;
    }
    let shared = per_respondent.values().filter(|n| **n >= 3).count();
    assert!(shared >= 5, "{per_respondent:?}");
}

async fn the_same_seed_writes_the_same_cases(backend: Backend) {
    let titles = |app: &TestApp| -> Vec<(NaiveDate, String)> {
        cases::table
            .order(cases::id)
            .select((cases::received_date, cases::title))
            .load(&mut app.db())
            .unwrap()
    };
    let range = ["--from", "2025-01-01", "--to", "2025-12-31"];
    let a = TestApp::spawn(&backend).await;
    gen_corpus(
        &a,
        &[&["--cases", "40", "--seed", "3"][..], &range].concat(),
    );
    let b = TestApp::spawn(&Backend::Sqlite).await;
    gen_corpus(
        &b,
        &[&["--cases", "40", "--seed", "3"][..], &range].concat(),
    );
    let c = TestApp::spawn(&Backend::Sqlite).await;
    gen_corpus(
        &c,
        &[&["--cases", "40", "--seed", "4"][..], &range].concat(),
    );
    assert_eq!(titles(&a), titles(&b));
    assert_ne!(titles(&a), titles(&c));
    let dates: Vec<_> = titles(&a).into_iter().map(|t| t.0).collect();
    assert!(dates.iter().all(|d| d.to_string().starts_with("2025-")));
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "oldest first");
}

on_both_backends!(
    writes_a_realistic_corpus_through_intake,
    the_same_seed_writes_the_same_cases
);
