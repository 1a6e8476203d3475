//! Repeated complaints (same phone, same business): each new one is linked to one earlier
//! case, so links grow with the count, not its square.

use diesel::prelude::*;
use odrdesk::store::schema::{case_links, cases};

use crate::common::{Backend, TestApp, sample_complaint};
use crate::on_both_backends;

/// `(case number, linked case number)` of every likely-duplicate link.
fn duplicate_links(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.db();
    let (from, to) = diesel::alias!(cases as from_case, cases as to_case);
    let mut links: Vec<(String, String)> = tokio::task::block_in_place(|| {
        case_links::table
            .inner_join(from.on(from.field(cases::id).eq(case_links::case_id)))
            .inner_join(to.on(to.field(cases::id).eq(case_links::linked_case_id)))
            .filter(case_links::relation.eq("possible_duplicate"))
            .select((from.field(cases::case_no), to.field(cases::case_no)))
            .load(&mut *conn)
            .unwrap()
    });
    links.sort();
    links
}

async fn a_repeated_complaint_is_linked_once_to_the_first_open_case(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    const K: usize = 6;
    let mut numbers = Vec::new();
    for _ in 0..K {
        numbers.push(app.file(&sample_complaint()).await.0);
    }
    let want: Vec<(String, String)> = numbers[1..]
        .iter()
        .map(|n| (n.clone(), numbers[0].clone()))
        .collect();
    assert_eq!(
        duplicate_links(&app),
        want,
        "K-1 links, each to the first case"
    );

    // With every earlier case closed, the next one is linked to the newest.
    let mut conn = app.db();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    tokio::task::block_in_place(|| {
        diesel::update(cases::table)
            .set(cases::closed_on.eq(today))
            .execute(&mut *conn)
            .unwrap()
    });
    let last = app.file(&sample_complaint()).await.0;
    let links = duplicate_links(&app);
    assert_eq!(links.len(), K);
    assert!(links.contains(&(last, numbers[K - 1].clone())), "{links:?}");
}

on_both_backends!(a_repeated_complaint_is_linked_once_to_the_first_open_case);
