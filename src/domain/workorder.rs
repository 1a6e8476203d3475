//! Work orders exported from the national 12315 platform: which column is which, by its
//! header (in any order, with extra columns ignored and optional ones missing), and one row
//! read into typed fields or refused with its reasons. Turning a row into a case is the
//! service's (`service::workorders`); this module only reads.

use chrono::{NaiveDate, NaiveDateTime};

use super::case::CaseKind;

/// A column of the export that odrdesk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    RegistrationNo,
    Kind,
    ReceivedVia,
    BusinessName,
    BusinessAddress,
    Claim,
    ProblemCategory,
    Place,
    Problem,
    InitialStatus,
    HandlingOrg,
    HandlingDept,
    Feedback,
    RegisteredAt,
    PersonName,
    PersonPhone,
    PersonAddress,
}

impl Column {
    pub const ALL: [Column; 17] = [
        Column::RegistrationNo,
        Column::Kind,
        Column::ReceivedVia,
        Column::BusinessName,
        Column::BusinessAddress,
        Column::Claim,
        Column::ProblemCategory,
        Column::Place,
        Column::Problem,
        Column::InitialStatus,
        Column::HandlingOrg,
        Column::HandlingDept,
        Column::Feedback,
        Column::RegisteredAt,
        Column::PersonName,
        Column::PersonPhone,
        Column::PersonAddress,
    ];

    /// Headers this column is known by; the first is the platform's own.
    pub fn headers(self) -> &'static [&'static str] {
        match self {
            Column::RegistrationNo => &["登记编号", "工单编号"],
            Column::Kind => &["类型", "工单类型", "诉求类型"],
            Column::ReceivedVia => &["接收方式", "登记渠道"],
            Column::BusinessName => &["企业名称", "被投诉人", "被举报人", "经营者名称"],
            Column::BusinessAddress => &["企业地址", "经营者地址", "被投诉人地址"],
            Column::Claim => &["诉求内容", "投诉内容", "举报内容"],
            Column::ProblemCategory => &["问题类别"],
            Column::Place => &["事发地", "事发地址"],
            Column::Problem => &["具体问题"],
            Column::InitialStatus => &["初查受理状态", "处理状态"],
            Column::HandlingOrg => &["处理机构"],
            Column::HandlingDept => &["处理部门"],
            Column::Feedback => &["反馈内容"],
            Column::RegisteredAt => &["登记时间", "登记日期", "接收时间"],
            Column::PersonName => &["投诉人", "举报人", "姓名", "联系人"],
            Column::PersonPhone => &["联系电话", "手机号码", "电话"],
            Column::PersonAddress => &["投诉人地址", "举报人地址", "联系地址"],
        }
    }

    /// A row cannot become a case without these.
    pub fn required(self) -> bool {
        matches!(self, Column::RegistrationNo | Column::Kind | Column::Claim)
    }
}

/// Where each known column is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderMap {
    at: Vec<(Column, usize)>,
}

/// A header as people type it: no spaces, BOM or required-field stars.
fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{feff}' | '*' | '＊'))
        .collect()
}

impl HeaderMap {
    /// Maps `headers` (the file's first row), or names the required columns missing.
    pub fn read<S: AsRef<str>>(headers: &[S]) -> Result<HeaderMap, Vec<&'static str>> {
        let normalised: Vec<String> = headers.iter().map(|h| normalise(h.as_ref())).collect();
        let at: Vec<(Column, usize)> = Column::ALL
            .iter()
            .filter_map(|&c| {
                let i = c
                    .headers()
                    .iter()
                    .find_map(|name| normalised.iter().position(|h| h == name))?;
                Some((c, i))
            })
            .collect();
        let missing: Vec<&'static str> = Column::ALL
            .iter()
            .filter(|c| c.required() && !at.iter().any(|(found, _)| found == *c))
            .map(|c| c.headers()[0])
            .collect();
        if missing.is_empty() {
            Ok(HeaderMap { at })
        } else {
            Err(missing)
        }
    }

    /// The trimmed, non-empty cell of `column` in `row`.
    pub fn get<'a, S: AsRef<str>>(&self, row: &'a [S], column: Column) -> Option<&'a str> {
        let (_, i) = self.at.iter().find(|(c, _)| *c == column)?;
        row.get(*i)
            .map(|s| s.as_ref().trim())
            .filter(|s| !s.is_empty())
    }

    pub fn has(&self, column: Column) -> bool {
        self.at.iter().any(|(c, _)| *c == column)
    }
}

/// One work order as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkOrder {
    pub registration_no: String,
    pub kind: CaseKind,
    pub registered_at: Option<NaiveDateTime>,
    pub received_via: Option<String>,
    pub business_name: Option<String>,
    pub business_address: Option<String>,
    pub claim: String,
    pub category: Option<String>,
    pub place: Option<String>,
    pub problem: Option<String>,
    pub person_name: Option<String>,
    pub person_phone: Option<String>,
    pub person_address: Option<String>,
}

/// Why a row was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    pub column: &'static str,
    pub message: String,
}

/// The longest registration number kept (the platform's are about 20 characters).
const MAX_REGISTRATION_NO: usize = 64;

/// Reads one data row; every problem at once.
pub fn read_row<S: AsRef<str>>(map: &HeaderMap, row: &[S]) -> Result<WorkOrder, Vec<RowIssue>> {
    let mut issues = Vec::new();
    let mut refuse = |column: Column, message: String| {
        issues.push(RowIssue {
            column: column.headers()[0],
            message,
        });
    };
    let text = |c: Column| map.get(row, c).map(str::to_owned);
    let registration_no = text(Column::RegistrationNo).unwrap_or_default();
    if registration_no.is_empty() {
        refuse(Column::RegistrationNo, "登记编号为空".into());
    } else if registration_no.chars().count() > MAX_REGISTRATION_NO
        || registration_no.chars().any(char::is_control)
    {
        refuse(Column::RegistrationNo, "登记编号格式不正确".into());
    }
    let kind = match map.get(row, Column::Kind) {
        Some(k) if k.contains("投诉") => Some(CaseKind::Complaint),
        Some(k) if k.contains("举报") => Some(CaseKind::Report),
        Some(k) => {
            refuse(
                Column::Kind,
                format!("类型「{k}」不是投诉或举报（咨询、建议不导入）"),
            );
            None
        }
        None => {
            refuse(Column::Kind, "类型为空".into());
            None
        }
    };
    let claim = text(Column::Claim).unwrap_or_default();
    if claim.is_empty() {
        refuse(Column::Claim, "诉求内容为空".into());
    }
    let registered_at = match map.get(row, Column::RegisteredAt) {
        None => None,
        Some(raw) => {
            let parsed = parse_time(raw);
            if parsed.is_none() {
                refuse(Column::RegisteredAt, format!("登记时间「{raw}」无法识别"));
            }
            parsed
        }
    };
    match kind {
        Some(kind) if issues.is_empty() => Ok(WorkOrder {
            registration_no,
            kind,
            registered_at,
            received_via: text(Column::ReceivedVia),
            business_name: text(Column::BusinessName),
            business_address: text(Column::BusinessAddress),
            claim,
            category: text(Column::ProblemCategory),
            place: text(Column::Place),
            problem: text(Column::Problem),
            person_name: text(Column::PersonName),
            person_phone: text(Column::PersonPhone),
            person_address: text(Column::PersonAddress),
        }),
        _ => Err(issues),
    }
}

/// Times as exports write them: `2026-05-06 10:12:00`, `2026/5/6 10:12`, a date alone, or
/// a spreadsheet's serial day number (`46148.425`, days since 1899-12-30).
pub fn parse_time(raw: &str) -> Option<NaiveDateTime> {
    if let Some(serial) = raw
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|d| (1.0..=2_958_465.0).contains(d))
    {
        return from_serial(serial);
    }
    let raw = raw.trim().replace('/', "-");
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&raw, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// A spreadsheet serial day number as a time, to the second.
fn from_serial(serial: f64) -> Option<NaiveDateTime> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    // The caller checked the range: at most 2,958,465 days, in seconds, fits an i64.
    let seconds = (serial * 86_400.0).round() as i64;
    epoch.checked_add_signed(chrono::Duration::seconds(seconds))
}

#[cfg(test)]
#[path = "workorder_tests.rs"]
mod tests;
