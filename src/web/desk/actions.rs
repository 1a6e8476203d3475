//! A form for every step the case view allows, rendered from the step's field specs
//! (`ActionKind::fields`), read back by `step_form` through the same specs, and carried out by `service::actions::act` exactly as the JSON API does.

use actix_web::http::StatusCode;

use super::district_name;
use crate::domain::Taxonomy;
use crate::domain::action::{ActionKind, CodeList, FieldSpec, Input, OUTSIDE_BUREAU};
use crate::domain::aftercare::{ConsumerView, Fulfilled, NoticeMeans, NoticeParty};
use crate::domain::case::CaseKind;
use crate::domain::codes::{NotAcceptReason, PauseReason, TerminationReason};
use crate::domain::documents::AgreementForm;
use crate::domain::grounds::{CaseGrounds, GroundOption};
use crate::domain::workflow::{PARTY_MESSAGES_PER_DAY, Recipient};
use crate::intake::FieldIssue;
use crate::service::ServiceError;
use crate::service::access::Caller;
use crate::service::actions;
use crate::state::AppState;
use crate::web::{Form, PageError, step_form};

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
    pub required: bool,
}

impl Field {
    /// The words beside the label saying whether the input is needed.
    pub fn need(&self) -> &'static str {
        if self.required { "必填" } else { "可选" }
    }
}

/// One message of a refused step, linking to the input it is about.
pub struct Problem {
    pub target: String,
    pub message: String,
}

pub struct ActionForm {
    pub name: &'static str,
    pub label: &'static str,
    pub fields: Vec<Field>,
    /// Every message of the refused step, shown at the top of its form: the page comes back
    /// scrolled to that form (its `action` ends in `#form-{name}`).
    pub problems: Vec<Problem>,
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
    /// The grounds the case's policy version allows now (`StaffCaseView::grounds`).
    pub grounds: Option<&'a CaseGrounds>,
    /// Whether a transfer may go to another bureau of the city (not under Order 121, where a
    /// bureau returns the case to the unified intake unit instead).
    pub sideways: bool,
    /// The 调解书 in force, which the confirmation and the signed copy name.
    pub agreement_id: Option<i64>,
    /// The case's documents still in force, as (id, "title number"), for a correction.
    pub documents: Vec<(String, String)>,
    /// A counterfeit or IP case: its pause form offers 权利人辨认鉴别 first.
    pub counterfeit_or_ip: bool,
}

/// Steps that cannot be taken back: their form has a box to tick, and a post without it is
/// refused before anything happens. Gives the label of the box.
fn confirmation(kind: ActionKind) -> Option<&'static str> {
    (kind == ActionKind::Transfer).then_some("我确认将本案转出本局办理，转出后本局不再处理")
}

const CONFIRM: &str = "confirm";

/// The case page after a step, with the notice of what was recorded. The form posted to
/// `…#form-{step}`; without a fragment of its own the redirect would keep that one.
pub fn done_page(case_page: &str, done: ActionKind) -> actix_web::HttpResponse {
    crate::web::see_other(&format!("{case_page}?done={}#main", done.as_str()))
}

/// The label of a step named in a link (`?done=accept`).
pub fn action_label(name: &str) -> &'static str {
    ActionKind::parse(name).map_or("其他操作", ActionKind::label_zh)
}

/// The notice on the page a step lands on: the step as the timeline now records it, with
/// what it decided ("已记录：调解成功，达成协议：…；挽回经济损失 ¥…").
pub fn recorded<'a>(
    done: &str,
    mut steps: impl DoubleEndedIterator<Item = (&'a str, String)>,
) -> String {
    match steps.rfind(|(kind, _)| *kind == done) {
        Some((_, line)) => format!("已记录：{line}"),
        None => format!("已办理：{}。", action_label(done)),
    }
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

/// A policy's grounds as options, each with its article: "一方拒绝…（第121号令第二十三条第二项）".
fn ground_options(grounds: &[GroundOption]) -> Vec<(String, String)> {
    grounds
        .iter()
        .map(|g| {
            let label = if g.basis.is_empty() {
                g.label.to_owned()
            } else {
                format!("{}（{}）", g.label, g.basis)
            };
            (g.code.to_owned(), label)
        })
        .collect()
}

fn recipients(audience: &Audience) -> Vec<(String, String)> {
    let list: &[(Recipient, &str)] = if audience.enterprise {
        &[
            (Recipient::Mediator, "调解员"),
            (Recipient::Complainant, "投诉人"),
        ]
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

fn bureaus(current: &str, sideways: bool) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = Taxonomy::builtin()
        .districts
        .iter()
        .filter(|d| sideways && d.code != current)
        .map(|d| (d.code.clone(), district_name(&d.code).to_owned()))
        .collect();
    list.push((OUTSIDE_BUREAU.into(), "江门市辖区外".into()));
    list
}

fn options(input: Input, audience: &Audience) -> Vec<(String, String)> {
    match input {
        Input::Select(CodeList::NotAcceptReason) => match audience.grounds {
            Some(g) => ground_options(&g.not_accept),
            None => code_options(
                NotAcceptReason::ALL,
                NotAcceptReason::as_str,
                NotAcceptReason::label_zh,
            ),
        },
        Input::Select(CodeList::TerminationReason) => match audience.grounds {
            Some(g) => ground_options(&g.termination),
            None => code_options(
                TerminationReason::ALL,
                TerminationReason::as_str,
                TerminationReason::label_zh,
            ),
        },
        Input::Select(CodeList::PauseReason) => {
            let fitting = PauseReason::offered(audience.kind, audience.counterfeit_or_ip);
            code_options(&fitting, PauseReason::as_str, PauseReason::label_zh)
        }
        Input::Select(CodeList::Recipient) => recipients(audience),
        Input::Select(CodeList::Bureau) => bureaus(audience.district, audience.sideways),
        Input::Select(CodeList::CityBureau) => Taxonomy::builtin()
            .districts
            .iter()
            .map(|d| (d.code.clone(), district_name(&d.code).to_owned()))
            .collect(),
        Input::Select(CodeList::NoticeParty) => {
            code_options(NoticeParty::ALL, NoticeParty::as_str, NoticeParty::label_zh)
        }
        Input::Select(CodeList::NoticeMeans) => {
            code_options(NoticeMeans::ALL, NoticeMeans::as_str, NoticeMeans::label_zh)
        }
        Input::Select(CodeList::Fulfilled) => {
            code_options(Fulfilled::ALL, Fulfilled::as_str, Fulfilled::label_zh)
        }
        Input::Select(CodeList::ConsumerView) => code_options(
            ConsumerView::ALL,
            ConsumerView::as_str,
            ConsumerView::label_zh,
        ),
        Input::Select(CodeList::Document) => audience.documents.clone(),
        Input::Select(CodeList::AgreementForm) => code_options(
            AgreementForm::ALL,
            AgreementForm::as_str,
            AgreementForm::label_zh,
        ),
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
        Input::Checkbox => "checkbox",
        Input::Date => "date",
        Input::Text | Input::Integer | Input::CaseNo => "text",
    }
}

/// Whether an issue from the use case belongs to this input.
fn concerns(issue: &FieldIssue, spec: &FieldSpec) -> bool {
    issue.field == spec.form_name() || issue.field == spec.name
}

/// The issue's message; a missing input is named by its label, whoever noticed it.
fn message(issue: &FieldIssue, spec: &FieldSpec) -> String {
    if issue.code == "required" {
        spec.missing_message()
    } else {
        issue.message.clone()
    }
}

/// Forms for the allowed steps, the refused one keeping its typed values and messages.
pub fn forms(allowed: &[ActionKind], audience: &Audience, attempt: &Attempt) -> Vec<ActionForm> {
    allowed
        .iter()
        .filter(|kind| !kind.is_sweep_only())
        .map(|&kind| form(kind, audience, attempt))
        .collect()
}

fn form(kind: ActionKind, audience: &Audience, attempt: &Attempt) -> ActionForm {
    let name = kind.as_str();
    let retried = attempt.action == name;
    let issues = |shows: &dyn Fn(&FieldIssue) -> Option<String>| -> Vec<String> {
        if retried {
            attempt.issues.iter().filter_map(shows).collect()
        } else {
            Vec::new()
        }
    };
    let mut fields: Vec<Field> = kind
        .fields()
        .iter()
        .map(|spec| {
            let field = spec.form_name();
            Field {
                id: format!("{name}-{field}"),
                name: field,
                label: spec.label,
                kind: agreement_named(kind, field, audience)
                    .map_or(widget(spec.input), |_| "hidden"),
                options: options(spec.input, audience),
                value: if retried {
                    typed(attempt, field)
                } else {
                    agreement_named(kind, field, audience).unwrap_or_default()
                },
                errors: issues(&|i| concerns(i, spec).then(|| message(i, spec))),
                required: spec.required,
            }
        })
        .collect();
    if let Some(label) = confirmation(kind) {
        fields.push(Field {
            id: format!("{name}-{CONFIRM}"),
            name: CONFIRM,
            label,
            kind: "checkbox",
            options: Vec::new(),
            value: String::new(),
            errors: issues(&|i| (i.field == CONFIRM).then(|| i.message.clone())),
            required: true,
        });
    }
    // Messages no input shows (a refusal, an unknown step) point at the form itself.
    let placed = |i: &FieldIssue| {
        kind.fields().iter().any(|spec| concerns(i, spec))
            || (confirmation(kind).is_some() && i.field == CONFIRM)
    };
    let form_id = format!("form-{name}");
    let mut problems: Vec<Problem> = (attempt.refusal.iter().cloned())
        .chain(issues(&|i| (!placed(i)).then(|| i.message.clone())))
        .filter(|_| retried)
        .map(|message| Problem {
            target: form_id.clone(),
            message,
        })
        .collect();
    problems.extend(fields.iter().flat_map(|f| {
        f.errors.iter().map(|m| Problem {
            target: f.id.clone(),
            message: m.clone(),
        })
    }));
    ActionForm {
        name,
        label: kind.label_for(audience.kind),
        fields,
        problems,
    }
}

/// The 调解书 in force, as the value of the steps' `document_id`: a party confirms that one
/// and no other, so its form does not ask.
fn agreement_named(kind: ActionKind, field: &str, audience: &Audience) -> Option<String> {
    let names = matches!(
        kind,
        ActionKind::ConfirmAgreement | ActionKind::RecordSignedAgreement
    ) && field == "document_id";
    names
        .then_some(audience.agreement_id)
        .flatten()
        .map(|id| id.to_string())
}

fn typed(attempt: &Attempt, field: &str) -> String {
    attempt
        .typed
        .iter()
        .find(|(k, _)| k == field)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
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
    let unconfirmed = ActionKind::parse(&attempt.action)
        .and_then(confirmation)
        .filter(|_| form.get(CONFIRM) != Some("yes"))
        .map(|_| FieldIssue {
            field: CONFIRM.into(),
            code: "required".into(),
            message: "请勾选确认后再提交".into(),
        });
    let command = match (step_form::command(form), unconfirmed) {
        (Ok(c), None) => c,
        (parsed, unconfirmed) => {
            attempt.issues = parsed.err().unwrap_or_default();
            attempt.issues.extend(unconfirmed);
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
        Err(ServiceError::TooManyRequests { .. }) => {
            attempt.refusal = Some(format!(
                "本案今天的留言已达 {PARTY_MESSAGES_PER_DAY} 条上限，请明天再留言。"
            ));
            Ok(Err((StatusCode::TOO_MANY_REQUESTS, attempt)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Messages of a refused step whose form is no longer offered, for the box at the top of the
/// page (an offered form shows them itself).
pub fn unplaced(attempt: &Attempt, forms: &[ActionForm]) -> Option<String> {
    if forms.iter().any(|f| f.name == attempt.action) {
        return None;
    }
    let parts: Vec<String> = (attempt.refusal.iter().cloned())
        .chain(attempt.issues.iter().map(|i| i.message.clone()))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}
