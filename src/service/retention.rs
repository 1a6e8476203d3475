//! Retention and erasure: removes a case's personal data in one transaction, keeping its
//! figures (dates, codes, amounts, outcomes, clocks, district, category, nature, respondent)
//! so that bulletins of past quarters and business pages do not change; and deletes ephemera
//! (codes, sessions, sent messages, keys) after their period.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use serde::Serialize;
use serde_json::json;

use super::ServiceError;
use super::blob_sweep::DEFAULT_GRACE;
pub use super::retention_files::Files;
use crate::clock::china_date;
use crate::domain::retention::{self, CaseRetention, Ground, Periods};
use crate::store::events::{self, EventDraft};
use crate::store::models::EventRow;
use crate::store::retention::{self as store, EphemeraCounts, EphemeraCutoffs};
use crate::store::{Db, cases, checkpoint_truncate, documents, event_personal, write_transaction};

/// The event appended to an anonymised case.
pub const ANONYMISED: &str = "anonymised";

/// Who removes the data: the service itself (retention) or a staff member (erasure).
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    pub actor: &'a str,
    pub role: &'a str,
}

impl By<'static> {
    pub const SYSTEM: By<'static> = By {
        actor: "system",
        role: "system",
    };
}

/// What was removed from one case (counts only: this goes on the event).
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct Removed {
    pub parties: usize,
    pub case_text: usize,
    pub adverse_reaction: usize,
    pub rights_holder: usize,
    pub disclosure: usize,
    pub documents: usize,
    pub attachments: usize,
    pub messages: usize,
    pub event_parts: usize,
    pub blobs: usize,
    /// Mail files (`.eml`) of the case's messages.
    pub mail_files: usize,
}

impl Removed {
    /// Adds another case's counts.
    pub fn add(&mut self, o: &Removed) {
        self.parties += o.parties;
        self.case_text += o.case_text;
        self.adverse_reaction += o.adverse_reaction;
        self.rights_holder += o.rights_holder;
        self.disclosure += o.disclosure;
        self.documents += o.documents;
        self.attachments += o.attachments;
        self.messages += o.messages;
        self.event_parts += o.event_parts;
        self.blobs += o.blobs;
        self.mail_files += o.mail_files;
    }
}

/// Whether the event log of a case ends its personal data (an `anonymised` event).
pub fn was_anonymised(events: &[EventRow]) -> bool {
    events.iter().any(|e| e.kind == ANONYMISED)
}

/// Refuses (409 `case_anonymised`) any step on a case whose personal data was removed: a
/// new step would bring new personal data that no retention pass removes again.
pub fn refuse_if_anonymised(conn: &mut Db, case_id: i64) -> Result<(), ServiceError> {
    if store::is_anonymised(conn, case_id)? {
        return Err(anonymised_conflict());
    }
    Ok(())
}

/// The 409 answer to a step on an anonymised case.
pub fn anonymised_conflict() -> ServiceError {
    ServiceError::Conflict {
        code: "case_anonymised",
        message: "该案件的个人信息已按规定删除，不能再办理".into(),
    }
}

/// Removes the personal data of the closed case `case_id` in one transaction, appends the
/// `anonymised` event, then deletes the mail files of its messages and the blob files no row
/// references any more (older than the sweep's grace period). `None` when the case was
/// anonymised before (a second run changes nothing); `Conflict` when it is open.
pub fn anonymise_case(
    conn: &mut Db,
    files: Option<&Files>,
    case_id: i64,
    ground: Ground,
    by: By,
    now: DateTime<Utc>,
) -> Result<Option<Removed>, ServiceError> {
    let done = write_transaction(conn, |conn| {
        cases::lock_case(conn, case_id)?;
        let Some(case) = cases::find_by_id(conn, case_id).optional()? else {
            return Err(ServiceError::NotFound);
        };
        if store::is_anonymised(conn, case_id)? {
            return Ok(None);
        }
        if case.closed_on.is_none() {
            return Err(ServiceError::Conflict {
                code: "case_open",
                message: format!("案件 {} 尚未办结，不能匿名化", case.case_no),
            });
        }
        let (documents, pdfs) = documents::erase_of_case(conn, case_id)?;
        let (attachments, mut shas) = store::delete_attachments(conn, case_id)?;
        shas.extend(pdfs);
        let mail = store::case_message_ids(conn, case_id)?;
        let removed = Removed {
            parties: store::clear_parties(conn, case_id)?,
            case_text: store::clear_case_text(conn, case_id)?,
            adverse_reaction: store::clear_adverse_reaction(conn, case_id)?,
            rights_holder: store::clear_rights_holder(conn, case_id)?,
            disclosure: store::clear_disclosure(conn, case_id)?,
            documents,
            attachments,
            messages: store::delete_case_messages(conn, case_id)?,
            event_parts: event_personal::forget(conn, case_id)?,
            blobs: 0,
            mail_files: 0,
        };
        let mut payload = json!({"v": 1, "ground": ground.code(), "removed": removed});
        if let Some(basis) = ground.basis() {
            payload["basis"] = json!(basis.as_str());
        }
        events::append(
            conn,
            case_id,
            EventDraft {
                kind: ANONYMISED.into(),
                actor: by.actor.into(),
                actor_role: by.role.into(),
                at: now.naive_utc(),
                from_state: None,
                to_state: None,
                reason: Some(ground.code().into()),
                payload,
            },
        )?;
        store::mark_anonymised(conn, case_id, ground.code(), now.naive_utc())?;
        Ok(Some((removed, shas, mail)))
    })?;
    let Some((mut removed, shas, mail)) = done else {
        return Ok(None);
    };
    if let Some(files) = files {
        removed.mail_files = files.remove_mail(&mail)?;
        removed.blobs = files.remove_blobs(conn, shas, now.into(), DEFAULT_GRACE)?;
    }
    Ok(Some(removed))
}

/// What one retention pass did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct RetentionReport {
    pub dry_run: bool,
    /// Cases anonymised, by retention kind (`CaseRetention::as_str`).
    pub cases: BTreeMap<&'static str, usize>,
    pub ephemera: EphemeraCounts,
    /// Whether the pass stopped at the batch size (another pass has more to do).
    pub more: bool,
}

impl RetentionReport {
    pub fn total_cases(&self) -> usize {
        self.cases.values().sum()
    }
}

/// Rows read per page while looking for due cases.
const PAGE: i64 = 500;

/// The closed cases due on `now`'s China date, oldest first, at most `periods.batch`; and
/// whether more may be due.
pub fn due_cases(
    conn: &mut Db,
    periods: &Periods,
    now: DateTime<Utc>,
) -> Result<(Vec<(i64, CaseRetention)>, bool), ServiceError> {
    let today = china_date(now);
    let cutoff = periods.earliest_cutoff(today);
    let batch = periods.batch as usize;
    let mut due = Vec::new();
    let mut after = None;
    loop {
        let page = store::candidates(conn, cutoff, after, PAGE)?;
        for c in &page {
            let Some(closed_on) = c.closed_on else {
                continue;
            };
            let kind = CaseRetention::of(c.kind, c.state, c.adverse_reaction.is_some());
            if retention::is_due(periods, kind, closed_on, today) {
                if due.len() == batch {
                    return Ok((due, true));
                }
                due.push((c.id, kind));
            }
            after = Some((closed_on, c.id));
        }
        if (page.len() as i64) < PAGE {
            return Ok((due, false));
        }
    }
}

/// How long one pass keeps deleting ephemera chunk after chunk.
const EPHEMERA_BUDGET: std::time::Duration = std::time::Duration::from_secs(20);

/// One retention pass as of `now`: anonymises at most `periods.batch` due cases (one
/// transaction each, `progress` told after each); deletes due ephemera and mail files in
/// chunks of `batch` (one transaction each) until a chunk comes back short or the time
/// budget is spent; then, on SQLite, empties the write-ahead log so that no old copy of an
/// erased row stays in it. A dry run only counts (one chunk).
pub fn run(
    conn: &mut Db,
    files: Option<&Files>,
    periods: &Periods,
    now: DateTime<Utc>,
    dry_run: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<RetentionReport, ServiceError> {
    let (due, more) = due_cases(conn, periods, now)?;
    let mut report = RetentionReport {
        dry_run,
        more,
        ..RetentionReport::default()
    };
    for (done, (case_id, kind)) in due.iter().enumerate() {
        let counted = if dry_run {
            true
        } else {
            anonymise_case(conn, files, *case_id, Ground::Retention, By::SYSTEM, now)?.is_some()
        };
        if counted {
            *report.cases.entry(kind.as_str()).or_default() += 1;
        }
        progress(done + 1, due.len());
    }
    let (ephemera, ephemera_more) = ephemera(conn, files, periods, now, dry_run)?;
    report.ephemera = ephemera;
    report.more |= ephemera_more;
    if !dry_run {
        checkpoint_truncate(conn)?;
    }
    tracing::info!(
        target: "odrdesk::audit",
        action = "retention_run",
        at = %now.to_rfc3339(),
        dry_run,
        cases = report.total_cases(),
        more = report.more,
        "retention pass"
    );
    Ok(report)
}

/// Deletes due ephemera in chunks until a chunk comes back short or the budget is spent;
/// returns the counts and whether more may be due.
fn ephemera(
    conn: &mut Db,
    files: Option<&Files>,
    periods: &Periods,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<(EphemeraCounts, bool), ServiceError> {
    let at = now.naive_utc();
    let cutoffs = EphemeraCutoffs {
        sessions: retention::ephemeral_cutoff(at, periods.sessions_days),
        outbox: retention::ephemeral_cutoff(at, periods.outbox_days),
        webhooks: retention::ephemeral_cutoff(at, periods.webhook_days),
        idempotency: retention::ephemeral_cutoff(at, periods.idempotency_days),
        email_verifications: retention::ephemeral_cutoff(at, periods.email_verification_days),
    };
    let mail_cutoff = cutoffs.outbox.and_utc().into();
    let limit = periods.batch as usize;
    let started = std::time::Instant::now();
    let mut total = EphemeraCounts::default();
    loop {
        let chunk = write_transaction(conn, |conn| {
            store::ephemera(conn, &cutoffs, i64::from(periods.batch), dry_run)
                .map_err(ServiceError::from)
        })?;
        let mail_files = match files {
            Some(f) => f.expire_mail(mail_cutoff, limit, dry_run)?,
            None => 0,
        };
        let full = chunk.largest().max(mail_files) >= limit;
        total.add(&chunk);
        total.mail_files += mail_files;
        if dry_run || !full || started.elapsed() > EPHEMERA_BUDGET {
            return Ok((total, full));
        }
    }
}
