//! What operators watch: how far the search index is behind the event log, whether the
//! database answers, and the figures `/metrics` reads at scrape time (queue depths, index
//! lag, open cases by state). Everything here is counts and codes: no personal data.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::Connection;
use diesel::connection::SimpleConnection;

use super::ServiceError;
use crate::clock::china_date;
use crate::domain::clocks::stored_due_is_overdue;
use crate::metrics::{Figures, OpenCases, QueueDepth};
use crate::notify::Channel;
use crate::search::SearchIndex;
use crate::store::{self, Db};

/// The index lag is counted up to this many events; beyond it, it reads as this.
pub const LAG_CAP: i64 = 100_000;

/// How many events in the log came after the last one the search index took in (counted up
/// to `LAG_CAP`).
pub fn index_lag(conn: &mut Db, search: &SearchIndex) -> Result<u64, ServiceError> {
    let checkpoint = search.live().checkpoint()?;
    let behind = store::search::events_after_count(conn, checkpoint.event_id, LAG_CAP)?;
    Ok(u64::try_from(behind).unwrap_or(0))
}

/// The database answers a trivial query.
pub fn ping(conn: &mut Db) -> Result<(), ServiceError> {
    Ok(conn.batch_execute("SELECT 1")?)
}

/// The readiness of a node: the database answered, and the index is no further behind than
/// `max_lag` events.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `ok`, or `unavailable` when the database did not answer in time.
    pub database: &'static str,
    /// Events the search index has not taken in yet; absent when the database did not answer.
    pub index_lag_events: Option<u64>,
    /// The most the index may lag for the node to be ready (`[metrics] max_index_lag`).
    pub max_lag: u64,
    /// The checks that failed: `database`, `index_lag`; empty when ready.
    pub failing: Vec<&'static str>,
}

impl Readiness {
    /// Judges what was measured: `lag` is `None` when the database did not answer.
    pub fn judge(lag: Option<u64>, max_lag: u64) -> Readiness {
        let mut failing = Vec::new();
        match lag {
            None => failing.push("database"),
            Some(n) if n > max_lag => failing.push("index_lag"),
            Some(_) => {}
        }
        Readiness {
            database: if lag.is_some() { "ok" } else { "unavailable" },
            index_lag_events: lag,
            max_lag,
            failing,
        }
    }

    pub fn is_ready(&self) -> bool {
        self.failing.is_empty()
    }
}

/// Pings the database, then measures the index lag (one connection, read only).
pub fn readiness_lag(conn: &mut Db, search: &SearchIndex) -> Result<u64, ServiceError> {
    ping(conn)?;
    index_lag(conn, search)
}

/// The scrape-time figures, read in one read transaction as of `now`.
pub fn figures(
    conn: &mut Db,
    search: &SearchIndex,
    now: DateTime<Utc>,
) -> Result<Figures, ServiceError> {
    let at = now.naive_utc();
    let today = china_date(now);
    conn.transaction(|conn| {
        let depths = store::outbox::depths(conn)?;
        let outbox = Channel::ALL
            .iter()
            .map(|channel| {
                let d = depths
                    .iter()
                    .find(|d| d.channel == channel.as_str())
                    .cloned()
                    .unwrap_or_default();
                QueueDepth {
                    channel: channel.as_str(),
                    waiting: count(d.waiting),
                    dead: count(d.dead),
                    oldest_waiting_seconds: age(d.oldest_waiting, at),
                }
            })
            .collect();
        let (hooks, oldest_hook) = store::webhooks::waiting(conn)?;
        let dead_hooks = store::webhooks::dead(conn)?;
        let mut open_cases: Vec<OpenCases> = Vec::new();
        for (state, due, n) in store::workflow::open_by_state_and_due(conn)? {
            let overdue = stored_due_is_overdue(state, due, today);
            match open_cases
                .iter_mut()
                .find(|o| o.state == state.as_str() && o.overdue == overdue)
            {
                Some(o) => o.count += count(n),
                None => open_cases.push(OpenCases {
                    state: state.as_str(),
                    overdue,
                    count: count(n),
                }),
            }
        }
        Ok(Figures {
            outbox,
            webhooks: QueueDepth {
                channel: "webhook",
                waiting: count(hooks),
                dead: count(dead_hooks),
                oldest_waiting_seconds: age(oldest_hook, at),
            },
            index_lag_events: index_lag(conn, search)?,
            open_cases,
        })
    })
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Seconds since `since` (0 when there is none, or it lies ahead).
fn age(since: Option<NaiveDateTime>, now: NaiveDateTime) -> u64 {
    since.map_or(0, |t| count((now - t).num_seconds()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_names_the_failing_check() {
        assert!(Readiness::judge(Some(3), 3).is_ready());
        assert_eq!(Readiness::judge(Some(4), 3).failing, ["index_lag"]);
        let down = Readiness::judge(None, 3);
        assert_eq!(
            (down.database, down.failing),
            ("unavailable", vec!["database"])
        );
    }
}
