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

/// Who may export every business's scorecards: the city's credit work is not a bureau's,
/// and an export leaves the system, so only supervisors and admins take one.
pub const READERS: [Role; 2] = [Role::Supervisor, Role::Admin];

/// Quarters a business sees on its desk: the latest ended ones, never the running quarter
/// (Order 121 Art. 37: a report's handling must not reach the reported business while it is
/// under way, and a running quarter's 立案 count would tell it within a day).
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

/// `for_quarter` for a signed-in caller: the credit system's readers only; each export is
/// logged on `odrdesk::audit` (who, quarter, format).
pub fn read_quarter(
    conn: &mut Db,
    principal: &Principal,
    reference: &Reference,
    quarter: Quarter,
    as_of: NaiveDate,
    method: &Method,
    format: &str,
) -> Result<ScorecardSet, ServiceError> {
    let user = principal.require_role(&READERS)?;
    let set = for_quarter(conn, reference, quarter, as_of, method)?;
    tracing::info!(
        target: "odrdesk::audit",
        by = %user.email,
        quarter = %quarter,
        format,
        scorecards = set.scorecards.len(),
        "credit scorecards exported"
    );
    Ok(set)
}

/// A business's own scorecards of its latest quarters, newest first (`None`: no
/// scorecard that quarter), and the method's text.
#[derive(Debug, Clone)]
pub struct OwnScorecards {
    pub quarters: Vec<(Quarter, Option<Scorecard>)>,
    pub methodology: Vec<String>,
}

/// The enterprise account's own scorecards of its latest ended quarters: only those under its
/// USCC, never another's, and only quarters in which it had complaints.
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
    let mut q = Quarter::of(today).previous();
    conn.transaction(|conn| {
        for _ in 0..LATEST_QUARTERS {
            let found = match &user.uscc {
                Some(uscc) => quarter_set(conn, reference, q, today, method)?
                    .scorecards
                    .into_iter()
                    .find(|s| s.uscc.as_ref() == Some(uscc))
                    // No scorecard on the desk built from 立案 reports alone.
                    .filter(|s| s.complaints > 0),
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
