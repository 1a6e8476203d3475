//! Fresh databases for the crate's own tests: a SQLite file in a temporary directory and, when
//! `ODRDESK_TEST_POSTGRES_URL` is set, a PostgreSQL database made for the test and dropped after.

use diesel::RunQueryDsl;

use super::{DatabaseUrl, Db, StoreError, connect};

/// Runs `test` on a fresh SQLite file and, when `ODRDESK_TEST_POSTGRES_URL` is set, on a
/// fresh PostgreSQL database, each set up by `prepare` first.
pub(crate) fn on_both_backends_prepared(
    prepare: fn(&mut Db) -> Result<(), StoreError>,
    test: fn(&mut Db),
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = DatabaseUrl::Sqlite(dir.path().join("t.sqlite3").to_string_lossy().into_owned());
    let pool = connect(&url, 1).expect("pool");
    let mut conn = pool.get().expect("connection");
    prepare(&mut conn).expect("prepare");
    test(&mut conn);
    on_fresh_postgres(|conn| {
        prepare(conn).expect("prepare");
        test(conn);
    });
}

/// Runs `test` on an empty PostgreSQL database made for it on the server of
/// `ODRDESK_TEST_POSTGRES_URL`, then drops it; does nothing when the variable is unset.
pub(crate) fn on_fresh_postgres(test: impl FnOnce(&mut Db)) {
    let Ok(base) = std::env::var("ODRDESK_TEST_POSTGRES_URL") else {
        return;
    };
    let name = format!("odrdesk_lib_{}", uuid::Uuid::new_v4().simple());
    let admin = connect(&DatabaseUrl::Postgres(base.clone()), 1).expect("admin pool");
    let mut admin = admin.get().expect("admin connection");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut *admin)
        .expect("create");
    let url = match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("no database in {base}"),
    };
    {
        let pool = connect(&DatabaseUrl::Postgres(url), 1).expect("pool");
        let mut conn = pool.get().expect("connection");
        test(&mut conn);
    }
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut *admin)
        .expect("drop");
}
