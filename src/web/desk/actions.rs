//! A form for every step the case view allows, rendered from the step's field specs
//! (`ActionKind::fields`), read back through the same specs into the JSON body of the API
//! request, and carried out by `service::actions::act` exactly as the JSON API does.

use actix_web::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::district_name;
use crate::domain::Taxonomy;
use crate::domain::action::{ActionKind, CodeList, FieldSpec, Input, OUTSIDE_BUREAU};
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

/// The label of a step named in a link (`?done=accept`).
pub fn action_label(name: &str) -> &'static str {
    ActionKind::parse(name).map_or("其他操作", ActionKind::label_zh)
}

fn code_options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&v| (code(v).to_owned(), label(v).to_owned()))
        .collect()
}

fn recipients(audience: &Audience) -> Vec<(String, String)> {
    let list: &[(Recipient, &str)] = if audience.enterprise {
        &[(Recipient::Mediator, "调解员")]
    } else if audience.kind == CaseKind::Report {
        &[(Recipient::Reporter, "举报人")]
    } else {
        &[
            (Recipient::Complainant, "投诉人"),
            (Recipient::Enterprise, "被投诉企业"),
        ]
    };
    list.iter()
        .map(|(r, l)| (r.as_str().to_owned(), (*l).to_owned()))
        .collect()
}

fn bureaus(current: &str) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = Taxonomy::builtin()
        .districts
        .iter()
        .filter(|d| d.code != current)
        .map(|d| (d.code.clone(), district_name(&d.code).to_owned()))
        .collect();
    list.push((OUTSIDE_BUREAU.into(), "江门市辖区外".into()));
    list
}

fn options(input: Input, audience: &Audience) -> Vec<(String, String)> {
    match input {
        Input::Select(CodeList::NotAcceptReason) => code_options(
            NotAcceptReason::ALL,
            NotAcceptReason::as_str,
            NotAcceptReason::label_zh,
        ),
        Input::Select(CodeList::TerminationReason) => code_options(
            TerminationReason::ALL,
            TerminationReason::as_str,
            TerminationReason::label_zh,
        ),
        Input::Select(CodeList::PauseReason) => {
            code_options(PauseReason::ALL, PauseReason::as_str, PauseReason::label_zh)
        }
        Input::Select(CodeList::Recipient) => recipients(audience),
        Input::Select(CodeList::Bureau) => bureaus(audience.district),
        Input::User => audience.workers.clone(),
        _ => Vec::new(),
    }
}

/// How the template draws an input.
fn widget(input: Input) -> &'static str {
    match input {
        Input::Select(_) | Input::User => "select",
        Input::LongText => "textarea",
        Input::Money { .. } => "money",
        Input::Text | Input::Integer | Input::Checkbox | Input::CaseNo => "text",
    }
}

/// Whether an issue from the use case belongs to this input.
fn concerns(issue: &FieldIssue, spec: &FieldSpec) -> bool {
    issue.field == spec.form_name() || issue.field == spec.name
}

/// Forms for the allowed steps, the refused one keeping its typed values and messages.
pub fn forms(allowed: &[ActionKind], audience: &Audience, attempt: &Attempt) -> Vec<ActionForm> {
    allowed
        .iter()
        .filter(|kind| !kind.is_sweep_only())
        .map(|&kind| {
            let name = kind.as_str();
            let retried = attempt.action == name;
            let fields = kind
                .fields()
                .iter()
                .map(|spec| {
                    let field = spec.form_name();
                    Field {
                        id: format!("{name}-{field}"),
                        name: field,
                        label: spec.label,
                        kind: widget(spec.input),
                        options: options(spec.input, audience),
                        value: if retried {
                            typed(attempt, field)
                        } else {
                            String::new()
                        },
                        errors: if retried {
                            attempt
                                .issues
                                .iter()
                                .filter(|i| concerns(i, spec))
                                .map(|i| i.message.clone())
                                .collect()
                        } else {
                            Vec::new()
                        },
                    }
                })
                .collect();
            ActionForm {
                name,
                label: kind.label_zh(),
                fields,
            }
        })
        .collect()
}

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

/// Whether `raw` is one of the values the list offers.
fn offered(list: CodeList, raw: &str) -> bool {
    fn has<T: Copy>(all: &[T], as_str: fn(T) -> &'static str, raw: &str) -> bool {
        all.iter().any(|&v| as_str(v) == raw)
    }
    match list {
        CodeList::NotAcceptReason => has(NotAcceptReason::ALL, NotAcceptReason::as_str, raw),
        CodeList::TerminationReason => has(TerminationReason::ALL, TerminationReason::as_str, raw),
        CodeList::PauseReason => has(PauseReason::ALL, PauseReason::as_str, raw),
        CodeList::Recipient => Recipient::deserialize(Value::from(raw)).is_ok(),
        // The use case checks the district code.
        CodeList::Bureau => !raw.is_empty(),
    }
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

/// The posted form as the JSON body the API takes for the same step, or what is missing or
/// malformed.
pub fn request_body(form: &Form) -> Result<Value, Vec<FieldIssue>> {
    let kind = ActionKind::parse(form.get("action").unwrap_or_default())
        .filter(|k| !k.is_sweep_only())
        .ok_or_else(|| vec![issue("action", "unknown_action", "未知的操作")])?;
    let mut body = Map::new();
    body.insert("action".into(), kind.as_str().into());
    let mut issues = Vec::new();
    for spec in kind.fields() {
        let form_name = spec.form_name();
        let raw = form.get(form_name).unwrap_or_default().trim();
        let value = match spec.input {
            Input::Select(list) if !offered(list, raw) => {
                if spec.required {
                    issues.push(issue(form_name, "required", "请选择"));
                }
                continue;
            }
            Input::Select(CodeList::Bureau) if raw == OUTSIDE_BUREAU => {
                body.insert("outside".into(), true.into());
                continue;
            }
            Input::Money { .. } => match parse_yuan(raw) {
                Some(fen) => fen.into(),
                None => {
                    issues.push(issue(
                        form_name,
                        "amount_format",
                        "金额请以元为单位填写，最多两位小数，如 129.50",
                    ));
                    continue;
                }
            },
            Input::Checkbox => matches!(raw, "yes" | "on" | "true").into(),
            // Required texts go as typed, even empty: the workflow says what is missing.
            _ if raw.is_empty() && !spec.required => continue,
            Input::Integer => match raw.parse::<i64>() {
                Ok(n) => n.into(),
                Err(_) => {
                    issues.push(issue(form_name, "integer", "请填写整数"));
                    continue;
                }
            },
            _ => raw.into(),
        };
        body.insert(spec.name.into(), value);
    }
    if issues.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(issues)
    }
}

/// The posted form as the API's request: the same body, through the same deserialiser.
pub fn command(form: &Form) -> Result<Command, Vec<FieldIssue>> {
    let body = request_body(form)?;
    serde_json::from_value(body).map_err(|e| vec![issue("action", "invalid", &e.to_string())])
}

/// Carries out the posted step: the step's name when done, or what to show again and with
/// which status (409 not allowed now, 422 details wrong).
pub async fn perform(
    state: &AppState,
    caller: Caller,
    case_no: &str,
    form: &Form,
) -> Result<Result<ActionKind, (StatusCode, Attempt)>, PageError> {
    let action = form.get("action").unwrap_or_default().to_owned();
    let specs = ActionKind::parse(&action).map_or(&[][..], ActionKind::fields);
    let mut attempt = Attempt {
        typed: specs
            .iter()
            .map(FieldSpec::form_name)
            .filter_map(|n| form.get(n).map(|v| (n.to_owned(), v.to_owned())))
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
    let kind = command.kind();
    let ctx = state.ctx();
    let no = case_no.to_owned();
    let done = state
        .with_db(move |conn| actions::act(conn, &ctx, &no, &caller, command))
        .await;
    match done {
        Ok(_) => Ok(Ok(kind)),
        Err(ServiceError::NotAllowed { allowed, .. }) => {
            let now: Vec<&str> = allowed.iter().map(|a| a.label_zh()).collect();
            attempt.refusal = Some(format!(
                "案件当前状态不允许「{}」。现在可以办理：{}。",
                kind.label_zh(),
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
    let retried = ActionKind::parse(&attempt.action)
        .filter(|k| forms.iter().any(|f| f.name == k.as_str()))
        .map_or(&[][..], ActionKind::fields);
    let shown = |i: &FieldIssue| retried.iter().any(|spec| concerns(i, spec));
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
    use super::*;
    use crate::domain::action::tests::one_of_each;

    /// What a person would type into the step's form to send `command`.
    fn typed_form(command: &Command) -> Form {
        let body = serde_json::to_value(command).expect("serialisable");
        let mut pairs = vec![("action".to_owned(), command.kind().as_str().to_owned())];
        for spec in command.kind().fields() {
            let value = &body[spec.name];
            let typed = match spec.input {
                Input::Select(CodeList::Bureau) if body["outside"] == true => OUTSIDE_BUREAU.into(),
                Input::Money { .. } => {
                    let fen = value.as_i64().expect("fen");
                    format!("{}.{:02}", fen / 100, fen % 100)
                }
                _ => match value {
                    Value::Null => continue,
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            };
            pairs.push((spec.form_name().to_owned(), typed));
        }
        Form(pairs)
    }

    #[test]
    fn every_form_reads_back_as_its_json_request() {
        let mut commands = one_of_each();
        commands.push(Command::Transfer {
            bureau: None,
            outside: Some(true),
            reason: "外市商家".into(),
        });
        for command in commands.into_iter().filter(|c| !c.kind().is_sweep_only()) {
            let form = typed_form(&command);
            assert_eq!(
                super::command(&form),
                Ok(command.clone()),
                "{:?}",
                command.kind()
            );
        }
    }

    #[test]
    fn missing_choices_and_bad_amounts_are_named_by_field() {
        let form = |pairs: &[(&str, &str)]| {
            Form(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            )
        };
        let fields = |r: Result<Command, Vec<FieldIssue>>| {
            r.expect_err("refused")
                .into_iter()
                .map(|i| i.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(command(&form(&[("action", "pause")]))), ["reason"]);
        assert_eq!(
            fields(command(&form(&[("action", "message"), ("to", "nobody")]))),
            ["to"]
        );
        assert_eq!(
            fields(command(&form(&[
                ("action", "settle"),
                ("amount", "12.345")
            ]))),
            ["amount"]
        );
        assert_eq!(
            fields(command(&form(&[("action", "odr_expire")]))),
            ["action"]
        );
        assert_eq!(
            command(&form(&[("action", "settle"), ("agreement", " 退款 ")])),
            Ok(Command::Settle {
                agreement: "退款".into(),
                recovered_fen: 0
            })
        );
    }

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
