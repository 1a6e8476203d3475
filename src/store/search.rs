//! What the search index is built from: events past a checkpoint, and each case's indexable
//! content. Personal data (complainant, reporter) is never read here.

use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::models::CaseRow;
use super::schema::{adverse_reactions, case_events, case_parties, case_products, cases};
use crate::domain::event_payload::EventPayload;
use crate::domain::severity::Severity;

/// `(event id, case id)` of events with an id above `after`, oldest first.
pub fn events_after(conn: &mut Db, after: i64, limit: i64) -> Result<Vec<(i64, i64)>, DieselError> {
    case_events::table
        .filter(case_events::id.gt(after))
        .order(case_events::id)
        .limit(limit)
        .select((case_events::id, case_events::case_id))
        .load(conn)
}

pub fn max_event_id(conn: &mut Db) -> Result<i64, DieselError> {
    case_events::table
        .select(diesel::dsl::max(case_events::id))
        .first::<Option<i64>>(conn)
        .map(|m| m.unwrap_or(0))
}

/// Case ids in id order after `after`, for rebuilding.
pub fn case_ids_after(conn: &mut Db, after: i64, limit: i64) -> Result<Vec<i64>, DieselError> {
    cases::table
        .filter(cases::id.gt(after))
        .order(cases::id)
        .limit(limit)
        .select(cases::id)
        .load(conn)
}

pub fn count_cases(conn: &mut Db) -> Result<i64, DieselError> {
    cases::table.count().get_result(conn)
}

/// Everything the index holds about one case.
#[derive(Debug, Clone)]
pub struct CaseSource {
    pub case: CaseRow,
    pub respondent_name: Option<String>,
    pub respondent_uscc: Option<String>,
    pub product: Option<String>,
    pub brand: Option<String>,
    pub severity: Option<Severity>,
    pub recovered_fen: i64,
    /// The names of the case's people (every party but the respondent), masked in its text.
    pub person_names: Vec<String>,
}

pub fn load_sources(conn: &mut Db, ids: &[i64]) -> Result<Vec<CaseSource>, DieselError> {
    let rows: Vec<CaseRow> = cases::table
        .filter(cases::id.eq_any(ids))
        .order(cases::id)
        .select(CaseRow::as_select())
        .load(conn)?;
    let respondents: Vec<(i64, Option<String>, Option<String>)> = case_parties::table
        .filter(case_parties::case_id.eq_any(ids))
        .filter(case_parties::role.eq("respondent"))
        .select((
            case_parties::case_id,
            case_parties::name,
            case_parties::uscc,
        ))
        .load(conn)?;
    let products: Vec<(i64, String, Option<String>)> = case_products::table
        .filter(case_products::case_id.eq_any(ids))
        .order(case_products::id)
        .select((
            case_products::case_id,
            case_products::name,
            case_products::brand,
        ))
        .load(conn)?;
    let severities: Vec<(i64, Severity)> = adverse_reactions::table
        .filter(adverse_reactions::case_id.eq_any(ids))
        .select((adverse_reactions::case_id, adverse_reactions::severity))
        .load(conn)?;
    let people: Vec<(i64, String)> = case_parties::table
        .filter(case_parties::case_id.eq_any(ids))
        .filter(case_parties::role.ne("respondent"))
        .filter(case_parties::name.is_not_null())
        .select((case_parties::case_id, case_parties::name.assume_not_null()))
        .load(conn)?;
    let settlements: Vec<(i64, String)> = case_events::table
        .filter(case_events::case_id.eq_any(ids))
        .filter(case_events::kind.eq("settle"))
        .select((case_events::case_id, case_events::payload))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|case| {
            let id = case.id;
            let respondent = respondents.iter().find(|r| r.0 == id);
            let product = products.iter().find(|p| p.0 == id);
            let recovered_fen = settlements
                .iter()
                .filter(|s| s.0 == id)
                .filter_map(|s| EventPayload::parse(&s.1)?.recovered_fen())
                .sum();
            CaseSource {
                respondent_name: respondent.and_then(|r| r.1.clone()),
                respondent_uscc: respondent.and_then(|r| r.2.clone()),
                product: product.map(|p| p.1.clone()),
                brand: product.and_then(|p| p.2.clone()),
                severity: severities.iter().find(|s| s.0 == id).map(|s| s.1),
                recovered_fen,
                person_names: people
                    .iter()
                    .filter(|p| p.0 == id)
                    .map(|p| p.1.clone())
                    .collect(),
                case,
            }
        })
        .collect())
}

/// One export job.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = super::schema::exports)]
pub struct ExportRow {
    pub id: i64,
    pub requested_by: i64,
    pub params: String,
    pub status: String,
    pub row_count: Option<i64>,
    pub error: Option<String>,
    pub created_at: chrono::NaiveDateTime,
    pub finished_at: Option<chrono::NaiveDateTime>,
    /// Set when the file was deleted for its age.
    pub expired_at: Option<chrono::NaiveDateTime>,
}

pub fn create_export(
    conn: &mut Db,
    user: i64,
    params: &str,
    now: chrono::NaiveDateTime,
) -> Result<i64, DieselError> {
    use super::schema::exports::dsl as e;
    diesel::insert_into(e::exports)
        .values((
            e::requested_by.eq(user),
            e::params.eq(params),
            e::status.eq("queued"),
            e::created_at.eq(now),
        ))
        .execute(conn)?;
    e::exports
        .filter(e::requested_by.eq(user))
        .order(e::id.desc())
        .select(e::id)
        .first(conn)
}

pub fn find_export(conn: &mut Db, id: i64) -> Result<Option<ExportRow>, DieselError> {
    use super::schema::exports::dsl as e;
    e::exports
        .find(id)
        .select(ExportRow::as_select())
        .first(conn)
        .optional()
}

pub fn finish_export(
    conn: &mut Db,
    id: i64,
    outcome: Result<i64, String>,
    now: chrono::NaiveDateTime,
) -> Result<(), DieselError> {
    use super::schema::exports::dsl as e;
    let (status, rows, error) = match outcome {
        Ok(n) => ("done", Some(n), None),
        Err(msg) => ("failed", None, Some(msg)),
    };
    diesel::update(e::exports.find(id))
        .set((
            e::status.eq(status),
            e::row_count.eq(rows),
            e::error.eq(error),
            e::finished_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Jobs left unfinished for an hour (an export takes seconds) were cut off by a stopped
/// process: fail them, so nobody waits forever. Younger ones may belong to another node.
pub fn fail_unfinished_exports(
    conn: &mut Db,
    now: chrono::NaiveDateTime,
) -> Result<usize, DieselError> {
    use super::schema::exports::dsl as e;
    let stale = now - chrono::Duration::hours(1);
    diesel::update(
        e::exports
            .filter(e::status.eq_any(["queued", "running"]))
            .filter(e::created_at.lt(stale)),
    )
    .set((
        e::status.eq("failed"),
        e::error.eq("interrupted by a restart; request it again"),
        e::finished_at.eq(now),
    ))
    .execute(conn)
}

/// Finished exports older than `before` whose file is still kept.
pub fn exports_to_expire(
    conn: &mut Db,
    before: chrono::NaiveDateTime,
) -> Result<Vec<i64>, DieselError> {
    use super::schema::exports::dsl as e;
    e::exports
        .filter(e::status.eq("done"))
        .filter(e::expired_at.is_null())
        .filter(e::finished_at.lt(before))
        .select(e::id)
        .load(conn)
}

pub fn mark_export_expired(
    conn: &mut Db,
    id: i64,
    now: chrono::NaiveDateTime,
) -> Result<(), DieselError> {
    use super::schema::exports::dsl as e;
    diesel::update(e::exports.find(id))
        .set(e::expired_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

/// How many events came after `after`, counted up to `cap` (a bounded range of the primary
/// key however far behind the index is).
pub fn events_after_count(conn: &mut Db, after: i64, cap: i64) -> Result<i64, DieselError> {
    let capped: Option<i64> = case_events::table
        .filter(case_events::id.gt(after))
        .order(case_events::id)
        .offset(cap.saturating_sub(1).max(0))
        .select(case_events::id)
        .first(conn)
        .optional()?;
    match capped {
        Some(_) => Ok(cap),
        None => case_events::table
            .filter(case_events::id.gt(after))
            .count()
            .get_result(conn),
    }
}
