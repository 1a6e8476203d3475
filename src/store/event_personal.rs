//! The personal parts of logged events (`domain::event_personal`): one row per event that
//! has one, with a random salt. The event's hash covers SHA-256(salt, content), so deleting
//! the row (`forget`) leaves a chain that still verifies, and the digest alone does not give
//! back a short value such as a phone number.

use diesel::prelude::*;
use diesel::result::Error as DieselError;
use sha2::{Digest, Sha256};

use super::Db;
use super::schema::{case_events, event_personal};

#[derive(Debug, Clone, PartialEq, Eq, Insertable, Queryable, Selectable)]
#[diesel(table_name = event_personal)]
pub struct PersonalRow {
    pub event_id: i64,
    /// 32 random bytes, hex.
    pub salt: String,
    /// The personal part as JSON.
    pub content: String,
}

impl PersonalRow {
    /// Whether the row is still what the event's digest committed to.
    pub fn matches(&self, digest: &str) -> bool {
        self::digest(&self.salt, &self.content) == digest
    }
}

/// A personal part ready to be stored with its event.
#[derive(Debug, Clone)]
pub struct Sealed {
    pub salt: String,
    pub content: String,
    pub digest: String,
}

impl Sealed {
    pub fn row(self, event_id: i64) -> PersonalRow {
        PersonalRow {
            event_id,
            salt: self.salt,
            content: self.content,
        }
    }
}

/// Salts `content` with fresh random bytes and computes its digest.
pub fn seal(content: String) -> Result<Sealed, DieselError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        DieselError::SerializationError(Box::new(std::io::Error::other(e.to_string())))
    })?;
    let salt = hex::encode(bytes);
    let digest = digest(&salt, &content);
    Ok(Sealed {
        salt,
        content,
        digest,
    })
}

/// SHA-256 over the salt's text and the content (the salt has a fixed length).
pub fn digest(salt: &str, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(content.as_bytes());
    hex::encode(h.finalize())
}

pub fn insert(conn: &mut Db, row: &PersonalRow) -> Result<(), DieselError> {
    diesel::insert_into(event_personal::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The personal parts still kept of the case's events.
pub fn of_case(conn: &mut Db, case_id: i64) -> Result<Vec<PersonalRow>, DieselError> {
    event_personal::table
        .filter(event_personal::event_id.eq_any(events_of(case_id)))
        .select(PersonalRow::as_select())
        .load(conn)
}

/// Deletes the personal part of every event of the case (PIPL: its purpose is over). The
/// events keep their digests, so the chain still verifies. Returns how many parts went.
pub fn forget(conn: &mut Db, case_id: i64) -> Result<usize, DieselError> {
    diesel::delete(
        event_personal::table.filter(event_personal::event_id.eq_any(events_of(case_id))),
    )
    .execute(conn)
}

fn events_of(
    case_id: i64,
) -> diesel::dsl::Select<
    diesel::dsl::Filter<case_events::table, diesel::dsl::Eq<case_events::case_id, i64>>,
    case_events::id,
> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .select(case_events::id)
}
