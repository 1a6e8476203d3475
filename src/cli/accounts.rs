//! `odrdesk user add`, `odrdesk enterprise add` and `odrdesk apikey issue`: bootstrapping
//! accounts, businesses and mini-program keys on the same data as the server.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::Subcommand;

use crate::config::Settings;
use crate::intake::FieldIssue;
use crate::service::ServiceError;
use crate::service::accounts::{self, EnterpriseInput, UserInput};
use crate::service::admin::open;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is the first line of standard input (never echoed).
    Add {
        #[arg(long)]
        email: String,
        /// admin, supervisor, mediator, analyst or enterprise.
        #[arg(long)]
        role: String,
        /// County-level district code of a bureau (repeatable); mediators and supervisors.
        #[arg(long = "bureau")]
        bureaus: Vec<String>,
        /// The registered business an enterprise account speaks for.
        #[arg(long)]
        uscc: Option<String>,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum EnterpriseCommand {
    /// Register a business, or update the one with the same USCC.
    Add {
        #[arg(long)]
        uscc: String,
        #[arg(long)]
        name: String,
        /// County-level district code where it operates.
        #[arg(long)]
        district: String,
        /// Where ODR notices are mailed.
        #[arg(long)]
        email: Option<String>,
        /// Enrolled in 12315 online dispute resolution.
        #[arg(long)]
        odr: bool,
        /// worry_free or no_reason_return (repeatable).
        #[arg(long = "commitment")]
        commitments: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Issue a key for the WeChat mini-program backend; it is printed once.
    Issue {
        #[arg(long)]
        label: String,
    },
}

fn fields_error(fields: &[FieldIssue]) -> anyhow::Error {
    let lines: Vec<String> = fields
        .iter()
        .map(|f| format!("  {}: {}", f.field, f.message))
        .collect();
    anyhow::anyhow!("输入有误：\n{}", lines.join("\n"))
}

fn service_error(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(fields) => fields_error(&fields),
        ServiceError::Conflict { message, .. } | ServiceError::Refused { message, .. } => {
            anyhow::anyhow!(message)
        }
        other => anyhow::Error::new(other),
    }
}

/// The first line of standard input; from a terminal it is read without echo.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password("密码（至少10个字符）：").context("无法读取密码")?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("无法从标准输入读取密码")?;
        line
    };
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub fn user(settings: &Settings, command: UserCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    let UserCommand::Add {
        email,
        role,
        bureaus,
        uscc,
        name,
    } = command;
    let password = read_password()?;
    let input = UserInput {
        email: Some(email),
        password: Some(password),
        role: Some(role),
        bureaus,
        uscc,
        name,
    };
    let user = accounts::parse_user(&input).map_err(|f| fields_error(&f))?;
    let mut conn = open(settings)?;
    let view = accounts::add_user(&mut conn, user, now).map_err(service_error)?;
    let mut line = format!(
        "已创建账号 #{} {}（{}",
        view.id,
        view.email,
        view.role.as_str()
    );
    if !view.bureaus.is_empty() {
        line.push_str(&format!("，辖区 {}", view.bureaus.join("、")));
    }
    if let Some(uscc) = &view.uscc {
        line.push_str(&format!("，企业 {uscc}"));
    }
    println!("{line}）");
    Ok(())
}

pub fn enterprise(
    settings: &Settings,
    command: EnterpriseCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let EnterpriseCommand::Add {
        uscc,
        name,
        district,
        email,
        odr,
        commitments,
    } = command;
    let input = EnterpriseInput {
        uscc: Some(uscc),
        name: Some(name),
        district: Some(district),
        email,
        odr,
        commitments,
    };
    let enterprise = accounts::parse_enterprise(&input).map_err(|f| fields_error(&f))?;
    let mut conn = open(settings)?;
    let (view, created) =
        accounts::upsert_enterprise(&mut conn, &enterprise, now).map_err(service_error)?;
    println!(
        "{}企业 {} {}（{}{}）",
        if created { "已登记" } else { "已更新" },
        view.uscc,
        view.name,
        view.district,
        if view.odr { "，ODR" } else { "" }
    );
    Ok(())
}

pub fn apikey(
    settings: &Settings,
    command: ApikeyCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let ApikeyCommand::Issue { label } = command;
    let label = accounts::parse_label(Some(&label)).map_err(|f| fields_error(&f))?;
    let mut conn = open(settings)?;
    let issued = accounts::issue_api_key(&mut conn, &label, now).map_err(service_error)?;
    if issued.key.is_empty() {
        bail!("密钥生成失败");
    }
    eprintln!(
        "API 密钥 #{}（{}）只显示这一次，请妥善保存：",
        issued.id, issued.label
    );
    println!("{}", issued.key);
    Ok(())
}
