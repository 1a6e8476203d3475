//! Proof that the e-mail address given with a case reaches the person who filed it. Anyone
//! can type a stranger's address into a form, so until the link in the acknowledgement is
//! opened that address gets no other mail (`service::mail`). Holding the tracking token
//! proves nothing here: the one who typed the address holds it. Addresses keyed in by staff
//! (phone, letter, visit) are the bureau's own record and count as verified from the start.

use chrono::{DateTime, Utc};
use diesel::Connection;

use super::ServiceError;
use crate::secrets::EmailCode;
use crate::store::models::CaseRow;
use crate::store::{Db, cases, email_verifications, workflow};

/// Records how the case's address is verified; the code to mail when it must be proven.
pub(crate) fn start(
    conn: &mut Db,
    case: &CaseRow,
    now: DateTime<Utc>,
) -> Result<Option<EmailCode>, ServiceError> {
    if case.channel.is_staff_keyed() {
        for id in with_linked_reports(conn, case)? {
            email_verifications::insert(conn, id, None, Some(now.naive_utc()))?;
        }
        return Ok(None);
    }
    let code = EmailCode::generate().map_err(|e| ServiceError::Storage(e.to_string()))?;
    email_verifications::insert(conn, case.id, Some(&code.hash()), None)?;
    Ok(Some(code))
}

/// Whether mail other than the acknowledgement may go to the case's submitter. A case with
/// no record (filed before verification existed) counts as unverified.
pub(crate) fn is_verified(conn: &mut Db, case_id: i64) -> Result<bool, ServiceError> {
    Ok(email_verifications::of_case(conn, case_id)?.is_some_and(|v| v.verified_at.is_some()))
}

/// Opens the link: the address of `case_no` (and of a report opened alongside it, which the
/// complainant follows through the complaint) is verified. A wrong code answers like a
/// missing case.
pub fn confirm(
    conn: &mut Db,
    case_no: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    conn.transaction(|conn| {
        let case = cases::find_by_case_no(conn, case_no)?.ok_or(ServiceError::NotFound)?;
        let stored = email_verifications::of_case(conn, case.id)?.and_then(|v| v.code_hash);
        let matches = EmailCode::parse(code)
            .zip(stored)
            .is_some_and(|(code, hash)| code.matches(&hash));
        if !matches {
            return Err(ServiceError::NotFound);
        }
        let at = now.naive_utc();
        for id in with_linked_reports(conn, &case)? {
            match email_verifications::of_case(conn, id)? {
                Some(_) => email_verifications::confirm(conn, id, at)?,
                None => email_verifications::insert(conn, id, None, Some(at))?,
            }
        }
        Ok(())
    })
}

/// The case and the reports opened alongside it, which share its submitter.
fn with_linked_reports(conn: &mut Db, case: &CaseRow) -> Result<Vec<i64>, ServiceError> {
    let mut ids = vec![case.id];
    for (no, relation, outgoing) in workflow::links_of(conn, case.id)? {
        if outgoing && relation == "linked_report" {
            ids.extend(cases::find_by_case_no(conn, &no)?.map(|c| c.id));
        }
    }
    Ok(ids)
}
