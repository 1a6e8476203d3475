//! Typed columns against a real database: values round-trip, and text no value has is an
//! error when read, not a default.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::super::models::NewCaseRow;
use super::super::schema::cases;
use super::super::test_db::on_fresh_postgres;
use super::super::{DatabaseUrl, Db, StoreError, cases as case_store, connect, migrate};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::routing::{Flag, Flags};
use crate::domain::taxonomy::Channel;

fn case_row(case_no: &str) -> NewCaseRow {
    let at = NaiveDate::from_ymd_opt(2026, 11, 2)
        .and_then(|day| day.and_hms_opt(9, 30, 0))
        .expect("a time");
    NewCaseRow {
        state: CaseState::MediationPaused,
        tracking_token_hash: "hash".into(),
        channel: Channel::MiniProgram,
        title: "t".into(),
        description: "d".into(),
        flags: [Flag::Collective, Flag::Odr].into_iter().collect(),
        respondent_name: "某公司".into(),
        ..NewCaseRow::example(case_no, at)
    }
}

/// Stores a case, reads it back, then corrupts one column at a time behind the types' back.
fn typed_columns_round_trip_and_refuse_unknown_text(conn: &mut Db) {
    let row = case_row("TS-2026-000001");
    let id = case_store::insert_case(conn, &row).expect("insert");
    let stored = case_store::find_by_id(conn, id).expect("read back");
    assert_eq!(stored.kind, CaseKind::Complaint);
    assert_eq!(stored.state, CaseState::MediationPaused);
    assert_eq!(stored.channel, Channel::MiniProgram);
    assert_eq!(stored.flags.to_string(), "odr,collective");
    // The stored text is what it was before the columns were typed.
    let raw: (String, String, String) = cases::table
        .find(id)
        .select((cases::state, cases::channel, cases::flags))
        .first(conn)
        .expect("raw text");
    assert_eq!(
        raw,
        (
            "mediation_paused".into(),
            "mini_program".into(),
            "odr,collective".into()
        )
    );
    let filtered: Vec<i64> = cases::table
        .filter(cases::state.eq(CaseState::MediationPaused))
        .filter(cases::flags.ne(Flags::NONE))
        .select(cases::id)
        .load(conn)
        .expect("typed filter");
    assert_eq!(filtered, [id]);

    for (column, text) in [
        ("state", "closed"),
        ("channel", "fax"),
        ("flags", "odr,bogus"),
    ] {
        let fresh = case_store::insert_case(conn, &case_row(&format!("TS-2026-1{column}")))
            .expect("insert");
        let target = cases::table.find(fresh);
        match column {
            "state" => diesel::update(target)
                .set(cases::state.eq(text))
                .execute(conn),
            "channel" => diesel::update(target)
                .set(cases::channel.eq(text))
                .execute(conn),
            _ => diesel::update(target)
                .set(cases::flags.eq(text))
                .execute(conn),
        }
        .expect("raw update");
        let read = case_store::find_by_id(conn, fresh);
        let Err(DieselError::DeserializationError(cause)) = &read else {
            panic!("{column} {text:?} read as {read:?}");
        };
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(inner) = source {
            chain.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        assert!(chain.contains(text), "{chain}");
        // A bug in the data, not a passing outage: not worth a retry.
        let Err(StoreError::Other(message)) = read.map_err(StoreError::from) else {
            panic!("{column} {text:?} is not StoreError::Other");
        };
        assert!(message.contains(column), "{message}");
    }
}

#[test]
fn sqlite_typed_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = DatabaseUrl::Sqlite(dir.path().join("t.sqlite3").to_string_lossy().into_owned());
    let pool = connect(&url, 1).expect("pool");
    let mut conn = pool.get().expect("connection");
    migrate(&mut conn).expect("migrate");
    typed_columns_round_trip_and_refuse_unknown_text(&mut conn);
}

#[test]
fn postgres_typed_columns() {
    on_fresh_postgres(|conn| {
        migrate(conn).expect("migrate");
        typed_columns_round_trip_and_refuse_unknown_text(conn);
    });
}
