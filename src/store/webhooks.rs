//! A business's webhook endpoint and its deliveries. A delivery is written in the transaction
//! of the step that causes it, under a unique event id, then claimed with a lease, sent and
//! marked by whichever node's sender holds it (the outbox's pattern, on its own table).

use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::result::Error;

use super::schema::{webhook_deliveries as wd, webhook_endpoints as we};
use super::{Db, is_unique_violation};

/// Stored error messages are cut to this many characters.
const ERROR_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = we)]
pub struct EndpointRow {
    pub id: i64,
    pub uscc: String,
    pub url: String,
    pub secret_sealed: String,
    pub enabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn endpoint_of(conn: &mut Db, uscc: &str) -> Result<Option<EndpointRow>, Error> {
    we::table
        .filter(we::uscc.eq(uscc))
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()
}

/// Registers or replaces the business's endpoint (one per business), enabled.
pub fn put_endpoint(
    conn: &mut Db,
    uscc: &str,
    url: &str,
    secret_sealed: &str,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let changed = diesel::update(we::table.filter(we::uscc.eq(uscc)))
        .set((
            we::url.eq(url),
            we::secret_sealed.eq(secret_sealed),
            we::enabled.eq(true),
            we::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(we::table)
            .values((
                we::uscc.eq(uscc),
                we::url.eq(url),
                we::secret_sealed.eq(secret_sealed),
                we::enabled.eq(true),
                we::created_at.eq(now),
                we::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets the sealed secret or whether the endpoint is on; `false` when there is none.
pub fn update_endpoint(
    conn: &mut Db,
    uscc: &str,
    secret_sealed: Option<&str>,
    enabled: Option<bool>,
    now: NaiveDateTime,
) -> Result<bool, Error> {
    let target = we::table.filter(we::uscc.eq(uscc));
    let mut changed = diesel::update(target)
        .set(we::updated_at.eq(now))
        .execute(conn)?;
    if let Some(sealed) = secret_sealed {
        changed = diesel::update(target)
            .set(we::secret_sealed.eq(sealed))
            .execute(conn)?;
    }
    if let Some(on) = enabled {
        changed = diesel::update(target)
            .set(we::enabled.eq(on))
            .execute(conn)?;
    }
    Ok(changed == 1)
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = wd)]
pub struct NewDelivery<'a> {
    pub event_id: &'a str,
    pub uscc: &'a str,
    pub case_id: i64,
    pub case_no: &'a str,
    pub event_type: &'a str,
    pub body: &'a str,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = wd)]
pub struct DeliveryRow {
    pub id: i64,
    pub event_id: String,
    pub uscc: String,
    pub case_id: i64,
    pub case_no: String,
    pub event_type: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub dead_at: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
}

/// Queues a delivery in the caller's transaction; `false` (and the transaction still usable)
/// when its event id is queued already, as when a step's transaction is retried.
pub fn enqueue(conn: &mut Db, row: &NewDelivery) -> Result<bool, Error> {
    let known: bool =
        diesel::select(exists(wd::table.filter(wd::event_id.eq(row.event_id)))).get_result(conn)?;
    if known {
        return Ok(false);
    }
    match conn.transaction(|c| diesel::insert_into(wd::table).values(row).execute(c)) {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Claims up to `limit` due deliveries no other sender holds, each by a conditional update
/// that must change exactly one row, and leases them until `lease_until`.
pub fn claim_due(
    conn: &mut Db,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<DeliveryRow>, Error> {
    let candidates: Vec<i64> = wd::table
        .filter(wd::delivered_at.is_null())
        .filter(wd::dead_at.is_null())
        .filter(wd::next_attempt_at.le(now))
        .filter(wd::lease_until.is_null().or(wd::lease_until.lt(now)))
        .order((wd::next_attempt_at.asc(), wd::id.asc()))
        .limit(limit.saturating_add(16))
        .select(wd::id)
        .load(conn)?;
    let mut claimed = Vec::new();
    for id in candidates {
        if claimed.len() as i64 >= limit {
            break;
        }
        let changed = diesel::update(
            wd::table
                .filter(wd::id.eq(id))
                .filter(wd::delivered_at.is_null())
                .filter(wd::dead_at.is_null())
                .filter(wd::lease_until.is_null().or(wd::lease_until.lt(now))),
        )
        .set(wd::lease_until.eq(Some(lease_until)))
        .execute(conn)?;
        if changed == 1 {
            claimed.push(
                wd::table
                    .find(id)
                    .select(DeliveryRow::as_select())
                    .first(conn)?,
            );
        }
    }
    Ok(claimed)
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Try again at the time given, or never (`None`: dead).
    Failed {
        next: Option<NaiveDateTime>,
        error: String,
    },
}

/// Records an attempt of a delivery this sender leased until `lease`. `false` when the lease
/// was lost (another sender may have it now), so nothing was recorded.
pub fn record(
    conn: &mut Db,
    row: &DeliveryRow,
    status: Option<i32>,
    outcome: &Outcome,
    now: NaiveDateTime,
) -> Result<bool, Error> {
    let target = wd::table
        .filter(wd::id.eq(row.id))
        .filter(wd::lease_until.eq(row.lease_until))
        .filter(wd::delivered_at.is_null());
    let attempts = row.attempts.saturating_add(1);
    let changed = match outcome {
        Outcome::Delivered => diesel::update(target)
            .set((
                wd::delivered_at.eq(Some(now)),
                wd::lease_until.eq(None::<NaiveDateTime>),
                wd::attempts.eq(attempts),
                wd::last_status.eq(status),
                wd::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Outcome::Failed { next, error } => diesel::update(target)
            .set((
                wd::next_attempt_at.eq(next.unwrap_or(row.next_attempt_at)),
                wd::dead_at.eq(next.is_none().then_some(now)),
                wd::lease_until.eq(None::<NaiveDateTime>),
                wd::attempts.eq(attempts),
                wd::last_status.eq(status),
                wd::last_error.eq(Some(error.chars().take(ERROR_CHARS).collect::<String>())),
            ))
            .execute(conn)?,
    };
    Ok(changed == 1)
}

/// The business's latest deliveries, newest first.
pub fn recent(conn: &mut Db, uscc: &str, limit: i64) -> Result<Vec<DeliveryRow>, Error> {
    wd::table
        .filter(wd::uscc.eq(uscc))
        .order(wd::id.desc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)
}

/// Sends one of the business's deliveries again from now on, with a fresh day of retries;
/// `false` when it has no such delivery.
pub fn resend(conn: &mut Db, uscc: &str, id: i64, now: NaiveDateTime) -> Result<bool, Error> {
    let changed = diesel::update(wd::table.filter(wd::id.eq(id)).filter(wd::uscc.eq(uscc)))
        .set((
            wd::delivered_at.eq(None::<NaiveDateTime>),
            wd::dead_at.eq(None::<NaiveDateTime>),
            wd::lease_until.eq(None::<NaiveDateTime>),
            wd::created_at.eq(now),
            wd::next_attempt_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Deliveries not yet delivered and not given up, and when the oldest of them was queued
/// (one query over the `webhook_deliveries_due` index), for `/metrics`.
pub fn waiting(conn: &mut Db) -> Result<(i64, Option<NaiveDateTime>), Error> {
    wd::table
        .filter(wd::delivered_at.is_null())
        .filter(wd::dead_at.is_null())
        .select((diesel::dsl::count_star(), diesel::dsl::min(wd::created_at)))
        .get_result(conn)
}

/// Deliveries given up after too many failures (`webhook_deliveries_dead` index), for
/// `/metrics`: they stay until retention removes them, so the gauge falls only when an
/// operator resends them or they expire.
pub fn dead(conn: &mut Db) -> Result<i64, Error> {
    wd::table
        .filter(wd::dead_at.is_not_null())
        .filter(wd::delivered_at.is_null())
        .count()
        .get_result(conn)
}
