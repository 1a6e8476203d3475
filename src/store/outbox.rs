//! The outbox of every channel (e-mail, SMS, WeChat): messages written in the transaction of
//! the event that caused them, then claimed, sent and marked by the sender; dead-lettered
//! after too many failures.
//!
//! Claiming is a conditional `UPDATE` that must change exactly one row, so two senders (two
//! nodes, or the server and `odrdesk outbox send`) never hold the same message at once.

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::{count_star, exists};
use diesel::prelude::*;
use diesel::result::Error;

use super::Db;
use super::schema::outbox;
use crate::notify::templates::render_with;
use crate::notify::{Channel, Mail};

/// The longest retry interval.
pub const MAX_BACKOFF: Duration = Duration::hours(1);
/// Stored error messages are cut to this many characters.
const ERROR_CHARS: usize = 500;

/// A message to queue: `subject` and `body` are the mail's, or the notice kind and an empty
/// body for the other channels, whose content is the JSON `payload`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxRow<'a> {
    pub dedupe_key: &'a str,
    pub case_id: Option<i64>,
    pub channel: &'a str,
    pub to_addr: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub payload: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
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
    pub channel: String,
    pub payload: Option<String>,
    pub dead_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

impl OutboxRow {
    /// The row's channel; an unknown name (written by a newer version) reads as e-mail's
    /// opposite: it is never sent by mail.
    pub fn channel(&self) -> Option<Channel> {
        self.channel.parse().ok()
    }
}

/// Renders `mail` and queues it in the caller's transaction. Returns `false`, and leaves the
/// transaction usable, when a message with the same dedupe key exists already.
///
/// The insert runs in a nested transaction (a savepoint): if another transaction commits the
/// same key between the check and the insert, only the savepoint is rolled back, so the
/// caller's PostgreSQL transaction is not aborted by the unique violation.
pub fn enqueue(conn: &mut Db, mail: &Mail, now: NaiveDateTime) -> Result<bool, Error> {
    if is_known(conn, &mail.dedupe_key)? {
        return Ok(false);
    }
    let (subject, body) = render_with(&mail.notice, mail.document.as_ref());
    insert(
        conn,
        &NewOutboxRow {
            dedupe_key: &mail.dedupe_key,
            case_id: mail.case_id,
            channel: Channel::Email.as_str(),
            to_addr: &mail.to,
            subject: &subject,
            body: &body,
            payload: None,
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            expires_at: None,
        },
    )
}

/// Whether a message with this dedupe key was queued before.
pub fn is_known(conn: &mut Db, dedupe_key: &str) -> Result<bool, Error> {
    diesel::select(exists(
        outbox::table.filter(outbox::dedupe_key.eq(dedupe_key)),
    ))
    .get_result(conn)
}

/// Queues a row of any channel (see [`enqueue`] for the savepoint); `false` on a known key.
pub fn insert(conn: &mut Db, row: &NewOutboxRow<'_>) -> Result<bool, Error> {
    let inserted = conn.transaction(|c| diesel::insert_into(outbox::table).values(row).execute(c));
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
        .filter(outbox::dead_at.is_null())
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
            .filter(outbox::dead_at.is_null())
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
    mark_sent_scrubbed(conn, id, now, None)
}

/// [`mark_sent`], and `scrubbed` replaces the payload (a login code must not stay readable
/// once sent).
pub fn mark_sent_scrubbed(
    conn: &mut Db,
    id: i64,
    now: NaiveDateTime,
    scrubbed: Option<&str>,
) -> Result<bool, Error> {
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
    if let Some(payload) = scrubbed {
        scrub(conn, id, payload)?;
    }
    Ok(changed == 1)
}

fn scrub(conn: &mut Db, id: i64, payload: &str) -> Result<(), Error> {
    diesel::update(outbox::table.find(id))
        .set(outbox::payload.eq(Some(payload)))
        .execute(conn)
        .map(drop)
}

/// Gives up on a message: it stays in the outbox as a dead letter, never sent.
pub fn mark_dead(
    conn: &mut Db,
    id: i64,
    attempts: i32,
    now: NaiveDateTime,
    error: &str,
    scrubbed: Option<&str>,
) -> Result<(), Error> {
    let message: String = error.chars().take(ERROR_CHARS).collect();
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::sent_at.is_null()),
    )
    .set((
        outbox::attempts.eq(attempts),
        outbox::dead_at.eq(Some(now)),
        outbox::lease_until.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(Some(message)),
    ))
    .execute(conn)?;
    if let Some(payload) = scrubbed {
        scrub(conn, id, payload)?;
    }
    Ok(())
}

/// Puts a message back without counting an attempt, e.g. until a per-number limit allows it.
pub fn defer(conn: &mut Db, id: i64, until: NaiveDateTime) -> Result<(), Error> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::sent_at.is_null()),
    )
    .set((
        outbox::next_attempt_at.eq(until),
        outbox::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
    .map(drop)
}

/// When the login codes (`codes`) or else the notices of `channel` to `to_addr` were sent
/// since `since` (bounded by `limit`), and with `queued`, when unsent, undead ones were queued:
/// codes go out soon, so a new login code counts them. Codes and notices are limited apart, so
/// codes anyone may ask for never hold back a case's notices.
pub fn recent_sends(
    conn: &mut Db,
    (channel, to_addr, codes): (Channel, &str, bool),
    since: NaiveDateTime,
    limit: i64,
    queued: bool,
) -> Result<Vec<NaiveDateTime>, Error> {
    // Only login codes expire: they and the notices are counted apart.
    let mine = outbox::table
        .filter(outbox::channel.eq(channel.as_str()))
        .filter(outbox::to_addr.eq(to_addr))
        .filter(outbox::expires_at.is_not_null().eq(codes));
    let mut sent: Vec<NaiveDateTime> = mine
        .filter(outbox::sent_at.ge(since))
        .select(outbox::sent_at.assume_not_null())
        .order(outbox::sent_at.desc())
        .limit(limit)
        .load(conn)?;
    if !queued {
        return Ok(sent);
    }
    let queued: Vec<NaiveDateTime> = mine
        .filter(outbox::sent_at.is_null())
        .filter(outbox::dead_at.is_null())
        .filter(outbox::expires_at.gt(since))
        .filter(outbox::created_at.ge(since))
        .select(outbox::created_at)
        .limit(limit)
        .load(conn)?;
    sent.extend(queued);
    Ok(sent)
}

/// Records a failed attempt and schedules the next one after [`backoff`], releasing the lease.
/// `attempts` is the row's count before this attempt, as claimed. The caller dead-letters
/// (`mark_dead`) instead once the attempts are used up.
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

/// Messages not yet sent and not dead, leased or not.
pub fn pending_count(conn: &mut Db) -> Result<i64, Error> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::dead_at.is_null())
        .select(count_star())
        .get_result(conn)
}

/// Counts of one channel's messages, for `odrdesk outbox status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelStats {
    pub pending: i64,
    pub sent: i64,
    pub dead: i64,
    /// When the oldest message still waiting was queued.
    pub oldest_pending: Option<NaiveDateTime>,
}

pub fn channel_stats(conn: &mut Db, channel: Channel) -> Result<ChannelStats, Error> {
    let depth = depths(conn)?
        .into_iter()
        .find(|d| d.channel == channel.as_str())
        .unwrap_or_default();
    Ok(ChannelStats {
        pending: depth.waiting,
        sent: outbox::table
            .filter(outbox::channel.eq(channel.as_str()))
            .filter(outbox::sent_at.is_not_null())
            .select(count_star())
            .get_result(conn)?,
        dead: depth.dead,
        oldest_pending: depth.oldest_waiting,
    })
}

/// The unsent messages of one channel (as stored; an unknown name is listed as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Depth {
    pub channel: String,
    /// Not sent and not dead (leased ones included).
    pub waiting: i64,
    pub dead: i64,
    /// When the oldest waiting message was queued.
    pub oldest_waiting: Option<NaiveDateTime>,
}

/// Every channel's unsent messages in one query over the unsent rows (the `outbox_pending`
/// index), for `odrdesk outbox status` and `/metrics`. Channels with none are left out.
pub fn depths(conn: &mut Db) -> Result<Vec<Depth>, Error> {
    use diesel::dsl::{count, sql};
    use diesel::sql_types::{Nullable, Timestamp};
    let oldest_waiting =
        sql::<Nullable<Timestamp>>("MIN(CASE WHEN dead_at IS NULL THEN created_at END)");
    let rows: Vec<(String, i64, i64, Option<NaiveDateTime>)> = outbox::table
        .filter(outbox::sent_at.is_null())
        .group_by(outbox::channel)
        .select((
            outbox::channel,
            count_star(),
            count(outbox::dead_at),
            oldest_waiting,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(channel, unsent, dead, oldest_waiting)| Depth {
            channel,
            waiting: unsent - dead,
            dead,
            oldest_waiting,
        })
        .collect())
}

/// Dead letters, newest first.
pub fn dead_letters(conn: &mut Db, limit: i64) -> Result<Vec<OutboxRow>, Error> {
    outbox::table
        .filter(outbox::dead_at.is_not_null())
        .select(OutboxRow::as_select())
        .order(outbox::id.desc())
        .limit(limit)
        .load(conn)
}

/// The most recent messages, newest first; only unsent ones if `pending_only`.
pub fn list(conn: &mut Db, pending_only: bool, limit: i64) -> Result<Vec<OutboxRow>, Error> {
    let mut query = outbox::table
        .select(OutboxRow::as_select())
        .order(outbox::id.desc())
        .limit(limit)
        .into_boxed();
    if pending_only {
        query = query
            .filter(outbox::sent_at.is_null())
            .filter(outbox::dead_at.is_null());
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
