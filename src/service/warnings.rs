//! Consumer warnings (消费预警和风险提示, Order 121 Art. 38): an editor drafts one from a
//! current alert or hot term (its figures computed here, never typed), edits it, previews it
//! as the public will see it and publishes it, frozen. A correction is a new version that
//! supersedes the published one, which stays readable with a note pointing to the new.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::ServiceError;
pub use super::warning_figures::{Source, current_sources, figures_of};
use crate::bulletin::scrub::holds_personal_data;
use crate::domain::Taxonomy;
use crate::domain::labels::code_label;
use crate::domain::warning::{
    MAX_BODY_CHARS, MAX_TITLE_CHARS, WarningFigures, WarningSource, WarningStatus, names_a_person,
};
use crate::intake::FieldIssue;
use crate::store::warnings::{self as records, NewWarning, WarningRow};
use crate::store::{Db, write_transaction};

/// Warnings on one public page, and the most versions the editors' list shows.
pub const PAGE_SIZE: i64 = 20;
const DESK_LIMIT: i64 = 200;
/// The highest page number a client may ask for.
pub const MAX_PAGE: i64 = 10_000;

/// A warning version as everyone who may read it sees it (no author, nothing of any case).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Warning {
    pub id: i64,
    pub version: i32,
    pub status: WarningStatus,
    pub title: String,
    pub body: String,
    /// Taxonomy category code.
    pub category: Option<String>,
    pub category_label: Option<String>,
    pub figures: WarningFigures,
    /// The figures in one line, as every page and the feed show them.
    pub figures_line: String,
    /// What a correction changed.
    pub erratum: Option<String>,
    /// The version this one corrects.
    pub supersedes: Option<i64>,
    /// The published version that corrects this one.
    pub superseded_by: Option<i64>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<DateTime<Utc>>,
}

/// One page of published warnings, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WarningPage {
    pub page: i64,
    pub total: i64,
    pub per_page: i64,
    pub warnings: Vec<Warning>,
}

/// What a draft's figures are computed from.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SourceInput {
    /// A category alert of the week holding `week_of` (default: today).
    Alert {
        category: String,
        #[schema(value_type = Option<String>, format = Date)]
        week_of: Option<NaiveDate>,
    },
    /// A hot term of the period `from`–`to` (default: the week up to today).
    HotTerm {
        term: String,
        #[schema(value_type = Option<String>, format = Date)]
        from: Option<NaiveDate>,
        #[schema(value_type = Option<String>, format = Date)]
        to: Option<NaiveDate>,
    },
}

/// The editors' text of a warning.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextInput {
    pub title: String,
    pub body: String,
    /// Taxonomy category code (default for an alert: its category).
    pub category: Option<String>,
}

fn corrupt(e: serde_json::Error) -> ServiceError {
    ServiceError::Storage(format!("stored warning figures unreadable: {e}"))
}

fn from_row(row: WarningRow, superseded_by: Option<i64>) -> Result<Warning, ServiceError> {
    let figures: WarningFigures = serde_json::from_str(&row.figures).map_err(corrupt)?;
    let status = WarningStatus::parse(&row.status)
        .ok_or_else(|| ServiceError::Storage(format!("unknown warning status {}", row.status)))?;
    Ok(Warning {
        id: row.id,
        version: row.version,
        status,
        title: row.title,
        body: row.body,
        category_label: row
            .category
            .as_deref()
            .and_then(|c| code_label("category", c)),
        category: row.category,
        figures_line: figures.line(),
        figures,
        erratum: row.erratum,
        supersedes: row.supersedes,
        superseded_by,
        published_at: row.published_at.map(|t| t.and_utc()),
    })
}

/// A stored version; the public sees published and superseded ones only.
pub fn get(conn: &mut Db, id: i64, public: bool) -> Result<Warning, ServiceError> {
    let row = records::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    if public && row.status == WarningStatus::Draft.as_str() {
        return Err(ServiceError::NotFound);
    }
    let next = records::published_successor(conn, id)?;
    from_row(row, next)
}

/// Page `page` (from 1) of the published warnings, newest first.
pub fn list_public(conn: &mut Db, page: i64) -> Result<WarningPage, ServiceError> {
    let page = page.clamp(1, MAX_PAGE);
    let rows = records::list_public(conn, (page - 1) * PAGE_SIZE, PAGE_SIZE)?;
    let total = records::count_public(conn)?;
    let warnings = rows
        .into_iter()
        .map(|r| {
            let next = records::published_successor(conn, r.id)?;
            from_row(r, next)
        })
        .collect::<Result<_, _>>()?;
    Ok(WarningPage {
        page,
        total,
        per_page: PAGE_SIZE,
        warnings,
    })
}

/// Every version for the editors, drafts included, newest first.
pub fn list_desk(conn: &mut Db) -> Result<Vec<Warning>, ServiceError> {
    records::list_all(conn, DESK_LIMIT)?
        .into_iter()
        .map(|r| from_row(r, None))
        .collect()
}

fn issue(field: &str, code: &str, message: String) -> FieldIssue {
    FieldIssue {
        field: field.into(),
        code: code.into(),
        message,
    }
}

/// The text's shape: present, not too long, a known category.
fn check_shape(input: &TextInput) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    for (field, text, max) in [
        ("title", &input.title, MAX_TITLE_CHARS),
        ("body", &input.body, MAX_BODY_CHARS),
    ] {
        if text.trim().is_empty() {
            issues.push(issue(field, "required", "不能为空".into()));
        } else if text.chars().count() > max {
            issues.push(issue(field, "too_long", format!("不能超过 {max} 个字")));
        }
    }
    if let Some(code) = input.category.as_deref()
        && Taxonomy::builtin().category(code).is_none()
    {
        issues.push(issue(
            "category",
            "unknown_category",
            "没有这个投诉类别".into(),
        ));
    }
    issues
}

/// What would keep `w` from being published: personal data in its text or in the subject
/// of its figures (a hot term is a word from complaints' own text).
pub fn personal_data_issues(w: &Warning) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let fields = [
        ("title", Some(w.title.as_str())),
        ("body", Some(w.body.as_str())),
        ("erratum", w.erratum.as_deref()),
        ("subject", Some(w.figures.subject.as_str())),
    ];
    for (field, text) in fields {
        let Some(text) = text else { continue };
        if holds_personal_data(text) || names_a_person(text) {
            issues.push(issue(
                field,
                "personal_data",
                "含有姓名、电话号码、身份证号、银行卡号或电子邮箱等个人信息，请删除后再发布".into(),
            ));
        }
    }
    issues
}

fn checked(input: &TextInput) -> Result<(), ServiceError> {
    let issues = check_shape(input);
    if issues.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(issues))
    }
}

fn to_json(figures: &WarningFigures) -> Result<String, ServiceError> {
    serde_json::to_string(figures).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Stores a new draft of `text` with `figures` computed by [`figures_of`].
pub fn create_draft(
    conn: &mut Db,
    figures: &WarningFigures,
    text: &TextInput,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Warning, ServiceError> {
    let mut text = text.clone();
    if text.category.is_none() && figures.source == WarningSource::Alert {
        text.category = Some(figures.key.clone());
    }
    checked(&text)?;
    let row = NewWarning {
        version: 1,
        status: WarningStatus::Draft.as_str().into(),
        title: text.title.trim().to_owned(),
        body: text.body.trim().to_owned(),
        category: text.category,
        figures: to_json(figures)?,
        erratum: None,
        supersedes: None,
        created_by: by.to_owned(),
        created_at: now.naive_utc(),
    };
    write_transaction(conn, |conn| {
        let id = records::insert(conn, &row)?;
        get(conn, id, false)
    })
}

fn not_draft() -> ServiceError {
    ServiceError::Conflict {
        code: "not_a_draft",
        message: "已发布的预警不能修改；如需更正，请发布更正版本".into(),
    }
}

/// Replaces a draft's text; a published version is refused (409).
pub fn update_draft(conn: &mut Db, id: i64, text: &TextInput) -> Result<Warning, ServiceError> {
    checked(text)?;
    write_transaction(conn, |conn| {
        records::find(conn, id)?.ok_or(ServiceError::NotFound)?;
        let changed = records::update_draft(
            conn,
            id,
            text.title.trim(),
            text.body.trim(),
            text.category.as_deref(),
        )?;
        if !changed {
            return Err(not_draft());
        }
        get(conn, id, false)
    })
}

/// Freezes a draft once its text holds no personal data; the version it corrects, if any,
/// becomes superseded.
pub fn publish(conn: &mut Db, id: i64, now: DateTime<Utc>) -> Result<Warning, ServiceError> {
    write_transaction(conn, |conn| {
        let draft = get(conn, id, false)?;
        if draft.status != WarningStatus::Draft {
            return Err(not_draft());
        }
        let issues = personal_data_issues(&draft);
        if !issues.is_empty() {
            return Err(ServiceError::Invalid(issues));
        }
        if !records::publish(conn, id, now.naive_utc())? {
            return Err(not_draft());
        }
        if let Some(previous) = draft.supersedes {
            records::mark_superseded(conn, previous)?;
        }
        get(conn, id, false)
    })
}

/// Starts a correction of published version `id`: a new draft with the same text and
/// figures and an erratum saying what changes.
pub fn correct(
    conn: &mut Db,
    id: i64,
    erratum: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Warning, ServiceError> {
    let erratum = erratum.trim();
    if erratum.is_empty() || erratum.chars().count() > MAX_BODY_CHARS {
        return Err(ServiceError::Invalid(vec![issue(
            "erratum",
            "required",
            format!("请说明更正的内容（不超过 {MAX_BODY_CHARS} 个字）"),
        )]));
    }
    write_transaction(conn, |conn| {
        let row = records::find(conn, id)?.ok_or(ServiceError::NotFound)?;
        if row.status != WarningStatus::Published.as_str() {
            return Err(ServiceError::Conflict {
                code: "not_published",
                message: "只能更正当前已发布的版本".into(),
            });
        }
        if records::has_successor(conn, id)? {
            return Err(ServiceError::Conflict {
                code: "correction_exists",
                message: "该版本已有更正草稿".into(),
            });
        }
        let new_id = records::insert(
            conn,
            &NewWarning {
                version: row.version + 1,
                status: WarningStatus::Draft.as_str().into(),
                title: row.title,
                body: row.body,
                category: row.category,
                figures: row.figures,
                erratum: Some(erratum.to_owned()),
                supersedes: Some(id),
                created_by: by.to_owned(),
                created_at: now.naive_utc(),
            },
        )?;
        get(conn, new_id, false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_subject(subject: &str) -> Warning {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
        let figures = WarningFigures {
            source: WarningSource::HotTerm,
            key: subject.into(),
            subject: subject.into(),
            count: 8,
            baseline: 0.0,
            ratio: None,
            from: day,
            to: day,
            baseline_from: day,
            baseline_to: day,
        };
        Warning {
            id: 1,
            version: 1,
            status: WarningStatus::Draft,
            title: "警惕含荧光剂的化妆品".into(),
            body: "请到正规渠道购买。".into(),
            category: None,
            category_label: None,
            figures_line: figures.line(),
            figures,
            erratum: None,
            supersedes: None,
            superseded_by: None,
            published_at: None,
        }
    }

    #[test]
    fn a_warning_subject_with_personal_data_is_refused() {
        assert!(personal_data_issues(&with_subject("荧光剂")).is_empty());
        for subject in ["13800138000", "张伟先生", "zhang@example.com"] {
            let issues = personal_data_issues(&with_subject(subject));
            assert_eq!(issues.len(), 1, "{subject}: {issues:?}");
            assert_eq!(issues[0].field, "subject", "{subject}");
        }
    }
}
