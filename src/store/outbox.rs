//! The mail outbox: rendered messages written in the transaction of the event that caused
//! them, then claimed, sent and marked by the sender.
//!
//! Claiming is a conditional `UPDATE` that must change exactly one row, so two senders (two
//! nodes, or the server and `odrdesk outbox send`) never hold the same message at once.

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::{count_star, exists};
use diesel::prelude::*;
use diesel::result::Error;

use super::Db;
use super::schema::outbox;
use crate::notify::Mail;
use crate::notify::templates::render_with;

/// The longest retry interval.
pub const MAX_BACKOFF: Duration = Duration::hours(1);
/// Stored error messages are cut to this many characters.
const ERROR_CHARS: usize = 500;

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
struct NewOutboxRow<'a> {
    dedupe_key: &'a str,
    case_id: Option<i64>,
    to_addr: &'a str,
    subject: &'a str,
    body: &'a str,
    created_at: NaiveDateTime,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub dedupe_key: String,
    pub case_id: Option<i64>,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// Renders `mail` and queues it in the caller's transaction. Returns `false`, and leaves the
/// transaction usable, when a message with the same dedupe key exists already.
///
/// The insert runs in a nested transaction (a savepoint): if another transaction commits the
/// same key between the check and the insert, only the savepoint is rolled back, so the
/// caller's PostgreSQL transaction is not aborted by the unique violation.
pub fn enqueue(conn: &mut Db, mail: &Mail, now: NaiveDateTime) -> Result<bool, Error> {
    let known: bool = diesel::select(exists(
        outbox::table.filter(outbox::dedupe_key.eq(&mail.dedupe_key)),
    ))
    .get_result(conn)?;
    if known {
        return Ok(false);
    }
    let (subject, body) = render_with(&mail.notice, mail.document.as_ref());
    let row = NewOutboxRow {
        dedupe_key: &mail.dedupe_key,
        case_id: mail.case_id,
        to_addr: &mail.to,
        subject: &subject,
        body: &body,
        created_at: now,
        attempts: 0,
        next_attempt_at: now,
    };
    let inserted = conn.transaction(|c| diesel::insert_into(outbox::table).values(&row).execute(c));
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if super::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Claims up to `limit` messages that are due at `now` and not leased by another sender, and
/// leases them until `lease_until`. Each claim is its own statement, committed at once.
pub fn claim_due(
    conn: &mut Db,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: usize,
) -> Result<Vec<OutboxRow>, Error> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    // Some candidates may be taken by a concurrent sender between this read and the update.
    let candidates: Vec<i64> = outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::next_attempt_at.le(now))
        .filter(
            outbox::lease_until
                .is_null()
                .or(outbox::lease_until.lt(now)),
        )
        .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
        .limit(i64::try_from(limit.saturating_add(16)).unwrap_or(i64::MAX))
        .select(outbox::id)
        .load(conn)?;
    let mut claimed = Vec::new();
    for id in candidates {
        if claimed.len() >= limit {
            break;
        }
        if claim(conn, id, now, lease_until)? {
            claimed.push(
                outbox::table
                    .find(id)
                    .select(OutboxRow::as_select())
                    .first(conn)?,
            );
        }
    }
    Ok(claimed)
}

/// Leases one message; `true` only if this call changed the row.
pub fn claim(
    conn: &mut Db,
    id: i64,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> Result<bool, Error> {
    let changed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::sent_at.is_null())
            .filter(
                outbox::lease_until
                    .is_null()
                    .or(outbox::lease_until.lt(now)),
            ),
    )
    .set(outbox::lease_until.eq(Some(lease_until)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Records a delivery. Returns `false` if the row was already marked.
pub fn mark_sent(conn: &mut Db, id: i64, now: NaiveDateTime) -> Result<bool, Error> {
    let changed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::sent_at.is_null()),
    )
    .set((
        outbox::sent_at.eq(Some(now)),
        outbox::lease_until.eq(None::<NaiveDateTime>),
        outbox::attempts.eq(outbox::attempts + 1),
        outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Records a failed attempt and schedules the next one after [`backoff`], releasing the lease.
/// `attempts` is the row's count before this attempt, as claimed.
pub fn record_failure(
    conn: &mut Db,
    id: i64,
    attempts: i32,
    now: NaiveDateTime,
    error: &str,
) -> Result<(), Error> {
    let message: String = error.chars().take(ERROR_CHARS).collect();
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::sent_at.is_null()),
    )
    .set((
        outbox::attempts.eq(attempts.saturating_add(1)),
        outbox::next_attempt_at.eq(now + backoff(attempts)),
        outbox::lease_until.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(Some(message)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Wait before the next try after `attempts` earlier failures: 30 s, 1 min, 2 min, … ≤ 1 h.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(0);
    let seconds = 30i64.saturating_mul(1i64 << exp);
    Duration::seconds(seconds).min(MAX_BACKOFF)
}

/// Messages not yet sent, leased or not.
pub fn pending_count(conn: &mut Db) -> Result<i64, Error> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .select(count_star())
        .get_result(conn)
}

/// The most recent messages, newest first; only unsent ones if `pending_only`.
pub fn list(conn: &mut Db, pending_only: bool, limit: i64) -> Result<Vec<OutboxRow>, Error> {
    let mut query = outbox::table
        .select(OutboxRow::as_select())
        .order(outbox::id.desc())
        .limit(limit)
        .into_boxed();
    if pending_only {
        query = query.filter(outbox::sent_at.is_null());
    }
    query.load(conn)
}

/// The message queued under `dedupe_key`, if any.
pub fn find_by_key(conn: &mut Db, dedupe_key: &str) -> Result<Option<OutboxRow>, Error> {
    outbox::table
        .filter(outbox::dedupe_key.eq(dedupe_key))
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()
}

/// When each of the given messages was sent, for those that were: `(dedupe key, sent at)`.
pub fn sent_times(
    conn: &mut Db,
    dedupe_keys: &[String],
) -> Result<Vec<(String, NaiveDateTime)>, Error> {
    let rows: Vec<(String, Option<NaiveDateTime>)> = outbox::table
        .filter(outbox::dedupe_key.eq_any(dedupe_keys))
        .filter(outbox::sent_at.is_not_null())
        .select((outbox::dedupe_key, outbox::sent_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(key, at)| Some((key, at?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(1), Duration::seconds(60));
        assert_eq!(backoff(2), Duration::seconds(120));
        assert_eq!(backoff(6), Duration::seconds(1920));
        assert_eq!(backoff(7), MAX_BACKOFF);
        assert_eq!(backoff(1000), MAX_BACKOFF);
        assert_eq!(backoff(-3), Duration::seconds(30));
    }
}
