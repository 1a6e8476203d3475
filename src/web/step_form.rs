//! A step posted from a page, read through the step's field specs (`ActionKind::fields`)
//! into the JSON body the API takes for the same step, then into the API's `Command`: one
//! parser for every form that takes a step.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::action::{ActionKind, CodeList, Input, OUTSIDE_BUREAU};
use crate::domain::aftercare::{ConsumerView, Fulfilled, NoticeMeans, NoticeParty};
use crate::domain::codes::{NotAcceptReason, PauseReason, TerminationReason};
use crate::domain::documents::AgreementForm;
use crate::domain::workflow::{Command, Recipient};
use crate::intake::FieldIssue;
use crate::web::Form;

pub(crate) fn issue(field: &str, code: &str, message: &str) -> FieldIssue {
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
        CodeList::Bureau | CodeList::CityBureau => !raw.is_empty(),
        CodeList::NoticeParty => NoticeParty::parse(raw).is_some(),
        CodeList::NoticeMeans => NoticeMeans::parse(raw).is_some(),
        CodeList::Fulfilled => Fulfilled::parse(raw).is_some(),
        CodeList::ConsumerView => ConsumerView::parse(raw).is_some(),
        CodeList::AgreementForm => AgreementForm::parse(raw).is_some(),
        // The use case checks that the document is the case's.
        CodeList::Document => raw.parse::<i64>().is_ok(),
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
                    issues.push(issue(form_name, "required", &spec.missing_message()));
                }
                continue;
            }
            Input::Select(CodeList::Bureau) if raw == OUTSIDE_BUREAU => {
                body.insert("outside".into(), true.into());
                continue;
            }
            Input::Select(CodeList::Document) => match raw.parse::<i64>() {
                Ok(id) => id.into(),
                Err(_) => continue,
            },
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
            Input::Date => match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(date) => date.to_string().into(),
                Err(_) if raw.is_empty() => {
                    issues.push(issue(form_name, "required", &spec.missing_message()));
                    continue;
                }
                Err(_) => {
                    issues.push(issue(
                        form_name,
                        "date_format",
                        "请按“年-月-日”填写日期，如 2026-05-15",
                    ));
                    continue;
                }
            },
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
            command(&form(&[("action", "terminate")])).map_err(|i| i[0].message.clone()),
            Err("请选择「终止理由」".to_owned())
        );
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
                recovered_fen: 0,
                represented_consent: false,
                agreement_form: Default::default(),
                performance_due: None,
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
