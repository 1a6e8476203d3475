//! Who reads which issued document: staff handling a case read all of them; the complainant
//! or reporter those addressed to them; the business only those addressed to both parties of
//! a complaint (never a report's, Order 121 Art. 37); analysts none. And the public check of a
//! printed copy by its verification code, which shows nothing personal.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use super::ServiceError;
use super::access::{Access, Caller};
use super::case_view::find_visible;
use crate::blobs::is_sha256;
use crate::domain::case::CaseKind;
use crate::domain::documents::{Audience, VerifyCode};
use crate::store::Db;
use crate::store::documents::{self as store, DocumentRow};

/// A document as a list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentSummary {
    pub id: i64,
    /// `acceptance`, `not_accepted`, `termination`, `mediation_agreement`, …
    pub kind: String,
    /// The document's title, e.g. 投诉受理决定书.
    pub title: String,
    /// Whom it is addressed to: `staff` (between the unified intake unit and the bureau),
    /// `complainant`, `both` (both parties of a complaint) or `reporter`.
    pub audience: String,
    /// e.g. 江蓬市监投受〔2026〕第15号.
    pub number: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    /// SHA-256 of the document as issued (its HTML), as logged in the case's event log.
    pub sha256: String,
    /// SHA-256 of the printed PDF, once printed.
    pub pdf_sha256: Option<String>,
    /// The verification code printed on it (groups of four).
    pub verify_code: String,
    /// The number of the document this one corrects.
    pub replaces: Option<String>,
    /// The number of a later document that corrects this one; this one no longer stands.
    pub replaced_by: Option<String>,
}

/// A document and the page it was issued as.
#[derive(Debug, Clone)]
pub struct DocumentFile {
    pub summary: DocumentSummary,
    pub html: String,
}

/// A document's text as issued, for clients that lay it out themselves (the mini-program):
/// read back from the stored page, never rendered again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentContent {
    pub id: i64,
    pub kind: String,
    /// As printed, e.g. 投诉受理决定书.
    pub title: String,
    pub number: String,
    /// The line above the body, e.g. 张三：.
    pub addressee: String,
    pub paragraphs: Vec<String>,
    /// 备注 / 抄送 lines printed under the seal block.
    pub notes: Vec<String>,
    /// The issuing bureau, as printed.
    pub bureau: String,
    /// The date as printed, e.g. 2026年5月6日.
    pub date: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    pub sha256: String,
    pub verify_code: String,
}

impl DocumentFile {
    /// The text of the stored page; `None` if the page is not one the layout made.
    pub fn content(&self) -> Option<DocumentContent> {
        let text = crate::documents::read_back(&self.html)?;
        let s = &self.summary;
        Some(DocumentContent {
            id: s.id,
            kind: s.kind.clone(),
            title: text.title,
            number: text.number,
            addressee: text.addressee,
            paragraphs: text.body,
            notes: text.notes,
            bureau: text.bureau,
            date: text.issued_on,
            issued_on: s.issued_on,
            sha256: s.sha256.clone(),
            verify_code: s.verify_code.clone(),
        })
    }
}

/// What `/verify/{code}` shows: enough to match a printed copy, nothing about the people.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifiedDocument {
    pub title: String,
    pub number: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    /// The issuing bureau's name.
    pub bureau: String,
    pub sha256: String,
    pub pdf_sha256: Option<String>,
    /// The number of a later document that corrects this one, if any.
    pub replaced_by: Option<String>,
    #[serde(skip)]
    pub issued_at: NaiveDateTime,
}

/// Whether `access` may read a document addressed to `audience` on a case of `kind`.
pub fn may_read(access: Access, kind: CaseKind, audience: Audience) -> bool {
    match access {
        Access::Staff(_) => true,
        Access::Consumer => audience.to_consumer(),
        Access::Enterprise => audience.to_business(kind),
        Access::Analyst => false,
    }
}

/// The documents of `case_no` the caller may read, oldest first.
pub fn list(
    conn: &mut Db,
    case_no: &str,
    caller: &Caller,
) -> Result<Vec<DocumentSummary>, ServiceError> {
    diesel::Connection::transaction(conn, |conn| {
        let (case, _, access) =
            find_visible(conn, case_no, caller)?.ok_or(ServiceError::NotFound)?;
        let rows = store::of_case(conn, case.id)?;
        Ok(rows
            .iter()
            .filter(|r| readable(access, case.kind, r))
            .map(|r| summary(r, &rows))
            .collect())
    })
}

/// One document of `case_no`, if the caller may read it; one they may not read answers as
/// one that does not exist.
pub fn fetch(
    conn: &mut Db,
    case_no: &str,
    id: i64,
    caller: &Caller,
) -> Result<DocumentFile, ServiceError> {
    diesel::Connection::transaction(conn, |conn| {
        let (case, _, access) =
            find_visible(conn, case_no, caller)?.ok_or(ServiceError::NotFound)?;
        let rows = store::of_case(conn, case.id)?;
        let row = rows
            .iter()
            .find(|r| r.id == id && readable(access, case.kind, r))
            .ok_or(ServiceError::NotFound)?;
        let html = store::html_of(conn, row.id)?.ok_or(ServiceError::NotFound)?;
        Ok(DocumentFile {
            summary: summary(row, &rows),
            html,
        })
    })
}

/// One document of `case_no` without its page, if the caller may read it (for its PDF).
pub fn find(
    conn: &mut Db,
    case_no: &str,
    id: i64,
    caller: &Caller,
) -> Result<DocumentSummary, ServiceError> {
    find_with(conn, case_no, id, caller, |_| Ok(()))
}

/// The document whose PDF the caller asks for; `Gone` (410) when its case was anonymised
/// and the PDF erased with it.
pub fn for_pdf(
    conn: &mut Db,
    case_no: &str,
    id: i64,
    caller: &Caller,
) -> Result<DocumentSummary, ServiceError> {
    find_with(conn, case_no, id, caller, |row| {
        if row.pdf_sha256.as_deref() == Some(store::ERASED_PDF) {
            return Err(ServiceError::Gone(
                "该案件的个人信息已按规定删除，文书 PDF 不再提供".into(),
            ));
        }
        Ok(())
    })
}

fn find_with(
    conn: &mut Db,
    case_no: &str,
    id: i64,
    caller: &Caller,
    check: impl FnOnce(&DocumentRow) -> Result<(), ServiceError>,
) -> Result<DocumentSummary, ServiceError> {
    diesel::Connection::transaction(conn, |conn| {
        let (case, _, access) =
            find_visible(conn, case_no, caller)?.ok_or(ServiceError::NotFound)?;
        let rows = store::of_case(conn, case.id)?;
        let row = rows
            .iter()
            .find(|r| r.id == id && readable(access, case.kind, r))
            .ok_or(ServiceError::NotFound)?;
        check(row)?;
        Ok(summary(row, &rows))
    })
}

/// The PDF blob of a printed document; `None` until it is printed or once it was erased.
fn printed_pdf(row: &DocumentRow) -> Option<String> {
    row.pdf_sha256.clone().filter(|s| is_sha256(s))
}

/// The public check of a printed copy. A malformed code answers like an unknown one.
pub fn verify(conn: &mut Db, typed: &str) -> Result<VerifiedDocument, ServiceError> {
    let code = VerifyCode::parse(typed).ok_or(ServiceError::NotFound)?;
    diesel::Connection::transaction(conn, |conn| {
        let row = store::by_verify_code(conn, code.as_str())?.ok_or(ServiceError::NotFound)?;
        let rows = store::of_case(conn, row.case_id)?;
        let replaced_by = rows
            .iter()
            .find(|r| r.replaces_id == Some(row.id))
            .map(|r| r.number.clone());
        let fields: serde_json::Value = store::fields_of(conn, row.id)?
            .and_then(|f| serde_json::from_str(&f).ok())
            .unwrap_or_default();
        Ok(VerifiedDocument {
            title: title_of(&row),
            number: row.number.clone(),
            issued_on: row.issued_on,
            bureau: fields["bureau"].as_str().unwrap_or_default().to_owned(),
            sha256: row.sha256.clone(),
            pdf_sha256: printed_pdf(&row),
            replaced_by,
            issued_at: row.issued_at,
        })
    })
}

fn readable(access: Access, kind: CaseKind, row: &DocumentRow) -> bool {
    Audience::parse(&row.audience).is_some_and(|a| may_read(access, kind, a))
}

fn title_of(row: &DocumentRow) -> String {
    row.title.clone()
}

fn summary(row: &DocumentRow, all: &[DocumentRow]) -> DocumentSummary {
    DocumentSummary {
        id: row.id,
        kind: row.kind.clone(),
        title: title_of(row),
        audience: row.audience.clone(),
        number: row.number.clone(),
        issued_on: row.issued_on,
        sha256: row.sha256.clone(),
        pdf_sha256: printed_pdf(row),
        verify_code: VerifyCode::parse(&row.verify_code)
            .map_or_else(|| row.verify_code.clone(), |c| c.grouped()),
        replaces: row
            .replaces_id
            .and_then(|id| all.iter().find(|r| r.id == id))
            .map(|r| r.number.clone()),
        replaced_by: all
            .iter()
            .find(|r| r.replaces_id == Some(row.id))
            .map(|r| r.number.clone()),
    }
}
