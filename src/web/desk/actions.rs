//! A form for every step the case view allows, turned back into a workflow `Command` when
//! posted, and carried out by `service::actions::act` exactly as the JSON API does.

use actix_web::http::StatusCode;

use super::district_name;
use crate::domain::Taxonomy;
use crate::domain::case::CaseKind;
use crate::domain::codes::{NotAcceptReason, PauseReason, TerminationReason};
use crate::domain::workflow::{Command, Recipient};
use crate::intake::FieldIssue;
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::actions;
use crate::state::AppState;
use crate::web::{Form, PageError};

/// One input of an action form, with what was typed and what was wrong with it.
pub struct Field {
    pub id: String,
    pub name: &'static str,
    pub label: &'static str,
    /// `select`, `textarea`, `text` or `money`.
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
    pub value: String,
    pub errors: Vec<String>,
}

pub struct ActionForm {
    pub name: &'static str,
    pub label: &'static str,
    pub fields: Vec<Field>,
}

/// The step that was refused: its typed values, and why.
#[derive(Default)]
pub struct Attempt {
    pub action: String,
    pub typed: Vec<(String, String)>,
    pub issues: Vec<FieldIssue>,
    pub refusal: Option<String>,
}

/// Who the forms are for: bureau staff see every step, a business only its own.
pub struct Audience<'a> {
    pub kind: CaseKind,
    pub district: &'a str,
    /// Mediators and supervisors who may take the case, as (e-mail, label).
    pub workers: Vec<(String, String)>,
    pub enterprise: bool,
}

/// Every form field name a step can post.
const FIELD_NAMES: [&str; 10] = [
    "reason",
    "detail",
    "bureau",
    "agreement",
    "amount",
    "case_no",
    "user",
    "text",
    "to",
    "proposal",
];

pub fn action_label(name: &str) -> &'static str {
    match name {
        "accept" => "受理",
        "not_accept" => "不予受理",
        "transfer" => "转办",
        "pause" => "中止调解（检测鉴定）",
        "resume" => "恢复调解",
        "settle" => "调解成功结案",
        "terminate" => "终止调解",
        "withdraw" => "撤回",
        "reopen" => "重新处理",
        "merge_into" => "合并到其他案件",
        "assign" => "分派",
        "note" => "添加内部备注",
        "message" => "发送消息",
        "odr_answer" => "答复并提出处理方案",
        "open_case" => "立案",
        "not_open" => "不予立案",
        "notify_reporter" => "告知举报人处理结果",
        "submit_referral" => "已报送不良反应监测信息",
        _ => "其他操作",
    }
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&v| (code(v).to_owned(), label(v).to_owned()))
        .collect()
}

fn recipients(audience: &Audience) -> Vec<(String, String)> {
    let list: &[(&str, &str)] = if audience.enterprise {
        &[("mediator", "调解员")]
    } else if audience.kind == CaseKind::Report {
        &[("reporter", "举报人")]
    } else {
        &[("complainant", "投诉人"), ("enterprise", "被投诉企业")]
    };
    list.iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect()
}

fn bureaus(current: &str) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = Taxonomy::builtin()
        .districts
        .iter()
        .filter(|d| d.code != current)
        .map(|d| (d.code.clone(), district_name(&d.code).to_owned()))
        .collect();
    list.push(("outside".into(), "江门市辖区外".into()));
    list
}

/// (name, label, kind, options) of each input a step needs.
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    Vec<(String, String)>,
);

fn specs(action: &str, audience: &Audience) -> Vec<Spec> {
    let none = Vec::new;
    match action {
        "not_accept" => vec![
            (
                "reason",
                "不予受理理由",
                "select",
                options(
                    NotAcceptReason::ALL,
                    NotAcceptReason::as_str,
                    NotAcceptReason::label_zh,
                ),
            ),
            ("detail", "说明（可选）", "textarea", none()),
        ],
        "terminate" => vec![
            (
                "reason",
                "终止理由",
                "select",
                options(
                    TerminationReason::ALL,
                    TerminationReason::as_str,
                    TerminationReason::label_zh,
                ),
            ),
            ("detail", "说明（可选）", "textarea", none()),
        ],
        "pause" => vec![(
            "reason",
            "中止原因",
            "select",
            options(PauseReason::ALL, PauseReason::as_str, PauseReason::label_zh),
        )],
        "transfer" => vec![
            ("bureau", "转至", "select", bureaus(audience.district)),
            ("reason", "转办原因", "textarea", none()),
        ],
        "settle" => vec![
            ("agreement", "调解协议内容", "textarea", none()),
            ("amount", "挽回经济损失（元）", "money", none()),
        ],
        "reopen" => vec![("reason", "重新处理原因（可选）", "textarea", none())],
        "merge_into" => vec![("case_no", "合并到案件编号", "text", none())],
        "assign" => vec![("user", "分派给", "select", audience.workers.clone())],
        "note" => vec![("text", "备注内容（仅内部可见）", "textarea", none())],
        "message" => vec![
            ("to", "发送给", "select", recipients(audience)),
            ("text", "消息内容", "textarea", none()),
        ],
        "odr_answer" => vec![("proposal", "处理方案", "textarea", none())],
        "open_case" => vec![("detail", "立案说明（可选）", "textarea", none())],
        "not_open" => vec![("reason", "不予立案理由", "textarea", none())],
        "notify_reporter" => vec![("text", "告知内容（可选）", "textarea", none())],
        _ => Vec::new(),
    }
}

/// Whether an issue from the use case belongs to this input.
fn concerns(issue: &FieldIssue, field: &str) -> bool {
    issue.field == field || (field == "amount" && issue.field == "recovered_fen")
}

/// Forms for the allowed steps, the refused one keeping its typed values and messages.
pub fn forms(allowed: &[String], audience: &Audience, attempt: &Attempt) -> Vec<ActionForm> {
    allowed
        .iter()
        .filter_map(|name| {
            let name: &'static str = ACTIONS.iter().find(|a| *a == name)?;
            let retried = attempt.action == name;
            let fields = specs(name, audience)
                .into_iter()
                .map(|(field, label, kind, options)| Field {
                    id: format!("{name}-{field}"),
                    name: field,
                    label,
                    kind,
                    options,
                    value: if retried {
                        typed(attempt, field)
                    } else {
                        String::new()
                    },
                    errors: if retried {
                        attempt
                            .issues
                            .iter()
                            .filter(|i| concerns(i, field))
                            .map(|i| i.message.clone())
                            .collect()
                    } else {
                        Vec::new()
                    },
                })
                .collect();
            Some(ActionForm {
                name,
                label: action_label(name),
                fields,
            })
        })
        .collect()
}

/// The steps a page can offer; the sweep's own step is not among them.
const ACTIONS: [&str; 19] = [
    "accept",
    "not_accept",
    "transfer",
    "pause",
    "resume",
    "settle",
    "terminate",
    "withdraw",
    "reopen",
    "merge_into",
    "assign",
    "note",
    "message",
    "odr_answer",
    "open_case",
    "not_open",
    "notify_reporter",
    "submit_referral",
    "consumer_accept",
];

fn typed(attempt: &Attempt, field: &str) -> String {
    attempt
        .typed
        .iter()
        .find(|(k, _)| k == field)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn issue(field: &str, code: &str, message: &str) -> FieldIssue {
    FieldIssue {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }
}

fn optional(form: &Form, name: &str) -> Option<String> {
    form.get(name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn text(form: &Form, name: &str) -> String {
    form.get(name).unwrap_or_default().trim().to_owned()
}

fn code<T: Copy>(all: &[T], as_str: fn(T) -> &'static str, raw: &str) -> Option<T> {
    all.iter().copied().find(|v| as_str(*v) == raw)
}

/// Yuan as typed ("129", "129.5", "129.50"; empty is nothing recovered) to fen.
pub fn parse_yuan(raw: &str) -> Option<i64> {
    let raw = raw.trim().trim_start_matches(['¥', '￥']).replace(',', "");
    if raw.is_empty() {
        return Some(0);
    }
    let (whole, cents) = raw.split_once('.').unwrap_or((&raw, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(cents) || cents.len() > 2 {
        return None;
    }
    let cents: i64 = format!("{cents:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)
}

/// The posted form as a workflow command, or what is missing or malformed.
pub fn command(form: &Form) -> Result<Command, Vec<FieldIssue>> {
    let action = form.get("action").unwrap_or_default();
    let choose = |field: &str| vec![issue(field, "required", "请选择")];
    let command = match action {
        "accept" => Command::Accept,
        "resume" => Command::Resume,
        "withdraw" => Command::Withdraw,
        "submit_referral" => Command::SubmitReferral,
        "consumer_accept" => Command::ConsumerAccept,
        "not_accept" => Command::NotAccept {
            reason: code(
                NotAcceptReason::ALL,
                NotAcceptReason::as_str,
                &text(form, "reason"),
            )
            .ok_or_else(|| choose("reason"))?,
            detail: optional(form, "detail"),
        },
        "terminate" => Command::Terminate {
            reason: code(
                TerminationReason::ALL,
                TerminationReason::as_str,
                &text(form, "reason"),
            )
            .ok_or_else(|| choose("reason"))?,
            detail: optional(form, "detail"),
        },
        "pause" => Command::Pause {
            reason: code(PauseReason::ALL, PauseReason::as_str, &text(form, "reason"))
                .ok_or_else(|| choose("reason"))?,
        },
        "transfer" => {
            let bureau = text(form, "bureau");
            if bureau.is_empty() {
                return Err(choose("bureau"));
            }
            let outside = bureau == "outside";
            Command::Transfer {
                bureau: (!outside).then_some(bureau),
                outside: outside.then_some(true),
                reason: text(form, "reason"),
            }
        }
        "settle" => Command::Settle {
            agreement: text(form, "agreement"),
            recovered_fen: parse_yuan(form.get("amount").unwrap_or_default()).ok_or_else(|| {
                vec![issue(
                    "amount",
                    "amount_format",
                    "金额请以元为单位填写，最多两位小数，如 129.50",
                )]
            })?,
        },
        "reopen" => Command::Reopen {
            reason: optional(form, "reason"),
        },
        "merge_into" => Command::MergeInto {
            case_no: text(form, "case_no"),
        },
        "assign" => Command::Assign {
            user: text(form, "user"),
        },
        "note" => Command::Note {
            text: text(form, "text"),
        },
        "message" => Command::Message {
            to: match text(form, "to").as_str() {
                "complainant" => Recipient::Complainant,
                "reporter" => Recipient::Reporter,
                "enterprise" => Recipient::Enterprise,
                "mediator" => Recipient::Mediator,
                _ => return Err(choose("to")),
            },
            text: text(form, "text"),
        },
        "odr_answer" => Command::OdrAnswer {
            proposal: text(form, "proposal"),
        },
        "open_case" => Command::OpenCase {
            detail: optional(form, "detail"),
        },
        "not_open" => Command::NotOpen {
            reason: text(form, "reason"),
        },
        "notify_reporter" => Command::NotifyReporter {
            text: optional(form, "text"),
        },
        _ => return Err(vec![issue("action", "unknown_action", "未知的操作")]),
    };
    Ok(command)
}

/// Carries out the posted step: the step's name when done, or what to show again and with
/// which status (409 not allowed now, 422 details wrong).
pub async fn perform(
    state: &AppState,
    caller: Caller,
    case_no: &str,
    form: &Form,
) -> Result<Result<&'static str, (StatusCode, Attempt)>, PageError> {
    let action = form.get("action").unwrap_or_default().to_owned();
    let mut attempt = Attempt {
        typed: FIELD_NAMES
            .iter()
            .filter_map(|&n| form.get(n).map(|v| (n.to_owned(), v.to_owned())))
            .collect(),
        action,
        ..Attempt::default()
    };
    let command = match command(form) {
        Ok(c) => c,
        Err(issues) => {
            attempt.issues = issues;
            return Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, attempt)));
        }
    };
    let name = command.name();
    let ctx = state.ctx();
    let no = case_no.to_owned();
    let done = state
        .with_db(move |conn| actions::act(conn, &ctx, &no, &caller, command))
        .await;
    match done {
        Ok(_) => Ok(Ok(name)),
        Err(ServiceError::NotAllowed { allowed, .. }) => {
            let now: Vec<&str> = allowed.iter().map(|a| action_label(a)).collect();
            attempt.refusal = Some(format!(
                "案件当前状态不允许「{}」。现在可以办理：{}。",
                action_label(name),
                if now.is_empty() {
                    "无".to_owned()
                } else {
                    now.join("、")
                }
            ));
            Ok(Err((StatusCode::CONFLICT, attempt)))
        }
        Err(ServiceError::Invalid(issues)) => {
            attempt.issues = issues;
            Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, attempt)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Messages of the refused step that no input shows, for the box above the forms.
pub fn unplaced(attempt: &Attempt, forms: &[ActionForm]) -> Option<String> {
    let shown = |i: &FieldIssue| {
        forms
            .iter()
            .filter(|f| f.name == attempt.action)
            .flat_map(|f| f.fields.iter())
            .any(|f| concerns(i, f.name))
    };
    let mut parts: Vec<String> = attempt.refusal.iter().cloned().collect();
    parts.extend(
        attempt
            .issues
            .iter()
            .filter(|i| !shown(i))
            .map(|i| i.message.clone()),
    );
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::parse_yuan;

    #[test]
    fn yuan_become_fen() {
        assert_eq!(parse_yuan("129"), Some(12900));
        assert_eq!(parse_yuan(" 129.5 "), Some(12950));
        assert_eq!(parse_yuan("￥1,029.05"), Some(102905));
        assert_eq!(parse_yuan(""), Some(0));
        for bad in ["-1", "1.234", "abc", ".5", "1e3", "99999999999999999999"] {
            assert_eq!(parse_yuan(bad), None, "{bad}");
        }
    }
}
