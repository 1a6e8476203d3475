//! What the bulletin counts of the work after mediation, for cases received in a span of
//! China dates: termination steps, recorded notices and follow-up visits, and delivered
//! mail. Read-only.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::{case_events, cases, outbox};

/// `(case id, step number)` of every `terminate` step of the cases received in the span.
pub fn terminations_of_received(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, i32)>, DieselError> {
    case_events::table
        .inner_join(cases::table)
        .filter(cases::received_date.between(from, to))
        .filter(case_events::kind.eq("terminate"))
        .order((case_events::case_id, case_events::case_seq))
        .select((case_events::case_id, case_events::case_seq))
        .load(conn)
}

/// `(case id, kind, payload)` of the `record_notice` and `follow_up` steps of the cases
/// received in the span, in log order.
pub fn steps_of_received(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, String, String)>, DieselError> {
    case_events::table
        .inner_join(cases::table)
        .filter(cases::received_date.between(from, to))
        .filter(case_events::kind.eq_any(["record_notice", "follow_up"]))
        .order((case_events::case_id, case_events::case_seq))
        .select((
            case_events::case_id,
            case_events::kind,
            case_events::payload,
        ))
        .load(conn)
}

/// `(case id, dedupe key, sent at)` of the delivered mail of the cases received in the span.
pub fn delivered_of_received(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, String, NaiveDateTime)>, DieselError> {
    let ids = cases::table
        .filter(cases::received_date.between(from, to))
        .select(cases::id.nullable());
    let rows: Vec<(Option<i64>, String, Option<NaiveDateTime>)> = outbox::table
        .filter(outbox::case_id.eq_any(ids))
        .filter(outbox::sent_at.is_not_null())
        .order(outbox::id)
        .select((outbox::case_id, outbox::dedupe_key, outbox::sent_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, key, at)| Some((id?, key, at?)))
        .collect())
}
