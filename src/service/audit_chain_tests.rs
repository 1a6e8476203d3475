//! What the audit and the triggers make of a missing personal part, an erased document and
//! a format-1 event written after the upgrade, on both backends.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::tests::{
    GUARD, anonymise, append_v1, draft, finish_migrations, new_case, on_both_backends,
    on_both_backends_migrated, personal_log,
};
use super::verify;
// The fixture stores a page as `service::documents` would have issued it.
use crate::store::documents::{self, NewDocumentRow, insert as store_issued_page};
use crate::store::events::{FORMAT_SPLIT, append};
use crate::store::schema::{case_events, event_personal};
use crate::store::{Db, migrate};

fn a_deleted_personal_part_is_caught_unless_the_case_was_anonymised(conn: &mut Db) {
    let id = new_case(conn, "TS-2026-000201");
    for d in personal_log() {
        append(conn, id, d).expect("append");
    }
    let message: i64 = case_events::table
        .filter(case_events::case_seq.eq(2))
        .select(case_events::id)
        .first(conn)
        .expect("the message");
    diesel::delete(event_personal::table.find(message))
        .execute(conn)
        .expect("delete one part");
    let broken = verify(conn).expect("verify").expect_err("a deleted part");
    assert_eq!((broken.case_no.as_str(), broken.seq), ("TS-2026-000201", 2));
    assert!(broken.problem.contains("personal part deleted"), "{broken}");

    anonymise(conn, id);
    assert_eq!(verify(conn).expect("verify").map(|r| r.events), Ok(5));
    // A part deleted from an event logged after the anonymisation is caught again.
    let later = draft(
        "message",
        "med@jm.gov.cn",
        21,
        json!({"v": 1, "text": "补充"}),
    );
    let seq = append(conn, id, later).expect("a later message");
    let later: i64 = case_events::table
        .filter(case_events::case_seq.eq(seq))
        .select(case_events::id)
        .first(conn)
        .expect("the later message");
    diesel::delete(event_personal::table.find(later))
        .execute(conn)
        .expect("delete");
    let broken = verify(conn)
        .expect("verify")
        .expect_err("after the anonymisation");
    assert_eq!(broken.seq, seq);
}

#[test]
fn a_missing_personal_part_needs_an_anonymisation() {
    on_both_backends(a_deleted_personal_part_is_caught_unless_the_case_was_anonymised);
}

fn issue(conn: &mut Db, case_id: i64, html: &str) {
    let sha = hex::encode(Sha256::digest(html.as_bytes()));
    let on = NaiveDate::from_ymd_opt(2026, 5, 9).expect("a date");
    let row = NewDocumentRow {
        case_id,
        kind: "not_accept_notice",
        policy_version: "order121",
        bureau: "JM",
        year: 2026,
        serial: 1,
        number: "JM-2026-001",
        title: "不予受理告知书",
        audience: "complainant",
        issued_on: on,
        issued_at: on.and_hms_opt(10, 0, 0).expect("a time"),
        verify_code: "VC0001",
        fields: "{}",
        html,
        sha256: &sha,
        replaces_id: None,
    };
    let document_id = store_issued_page(conn, &row).expect("document");
    let payload =
        json!({"v": 1, "document_id": document_id, "number": "JM-2026-001", "sha256": sha});
    let event = crate::store::events::EventDraft {
        reason: Some("not_accept_notice".into()),
        ..draft("document_issued", "system", 9, payload)
    };
    append(conn, case_id, event).expect("document_issued");
}

fn an_erased_page_verifies_only_after_an_anonymisation(conn: &mut Db) {
    let id = new_case(conn, "TS-2026-000202");
    issue(conn, id, "<p>张三丰：不予受理</p>");
    assert_eq!(verify(conn).expect("verify").map(|r| r.documents), Ok(1));
    documents::erase_of_case(conn, id).expect("erase");
    let broken = verify(conn)
        .expect("verify")
        .expect_err("erased without a ground");
    assert!(broken.problem.contains("JM-2026-001"), "{broken}");
    anonymise(conn, id);
    assert_eq!(verify(conn).expect("verify").map(|r| r.documents), Ok(1));
}

#[test]
fn an_erased_document_needs_an_anonymisation() {
    on_both_backends(an_erased_page_verifies_only_after_an_anonymisation);
}

fn only_format_2_is_written_and_only_a_wechat_actor_shrinks(conn: &mut Db) {
    let id = new_case(conn, "TS-2026-000203");
    append_v1(conn, id, personal_log());
    finish_migrations(conn);
    let late = append_v1_refused(conn, id);
    assert!(
        late,
        "a format-1 event written after the upgrade is refused"
    );
    // The staff actor of the settlement cannot be rewritten as a WeChat user's prefix.
    let shrink = diesel::update(case_events::table.filter(case_events::case_seq.eq(3)))
        .set((
            case_events::chain_format.eq(FORMAT_SPLIT),
            case_events::actor.eq("wechat:"),
        ))
        .execute(conn);
    assert!(
        shrink.is_err(),
        "only a wechat: actor shrinks to its prefix"
    );
    // The upgrade itself goes through: a WeChat actor shrinks, a free-text reason moves.
    migrate(conn).expect("migrate and upgrade");
    let stored: Vec<(String, Option<String>, i32)> = case_events::table
        .order(case_events::case_seq)
        .select((
            case_events::actor,
            case_events::reason,
            case_events::chain_format,
        ))
        .load(conn)
        .expect("events");
    assert_eq!(stored[1].0, "wechat:");
    assert_eq!(stored[3].1, None);
    assert!(stored.iter().all(|e| e.2 == FORMAT_SPLIT));
}

/// Whether inserting one more format-1 event fails.
fn append_v1_refused(conn: &mut Db, case_id: i64) -> bool {
    diesel::insert_into(case_events::table)
        .values((
            case_events::case_id.eq(case_id),
            case_events::case_seq.eq(99),
            case_events::kind.eq("note"),
            case_events::actor.eq("system"),
            case_events::actor_role.eq("system"),
            case_events::at.eq(chrono::NaiveDateTime::default()),
            case_events::payload.eq("{}"),
            case_events::prev_hash.eq("x"),
            case_events::hash.eq("y"),
        ))
        .execute(conn)
        .is_err()
}

#[test]
fn the_triggers_refuse_new_format_1_events_and_foreign_prefixes() {
    on_both_backends_migrated(
        |conn| crate::store::migrate_before(conn, GUARD),
        only_format_2_is_written_and_only_a_wechat_actor_shrinks,
    );
}

#[derive(QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    detail: String,
}

#[test]
fn pending_reads_the_format_1_index() {
    on_both_backends(|conn| {
        let Db::Sqlite(_) = conn else {
            let n: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'case_events_format1')",
            ))
            .get_result(conn)
            .expect("pg_indexes");
            assert_eq!(n, 1);
            return;
        };
        let query = crate::store::chain_upgrade::pending_query_sql();
        let plan: Vec<PlanRow> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {query}"))
            .load(conn)
            .expect("plan");
        let plan: Vec<String> = plan.into_iter().map(|p| p.detail).collect();
        assert!(
            plan.iter().any(|d| d.contains("case_events_format1")),
            "{plan:?}"
        );
    });
}
