//! 12315 work orders out: the handling result of every imported work order whose case changed
//! in a period, for filing back on the platform. Only what the bureau decided: no personal
//! data beyond the 登记编号 the platform sent.

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::{Db, ServiceError};
use crate::clock::{china_date, china_offset};
use crate::domain::action::ActionKind;
use crate::domain::event_payload::EventPayload;
use crate::domain::steps::substance;
use crate::store::models::EventRow;
use crate::store::{cases, events, work_orders};

/// One work order's result.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkOrderResult {
    pub registration_no: String,
    pub case_no: String,
    /// The case's state, in Chinese.
    pub state: String,
    pub accepted_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// What was decided, as the timelines word it; empty while nothing is.
    pub outcome: String,
    /// Money recovered by the settlement, in fen.
    pub recovered_fen: Option<i64>,
}

/// The column headers, in the order of the fields of [`WorkOrderResult`].
pub const HEADERS: [&str; 7] = [
    "登记编号",
    "案件编号",
    "处理状态",
    "受理日期",
    "办结日期",
    "处理结果",
    "挽回经济损失（元）",
];

impl WorkOrderResult {
    /// The money recovered in yuan, `1234.50`.
    pub fn recovered_yuan(&self) -> Option<String> {
        self.recovered_fen
            .map(|f| format!("{}.{:02}", f / 100, (f % 100).abs()))
    }
}

/// Steps that decide a case's handling: the last one is its result.
const DECISIONS: &[ActionKind] = &[
    ActionKind::Accept,
    ActionKind::NotAccept,
    ActionKind::Transfer,
    ActionKind::Settle,
    ActionKind::Terminate,
    ActionKind::Withdraw,
    ActionKind::Reopen,
    ActionKind::MergeInto,
    ActionKind::ConsumerAccept,
    ActionKind::OpenCase,
    ActionKind::NotOpen,
    ActionKind::MarkRepeated,
    ActionKind::MergeReport,
    ActionKind::ReferReporter,
    ActionKind::JoinInto,
];

/// Work orders whose case has an event on a day (China time) from `from` to `to`, both
/// included, by 登记编号.
pub fn results(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<WorkOrderResult>, ServiceError> {
    let start = start_of(from)?;
    let end = start_of(to.succ_opt().ok_or(ServiceError::NotFound)?)?;
    let orders = work_orders::changed_between(conn, start, end)?;
    let mut out = Vec::with_capacity(orders.len());
    for (registration_no, case_id) in orders {
        let case = cases::find_by_id(conn, case_id)?;
        let log = events::list(conn, case_id)?;
        let accepted_on = log
            .iter()
            .rfind(|e| e.kind == ActionKind::Accept.as_str())
            .map(|e| day_of(e.at));
        let decision = log
            .iter()
            .rev()
            .find(|e| ActionKind::parse(&e.kind).is_some_and(|k| DECISIONS.contains(&k)));
        let (outcome, recovered_fen) = decision.map_or((String::new(), None), worded);
        out.push(WorkOrderResult {
            registration_no,
            case_no: case.case_no.clone(),
            state: case.state.label_zh().to_owned(),
            accepted_on,
            closed_on: case.closed_on,
            outcome,
            recovered_fen,
        });
    }
    Ok(out)
}

/// The step's name as done, and what it decided.
fn worded(event: &EventRow) -> (String, Option<i64>) {
    let Some(kind) = ActionKind::parse(&event.kind) else {
        return (String::new(), None);
    };
    let label = kind.event_label_to(event.to_state);
    let payload = EventPayload::parse(&event.payload);
    let said = payload.as_ref().and_then(|p| substance(&event.kind, p));
    let recovered = match kind {
        ActionKind::Settle => payload.as_ref().and_then(EventPayload::recovered_fen),
        _ => None,
    };
    let text = match said {
        Some(said) => format!("{label}：{said}"),
        None => label.to_owned(),
    };
    (text, recovered)
}

fn day_of(at: NaiveDateTime) -> NaiveDate {
    china_date(at.and_utc())
}

/// Midnight of `day` in China, as the stored (UTC) time.
fn start_of(day: NaiveDate) -> Result<NaiveDateTime, ServiceError> {
    let midnight = day.and_hms_opt(0, 0, 0).ok_or(ServiceError::NotFound)?;
    china_offset()
        .from_local_datetime(&midnight)
        .single()
        .map(|t| t.with_timezone(&Utc).naive_utc())
        .ok_or(ServiceError::NotFound)
}

/// The results of [`results`] written as a file of `format`, with how many rows it has: what
/// the command line saves and the admin page downloads.
pub fn results_file(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
    format: super::workorder_files::Format,
) -> Result<(usize, Vec<u8>), ServiceError> {
    let found = results(conn, from, to)?;
    let bytes = super::workorder_files::write_results(format, &found)
        .map_err(|e| ServiceError::Storage(format!("writing the results: {e}")))?;
    Ok((found.len(), bytes))
}
