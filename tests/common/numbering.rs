//! Document numbers as stored, and a decision made to fail after it took its number: the
//! database refuses the `document_issued` event of chosen cases (a trigger), so the deciding
//! transaction fails once the counter was raised and the document row written.

use diesel::prelude::*;
use odrdesk::store::documents::documents;
use odrdesk::store::schema::cases;
use odrdesk::store::{DatabaseUrl, Db};

pub fn connect(database: &DatabaseUrl) -> odrdesk::store::PooledDb {
    odrdesk::store::connect(database, 1)
        .expect("connect")
        .get()
        .expect("connection")
}

pub fn case_id(conn: &mut Db, case_no: &str) -> i64 {
    cases::table
        .filter(cases::case_no.eq(case_no))
        .select(cases::id)
        .first(conn)
        .expect("case id")
}

/// `(serial, number)` of every document of `kind` the bureau issued, by serial.
pub fn serials(conn: &mut Db, bureau: &str, kind: &str) -> Vec<(i32, String)> {
    documents::table
        .filter(documents::bureau.eq(bureau))
        .filter(documents::kind.eq(kind))
        .order(documents::serial)
        .select((documents::serial, documents::number))
        .load(conn)
        .expect("serials")
}

/// Asserts the serials are exactly 1..=n, each number carrying its serial once.
pub fn assert_gap_free(numbers: &[(i32, String)], n: usize, format: impl Fn(i32) -> String) {
    let serials: Vec<i32> = numbers.iter().map(|(s, _)| *s).collect();
    let want: Vec<i32> = (1..=i32::try_from(n).unwrap()).collect();
    assert_eq!(serials, want, "serials with a gap or a duplicate");
    for (serial, number) in numbers {
        assert_eq!(number, &format(*serial));
    }
}

/// From now on, the `document_issued` event of these cases is refused by the database.
pub fn refuse_documents_of(conn: &mut Db, case_ids: &[i64]) {
    let ids = case_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let sql = match conn {
        Db::Sqlite(_) => vec![format!(
            "CREATE TRIGGER refuse_documents BEFORE INSERT ON case_events \
             WHEN NEW.kind = 'document_issued' AND NEW.case_id IN ({ids}) \
             BEGIN SELECT RAISE(ABORT, 'document refused by the test'); END"
        )],
        Db::Pg(_) => vec![
            "CREATE FUNCTION refuse_documents() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'document refused by the test'; END $$"
                .to_owned(),
            format!(
                "CREATE TRIGGER refuse_documents BEFORE INSERT ON case_events FOR EACH ROW \
                 WHEN (NEW.kind = 'document_issued' AND NEW.case_id IN ({ids})) \
                 EXECUTE FUNCTION refuse_documents()"
            ),
        ],
    };
    for statement in sql {
        diesel::sql_query(statement).execute(conn).expect("trigger");
    }
}

pub fn lift_refusal(conn: &mut Db) {
    let sql = match conn {
        Db::Sqlite(_) => "DROP TRIGGER refuse_documents",
        Db::Pg(_) => "DROP TRIGGER refuse_documents ON case_events",
    };
    diesel::sql_query(sql).execute(conn).expect("drop trigger");
}
