//! Collecting field problems with their dotted paths and Chinese messages.

use serde::Serialize;
use validator::{ValidationErrors, ValidationErrorsKind};

use crate::domain::FieldError;

/// One bad field: `{"field":"respondent.uscc","code":"uscc_checksum","message":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldIssue {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Issues(Vec<FieldIssue>);

impl Issues {
    pub fn push(&mut self, field: &str, code: &str, message: impl Into<String>) {
        // One message per field and code is enough, even if two checks found it.
        if !self.0.iter().any(|i| i.field == field && i.code == code) {
            self.0.push(FieldIssue {
                field: field.to_owned(),
                code: code.to_owned(),
                message: message.into(),
            });
        }
    }

    pub fn push_error(&mut self, field: &str, e: FieldError) {
        self.push(field, e.code, e.message);
    }

    pub fn required(&mut self, field: &str) {
        self.push(field, "required", super::labels::missing(field));
    }

    /// Keeps the parsed value, or records why it failed.
    pub fn take<T>(&mut self, field: &str, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push_error(field, e);
                None
            }
        }
    }

    /// A required, non-blank text, trimmed.
    pub fn required_text(&mut self, field: &str, v: &Option<String>) -> Option<String> {
        match optional_text(v) {
            Some(t) => Some(t),
            None => {
                self.required(field);
                None
            }
        }
    }

    pub fn add_validator_errors(&mut self, prefix: &str, errors: &ValidationErrors) {
        let mut fields: Vec<_> = errors.errors().iter().collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        for (name, kind) in fields {
            let path = join(prefix, name);
            match kind {
                ValidationErrorsKind::Field(errs) => {
                    for e in errs {
                        self.push(&path, &e.code, validator_message(e));
                    }
                }
                ValidationErrorsKind::Struct(inner) => self.add_validator_errors(&path, inner),
                ValidationErrorsKind::List(items) => {
                    for (i, inner) in items {
                        self.add_validator_errors(&format!("{path}[{i}]"), inner);
                    }
                }
            }
        }
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Vec<FieldIssue>> {
        if !self.0.is_empty() {
            return Err(self.0);
        }
        // No issue recorded means every required part parsed.
        value().ok_or_else(|| {
            vec![FieldIssue {
                field: String::new(),
                code: "incomplete".into(),
                message: "提交内容不完整".into(),
            }]
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Trimmed text, `None` when absent or blank.
pub fn optional_text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn validator_message(e: &validator::ValidationError) -> String {
    match e.code.as_ref() {
        "length" => match e.params.get("max") {
            Some(max) => format!("长度不能超过{max}个字符"),
            None => "长度不符合要求".to_owned(),
        },
        "range" => "数值超出允许范围".to_owned(),
        _ => "格式不正确".to_owned(),
    }
}
