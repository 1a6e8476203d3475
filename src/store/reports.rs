//! Intake's look-up of the earlier report a new one may repeat (Order 121 Art. 35).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::{case_parties, cases};
use crate::domain::case::{CaseKind, CaseState};

/// How many of a phone's latest reports intake looks through for a repeat.
pub const REPEAT_LOOKBACK: i64 = 50;

/// The newest earlier report from the same reporter phone against the same business (USCC,
/// else name), received since `since` and not merged away. Only the phone's latest
/// `REPEAT_LOOKBACK` reports are read, by the (phone, role, case_id) index.
pub fn possible_repeat_of(
    conn: &mut Db,
    phone: &str,
    respondent_uscc: Option<&str>,
    respondent_name: &str,
    since: NaiveDateTime,
) -> Result<Option<i64>, DieselError> {
    let latest: Vec<i64> = case_parties::table
        .filter(case_parties::phone.eq(phone))
        .filter(case_parties::role.eq("reporter"))
        .order(case_parties::case_id.desc())
        .select(case_parties::case_id)
        .limit(REPEAT_LOOKBACK)
        .load(conn)?;
    if latest.is_empty() {
        return Ok(None);
    }
    let same = cases::table
        .filter(cases::id.eq_any(latest))
        .filter(cases::kind.eq(CaseKind::Report))
        .filter(cases::state.ne(CaseState::Merged))
        .filter(cases::received_at.ge(since))
        .order(cases::id.desc())
        .select(cases::id)
        .into_boxed();
    match respondent_uscc {
        Some(uscc) => same.filter(cases::respondent_uscc.eq(uscc)),
        None => same.filter(cases::respondent_name.eq(respondent_name)),
    }
    .first(conn)
    .optional()
}
