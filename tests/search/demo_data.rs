//! `odrdesk gen`: the real binary writes a corpus through intake on a fresh database, and the
//! database shows what a demo needs: every district, many categories, three years of dates,
//! respondents with several cases, and cases that went through the workflow, so the audit log
//! verifies and the bulletin has figures.

use crate::common;
use crate::on_both_backends;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate, Utc};
use common::binary::run_on;
use common::{Backend, TestApp};
use diesel::prelude::*;
use odrdesk::store::schema::{case_events, case_links, case_parties, cases, enterprises};
use serde_json::Value;

fn gen_corpus(app: &TestApp, args: &[&str]) -> String {
    odrdesk(app, &[&["gen"][..], args].concat())
}

/// Runs the real binary on the app's database; fails the test unless it succeeds.
fn odrdesk(app: &TestApp, args: &[&str]) -> String {
    let out = run_on(app, args);
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
    let titles = |app: &TestApp| -> Vec<(NaiveDate, String, String)> {
        cases::table
            .order(cases::id)
            .select((cases::received_date, cases::title, cases::state))
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
    // Lives are part of the seed's corpus too.
    let states: BTreeSet<String> = titles(&a).into_iter().map(|t| t.2).collect();
    assert!(states.len() >= 4, "{states:?}");
    let dates: Vec<_> = titles(&a).into_iter().map(|t| t.0).collect();
    assert!(dates.iter().all(|d| d.to_string().starts_with("2025-")));
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "oldest first");
}

async fn generated_cases_live_through_the_workflow(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let out = gen_corpus(
        &app,
        &[
            "--cases",
            "300",
            "--seed",
            "7",
            "--from",
            "2025-07-01",
            "--to",
            "2026-11-20",
        ],
    );
    let mut conn = app.db();
    let registered: Vec<bool> = enterprises::table
        .select(enterprises::odr)
        .load(&mut conn)
        .unwrap();
    let in_odr = registered.iter().filter(|odr| **odr).count();
    assert!(
        registered.len() >= 30 && in_odr * 5 > registered.len(),
        "{out}"
    );

    let rows: Vec<(String, String)> = cases::table
        .select((cases::state, cases::flags))
        .load(&mut conn)
        .unwrap();
    let mut states = BTreeMap::<&str, usize>::new();
    for (state, _) in &rows {
        *states.entry(state).or_default() += 1;
    }
    for state in [
        "settled",
        "mediation_terminated",
        "in_mediation",
        "not_accepted",
        "withdrawn",
        "case_opened",
        "not_opened",
        "merged",
    ] {
        assert!(states.contains_key(state), "no {state}: {states:?}");
    }
    let odr_settled = rows
        .iter()
        .filter(|(state, flags)| state == "settled" && flags.split(',').any(|f| f == "odr"))
        .count();
    assert!(odr_settled > 0, "{states:?}");

    // Nothing happens after the end of --to (China time).
    let last: Option<chrono::NaiveDateTime> = case_events::table
        .select(diesel::dsl::max(case_events::at))
        .first(&mut conn)
        .unwrap();
    let end = NaiveDate::from_ymd_opt(2026, 11, 20)
        .unwrap()
        .and_hms_opt(15, 59, 59)
        .unwrap();
    assert!(last.is_some_and(|l| l <= end), "{last:?}");
    let kinds: BTreeSet<String> = case_events::table
        .select(case_events::kind)
        .distinct()
        .load(&mut conn)
        .unwrap()
        .into_iter()
        .collect();
    for kind in [
        "odr_answer",
        "consumer_accept",
        "odr_expire",
        "submit_referral",
        "transfer",
        "pause",
        "rate",
    ] {
        assert!(kinds.contains(kind), "no {kind}: {kinds:?}");
    }

    let verified = odrdesk(&app, &["audit", "verify"]);
    assert!(verified.contains("intact"), "{verified}");

    let dir = app.data_dir().join("bulletins");
    let dir_arg = dir.to_str().unwrap();
    odrdesk(
        &app,
        &[
            "bulletin",
            "2026-Q3",
            "--as-of",
            "2026-11-20",
            "--format",
            "json",
            "--out",
            dir_arg,
        ],
    );
    let text = std::fs::read_to_string(dir.join("bulletin-2026-Q3.json")).unwrap();
    let bulletin: Value = serde_json::from_str(&text).unwrap();
    for rate in [
        "/rates/acceptance_on_time",
        "/rates/closure_on_time",
        "/rates/mediation_success",
        "/odr/settled",
    ] {
        let denominator = bulletin.pointer(&format!("{rate}/denominator"));
        assert!(
            denominator.and_then(Value::as_u64).is_some_and(|d| d > 0),
            "{rate}: {text}"
        );
    }
    assert!(
        bulletin
            .pointer("/totals/recovered_fen")
            .and_then(Value::as_i64)
            > Some(0),
        "{text}"
    );
}

/// The hot terms of generated complaints are words a reader would name: none of the fragments
/// and generic words the template texts used to produce, no brand names in Latin letters.
async fn hot_terms_of_the_demo_data_are_reader_words(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    gen_corpus(
        &app,
        &[
            "--cases",
            "400",
            "--seed",
            "7",
            "--from",
            "2026-01-01",
            "--to",
            "2026-10-31",
        ],
    );
    app.set_now(common::china_morning(2026, 11, 2));
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let total: i64 = cases::table.count().get_result(&mut app.db()).unwrap();
    crate::wait_indexed(&app, &analyst, u64::try_from(total).unwrap()).await;
    let (s, hot) = app
        .get_as(
            "/api/v1/hot-terms?from=2026-08-01&to=2026-10-31&baseline_from=2026-01-01&baseline_to=2026-07-31&min_count=1&limit=200",
            &analyst,
        )
        .await;
    assert_eq!(s, 200, "{hot}");
    let terms: Vec<&str> = hot["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    assert!(!terms.is_empty(), "{hot}");
    for noise in [
        "果在", "和平", "平时", "水面", "发车", "写明", "多个", "脸色", "人学", "团游",
    ] {
        assert!(!terms.contains(&noise), "{noise} in {terms:?}");
    }
    assert!(
        terms
            .iter()
            .all(|t| t.chars().count() >= 2 && !t.chars().any(|c| c.is_ascii_alphanumeric())),
        "{terms:?}"
    );
}

on_both_backends!(
    hot_terms_of_the_demo_data_are_reader_words,
    writes_a_realistic_corpus_through_intake,
    the_same_seed_writes_the_same_cases,
    generated_cases_live_through_the_workflow
);
