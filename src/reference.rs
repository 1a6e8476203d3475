//! The calendar and policy in force: built-in files overlaid with what administrators loaded
//! into the database. A snapshot is cheap to clone and is what use cases receive.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use crate::domain::{PolicyTable, WorkCalendar, YearCalendar};
use crate::service::ServiceError;
use crate::store::{Db, StoreError, reference};

#[derive(Clone)]
pub struct Reference {
    pub calendar: Arc<WorkCalendar>,
    pub policy: Arc<PolicyTable>,
}

/// Shared, reloadable reference data (one per process).
#[derive(Clone)]
pub struct ReferenceData(Arc<RwLock<Reference>>);

impl ReferenceData {
    pub fn builtin() -> ReferenceData {
        ReferenceData(Arc::new(RwLock::new(Reference {
            calendar: Arc::new(WorkCalendar::builtin()),
            policy: Arc::new(PolicyTable::builtin()),
        })))
    }

    pub fn snapshot(&self) -> Reference {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Rebuilds from the built-in files plus the database overrides.
    pub fn reload(&self, conn: &mut Db) -> Result<(), StoreError> {
        let fresh = load(conn)?;
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        Ok(())
    }
}

fn load(conn: &mut Db) -> Result<Reference, StoreError> {
    let mut calendar = WorkCalendar::builtin();
    for definition in reference::calendar_years(conn)? {
        // Stored definitions were validated when loaded; a bad row is skipped, not fatal.
        match YearCalendar::from_toml(&definition) {
            Ok(year) => {
                if let Err(e) = calendar.add_year(year) {
                    tracing::error!(error = %e, "stored calendar year rejected");
                }
            }
            Err(e) => tracing::error!(error = %e, "stored calendar year unreadable"),
        }
    }
    let policy = match reference::latest_policy_table(conn)? {
        Some(text) => PolicyTable::from_toml(&text).unwrap_or_else(|e| {
            tracing::error!(error = %e, "stored policy table unreadable; using built-in");
            PolicyTable::builtin()
        }),
        None => PolicyTable::builtin(),
    };
    Ok(Reference {
        calendar: Arc::new(calendar),
        policy: Arc::new(policy),
    })
}

fn invalid(code: &'static str, message: String) -> ServiceError {
    ServiceError::Refused { code, message }
}

/// Validates and stores a calendar year (TOML, the format of `reference/calendar/`).
pub fn load_calendar_year(
    conn: &mut Db,
    toml_text: &str,
    now: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    let year = YearCalendar::from_toml(toml_text)
        .map_err(|e| invalid("invalid_calendar", e.to_string()))?;
    WorkCalendar::builtin()
        .add_year(year.clone())
        .map_err(|e| invalid("invalid_calendar", e.to_string()))?;
    reference::save_calendar_year(conn, year.year, toml_text, now.naive_utc())?;
    Ok(year.year)
}

/// Validates and stores a whole policy table (TOML, the format of `reference/policy.toml`).
pub fn load_policy_table(
    conn: &mut Db,
    toml_text: &str,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let table =
        PolicyTable::from_toml(toml_text).map_err(|e| invalid("invalid_policy", e.to_string()))?;
    reference::save_policy_table(conn, toml_text, now.naive_utc())?;
    Ok(table.versions.len())
}
