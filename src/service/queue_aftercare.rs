//! The desk's after-mediation lists, drawn from derived clocks and the follow-up sample
//! rather than stored columns: terminated complaints whose parties are not all told yet
//! (`clock=termination_notice`), and the follow-up sample of settled complaints
//! (`follow_up=sampled`, or `follow_up=unfulfilled` for visits that found the settlement
//! not, or only partly, carried out).

use chrono::{Days, NaiveDate};

use super::{MAX_OFFSET, QueueItem, QueueQuery, bad, items};
use crate::domain::aftercare::{Fulfilled, sampled};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::policy::Clock;
use crate::service::sweep::NOTICE_LOOKBACK_DAYS;
use crate::service::{Ctx, ServiceError};
use crate::store::Db;
use crate::store::models::CaseRow;
use crate::store::workflow::{QueueFilter, queue_offset_page};

/// How far back the follow-up list looks for settled complaints.
pub const FOLLOW_UP_LOOKBACK_DAYS: u64 = 180;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Aftercare {
    Notice,
    FollowUp,
    Unfulfilled,
}

/// Which after-mediation list the query asks for, if any.
pub(super) fn asked(q: &QueueQuery) -> Result<Option<Aftercare>, ServiceError> {
    let notice = q.clock.as_deref() == Some(Clock::TerminationNotice.key());
    let follow_up = match q.follow_up.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("sampled") => Some(Aftercare::FollowUp),
        Some("unfulfilled") => Some(Aftercare::Unfulfilled),
        Some(_) => return Err(bad("follow_up", "unknown_follow_up", "未知的回访筛选")),
    };
    match (notice, follow_up) {
        (true, Some(_)) => Err(bad(
            "follow_up",
            "conflicting_filters",
            "回访筛选不能与终止调解告知时限同时使用",
        )),
        (true, None) => Ok(Some(Aftercare::Notice)),
        (false, f) => Ok(f),
    }
}

/// The list's cases, soonest due first, at most `limit`: every row the filter finds in the
/// look-back window is derived, then kept if its list wants it.
pub(super) fn list(
    conn: &mut Db,
    ctx: &Ctx,
    mut f: QueueFilter,
    which: Aftercare,
    limit: i64,
) -> Result<Vec<QueueItem>, ServiceError> {
    let today = ctx.today();
    let back = |days| {
        today
            .checked_sub_days(Days::new(days))
            .unwrap_or(NaiveDate::MIN)
    };
    f.kind = Some(CaseKind::Complaint);
    f.open = None;
    f.overdue_before = None;
    let (state, since) = match which {
        Aftercare::Notice => (CaseState::MediationTerminated, back(NOTICE_LOOKBACK_DAYS)),
        Aftercare::FollowUp | Aftercare::Unfulfilled => {
            (CaseState::Settled, back(FOLLOW_UP_LOOKBACK_DAYS))
        }
    };
    f.states = vec![state];
    f.closed_since = Some(since);
    let share = ctx.reference.policy.follow_up_share;
    let rows: Vec<CaseRow> = queue_offset_page(conn, &f, None, 0, MAX_OFFSET)?
        .into_iter()
        .filter(|r| which == Aftercare::Notice || sampled(&r.case_no, share))
        .collect();
    let mut found = items(conn, ctx, &rows)?;
    found.retain(|i| match which {
        Aftercare::Notice => i.clock == Some(Clock::TerminationNotice),
        Aftercare::FollowUp => true,
        Aftercare::Unfulfilled => i.fulfilled.is_some_and(Fulfilled::is_unfulfilled),
    });
    // Not yet visited first, then by due date (a closed case's last due date).
    found.sort_by_key(|i| (i.fulfilled.is_some(), i.due));
    found.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(found)
}
