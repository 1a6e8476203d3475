//! 12315 work orders in: each row becomes a complaint or a report through the same intake
//! checks as staff-keyed intake, keyed by its 登记编号 so that importing a file again changes
//! nothing, and a changed row is logged on its case instead of opening a second one. One
//! transaction per row. The results going back are in `workorders_export`.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::intake::{Channel, IntakeInput, check, receive_on};
use super::workorder_files::{Line, read_rows};
use super::{Ctx, Db, ServiceError};
use crate::clock::china_offset;
use crate::domain::case::CaseKind;
use crate::domain::gazetteer::Gazetteer;
use crate::domain::taxonomy::Taxonomy;
use crate::domain::workorder::{Column, HeaderMap, WorkOrder, read_row};
use crate::domain::workorder_map;
use crate::intake::NewCase;
use crate::intake::input::{ComplaintInput, PersonInput, PlaceInput, ReportInput, RespondentInput};
use crate::store::events::{self, EventDraft};
use crate::store::{cases, work_orders, write_transaction};

/// The event logged on a case when its work order was imported again with other content.
/// Staff only: the parties' timelines show no event kind they do not know.
pub const WORK_ORDER_CHANGED: &str = "work_order_changed";

/// The longest claim intake keeps (`ComplaintInput::claim`).
const CLAIM_CHARS: usize = 1000;

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// A new case (in a dry run: one would be opened; no number yet).
    Created { case_no: Option<String> },
    /// A new case whose address places it in no county: it waits in the unified intake
    /// unit's queue to be dispatched (Order 121 Art. 41).
    LeftForDispatch { case_no: Option<String> },
    /// Imported before with the same content: nothing done.
    Unchanged { case_no: String },
    /// Imported before with other content: logged on its case.
    Changed { case_no: String },
}

/// Why a row was not imported.
#[derive(Debug)]
pub enum RowError {
    /// The row's reasons, in Chinese.
    Refused(Vec<String>),
    Failed(ServiceError),
}

impl From<ServiceError> for RowError {
    fn from(e: ServiceError) -> RowError {
        RowError::Failed(e)
    }
}

impl From<diesel::result::Error> for RowError {
    fn from(e: diesel::result::Error) -> RowError {
        RowError::Failed(e.into())
    }
}

/// The SHA-256 of what odrdesk reads from a row, whatever the columns' order.
pub fn row_sha256(order: &WorkOrder) -> String {
    let fields = json!([
        order.registration_no,
        order.kind.as_str(),
        order.registered_at.map(|t| t.to_string()),
        order.received_via,
        order.business_name,
        order.business_address,
        order.claim,
        order.category,
        order.place,
        order.problem,
        order.person_name,
        order.person_phone,
        order.person_address,
    ]);
    hex::encode(Sha256::digest(fields.to_string().as_bytes()))
}

/// Imports one row in one transaction; with `write` false only checks it and writes nothing.
pub fn import_row(
    conn: &mut Db,
    ctx: &Ctx,
    order: &WorkOrder,
    write: bool,
) -> Result<RowOutcome, RowError> {
    let hash = row_sha256(order);
    if !write {
        return match work_orders::find(conn, &order.registration_no)? {
            Some(stored) => Ok(known(stored, &hash)),
            None => {
                let (input, channel) = to_input(order, ctx);
                let case = check(&input, &channel, ctx).map_err(|issues| refused(&issues))?;
                Ok(opened(&case, None))
            }
        };
    }
    write_transaction(conn, |conn| {
        if let Some(stored) = work_orders::find(conn, &order.registration_no)? {
            let outcome = known(stored.clone(), &hash);
            if let RowOutcome::Changed { .. } = outcome {
                log_change(conn, ctx, order, &stored, &hash)?;
            }
            return Ok(outcome);
        }
        let (input, channel) = to_input(order, ctx);
        let (case, submitted) = match receive_on(conn, ctx, &input, channel) {
            Err(ServiceError::Invalid(issues)) => return Err(refused(&issues)),
            other => other?,
        };
        let stored =
            cases::find_by_case_no(conn, &submitted.case_no)?.ok_or(ServiceError::NotFound)?;
        work_orders::insert(
            conn,
            &order.registration_no,
            stored.id,
            &hash,
            ctx.now.naive_utc(),
        )?;
        Ok(opened(&case, Some(submitted.case_no)))
    })
}

fn opened(case: &NewCase, case_no: Option<String>) -> RowOutcome {
    if case.awaiting_dispatch {
        RowOutcome::LeftForDispatch { case_no }
    } else {
        RowOutcome::Created { case_no }
    }
}

/// One refused row: its line in the file, its 登记编号 (empty when it has none) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: usize,
    pub registration_no: String,
    pub reasons: Vec<String>,
}

/// What an import did with a file's rows.
#[derive(Debug, Default)]
pub struct Tally {
    pub created: usize,
    /// New cases left in the unified intake unit's queue: no county placed them.
    pub left_for_dispatch: usize,
    pub unchanged: usize,
    pub changed: usize,
    pub refused: Vec<Refusal>,
}

/// A work-order file read and its header understood, before anything is imported.
pub struct OrderFile {
    /// The file's name as given (for the record; the format comes from its extension).
    pub name: String,
    /// The SHA-256 of the file's bytes, hex.
    pub sha256: String,
    map: HeaderMap,
    rows: Vec<Line>,
}

impl OrderFile {
    /// Reads `bytes` as the file `name`; or why nothing in it can be imported.
    pub fn read(name: &str, bytes: &[u8]) -> Result<OrderFile, String> {
        let mut rows = read_rows(name, bytes)?;
        if rows.is_empty() {
            return Err("文件为空".into());
        }
        let (_, headers) = rows.remove(0);
        let map = HeaderMap::read(&headers)
            .map_err(|missing| format!("缺少必需的列：{}", missing.join("、")))?;
        Ok(OrderFile {
            name: name.chars().filter(|c| !c.is_control()).take(200).collect(),
            sha256: hex::encode(Sha256::digest(bytes)),
            map,
            rows,
        })
    }

    /// Its data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// What importing a file did (or, in a dry run, would do).
#[derive(Debug)]
pub struct ImportReport {
    pub file_name: String,
    pub sha256: String,
    pub rows: usize,
    pub dry_run: bool,
    pub tally: Tally,
}

/// Imports a file's rows as `by` (an e-mail or the command line's user) and logs who
/// imported which file with what result, stored in `work_order_imports` unless it was a dry
/// run: the one way in for the command line and the page.
pub fn import_file(
    conn: &mut Db,
    ctx: &Ctx,
    by: &str,
    file: &OrderFile,
    write: bool,
    progress: &dyn Fn(),
) -> Result<ImportReport, ServiceError> {
    let tally = import_rows(conn, ctx, &file.map, &file.rows, write, progress);
    if write {
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let record = work_orders::ImportRecord {
            imported_by: by.to_owned(),
            file_name: file.name.clone(),
            file_sha256: file.sha256.clone(),
            counts: [
                count(file.rows.len()),
                count(tally.created),
                count(tally.left_for_dispatch),
                count(tally.unchanged),
                count(tally.changed),
                count(tally.refused.len()),
            ],
            imported_at: ctx.now.naive_utc(),
        };
        write_transaction(conn, |conn| {
            work_orders::record_import(conn, &record).map_err(ServiceError::from)
        })?;
    }
    tracing::info!(
        target: "odrdesk::audit",
        by,
        file = %file.name,
        sha256 = %file.sha256,
        dry_run = !write,
        rows = file.rows.len(),
        created = tally.created,
        left_for_dispatch = tally.left_for_dispatch,
        unchanged = tally.unchanged,
        changed = tally.changed,
        refused = tally.refused.len(),
        "12315 work orders imported"
    );
    Ok(ImportReport {
        file_name: file.name.clone(),
        sha256: file.sha256.clone(),
        rows: file.rows.len(),
        dry_run: !write,
        tally,
    })
}

/// Reads and imports every data row (`(line, cells)`, after the header `map` was read), each
/// in its own transaction; `progress` is called once per row. A 登记编号 given twice in one
/// file is refused the second time.
pub fn import_rows<S: AsRef<str>>(
    conn: &mut Db,
    ctx: &Ctx,
    map: &HeaderMap,
    rows: &[(usize, Vec<S>)],
    write: bool,
    progress: &dyn Fn(),
) -> Tally {
    let mut tally = Tally::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, cells) in rows {
        progress();
        let refuse = |registration_no: String, reasons: Vec<String>| Refusal {
            line: *line,
            registration_no,
            reasons,
        };
        let order = match read_row(map, cells) {
            Ok(order) => order,
            Err(issues) => {
                let no = map.get(cells, Column::RegistrationNo).unwrap_or("");
                let reasons = issues
                    .iter()
                    .map(|i| format!("{}：{}", i.column, i.message))
                    .collect();
                tally.refused.push(refuse(no.to_owned(), reasons));
                continue;
            }
        };
        if let Some(first) = seen.get(&order.registration_no) {
            let reason = format!("登记编号与第 {first} 行重复");
            tally
                .refused
                .push(refuse(order.registration_no.clone(), vec![reason]));
            continue;
        }
        seen.insert(order.registration_no.clone(), *line);
        match import_row(conn, ctx, &order, write) {
            Ok(RowOutcome::Created { .. }) => tally.created += 1,
            Ok(RowOutcome::LeftForDispatch { .. }) => tally.left_for_dispatch += 1,
            Ok(RowOutcome::Unchanged { .. }) => tally.unchanged += 1,
            Ok(RowOutcome::Changed { .. }) => tally.changed += 1,
            Err(RowError::Refused(reasons)) => {
                tally.refused.push(refuse(order.registration_no, reasons));
            }
            Err(RowError::Failed(e)) => {
                let reason = format!("写入数据库失败：{e}");
                tally
                    .refused
                    .push(refuse(order.registration_no, vec![reason]));
            }
        }
    }
    tally
}

fn known(stored: work_orders::StoredOrder, hash: &str) -> RowOutcome {
    if stored.row_sha256 == hash {
        RowOutcome::Unchanged {
            case_no: stored.case_no,
        }
    } else {
        RowOutcome::Changed {
            case_no: stored.case_no,
        }
    }
}

fn log_change(
    conn: &mut Db,
    ctx: &Ctx,
    order: &WorkOrder,
    stored: &work_orders::StoredOrder,
    hash: &str,
) -> Result<(), RowError> {
    events::append(
        conn,
        stored.case_id,
        EventDraft {
            kind: WORK_ORDER_CHANGED.into(),
            actor: "system".into(),
            actor_role: "system".into(),
            at: ctx.now.naive_utc(),
            from_state: None,
            to_state: None,
            reason: None,
            payload: json!({
                "v": 1,
                "registration_no": order.registration_no,
                "previous_sha256": stored.row_sha256,
                "row_sha256": hash,
            }),
        },
    )?;
    work_orders::update_hash(conn, &order.registration_no, hash, ctx.now.naive_utc())?;
    Ok(())
}

fn refused(issues: &[crate::intake::FieldIssue]) -> RowError {
    RowError::Refused(issues.iter().map(|i| i.message.clone()).collect())
}

/// The row as staff intake's input, received at its registration time (China time), or now;
/// a row whose addresses place it in no county is left for the unified intake unit.
fn to_input(order: &WorkOrder, ctx: &Ctx) -> (IntakeInput, Channel) {
    let gazetteer = Gazetteer::builtin();
    let district = order
        .business_address
        .as_deref()
        .and_then(|a| gazetteer.locate(a))
        .or_else(|| order.place.as_deref().and_then(|a| gazetteer.locate(a)))
        .map(|l| l.district);
    let received_at = order
        .registered_at
        .and_then(|t| china_offset().from_local_datetime(&t).single())
        .map_or(ctx.now, |t| t.with_timezone(&Utc));
    let channel = match district {
        Some(_) => Channel::Staff { received_at },
        None => Channel::ForDispatch { received_at },
    };
    let taxonomy = Taxonomy::builtin();
    let person = PersonInput {
        name: order.person_name.clone(),
        phone: order.person_phone.clone(),
        address: order.person_address.clone(),
        // The 12315 platform tells its own consumers; nobody asked them about our SMS.
        sms_notices: Some(false),
        ..PersonInput::default()
    };
    let has_person = order.person_name.is_some() || order.person_phone.is_some();
    let respondent = RespondentInput {
        name: order.business_name.clone(),
        address: order.business_address.clone(),
        district: district.clone(),
        ..RespondentInput::default()
    };
    let via = Some(workorder_map::channel(order).as_str().to_owned());
    let category = workorder_map::category(order, taxonomy);
    let nature = workorder_map::nature(order, taxonomy);
    let title = Some(workorder_map::title(order));
    let input = match order.kind {
        CaseKind::Complaint => IntakeInput::Complaint(ComplaintInput {
            channel: via,
            complainant: has_person.then_some(person),
            respondent: Some(respondent),
            category,
            nature,
            title,
            description: Some(order.claim.clone()),
            // The claim field holds less than the description: its start.
            claim: Some(order.claim.chars().take(CLAIM_CHARS).collect()),
            // The platform's export asks no 是否同意公示投诉信息: consent is never presumed.
            disclosure_consent: Some(false),
            ..ComplaintInput::default()
        }),
        CaseKind::Report => IntakeInput::Report(ReportInput {
            channel: via,
            reporter: has_person.then_some(person),
            respondent: Some(respondent),
            place: Some(PlaceInput {
                district,
                address: order
                    .place
                    .clone()
                    .or_else(|| order.business_address.clone()),
            }),
            category,
            nature,
            title,
            description: Some(order.claim.clone()),
            ..ReportInput::default()
        }),
    };
    (input, channel)
}
