//! Administration of accounts, registered businesses and mini-program API keys. The CLI and
//! the admin API share these parsers and use cases.

use chrono::{DateTime, Utc};
use diesel::Connection;
use serde::{Deserialize, Serialize};

use super::ServiceError;
use super::sessions::normalize_email;
use crate::auth::Role;
use crate::auth::password;
use crate::auth::token::ApiKey;
use crate::domain::enterprise::Commitment;
use crate::domain::{DistrictCode, Email, FieldError, Uscc};
use crate::intake::FieldIssue;
use crate::intake::issues::{Issues, optional_text};
use crate::store::accounts::{self, NewUserRow};
use crate::store::enterprises::{self, EnterpriseRow};
use crate::store::{Db, is_unique_violation, write_transaction};

const MAX_NAME_CHARS: usize = 100;

/// A new account as sent to `POST /api/v1/admin/users`; every field is checked at once.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UserInput {
    #[schema(example = "mediator@example.gov.cn")]
    pub email: Option<String>,
    /// At least 10 characters.
    pub password: Option<String>,
    pub role: Option<String>,
    /// County-level district codes; required for mediators and supervisors.
    #[serde(default)]
    pub bureaus: Vec<String>,
    /// Required for enterprise accounts: a registered business.
    pub uscc: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub role: Role,
    pub bureaus: Vec<DistrictCode>,
    pub uscc: Option<Uscc>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub bureaus: Vec<String>,
    pub uscc: Option<String>,
    pub name: Option<String>,
}

fn max_chars(issues: &mut Issues, field: &str, text: &Option<String>) {
    if text
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_NAME_CHARS)
    {
        issues.push(
            field,
            "length",
            format!("长度不能超过{MAX_NAME_CHARS}个字符"),
        );
    }
}

pub fn parse_user(input: &UserInput) -> Result<NewUser, Vec<FieldIssue>> {
    let mut issues = Issues::default();
    let email = issues
        .required_text("email", &input.email)
        .and_then(|e| issues.take("email", e.parse::<Email>()))
        .map(|e| normalize_email(e.as_str()));
    let password = match &input.password {
        None => {
            issues.required("password");
            None
        }
        Some(p) => issues
            .take("password", password::check_new_password(p))
            .map(|_| p.clone()),
    };
    let role = issues.required_text("role", &input.role).and_then(|r| {
        let parsed = r.parse::<Role>().map_err(|_| {
            FieldError::new(
                "unknown_role",
                "未知的角色（admin、supervisor、mediator、analyst、enterprise）",
            )
        });
        issues.take("role", parsed)
    });
    let mut bureaus = Vec::new();
    for (i, b) in input.bureaus.iter().enumerate() {
        if let Some(code) = issues.take(&format!("bureaus[{i}]"), DistrictCode::parse(b))
            && !bureaus.contains(&code)
        {
            bureaus.push(code);
        }
    }
    let uscc = optional_text(&input.uscc).and_then(|u| issues.take("uscc", u.parse::<Uscc>()));
    match role {
        Some(Role::Mediator | Role::Supervisor) if input.bureaus.is_empty() => issues.push(
            "bureaus",
            "required",
            "调解员和主管须至少绑定一个区（县级市）",
        ),
        Some(Role::Admin | Role::Analyst | Role::Enterprise) if !input.bureaus.is_empty() => {
            issues.push("bureaus", "not_allowed", "该角色不绑定辖区")
        }
        // The unified intake unit works for the whole city.
        Some(Role::Dispatcher) if !input.bureaus.is_empty() => {
            issues.push("bureaus", "not_allowed", "统一接收机构面向全市，不绑定辖区")
        }
        _ => {}
    }
    match role {
        Some(Role::Enterprise) if optional_text(&input.uscc).is_none() => issues.required("uscc"),
        Some(r) if r != Role::Enterprise && optional_text(&input.uscc).is_some() => {
            issues.push("uscc", "not_allowed", "只有企业账号绑定统一社会信用代码")
        }
        _ => {}
    }
    let name = optional_text(&input.name);
    max_chars(&mut issues, "name", &name);
    issues.into_result(|| {
        Some(NewUser {
            email: email?,
            password: password?,
            role: role?,
            bureaus,
            uscc,
            name,
        })
    })
}

/// Creates an account. An enterprise account must name a registered business; an email may
/// be used once.
pub fn add_user(
    conn: &mut Db,
    user: NewUser,
    now: DateTime<Utc>,
) -> Result<UserView, ServiceError> {
    let hash = password::hash_password(&user.password)
        .map_err(|e| ServiceError::Storage(e.to_string()))?;
    let bureaus: Vec<String> = user.bureaus.iter().map(|b| b.to_string()).collect();
    let row = NewUserRow {
        email: user.email.clone(),
        password_hash: hash,
        role: user.role.as_str().to_owned(),
        uscc: user.uscc.as_ref().map(|u| u.to_string()),
        display_name: user.name.clone(),
        active: true,
        created_at: now.naive_utc(),
    };
    let email_taken = || ServiceError::Conflict {
        code: "email_taken",
        message: format!("邮箱 {} 已被使用", user.email),
    };
    let inserted = write_transaction(conn, |conn| {
        if let Some(uscc) = &row.uscc
            && enterprises::find(conn, uscc)?.is_none()
        {
            return Err(ServiceError::Invalid(vec![FieldIssue {
                field: "uscc".into(),
                code: "unknown_enterprise".into(),
                message: "该统一社会信用代码的企业尚未登记，请先登记企业".into(),
            }]));
        }
        if accounts::find_user_by_email(conn, &row.email)?.is_some() {
            return Err(email_taken());
        }
        accounts::insert_user(conn, &row, &bureaus).map_err(|e| {
            if is_unique_violation(&e) {
                email_taken()
            } else {
                e.into()
            }
        })
    })?;
    Ok(UserView {
        id: inserted,
        email: row.email,
        role: user.role,
        bureaus,
        uscc: row.uscc,
        name: row.display_name,
    })
}

/// A business as sent to `POST /api/v1/admin/enterprises`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EnterpriseInput {
    #[schema(example = "91440703MA4UJ5QX2U")]
    pub uscc: Option<String>,
    pub name: Option<String>,
    #[schema(example = "440703")]
    pub district: Option<String>,
    pub email: Option<String>,
    /// Enrolled in 12315 ODR.
    #[serde(default)]
    pub odr: bool,
    /// `worry_free`, `no_reason_return`.
    #[serde(default)]
    pub commitments: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewEnterprise {
    pub uscc: Uscc,
    pub name: String,
    pub district: DistrictCode,
    pub email: Option<Email>,
    pub odr: bool,
    pub commitments: Vec<Commitment>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnterpriseView {
    pub uscc: String,
    pub name: String,
    pub district: String,
    pub email: Option<String>,
    pub odr: bool,
    pub commitments: Vec<Commitment>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<EnterpriseRow> for EnterpriseView {
    fn from(row: EnterpriseRow) -> Self {
        EnterpriseView {
            commitments: row.commitment_list(),
            uscc: row.uscc,
            name: row.name,
            district: row.district,
            email: row.email,
            odr: row.odr,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

pub fn parse_enterprise(input: &EnterpriseInput) -> Result<NewEnterprise, Vec<FieldIssue>> {
    let mut issues = Issues::default();
    let uscc = issues
        .required_text("uscc", &input.uscc)
        .and_then(|u| issues.take("uscc", u.parse::<Uscc>()));
    let name = issues.required_text("name", &input.name);
    max_chars(&mut issues, "name", &name);
    let district = issues
        .required_text("district", &input.district)
        .and_then(|d| issues.take("district", DistrictCode::parse(&d)));
    let email = optional_text(&input.email).and_then(|e| issues.take("email", e.parse::<Email>()));
    let mut commitments = Vec::new();
    for (i, c) in input.commitments.iter().enumerate() {
        commitments.extend(issues.take(&format!("commitments[{i}]"), c.parse::<Commitment>()));
    }
    issues.into_result(|| {
        Some(NewEnterprise {
            uscc: uscc?,
            name: name?,
            district: district?,
            email,
            odr: input.odr,
            commitments,
        })
    })
}

/// Registers a business, or updates the one with the same USCC. Returns the stored record
/// and whether it was new.
pub fn upsert_enterprise(
    conn: &mut Db,
    e: &NewEnterprise,
    now: DateTime<Utc>,
) -> Result<(EnterpriseView, bool), ServiceError> {
    let write = |conn: &mut Db| {
        write_transaction(conn, |conn| {
            let existing = enterprises::find(conn, e.uscc.as_str())?;
            let row = EnterpriseRow {
                uscc: e.uscc.to_string(),
                name: e.name.clone(),
                district: e.district.to_string(),
                email: e.email.as_ref().map(|m| m.to_string()),
                odr: e.odr,
                commitments: Commitment::join(&e.commitments),
                created_at: existing.as_ref().map_or(now.naive_utc(), |r| r.created_at),
                updated_at: now.naive_utc(),
                odr_since: odr_since(existing.as_ref(), e.odr, now),
            };
            if existing.is_some() {
                enterprises::update(conn, &row)?;
            } else {
                enterprises::insert(conn, &row)?;
            }
            Ok::<_, diesel::result::Error>((row, existing.is_none()))
        })
    };
    let (row, created) = match write(conn) {
        // Registered concurrently: now it exists, so this becomes an update.
        Err(err) if is_unique_violation(&err) => write(conn)?,
        other => other?,
    };
    Ok((row.into(), created))
}

/// The day a business joined ODR: kept while it stays in ODR, today when it joins, none
/// once it leaves.
fn odr_since(
    existing: Option<&EnterpriseRow>,
    odr: bool,
    now: DateTime<Utc>,
) -> Option<chrono::NaiveDate> {
    if !odr {
        return None;
    }
    existing
        .filter(|r| r.odr)
        .and_then(|r| r.odr_since)
        .or(Some(crate::clock::china_date(now)))
}

pub fn list_enterprises(conn: &mut Db) -> Result<Vec<EnterpriseView>, ServiceError> {
    Ok(enterprises::list(conn)?
        .into_iter()
        .map(EnterpriseView::from)
        .collect())
}

/// `201 {id, label, key}`: the key is shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedApiKey {
    pub id: i64,
    pub label: String,
    pub key: String,
}

/// A label for an API key: 1 to 100 characters after trimming.
pub fn parse_label(raw: Option<&str>) -> Result<String, Vec<FieldIssue>> {
    let mut issues = Issues::default();
    let label = issues.required_text("label", &raw.map(str::to_owned));
    max_chars(&mut issues, "label", &label);
    issues.into_result(|| label)
}

pub fn issue_api_key(
    conn: &mut Db,
    label: &str,
    now: DateTime<Utc>,
) -> Result<IssuedApiKey, ServiceError> {
    let key = ApiKey::generate().map_err(|e| ServiceError::Storage(e.to_string()))?;
    let id = conn
        .transaction(|conn| accounts::insert_api_key(conn, &key.hash(), label, now.naive_utc()))?;
    Ok(IssuedApiKey {
        id,
        label: label.to_owned(),
        key: key.as_str().to_owned(),
    })
}
