//! Bulletin use cases: preview, draft, edit typical cases and tips, publish (frozen), correct.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Ctx, ServiceError, on_pool};
use crate::bulletin::figures::compute;
use crate::bulletin::gather::gather;
use crate::bulletin::hot;
use crate::bulletin::model::{Bulletin, Figures, HotIssue, Strike, Tip, TypicalCase};
use crate::bulletin::period::Period;
use crate::bulletin::scrub::holds_personal_data;
use crate::domain::case::CaseState;
use crate::domain::event_payload::EventPayload;
use crate::domain::{Taxonomy, mask_free_text};
use crate::intake::FieldIssue;
use crate::reference::Reference;
use crate::search::SearchIndex;
use crate::store::bulletins::{self as records, BulletinRow, NewBulletin};
use crate::store::{Db, DbPool, bulletin as source, write_transaction};

const MAX_TYPICAL_CASES: usize = 10;
const MAX_TIPS: usize = 10;
const MAX_TITLE_CHARS: usize = 100;
const MAX_TEXT_CHARS: usize = 2000;
const CANDIDATES: i64 = 30;

/// What a bulletin is computed for.
pub struct Request<'a> {
    pub reference: &'a Reference,
    pub period: Period,
    pub as_of: NaiveDate,
    pub hot: Vec<HotIssue>,
}

fn region() -> String {
    Taxonomy::builtin().city.name.clone()
}

/// Computes figures without storing anything (the CLI, and drafts).
pub fn compute_figures(conn: &mut Db, req: &Request) -> Result<(Figures, String), ServiceError> {
    let inputs = gather(conn, &region(), &req.period, req.as_of, req.hot.clone())?;
    let figures = compute(&inputs, req.reference, Taxonomy::builtin());
    Ok((figures, inputs.hash()))
}

pub fn preview(conn: &mut Db, req: &Request) -> Result<Bulletin, ServiceError> {
    let (figures, inputs_hash) = compute_figures(conn, req)?;
    Ok(Bulletin {
        id: None,
        version: 0,
        status: "preview".into(),
        published_at: None,
        erratum: None,
        supersedes: None,
        inputs_hash,
        figures,
        typical_cases: Vec::new(),
        tips: Vec::new(),
    })
}

fn corrupt(what: &str, e: serde_json::Error) -> ServiceError {
    ServiceError::Storage(format!("stored bulletin {what} unreadable: {e}"))
}

pub(super) fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

pub fn from_row(row: BulletinRow) -> Result<Bulletin, ServiceError> {
    Ok(Bulletin {
        id: Some(row.id),
        version: row.version,
        status: row.status,
        published_at: row.published_at.map(|t| t.and_utc()),
        erratum: row.erratum,
        supersedes: row.supersedes,
        inputs_hash: row.inputs_hash,
        figures: serde_json::from_str(&row.figures).map_err(|e| corrupt("figures", e))?,
        typical_cases: serde_json::from_str(&row.typical_cases)
            .map_err(|e| corrupt("typical cases", e))?,
        tips: serde_json::from_str(&row.tips).map_err(|e| corrupt("tips", e))?,
    })
}

struct Draft<'a> {
    typical_cases: &'a [TypicalCase],
    tips: &'a [Tip],
    /// Hot terms struck in the version corrected, struck again where they recur.
    strikes: Vec<(String, Strike)>,
    erratum: Option<String>,
    supersedes: Option<i64>,
}

fn insert_draft(
    conn: &mut Db,
    req: &Request,
    by: &str,
    now: DateTime<Utc>,
    draft: Draft,
) -> Result<Bulletin, ServiceError> {
    let (mut figures, inputs_hash) = compute_figures(conn, req)?;
    for (term, strike) in draft.strikes {
        figures.mark_hot_issue(&term, Some(strike));
    }
    let version = records::next_version(conn, &req.period.label)?;
    let id = records::insert(
        conn,
        &NewBulletin {
            period: req.period.label.clone(),
            from_date: req.period.from,
            to_date: req.period.to,
            as_of: req.as_of,
            version,
            status: "draft".into(),
            figures: to_json(&figures),
            inputs_hash,
            typical_cases: to_json(&draft.typical_cases),
            tips: to_json(&draft.tips),
            erratum: draft.erratum,
            supersedes: draft.supersedes,
            created_by: by.to_owned(),
            created_at: now.naive_utc(),
        },
    )?;
    get(conn, id, false)
}

pub fn create_draft(
    conn: &mut Db,
    req: &Request,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Bulletin, ServiceError> {
    let draft = Draft {
        typical_cases: &[],
        tips: &[],
        strikes: Vec::new(),
        erratum: None,
        supersedes: None,
    };
    write_transaction(conn, |conn| insert_draft(conn, req, by, now, draft))
}

/// A stored bulletin; the public sees only published and superseded ones, without the hot
/// terms an editor struck.
pub fn get(conn: &mut Db, id: i64, public: bool) -> Result<Bulletin, ServiceError> {
    let row = records::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    if public && row.status == "draft" {
        return Err(ServiceError::NotFound);
    }
    let mut b = from_row(row)?;
    if public {
        b.figures.hot_issues.retain(HotIssue::shown);
    }
    Ok(b)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub id: i64,
    pub period: String,
    pub version: i32,
    pub status: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<DateTime<Utc>>,
    pub erratum: Option<String>,
    pub supersedes: Option<i64>,
}

pub fn list(conn: &mut Db, public: bool) -> Result<Vec<Summary>, ServiceError> {
    Ok(records::list(conn, public)?
        .into_iter()
        .map(|r| Summary {
            id: r.id,
            period: r.period,
            version: r.version,
            status: r.status,
            published_at: r.published_at.map(|t| t.and_utc()),
            erratum: r.erratum,
            supersedes: r.supersedes,
        })
        .collect())
}

/// `PUT /api/v1/admin/bulletins/{id}/content`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ContentInput {
    #[serde(default)]
    pub typical_cases: Vec<TypicalCase>,
    #[serde(default)]
    pub tips: Vec<Tip>,
}

fn check_text(issues: &mut Vec<FieldIssue>, field: String, text: &str, max: usize) {
    let mut issue = |code: &str, message: &str| {
        issues.push(FieldIssue {
            field: field.clone(),
            code: code.into(),
            message: message.into(),
        })
    };
    if text.trim().is_empty() {
        issue("required", "不能为空");
    } else if text.chars().count() > max {
        issue("too_long", &format!("不能超过 {max} 个字"));
    } else if holds_personal_data(text) {
        issue(
            "personal_data",
            "含有电话号码、身份证号、银行卡号或电子邮箱等个人信息，请删除后再保存",
        );
    }
}

pub fn validate_content(input: &ContentInput) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let too_many = |field: &str, max: usize| FieldIssue {
        field: field.into(),
        code: "too_many".into(),
        message: format!("最多 {max} 条"),
    };
    if input.typical_cases.len() > MAX_TYPICAL_CASES {
        issues.push(too_many("typical_cases", MAX_TYPICAL_CASES));
    }
    if input.tips.len() > MAX_TIPS {
        issues.push(too_many("tips", MAX_TIPS));
    }
    for (i, c) in input.typical_cases.iter().enumerate() {
        let f = |name: &str| format!("typical_cases[{i}].{name}");
        check_text(&mut issues, f("title"), &c.title, MAX_TITLE_CHARS);
        check_text(&mut issues, f("category"), &c.category, MAX_TITLE_CHARS);
        check_text(&mut issues, f("summary"), &c.summary, MAX_TEXT_CHARS);
        check_text(&mut issues, f("outcome"), &c.outcome, MAX_TEXT_CHARS);
    }
    for (i, t) in input.tips.iter().enumerate() {
        check_text(
            &mut issues,
            format!("tips[{i}].title"),
            &t.title,
            MAX_TITLE_CHARS,
        );
        check_text(
            &mut issues,
            format!("tips[{i}].body"),
            &t.body,
            MAX_TEXT_CHARS,
        );
    }
    issues
}

pub(super) fn not_draft() -> ServiceError {
    ServiceError::Conflict {
        code: "not_a_draft",
        message: "已发布的通报不能修改；如需更正，请发布更正版本".into(),
    }
}

pub fn set_content(conn: &mut Db, id: i64, input: &ContentInput) -> Result<Bulletin, ServiceError> {
    let issues = validate_content(input);
    if !issues.is_empty() {
        return Err(ServiceError::Invalid(issues));
    }
    write_transaction(conn, |conn| store_content(conn, id, input))
}

/// Writes checked content into draft `id`, inside the caller's transaction.
fn store_content(conn: &mut Db, id: i64, input: &ContentInput) -> Result<Bulletin, ServiceError> {
    records::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    let changed = records::update_content(
        conn,
        id,
        &to_json(&input.typical_cases),
        &to_json(&input.tips),
    )?;
    if !changed {
        return Err(not_draft());
    }
    get(conn, id, false)
}

/// Adds the anonymised candidate `case_no` to the typical cases of draft `id`. The draft,
/// the candidates and the new content are read and written in one transaction, so a
/// concurrent edit cannot be lost between them.
pub fn adopt(conn: &mut Db, id: i64, case_no: &str) -> Result<Bulletin, ServiceError> {
    write_transaction(conn, |conn| {
        let input = with_candidate(conn, id, case_no)?;
        let issues = validate_content(&input);
        if !issues.is_empty() {
            return Err(ServiceError::Invalid(issues));
        }
        store_content(conn, id, &input)
    })
}

/// The content of draft `id` with candidate `case_no` added to its typical cases.
pub fn with_candidate(conn: &mut Db, id: i64, case_no: &str) -> Result<ContentInput, ServiceError> {
    let b = get(conn, id, false)?;
    let chosen = candidates_of(conn, &b)?
        .into_iter()
        .find(|c| c.case_no == case_no)
        .ok_or_else(|| ServiceError::Refused {
            code: "not_a_candidate",
            message: "该案件不能作为典型案例".into(),
        })?;
    let mut typical_cases = b.typical_cases;
    typical_cases.push(chosen.content);
    Ok(ContentInput {
        typical_cases,
        tips: b.tips,
    })
}

/// Freezes a draft. The editorial text is checked for personal data once more; the version
/// it corrects, if any, is marked superseded.
pub fn publish(conn: &mut Db, id: i64, now: DateTime<Utc>) -> Result<Bulletin, ServiceError> {
    write_transaction(conn, |conn| publish_draft(conn, id, now))
}

fn publish_draft(conn: &mut Db, id: i64, now: DateTime<Utc>) -> Result<Bulletin, ServiceError> {
    let draft = get(conn, id, false)?;
    if draft.status != "draft" {
        return Err(not_draft());
    }
    let issues = validate_content(&ContentInput {
        typical_cases: draft.typical_cases.clone(),
        tips: draft.tips.clone(),
    });
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
}

/// Starts a correction of a published bulletin: a new draft version with fresh figures, the
/// same editorial content, and an erratum note saying what changed.
pub fn correct(
    conn: &mut Db,
    req: &Request,
    id: i64,
    erratum: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Bulletin, ServiceError> {
    let mut issues = Vec::new();
    check_text(&mut issues, "erratum".into(), erratum, MAX_TEXT_CHARS);
    if !issues.is_empty() {
        return Err(ServiceError::Invalid(issues));
    }
    write_transaction(conn, |conn| {
        start_correction(conn, req, id, erratum, by, now)
    })
}

fn start_correction(
    conn: &mut Db,
    req: &Request,
    id: i64,
    erratum: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Bulletin, ServiceError> {
    let published = get(conn, id, false)?;
    if published.status != "published" {
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
    let draft = Draft {
        typical_cases: &published.typical_cases,
        tips: &published.tips,
        strikes: published.figures.strikes(),
        erratum: Some(erratum.trim().to_owned()),
        supersedes: Some(id),
    };
    insert_draft(conn, req, by, now, draft)
}

/// A typical-case suggestion drawn from a closed complaint, already anonymised.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub case_no: String,
    #[serde(flatten)]
    pub content: TypicalCase,
}

pub fn candidates(conn: &mut Db, id: i64) -> Result<Vec<Candidate>, ServiceError> {
    let b = get(conn, id, false)?;
    candidates_of(conn, &b)
}

fn candidates_of(conn: &mut Db, b: &Bulletin) -> Result<Vec<Candidate>, ServiceError> {
    let taxonomy = Taxonomy::builtin();
    let closed =
        source::closed_complaints(conn, b.figures.period.from, b.figures.period.to, CANDIDATES)?;
    let mut out = Vec::with_capacity(closed.len());
    for case in closed {
        let names = source::names_of_case(conn, case.id)?;
        let recovered = source::settlement_of_case(conn, case.id)?
            .and_then(|p| EventPayload::parse(&p)?.recovered_fen())
            .unwrap_or(0);
        let outcome = match (case.state, recovered) {
            (CaseState::Settled, 0) => "经调解，双方达成和解。".to_owned(),
            (CaseState::Settled, fen) => format!(
                "经调解，双方达成和解，为消费者挽回经济损失 {}.{:02} 元。",
                fen / 100,
                fen % 100
            ),
            _ => "调解未能达成协议，已依法终止调解并告知消费者其他救济途径。".to_owned(),
        };
        out.push(Candidate {
            case_no: case.case_no,
            content: TypicalCase {
                title: mask_free_text(&case.title, &names),
                category: case
                    .category
                    .as_deref()
                    .and_then(|c| taxonomy.category(c))
                    .map_or_else(|| "未注明".to_owned(), |c| c.label.clone()),
                summary: mask_free_text(&case.description, &names),
                outcome,
            },
        });
    }
    Ok(out)
}

/// What a new version is computed with; shared by the API and the pages.
pub enum NewVersion {
    Draft,
    /// Corrects the published bulletin `id`, saying why.
    Correction {
        id: i64,
        erratum: String,
    },
}

/// Computes and stores a draft or a correction for `period` by `by`: hot issues from this
/// node's index, running deadlines judged as of `as_of` (default today).
pub async fn new_version(
    pool: &DbPool,
    index: &SearchIndex,
    ctx: Ctx,
    period: Period,
    as_of: Option<NaiveDate>,
    by: String,
    what: NewVersion,
) -> Result<Bulletin, ServiceError> {
    let as_of = as_of.unwrap_or_else(|| ctx.today());
    let live = index.live();
    let p = period.clone();
    let hot = actix_web::web::block(move || hot::from_index(&live, &p))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))??;
    on_pool(pool, move |conn| {
        let req = Request {
            reference: &ctx.reference,
            period,
            as_of,
            hot,
        };
        match &what {
            NewVersion::Draft => create_draft(conn, &req, &by, ctx.now),
            NewVersion::Correction { id, erratum } => {
                correct(conn, &req, *id, erratum, &by, ctx.now)
            }
        }
    })
    .await
}
