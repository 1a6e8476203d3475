//! What of a logged event stays for good and what is personal, so it can be forgotten
//! (PIPL) while the hash chain still proves every figure.
//!
//! `split` keeps an ALLOW-list of payload keys: figures, codes, dates, amounts, ids, case and
//! document numbers, SHA-256s, states, flags. Every other key (party-written text, names, the
//! police unit, a staff member's e-mail in `assign`, keys added later) is personal. The
//! `reason` key is a code on the steps that store a code in it and free text elsewhere. An
//! actor that names a WeChat user (`wechat:<openid>`) keeps only its prefix. The event's
//! `reason` column likewise stays only where it holds a code (or, on `report_merged`, the
//! date the clocks restart on); free text typed by staff (a transfer's or a decision not to
//! open's grounds, a referral's authority) moves to the personal part (`split_reason`).
//!
//! `join` puts the personal part back; without it (forgotten) the payload has only the kept
//! keys, which is all the clocks, bulletins, scorecards and the audit read.

use serde_json::{Map, Value};

/// What timelines and documents show where forgotten text was.
pub const ANONYMISED_ZH: &str = "（已匿名化）";

/// The personal part's key for an actor that named a person.
const ACTOR_KEY: &str = "@actor";

/// The personal part's key for a `reason` column that held free text.
const REASON_KEY: &str = "@reason";

/// A WeChat user acting: the prefix is kept, the openid is personal.
const WECHAT_PREFIX: &str = "wechat:";

/// Payload keys that are figures or codes on every kind of event.
pub const KEPT_KEYS: &[&str] = &[
    "v",
    "action",
    "agreement_form",
    "assignee_id",
    "attachment_id",
    "attachment_sha256",
    "audience",
    "basis",
    "bureau",
    "case_no",
    "channel",
    "clock",
    "complaint",
    "consent",
    "date",
    "document_id",
    "due",
    "due_provisional",
    "files",
    "first",
    "fulfilled",
    "ground",
    "kind",
    "linked_case_no",
    "means",
    "number",
    "outside",
    "party",
    "pdf_sha256",
    "performance_due",
    "policy_version",
    "previous_sha256",
    "proof",
    "received_at",
    "recovered_fen",
    "referred_on",
    "removed",
    "registration_no",
    "replaces",
    "replaces_id",
    "represented_consent",
    "restarts_on",
    "row_sha256",
    "score",
    "second",
    "sha256",
    "source",
    "title",
    "to",
    "unpublished",
    "view",
];

/// Kinds whose `reason` is a code (not accepting, terminating, pausing, refusing a
/// disclosure, the kind of an issued or printed document, a police referral's termination
/// ground, an anonymisation's ground); on every other kind it is free text.
pub const REASON_IS_CODE: &[&str] = &[
    "not_accept",
    "terminate",
    "pause",
    "disclosure_refused",
    "document_issued",
    "document_printed",
    "police_referral",
    "anonymised",
];

/// The kind whose `reason` column holds the date the clocks restart on.
const REASON_IS_DATE: &str = crate::domain::clocks::REPORT_MERGED;

/// Whether the payload key `key` of an event of `kind` is kept for good.
pub fn is_kept(kind: &str, key: &str) -> bool {
    KEPT_KEYS.contains(&key) || key == "reason" && REASON_IS_CODE.contains(&kind)
}

/// Whether the `reason` column of an event of `kind` stays in `case_events` for good.
pub fn reason_is_kept(kind: &str) -> bool {
    REASON_IS_CODE.contains(&kind) || kind == REASON_IS_DATE
}

/// The `reason` column to store for an event of `kind`, and its personal part: free text
/// moves into the part (under `"@reason"`) and the column stays empty.
pub fn split_reason(
    kind: &str,
    reason: Option<String>,
    personal: Option<Value>,
) -> (Option<String>, Option<Value>) {
    match reason {
        Some(text) if !reason_is_kept(kind) => {
            let mut part = match personal {
                Some(Value::Object(fields)) => fields,
                Some(other) => Map::from_iter([(String::new(), other)]),
                None => Map::new(),
            };
            part.insert(REASON_KEY.into(), text.into());
            (None, Some(Value::Object(part)))
        }
        reason => (reason, personal),
    }
}

/// The `reason` as written: the column, or the free text kept in the personal part.
pub fn joined_reason(column: Option<String>, personal: Option<&Value>) -> Option<String> {
    column.or_else(|| {
        personal
            .and_then(|p| p.get(REASON_KEY))
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

/// An event's stored parts: the actor and payload that stay, and the personal rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub actor: String,
    pub kept: Value,
    pub personal: Option<Value>,
}

/// Splits an event into what stays and what is personal. A payload that is not an object
/// is personal as a whole (the kept payload is then `{}`).
pub fn split(kind: &str, actor: &str, payload: Value) -> Split {
    let mut kept = Map::new();
    let mut personal = Map::new();
    match payload {
        Value::Object(fields) => {
            for (key, value) in fields {
                if is_kept(kind, &key) {
                    kept.insert(key, value);
                } else {
                    personal.insert(key, value);
                }
            }
        }
        Value::Null => {}
        other => {
            personal.insert(String::new(), other);
        }
    }
    let actor = match actor.strip_prefix(WECHAT_PREFIX) {
        Some(id) if !id.is_empty() => {
            personal.insert(ACTOR_KEY.into(), actor.into());
            WECHAT_PREFIX.to_owned()
        }
        _ => actor.to_owned(),
    };
    Split {
        actor,
        kept: Value::Object(kept),
        personal: (!personal.is_empty()).then_some(Value::Object(personal)),
    }
}

/// The event as written: the kept actor and payload with the personal part put back.
pub fn join(actor: &str, kept: Value, personal: Option<Value>) -> (String, Value) {
    let Some(Value::Object(mut personal)) = personal else {
        return (actor.to_owned(), kept);
    };
    personal.remove(REASON_KEY);
    let actor = match personal.remove(ACTOR_KEY) {
        Some(Value::String(a)) => a,
        _ => actor.to_owned(),
    };
    if let Some(whole) = personal.remove("") {
        return (actor, whole);
    }
    let payload = match kept {
        Value::Object(mut fields) => {
            // A kept key is what the chain proves: the personal part never overrides it.
            for (key, value) in personal {
                fields.entry(key).or_insert(value);
            }
            Value::Object(fields)
        }
        other => other,
    };
    (actor, payload)
}

/// The text key a timeline shows for an event of `kind`, if any.
fn shown_text(kind: &str) -> Option<&'static str> {
    match kind {
        "note" | "message" | "notify_reporter" => Some("text"),
        "odr_answer" => Some("proposal"),
        "settle" => Some("agreement"),
        "reply_written" | "disclosure_approved" => Some("reply"),
        _ => None,
    }
}

/// The payload of an event whose personal part was forgotten: the kept keys, and
/// `ANONYMISED_ZH` as the text a timeline shows for the kind.
pub fn forgotten(kind: &str, kept: Value) -> Value {
    match (kept, shown_text(kind)) {
        (Value::Object(mut fields), Some(key)) => {
            fields.insert(key.into(), ANONYMISED_ZH.into());
            Value::Object(fields)
        }
        (kept, _) => kept,
    }
}

#[cfg(test)]
#[path = "event_personal_tests.rs"]
mod tests;
