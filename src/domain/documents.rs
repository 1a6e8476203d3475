//! Official documents (文书): which step issues which document, to whom, how it is numbered,
//! and its wording, read from the templates of `reference/documents.toml` (a bureau adjusts
//! them without a rebuild, per policy version).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::action::ActionKind;
use super::case::{CaseKind, CaseState};

reason_codes! {
    /// A kind of document; the label is its usual title.
    DocKind {
        DispatchNotice => "dispatch_notice", "分送通知书";
        ReturnNotice => "return_notice", "退回通知书";
        IdentityRequest => "identity_request", "限期提供身份证明材料通知书";
        Acceptance => "acceptance", "投诉受理决定书";
        NotAccepted => "not_accepted", "投诉不予受理决定书";
        Termination => "termination", "终止调解决定书";
        MediationAgreement => "mediation_agreement", "调解书";
        ReportOpened => "report_opened", "立案告知书";
        ReportNotOpened => "report_not_opened", "不予立案告知书";
    }
}

reason_codes! {
    /// How a mediated settlement is put on paper (Order 121 Art. 24): as a 调解书, unless it
    /// was performed on the spot or both parties waived the document (a mediation record is
    /// kept instead).
    AgreementForm {
        Written => "written", "制作调解书";
        PerformedAtOnce => "performed_at_once", "当场履行完毕，不制作调解书";
        Waived => "waived", "双方同意不制作调解书";
    }
}

#[expect(
    clippy::derivable_impls,
    reason = "reason_codes! declares the enum and takes no attributes on its variants"
)]
impl Default for AgreementForm {
    fn default() -> AgreementForm {
        AgreementForm::Written
    }
}

/// Whom a document is addressed to, which decides who may read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Between the bureau and the city's unified intake unit: staff only.
    Staff,
    /// The complainant alone.
    Complainant,
    /// Both parties of a complaint.
    BothParties,
    /// The reporter alone; never the reported business (Order 121 Art. 37).
    Reporter,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Staff => "staff",
            Audience::Complainant => "complainant",
            Audience::BothParties => "both",
            Audience::Reporter => "reporter",
        }
    }

    pub fn parse(text: &str) -> Option<Audience> {
        [
            Audience::Staff,
            Audience::Complainant,
            Audience::BothParties,
            Audience::Reporter,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }

    /// Whom it is served on (送达对象), as the desk lists it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Audience::Staff => "统一受理机构与承办局（内部）",
            Audience::Complainant => "投诉人",
            Audience::BothParties => "投诉人、被投诉人",
            Audience::Reporter => "举报人",
        }
    }

    /// Whether the case's own complainant or reporter receives it.
    pub fn to_consumer(self) -> bool {
        matches!(
            self,
            Audience::Complainant | Audience::BothParties | Audience::Reporter
        )
    }

    /// Whether the business complained about receives it. A report's documents never reach
    /// the reported business, whatever their audience says.
    pub fn to_business(self, case: CaseKind) -> bool {
        case == CaseKind::Complaint && self == Audience::BothParties
    }
}

impl DocKind {
    pub fn audience(self) -> Audience {
        match self {
            DocKind::DispatchNotice | DocKind::ReturnNotice => Audience::Staff,
            DocKind::IdentityRequest | DocKind::NotAccepted => Audience::Complainant,
            DocKind::Acceptance | DocKind::Termination | DocKind::MediationAgreement => {
                Audience::BothParties
            }
            DocKind::ReportOpened | DocKind::ReportNotOpened => Audience::Reporter,
        }
    }

    /// Placeholders a template of this kind may use besides [`COMMON_FIELDS`].
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            DocKind::DispatchNotice => &["to_bureau", "case_kind"],
            DocKind::ReturnNotice => &["reason", "case_kind"],
            DocKind::IdentityRequest => &["due", "detail"],
            DocKind::Acceptance => &["mediation_period"],
            DocKind::NotAccepted => &["ground", "ground_basis", "detail"],
            DocKind::Termination => &["ground", "ground_basis", "detail", "terminated_on"],
            DocKind::MediationAgreement => &["facts", "terms", "amount", "performance_due"],
            DocKind::ReportOpened | DocKind::ReportNotOpened => &["detail"],
        }
    }

    /// The document a step issues, if any. `to` is the state the step led to (`from` when it
    /// changed none); `written` says whether a settlement is to be written as a 调解书
    /// (Order 121 Art. 24: not when performed at once or both parties waived it).
    pub fn issued_by(
        step: ActionKind,
        kind: CaseKind,
        from: CaseState,
        to: CaseState,
        written: bool,
    ) -> Option<DocKind> {
        use ActionKind as A;
        match (step, kind) {
            (A::Dispatch, _) => Some(DocKind::DispatchNotice),
            (A::ReturnToDispatcher, _) => Some(DocKind::ReturnNotice),
            (A::RequestIdentity, CaseKind::Complaint) => Some(DocKind::IdentityRequest),
            (A::Accept, CaseKind::Complaint) => Some(DocKind::Acceptance),
            (A::NotAccept, CaseKind::Complaint) => Some(DocKind::NotAccepted),
            (A::Terminate, CaseKind::Complaint) => Some(DocKind::Termination),
            (A::Settle, CaseKind::Complaint)
                if written && matches!(from, CaseState::InMediation) =>
            {
                Some(DocKind::MediationAgreement)
            }
            (A::NotifyReporter, CaseKind::Report) => match to {
                CaseState::CaseOpened => Some(DocKind::ReportOpened),
                CaseState::NotOpened => Some(DocKind::ReportNotOpened),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Placeholders every template may use.
pub const COMMON_FIELDS: &[&str] = &[
    "bureau",
    "case_no",
    "received_on",
    "issued_on",
    "policy_name",
    "business",
    "complainant",
    "subject",
];

/// `reference/documents.toml` as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DocumentsFile {
    pub version: u32,
    pub numbering: NumberingFile,
    pub bureaus: BTreeMap<String, Bureau>,
    /// Per policy version: the full wording of each ground, by list and code.
    pub grounds: BTreeMap<String, GroundWords>,
    pub templates: Vec<Template>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NumberingFile {
    pub format: String,
    pub codes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Bureau {
    pub name: String,
    pub short: String,
    /// Overrides the common number format for this bureau.
    pub format: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct GroundWords {
    #[serde(default)]
    pub not_accept: BTreeMap<String, String>,
    #[serde(default)]
    pub termination: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Template {
    pub policy: String,
    pub kind: String,
    pub title: String,
    pub addressee: String,
    pub body: Vec<String>,
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DocumentsError {
    #[error("文书模板文件无法读取：{0}")]
    Parse(String),
    #[error("未知文书种类「{0}」")]
    UnknownKind(String),
    #[error("文书种类「{0}」没有编号代字")]
    NoCode(&'static str),
    #[error("政策版本「{policy}」的「{kind}」文书模板重复")]
    Duplicate { policy: String, kind: String },
    #[error("政策版本「{policy}」缺少「{kind}」文书模板")]
    Missing { policy: String, kind: &'static str },
    #[error("「{place}」使用了不允许的占位符「{{{name}}}」")]
    UnknownField { place: String, name: String },
    #[error("没有辖区「{0}」的局名与编号简称")]
    NoBureau(String),
    #[error("「{0}」的花括号不成对")]
    Unbalanced(String),
    #[error("编号格式「{0}」须含 {{bureau}}、{{code}}、{{year}} 与 {{n}}")]
    NumberFormat(String),
}

/// The checked templates: every kind for every policy version named, numbering for every
/// bureau listed, and only the placeholders each kind may use.
#[derive(Debug, Clone)]
pub struct DocumentSet {
    file: DocumentsFile,
    templates: HashMap<(String, DocKind), usize>,
}

/// One document's wording, ready to lay out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocText {
    pub title: String,
    pub number: String,
    pub addressee: String,
    pub body: Vec<String>,
    pub notes: Vec<String>,
    pub bureau: String,
    pub issued_on: String,
}

impl DocumentSet {
    /// Checks `file` against the policy versions in force (`policies`) and the bureaus that
    /// issue documents (`bureaus`, district codes).
    pub fn new(
        file: DocumentsFile,
        policies: &[&str],
        bureaus: &[&str],
    ) -> Result<DocumentSet, DocumentsError> {
        if let Some(missing) = bureaus.iter().find(|b| !file.bureaus.contains_key(**b)) {
            return Err(DocumentsError::NoBureau(missing.to_string()));
        }
        for kind in DocKind::ALL {
            if !file.numbering.codes.contains_key(kind.as_str()) {
                return Err(DocumentsError::NoCode(kind.as_str()));
            }
        }
        let formats = std::iter::once(&file.numbering.format)
            .chain(file.bureaus.values().filter_map(|b| b.format.as_ref()));
        for format in formats {
            let names = placeholders(format, "numbering")?;
            if ["bureau", "code", "year", "n"]
                .iter()
                .any(|need| !names.iter().any(|n| n == need))
            {
                return Err(DocumentsError::NumberFormat(format.clone()));
            }
        }
        let mut templates = HashMap::new();
        for (i, t) in file.templates.iter().enumerate() {
            let kind = DocKind::parse(&t.kind)
                .ok_or_else(|| DocumentsError::UnknownKind(t.kind.clone()))?;
            let place = format!("{} / {}", t.policy, t.kind);
            let texts = [&t.title, &t.addressee]
                .into_iter()
                .chain(&t.body)
                .chain(&t.notes);
            for text in texts {
                for name in placeholders(text, &place)? {
                    if !COMMON_FIELDS.contains(&name.as_str())
                        && !kind.fields().contains(&name.as_str())
                    {
                        return Err(DocumentsError::UnknownField { place, name });
                    }
                }
            }
            if templates.insert((t.policy.clone(), kind), i).is_some() {
                return Err(DocumentsError::Duplicate {
                    policy: t.policy.clone(),
                    kind: t.kind.clone(),
                });
            }
        }
        for policy in policies {
            for kind in DocKind::ALL {
                if !templates.contains_key(&(policy.to_string(), *kind)) {
                    return Err(DocumentsError::Missing {
                        policy: policy.to_string(),
                        kind: kind.as_str(),
                    });
                }
            }
        }
        Ok(DocumentSet { file, templates })
    }

    pub fn file(&self) -> &DocumentsFile {
        &self.file
    }

    /// The bureau of district `code`, if the file names it.
    pub fn bureau(&self, code: &str) -> Option<&Bureau> {
        self.file.bureaus.get(code)
    }

    /// The document number, e.g. `江蓬市监投受〔2026〕第15号`; `None` for a bureau the file
    /// does not name.
    pub fn number(&self, bureau: &str, kind: DocKind, year: i32, serial: i32) -> Option<String> {
        let b = self.file.bureaus.get(bureau)?;
        let format = b.format.as_ref().unwrap_or(&self.file.numbering.format);
        let code = self.file.numbering.codes.get(kind.as_str())?;
        let values = HashMap::from([
            ("bureau", b.short.clone()),
            ("code", code.clone()),
            ("year", year.to_string()),
            ("n", serial.to_string()),
        ]);
        Some(fill(format, &|name| values.get(name).cloned()))
    }

    /// The full wording of a ground of `policy`, by list (`not_accept`, `termination`).
    pub fn ground_words(&self, policy: &str, list: GroundList, code: &str) -> Option<&str> {
        let words = self.file.grounds.get(policy)?;
        let map = match list {
            GroundList::NotAccept => &words.not_accept,
            GroundList::Termination => &words.termination,
        };
        map.get(code).map(String::as_str)
    }

    /// The wording of `kind` under `policy`, filled with `values` (a missing value is left
    /// blank: a template may use fewer facts than a case has, never more than its kind allows).
    pub fn render(
        &self,
        policy: &str,
        kind: DocKind,
        number: String,
        bureau: &str,
        values: &HashMap<&str, String>,
    ) -> Option<DocText> {
        let t = &self.file.templates[*self.templates.get(&(policy.to_owned(), kind))?];
        let get = |name: &str| Some(values.get(name).cloned().unwrap_or_default());
        // A paragraph made to carry values that are all blank ("具体情况：{detail}" with no
        // detail) is left out rather than printed as a bare label.
        let filled = |paragraphs: &[String]| -> Vec<String> {
            paragraphs
                .iter()
                .filter(|p| {
                    let names = placeholders(p, "").unwrap_or_default();
                    names.is_empty()
                        || names
                            .iter()
                            .any(|n| values.get(n.as_str()).is_some_and(|v| !v.trim().is_empty()))
                })
                .map(|p| fill(p, &get))
                .collect()
        };
        Some(DocText {
            title: fill(&t.title, &get),
            number,
            addressee: fill(&t.addressee, &get),
            body: filled(&t.body),
            notes: filled(&t.notes),
            bureau: bureau.to_owned(),
            issued_on: values.get("issued_on").cloned().unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroundList {
    NotAccept,
    Termination,
}

/// The `{name}`s of `text`, or an error naming `place` if a brace is unpaired.
fn placeholders(text: &str, place: &str) -> Result<Vec<String>, DocumentsError> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        let after = &rest[open + 1..];
        let close = after.find('}').filter(|_| rest[open..].starts_with('{'));
        let close = close.filter(|c| !after[..*c].contains('{'));
        let Some(close) = close else {
            return Err(DocumentsError::Unbalanced(place.to_owned()));
        };
        names.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// Replaces every `{name}` of a checked text by `value(name)`.
fn fill(text: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push_str(&value(&after[..close]).unwrap_or_default());
                rest = &after[close + 1..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `2026年5月6日`, as documents write dates.
pub fn date_zh(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// A count in Chinese numerals, as legal text writes periods: 7 → 七, 15 → 十五, 45 → 四十五,
/// 60 → 六十, 105 → 一百零五, 365 → 三百六十五. Beyond 9,999 it is written in digits.
pub fn count_zh(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return DIGITS[0].to_owned();
    }
    if n > 9_999 {
        return n.to_string();
    }
    let places = [(1_000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut out = String::new();
    let mut zero_pending = false;
    for (unit, name) in places {
        let digit = (n / unit % 10) as usize;
        if digit == 0 {
            zero_pending = !out.is_empty();
            continue;
        }
        if zero_pending {
            out.push_str(DIGITS[0]);
            zero_pending = false;
        }
        // 十五, not 一十五, when the tens lead.
        if !(unit == 10 && digit == 1 && out.is_empty()) {
            out.push_str(DIGITS[digit]);
        }
        out.push_str(name);
    }
    out
}

/// `人民币1,280.00元`.
pub fn amount_zh(fen: i64) -> String {
    let yuan = (fen / 100).abs().to_string();
    let mut grouped = String::new();
    for (i, c) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if fen < 0 { "-" } else { "" };
    format!("人民币{sign}{grouped}.{:02}元", (fen % 100).abs())
}

/// The short code printed on a document (60 random bits, 12 Crockford base32 characters in
/// groups of four) by which anyone checks a printed copy at `/verify/{code}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyCode(String);

impl VerifyCode {
    pub const CHARS: usize = 12;

    pub fn from_random(random: [u8; 8]) -> VerifyCode {
        VerifyCode(super::tracking_code::encode(
            u128::from(u64::from_be_bytes(random)),
            Self::CHARS,
        ))
    }

    /// Reads a code as typed from paper (any case, hyphens, I/L for 1, O for 0).
    pub fn parse(typed: &str) -> Option<VerifyCode> {
        super::tracking_code::canonical(typed, Self::CHARS).map(VerifyCode)
    }

    /// The canonical text, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed: `K3F9-2MZQ-8WXA`.
    pub fn grouped(&self) -> String {
        super::tracking_code::grouped(&self.0)
    }
}

#[cfg(test)]
#[path = "documents_tests.rs"]
mod tests;
