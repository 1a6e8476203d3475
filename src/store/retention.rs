//! Removing a case's personal data (retention and erasure) and deleting ephemera after their
//! period. The service owns the transaction; every function here is one bounded statement or
//! a few, and none opens a transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use super::Db;
use super::schema::{
    adverse_reactions, attachments, case_anonymisations, case_disclosures, case_parties,
    case_rights_holders, cases, email_verifications, idempotency_keys, outbox, phone_codes,
    phone_sessions, sessions, webhook_deliveries, wechat_grants,
};
use crate::domain::case::{CaseKind, CaseState};

/// What replaces a case's free text and other required personal text.
pub const PLACEHOLDER: &str = "（已匿名化）";

/// A closed, not yet anonymised case the retention pass looks at.
#[derive(Debug, Clone, Queryable)]
pub struct Candidate {
    pub id: i64,
    pub kind: CaseKind,
    pub state: CaseState,
    pub closed_on: Option<NaiveDate>,
    pub adverse_reaction: Option<i64>,
}

/// Closed cases not yet anonymised, closed on or before `cutoff`, after `(closed_on, id)`
/// `after`, oldest first, at most `limit`.
pub fn candidates(
    conn: &mut Db,
    cutoff: NaiveDate,
    after: Option<(NaiveDate, i64)>,
    limit: i64,
) -> Result<Vec<Candidate>, DieselError> {
    let mut q = cases::table
        .left_join(adverse_reactions::table)
        .left_join(case_anonymisations::table)
        .filter(cases::closed_on.le(cutoff))
        .filter(case_anonymisations::case_id.nullable().is_null())
        .select((
            cases::id,
            cases::kind,
            cases::state,
            cases::closed_on,
            adverse_reactions::case_id.nullable(),
        ))
        .order((cases::closed_on.asc(), cases::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some((day, id)) = after {
        q = q.filter(
            cases::closed_on
                .gt(day)
                .or(cases::closed_on.eq(day).and(cases::id.gt(id))),
        );
    }
    q.load(conn)
}

pub fn is_anonymised(conn: &mut Db, case_id: i64) -> Result<bool, DieselError> {
    let n: i64 = case_anonymisations::table
        .find(case_id)
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn mark_anonymised(
    conn: &mut Db,
    case_id: i64,
    ground: &str,
    at: NaiveDateTime,
) -> Result<(), DieselError> {
    diesel::insert_into(case_anonymisations::table)
        .values((
            case_anonymisations::case_id.eq(case_id),
            case_anonymisations::ground.eq(ground),
            case_anonymisations::anonymised_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Clears the contact details of every party who is a person (not the business complained
/// about, whose name and USCC are figures of the bulletin). Returns the parties cleared.
pub fn clear_parties(conn: &mut Db, case_id: i64) -> Result<usize, DieselError> {
    diesel::update(
        case_parties::table
            .filter(case_parties::case_id.eq(case_id))
            .filter(case_parties::role.ne("respondent")),
    )
    .set((
        case_parties::name.eq(None::<String>),
        case_parties::phone.eq(None::<String>),
        case_parties::email.eq(None::<String>),
        case_parties::address.eq(None::<String>),
        case_parties::id_number.eq(None::<String>),
    ))
    .execute(conn)
}

/// Replaces the case's free text and clears its order number and WeChat identity.
pub fn clear_case_text(conn: &mut Db, case_id: i64) -> Result<usize, DieselError> {
    diesel::update(cases::table.find(case_id))
        .set((
            cases::title.eq(PLACEHOLDER),
            cases::description.eq(PLACEHOLDER),
            cases::claim.eq(None::<String>),
            cases::purchase_order_no.eq(None::<String>),
            cases::consumer_openid.eq(None::<String>),
        ))
        .execute(conn)
}

/// Replaces the health data of an adverse reaction; dates, body site and severity stay
/// (monitoring figures).
pub fn clear_adverse_reaction(conn: &mut Db, case_id: i64) -> Result<usize, DieselError> {
    diesel::update(adverse_reactions::table.find(case_id))
        .set((
            adverse_reactions::symptoms.eq(PLACEHOLDER),
            adverse_reactions::treatment.eq(None::<String>),
            adverse_reactions::allergy_history.eq(None::<String>),
        ))
        .execute(conn)
}

/// Replaces the rights holder's contact person; its USCC and name (a business) stay.
pub fn clear_rights_holder(conn: &mut Db, case_id: i64) -> Result<usize, DieselError> {
    diesel::update(case_rights_holders::table.find(case_id))
        .set((
            case_rights_holders::contact_name.eq(PLACEHOLDER),
            case_rights_holders::contact_phone.eq(PLACEHOLDER),
        ))
        .execute(conn)
}

/// Takes the public entry off and clears every reply text; consent and review dates stay.
pub fn clear_disclosure(conn: &mut Db, case_id: i64) -> Result<usize, DieselError> {
    diesel::update(case_disclosures::table.find(case_id))
        .set((
            case_disclosures::reply.eq(None::<String>),
            case_disclosures::refusal_reason.eq(None::<String>),
            case_disclosures::published_reply.eq(None::<String>),
            case_disclosures::published_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// Deletes the case's attachments; returns how many and their blobs.
pub fn delete_attachments(
    conn: &mut Db,
    case_id: i64,
) -> Result<(usize, Vec<String>), DieselError> {
    let shas: Vec<String> = attachments::table
        .filter(attachments::case_id.eq(case_id))
        .select(attachments::sha256)
        .load(conn)?;
    let n = diesel::delete(attachments::table.filter(attachments::case_id.eq(case_id)))
        .execute(conn)?;
    Ok((n, shas))
}

/// The ids of the case's outbox rows (a mail written as a file is named by its row).
pub fn case_message_ids(conn: &mut Db, case_id: i64) -> Result<Vec<i64>, DieselError> {
    outbox::table
        .filter(outbox::case_id.eq(case_id))
        .select(outbox::id)
        .load(conn)
}

/// Deletes the case's unsent messages and blanks the sent ones (when a termination notice
/// was delivered is a figure of the bulletin; to whom and what it said is not kept), and
/// deletes its webhook deliveries, idempotency keys and e-mail verification.
pub fn delete_case_messages(conn: &mut Db, case_id: i64) -> Result<usize, DieselError> {
    let mine = outbox::case_id.eq(case_id);
    let mut n = diesel::delete(outbox::table.filter(mine).filter(outbox::sent_at.is_null()))
        .execute(conn)?;
    n += diesel::update(
        outbox::table
            .filter(mine)
            .filter(outbox::sent_at.is_not_null()),
    )
    .set(blank_message())
    .execute(conn)?;
    n += diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::case_id.eq(case_id)))
        .execute(conn)?;
    n += diesel::delete(idempotency_keys::table.filter(idempotency_keys::case_id.eq(case_id)))
        .execute(conn)?;
    n +=
        diesel::delete(email_verifications::table.filter(email_verifications::case_id.eq(case_id)))
            .execute(conn)?;
    Ok(n)
}

type BlankMessage = (
    diesel::dsl::Eq<outbox::to_addr, &'static str>,
    diesel::dsl::Eq<outbox::subject, &'static str>,
    diesel::dsl::Eq<outbox::body, &'static str>,
    diesel::dsl::Eq<outbox::payload, Option<String>>,
    diesel::dsl::Eq<outbox::last_error, Option<String>>,
);

fn blank_message() -> BlankMessage {
    (
        outbox::to_addr.eq(PLACEHOLDER),
        outbox::subject.eq(PLACEHOLDER),
        outbox::body.eq(PLACEHOLDER),
        outbox::payload.eq(None::<String>),
        outbox::last_error.eq(None::<String>),
    )
}

/// Blanks at most `limit` messages sent before `cutoff` and deletes at most `limit` given up
/// before it (counted only in a dry run).
fn old_messages(
    conn: &mut Db,
    cutoff: NaiveDateTime,
    limit: i64,
    dry_run: bool,
) -> Result<usize, DieselError> {
    let sent: Vec<i64> = outbox::table
        .filter(outbox::sent_at.lt(cutoff))
        .filter(outbox::to_addr.ne(PLACEHOLDER))
        .select(outbox::id)
        .limit(limit)
        .load(conn)?;
    let dead: Vec<i64> = outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::dead_at.lt(cutoff))
        .select(outbox::id)
        .limit(limit)
        .load(conn)?;
    let n = sent.len() + dead.len();
    if dry_run {
        return Ok(n);
    }
    if !sent.is_empty() {
        diesel::update(outbox::table.filter(outbox::id.eq_any(sent)))
            .set(blank_message())
            .execute(conn)?;
    }
    if !dead.is_empty() {
        diesel::delete(outbox::table.filter(outbox::id.eq_any(dead))).execute(conn)?;
    }
    Ok(n)
}

/// Deletes at most `limit` ephemeral rows of each kind whose period ended before the given
/// instants; returns the counts by kind.
pub struct EphemeraCutoffs {
    pub sessions: NaiveDateTime,
    pub outbox: NaiveDateTime,
    pub webhooks: NaiveDateTime,
    pub idempotency: NaiveDateTime,
    pub email_verifications: NaiveDateTime,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct EphemeraCounts {
    pub phone_codes: usize,
    pub phone_sessions: usize,
    pub sessions: usize,
    pub outbox: usize,
    pub webhook_deliveries: usize,
    pub idempotency_keys: usize,
    pub email_verifications: usize,
    pub wechat_grants: usize,
    /// Mail files (`.eml`) written without SMTP; counted by the service, not here.
    pub mail_files: usize,
}

impl EphemeraCounts {
    /// The most rows of one kind (a chunk this large may have left more behind).
    pub fn largest(&self) -> usize {
        [
            self.phone_codes,
            self.phone_sessions,
            self.sessions,
            self.outbox,
            self.webhook_deliveries,
            self.idempotency_keys,
            self.email_verifications,
            self.wechat_grants,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }

    /// Adds another chunk's counts.
    pub fn add(&mut self, o: &EphemeraCounts) {
        self.phone_codes += o.phone_codes;
        self.phone_sessions += o.phone_sessions;
        self.sessions += o.sessions;
        self.outbox += o.outbox;
        self.webhook_deliveries += o.webhook_deliveries;
        self.idempotency_keys += o.idempotency_keys;
        self.email_verifications += o.email_verifications;
        self.wechat_grants += o.wechat_grants;
        self.mail_files += o.mail_files;
    }
}

/// Counts (`dry_run`) or deletes at most `limit` rows of each ephemeral kind that are due.
pub fn ephemera(
    conn: &mut Db,
    c: &EphemeraCutoffs,
    limit: i64,
    dry_run: bool,
) -> Result<EphemeraCounts, DieselError> {
    macro_rules! sweep {
        ($table:ident, $key:ident: $ty:ty, $filter:expr) => {{
            let ids: Vec<$ty> = $table::table
                .filter($filter)
                .select($table::$key)
                .limit(limit)
                .load(conn)?;
            let n = ids.len();
            if dry_run || n == 0 {
                n
            } else {
                diesel::delete($table::table.filter($table::$key.eq_any(ids))).execute(conn)?
            }
        }};
    }
    Ok(EphemeraCounts {
        mail_files: 0,
        phone_codes: sweep!(phone_codes, id: i64, phone_codes::expires_at.lt(c.sessions)),
        phone_sessions: sweep!(phone_sessions, token_hash: String,
            phone_sessions::expires_at.lt(c.sessions)
        ),
        sessions: sweep!(sessions, token_hash: String, sessions::expires_at.lt(c.sessions)),
        outbox: old_messages(conn, c.outbox, limit, dry_run)?,
        webhook_deliveries: sweep!(webhook_deliveries, id: i64,
            webhook_deliveries::delivered_at
                .lt(c.webhooks)
                .or(webhook_deliveries::dead_at.lt(c.webhooks))
        ),
        idempotency_keys: sweep!(idempotency_keys, key_hash: String,
            idempotency_keys::created_at.lt(c.idempotency)
        ),
        email_verifications: sweep!(email_verifications, case_id: i64,
            email_verifications::verified_at.lt(c.email_verifications)
        ),
        wechat_grants: sweep!(wechat_grants, id: i64,
            wechat_grants::used_at.lt(c.sessions).or(wechat_grants::used_at
                .is_null()
                .and(wechat_grants::granted_at.lt(c.sessions)))
        ),
    })
}
