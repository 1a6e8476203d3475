//! Credit scorecards: a quarter's scorecards for the credit system (analysts, supervisors,
//! admins), and a business's own latest scorecards for its desk. Each is one read
//! transaction over `scorecard::gather`.

use chrono::NaiveDate;
use diesel::Connection;

use super::ServiceError;
use crate::auth::{Principal, Role, StaffUser};
use crate::domain::scorecard::{Method, Quarter};
use crate::reference::Reference;
use crate::scorecard::export::ScorecardSet;
use crate::scorecard::{Scorecard, compute, gather};
use crate::store::Db;

/// Who may read every business's scorecards: the city's credit work is not a bureau's.
pub const READERS: [Role; 3] = [Role::Analyst, Role::Supervisor, Role::Admin];

/// Quarters a business sees on its desk: the current one and those before it.
pub const LATEST_QUARTERS: usize = 4;

/// A quarter named by a client: `2026Q3` or `2026-Q3`.
pub fn parse_quarter(text: &str) -> Result<Quarter, ServiceError> {
    text.parse::<Quarter>()
        .map_err(|e| ServiceError::invalid_field("quarter", e.code, e.message))
}

fn quarter_set(
    conn: &mut Db,
    reference: &Reference,
    quarter: Quarter,
    as_of: NaiveDate,
    method: &Method,
) -> Result<ScorecardSet, ServiceError> {
    let inputs = gather(conn, quarter, as_of)?;
    Ok(ScorecardSet {
        quarter,
        as_of,
        method: *method,
        methodology: method.explain(),
        scorecards: compute(&inputs, reference, method),
    })
}

/// Every scorecard of `quarter`, for the credit system (the API and `odrdesk scorecard`).
pub fn for_quarter(
    conn: &mut Db,
    reference: &Reference,
    quarter: Quarter,
    as_of: NaiveDate,
    method: &Method,
) -> Result<ScorecardSet, ServiceError> {
    quarter_set(conn, reference, quarter, as_of, method)
}

/// `for_quarter` for a signed-in caller: the credit system's readers only.
pub fn read_quarter(
    conn: &mut Db,
    principal: &Principal,
    reference: &Reference,
    quarter: Quarter,
    as_of: NaiveDate,
    method: &Method,
) -> Result<ScorecardSet, ServiceError> {
    principal.require_role(&READERS)?;
    for_quarter(conn, reference, quarter, as_of, method)
}

/// A business's own scorecards of its latest quarters, newest first (`None`: no
/// scorecard that quarter), and the method's text.
#[derive(Debug, Clone)]
pub struct OwnScorecards {
    pub quarters: Vec<(Quarter, Option<Scorecard>)>,
    pub methodology: Vec<String>,
}

/// The enterprise account's own scorecards: only those under its USCC, never another's.
pub fn own(
    conn: &mut Db,
    user: &StaffUser,
    reference: &Reference,
    today: NaiveDate,
    method: &Method,
) -> Result<OwnScorecards, ServiceError> {
    if user.role != Role::Enterprise {
        return Err(ServiceError::Forbidden);
    }
    let mut quarters = Vec::with_capacity(LATEST_QUARTERS);
    let mut q = Quarter::of(today);
    conn.transaction(|conn| {
        for _ in 0..LATEST_QUARTERS {
            let found = match &user.uscc {
                Some(uscc) => quarter_set(conn, reference, q, today, method)?
                    .scorecards
                    .into_iter()
                    .find(|s| s.uscc.as_ref() == Some(uscc)),
                None => None,
            };
            quarters.push((q, found));
            q = q.previous();
        }
        Ok::<(), ServiceError>(())
    })?;
    Ok(OwnScorecards {
        quarters,
        methodology: method.explain(),
    })
}
