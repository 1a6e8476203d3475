//! Data subject requests (PIPL Art. 45 access, Art. 47 erasure): everything held about a
//! complainant or reporter found by phone or ID number, as JSON; and erasure of their closed
//! cases through `retention::anonymise_case`. Each request is one line on the
//! `odrdesk::audit` target (who, when, how many cases, a hash of the key; no personal data).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ServiceError;
use super::retention::{By, Files, Removed, anonymise_case};
use crate::domain::retention::{ErasureBasis, Ground, IdNumber, SubjectKey};
use crate::store::models::{CaseRow, PartyRow};
use crate::store::subjects::{self, Key, Message};
use crate::store::{Db, cases, disclosures, events, retention};

/// Who the request is about: exactly one of the two.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SubjectInput {
    #[schema(example = "13912345678")]
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ErasureInput {
    #[serde(flatten)]
    pub subject: SubjectInput,
    /// The PIPL Art. 47 ground the request was granted on.
    pub basis: ErasureBasis,
    /// The case numbers to erase (from the export). Required when the parties found are not
    /// clearly one person (different names or ID numbers behind one phone number).
    #[serde(default)]
    pub cases: Option<Vec<String>>,
}

/// Parses the subject's key; 422 when neither or both are given, or the one given is invalid.
pub fn parse_key(input: &SubjectInput) -> Result<SubjectKey, ServiceError> {
    let phone = input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let id = input
        .id_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match (phone, id) {
        (Some(p), None) => p.parse().map(SubjectKey::Phone).map_err(|_| {
            ServiceError::invalid_field("phone", "phone_format", "手机号码格式不正确".into())
        }),
        (None, Some(n)) => IdNumber::parse(n).map(SubjectKey::IdNumber).ok_or_else(|| {
            ServiceError::invalid_field(
                "id_number",
                "id_number_format",
                "身份证号码格式不正确".into(),
            )
        }),
        _ => Err(ServiceError::invalid_field(
            "phone",
            "one_key",
            "请填写手机号码或身份证号码（二选一）".into(),
        )),
    }
}

fn store_key(key: &SubjectKey) -> Key<'_> {
    match key {
        SubjectKey::Phone(p) => Key::Phone(p.as_str()),
        SubjectKey::IdNumber(n) => Key::IdNumber(n.as_str()),
    }
}

/// A short hash of the key, for the audit line (never the key itself).
pub fn key_hash(key: &SubjectKey) -> String {
    let digest = Sha256::digest(format!("{}:{}", key.kind(), key.value()).as_bytes());
    hex::encode(&digest[..8])
}

/// Everything held about one subject.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectExport {
    /// `phone` or `id_number`.
    pub key_kind: &'static str,
    pub generated_at: DateTime<Utc>,
    /// One object per case: its non-personal facts (numbers, dates, state, products, events
    /// without their texts), the subject's own party rows and, for a case they wrote, its text,
    /// adverse reaction, attachments (metadata) and disclosure choice.
    #[schema(value_type = Vec<Object>)]
    pub cases: Vec<Value>,
    /// Messages addressed to the subject's own numbers, addresses and WeChat identity.
    #[schema(value_type = Vec<Object>)]
    pub messages: Vec<Message>,
    pub phone_codes: i64,
    pub phone_sessions: i64,
}

/// The export for an access request, read in one transaction. A phone number may be shared
/// or recycled, so only what is the matched party's own goes out: their party rows, the
/// non-personal facts of their cases, the text of the cases they wrote (as complainant or
/// reporter), and the messages addressed to them.
pub fn export(
    conn: &mut Db,
    key: &SubjectKey,
    who: &str,
    now: DateTime<Utc>,
) -> Result<SubjectExport, ServiceError> {
    let out = diesel::Connection::transaction(conn, |conn| {
        let parties = subjects::parties_of(conn, store_key(key))?;
        let found = subjects::cases_by_id(conn, &case_ids(&parties))?;
        let mut addrs = vec![key.value().to_owned()];
        let mut list = Vec::with_capacity(found.len());
        for (id, _, _) in &found {
            let case = cases::find_by_id(conn, *id)?;
            let mine: Vec<&PartyRow> = parties.iter().filter(|p| p.case_id == *id).collect();
            addrs.extend(mine.iter().filter_map(|p| p.email.clone()));
            addrs.extend(mine.iter().filter_map(|p| p.phone.clone()));
            let author = mine.iter().any(|p| is_author(p));
            if author {
                addrs.extend(case.consumer_openid.clone());
            }
            list.push(case_export(conn, &case, &mine, author)?);
        }
        addrs.sort();
        addrs.dedup();
        let messages = subjects::messages(conn, &addrs)?;
        let (phone_codes, phone_sessions) = match key {
            SubjectKey::Phone(p) => subjects::phone_counts(conn, p.as_str())?,
            SubjectKey::IdNumber(_) => (0, 0),
        };
        Ok::<_, ServiceError>(SubjectExport {
            key_kind: key.kind(),
            generated_at: now,
            cases: list,
            messages,
            phone_codes,
            phone_sessions,
        })
    })?;
    tracing::info!(
        target: "odrdesk::audit",
        action = "subject_export",
        by = who,
        at = %now.to_rfc3339(),
        key_kind = key.kind(),
        key_hash = %key_hash(key),
        cases = out.cases.len(),
        "data subject access request"
    );
    Ok(out)
}

fn case_ids(parties: &[PartyRow]) -> Vec<i64> {
    let mut ids: Vec<i64> = parties.iter().map(|p| p.case_id).collect();
    ids.dedup();
    ids
}

/// Whether the party wrote the case (its text is theirs).
fn is_author(p: &PartyRow) -> bool {
    p.role == "complainant" || p.role == "reporter"
}

fn case_export(
    conn: &mut Db,
    case: &CaseRow,
    mine: &[&PartyRow],
    author: bool,
) -> Result<Value, ServiceError> {
    let id = case.id;
    // What happened when, without anyone's words.
    let events: Vec<_> = events::list(conn, id)?
        .into_iter()
        .map(|e| json!({"kind": e.kind, "at": e.at, "from_state": e.from_state, "to_state": e.to_state}))
        .collect();
    let products: Vec<_> = cases::products_of(conn, id)?
        .into_iter()
        .map(|p| p.data)
        .collect();
    let parties: Vec<_> = mine.iter().map(|p| &p.data).collect();
    let mut out = json!({
        "case_no": case.case_no,
        "kind": case.kind,
        "state": case.state,
        "received_at": case.received_at,
        "closed_on": case.closed_on,
        "district": case.district,
        "category": case.category,
        "nature": case.nature,
        "purchase_date": case.purchase_date,
        "purchase_amount_fen": case.purchase_amount_fen,
        "purchase_online": case.purchase_online,
        "purchase_platform": case.purchase_platform,
        "respondent_name": case.respondent_name,
        "anonymised": retention::is_anonymised(conn, id)?,
        "parties": parties,
        "products": products,
        "events": events,
    });
    if author {
        let attachments: Vec<_> = cases::attachments_of(conn, id)?
            .into_iter()
            .map(|a| a.data)
            .collect();
        out["title"] = json!(case.title);
        out["description"] = json!(case.description);
        out["claim"] = json!(case.claim);
        out["purchase_order_no"] = json!(case.purchase_order_no);
        out["consumer_openid"] = json!(case.consumer_openid);
        out["adverse_reaction"] = json!(cases::adverse_reaction_of(conn, id)?);
        out["attachments"] = json!(attachments);
        out["disclosure"] = json!(disclosures::find(conn, id)?);
    }
    Ok(out)
}

/// What an erasure did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErasureReport {
    /// Case numbers anonymised now.
    pub anonymised: Vec<String>,
    /// Case numbers anonymised before (nothing left to remove).
    pub already: Vec<String>,
    #[schema(value_type = Object)]
    pub removed: Removed,
}

/// Erases the subject's closed cases; refuses (409, listing them) while any is open. When
/// the parties found are not clearly one person (different names or ID numbers: a shared or
/// recycled phone number), `cases` must list the cases to erase, taken from the export.
pub fn erase(
    conn: &mut Db,
    files: Option<&Files>,
    key: &SubjectKey,
    basis: ErasureBasis,
    cases: Option<&[String]>,
    by: By,
    now: DateTime<Utc>,
) -> Result<ErasureReport, ServiceError> {
    let parties = subjects::parties_of(conn, store_key(key))?;
    let mut found = subjects::cases_by_id(conn, &case_ids(&parties))?;
    match cases {
        Some(chosen) => {
            if let Some(unknown) = chosen.iter().find(|c| !found.iter().any(|f| &f.1 == *c)) {
                return Err(ServiceError::invalid_field(
                    "cases",
                    "not_the_subjects",
                    format!("案件 {unknown} 不是该当事人的案件"),
                ));
            }
            found.retain(|f| chosen.contains(&f.1));
        }
        None if !one_person(&parties) => {
            return Err(ServiceError::invalid_field(
                "cases",
                "several_people",
                "该号码对应的当事人姓名或身份证号码不一致（号码可能被多人使用），\
                 请先导出，再在 cases 中列出要删除的案件"
                    .into(),
            ));
        }
        None => {}
    }
    let open: Vec<&str> = found
        .iter()
        .filter(|(_, _, closed)| closed.is_none())
        .map(|(_, no, _)| no.as_str())
        .collect();
    if !open.is_empty() {
        return Err(ServiceError::Conflict {
            code: "open_cases",
            message: format!("以下案件尚未办结，不能删除：{}", open.join("、")),
        });
    }
    let mut report = ErasureReport {
        anonymised: Vec::new(),
        already: Vec::new(),
        removed: Removed::default(),
    };
    for (id, case_no, _) in found {
        match anonymise_case(conn, files, id, Ground::Erasure(basis), by, now)? {
            Some(r) => {
                report.removed.add(&r);
                report.anonymised.push(case_no);
            }
            None => report.already.push(case_no),
        }
    }
    tracing::info!(
        target: "odrdesk::audit",
        action = "subject_erasure",
        by = by.actor,
        at = %now.to_rfc3339(),
        key_kind = key.kind(),
        key_hash = %key_hash(key),
        basis = basis.as_str(),
        cases = report.anonymised.len(),
        "data subject erasure request"
    );
    Ok(report)
}

/// Whether the parties found all have the same name and ID number (an ID number missing on
/// some rows does not tell them apart; different names or numbers do).
fn one_person(parties: &[PartyRow]) -> bool {
    fn distinct<'a>(values: impl Iterator<Item = Option<&'a str>>) -> usize {
        let mut seen: Vec<String> = values
            .flatten()
            .map(|v| v.trim().to_uppercase())
            .filter(|v| !v.is_empty())
            .collect();
        seen.sort();
        seen.dedup();
        seen.len()
    }
    distinct(parties.iter().map(|p| p.name.as_deref())) <= 1
        && distinct(parties.iter().map(|p| p.id_number.as_deref())) <= 1
}
