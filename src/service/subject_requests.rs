//! Data subject requests (PIPL Art. 45 access, Art. 47 erasure): everything held about a
//! complainant or reporter found by phone or ID number, as JSON; and erasure of their closed
//! cases through `retention::anonymise_case`. Each request is one line on the
//! `odrdesk::audit` target (who, when, how many cases, a hash of the key; no personal data).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ServiceError;
use super::retention::{By, Removed, anonymise_case};
use crate::blobs::BlobStore;
use crate::domain::retention::{ErasureBasis, Ground, IdNumber, SubjectKey};
use crate::store::models::CaseRow;
use crate::store::subjects::{self, Key, Message};
use crate::store::{Db, cases, disclosures, documents, events, retention, rights_holders};

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
    /// One object per case: the case, its parties, products, adverse reaction, attachments
    /// (metadata), events with their personal parts, documents, disclosure, rights holder.
    #[schema(value_type = Vec<Object>)]
    pub cases: Vec<Value>,
    /// Messages of these cases or addressed to the subject.
    #[schema(value_type = Vec<Object>)]
    pub messages: Vec<Message>,
    pub phone_codes: i64,
    pub phone_sessions: i64,
}

/// The export for an access request, read in one transaction.
pub fn export(
    conn: &mut Db,
    key: &SubjectKey,
    who: &str,
    now: DateTime<Utc>,
) -> Result<SubjectExport, ServiceError> {
    let out = diesel::Connection::transaction(conn, |conn| {
        let found = subjects::cases_of(conn, store_key(key))?;
        let mut addrs = vec![key.value().to_owned()];
        let mut list = Vec::with_capacity(found.len());
        for (id, _, _) in &found {
            let case = cases::find_by_id(conn, *id)?;
            let parties = cases::parties_of(conn, *id)?;
            addrs.extend(parties.iter().filter_map(|p| p.email.clone()));
            addrs.extend(parties.iter().filter_map(|p| p.phone.clone()));
            addrs.extend(case.consumer_openid.clone());
            list.push(case_export(conn, &case, &parties)?);
        }
        let ids: Vec<i64> = found.iter().map(|(id, _, _)| *id).collect();
        addrs.sort();
        addrs.dedup();
        let messages = subjects::messages(conn, &ids, &addrs)?;
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

fn case_export(
    conn: &mut Db,
    case: &CaseRow,
    parties: &[crate::store::models::PartyRow],
) -> Result<Value, ServiceError> {
    let id = case.id;
    let events: Vec<_> = events::list(conn, id)?
        .into_iter()
        .map(|e| e.data)
        .collect();
    let mut docs = Vec::new();
    for d in documents::of_case(conn, id)? {
        let fields =
            documents::fields_of(conn, d.id)?.and_then(|f| serde_json::from_str::<Value>(&f).ok());
        docs.push(json!({"document": d, "fields": fields}));
    }
    let attachments: Vec<_> = cases::attachments_of(conn, id)?
        .into_iter()
        .map(|a| a.data)
        .collect();
    let products: Vec<_> = cases::products_of(conn, id)?
        .into_iter()
        .map(|p| p.data)
        .collect();
    let parties: Vec<_> = parties.iter().map(|p| &p.data).collect();
    Ok(json!({
        "case_no": case.case_no,
        "kind": case.kind,
        "state": case.state,
        "received_at": case.received_at,
        "closed_on": case.closed_on,
        "district": case.district,
        "category": case.category,
        "nature": case.nature,
        "title": case.title,
        "description": case.description,
        "claim": case.claim,
        "purchase_date": case.purchase_date,
        "purchase_amount_fen": case.purchase_amount_fen,
        "purchase_online": case.purchase_online,
        "purchase_platform": case.purchase_platform,
        "purchase_order_no": case.purchase_order_no,
        "consumer_openid": case.consumer_openid,
        "respondent_name": case.respondent_name,
        "anonymised": retention::is_anonymised(conn, id)?,
        "parties": parties,
        "products": products,
        "adverse_reaction": cases::adverse_reaction_of(conn, id)?,
        "attachments": attachments,
        "events": events,
        "documents": docs,
        "disclosure": disclosures::find(conn, id)?,
        "rights_holder": rights_holders::of_case(conn, id)?,
    }))
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

/// Erases the subject's closed cases; refuses (409, listing them) while any is open.
pub fn erase(
    conn: &mut Db,
    blobs: Option<&BlobStore>,
    key: &SubjectKey,
    basis: ErasureBasis,
    by: By,
    now: DateTime<Utc>,
) -> Result<ErasureReport, ServiceError> {
    let found = subjects::cases_of(conn, store_key(key))?;
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
        match anonymise_case(conn, blobs, id, Ground::Erasure(basis), by, now)? {
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
