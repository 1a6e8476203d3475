//! The complaint and report forms: shown with a fresh idempotency key, posted as multipart
//! with evidence, put through the same `service::intake` as the JSON API, and
//! answered with the confirmation page (the only place the 查询码 is ever shown).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::entered::{Entered, Input};
use super::holder::{self, Done};
use super::multipart::{FILE_FIELD, FileProblem, MultipartForm, field};
use super::track::holder_of;
use super::{Evidence, evidence, expired, with_csrf, words};
use crate::domain::Taxonomy;
use crate::domain::case::CaseKind;
use crate::intake::FieldIssue;
use crate::secrets::{IdempotencyKey, TrackingToken, request_hash};
use crate::service::ServiceError;
use crate::service::attachments::{Upload, attach};
use crate::service::intake::{self, Channel, IntakeInput};
use crate::service::submit::Idempotency;
use crate::service::track::public_view;
use crate::state::AppState;
use crate::web::{PageError, csrf, limit};

/// Complaint or report: which form, which idempotency scope, which rate-limit bucket.
#[derive(Clone, Copy)]
struct Kind {
    complaint: bool,
    scope: &'static str,
    form: &'static str,
}

const COMPLAINT: Kind = Kind {
    complaint: true,
    scope: "web_complaint",
    form: "complaint",
};
const REPORT: Kind = Kind {
    complaint: false,
    scope: "web_report",
    form: "report",
};

pub struct Choice {
    pub code: String,
    pub label: String,
}

pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

/// A hint short enough for an option line.
fn short(hint: &str) -> String {
    let hint = hint.trim_end_matches('。');
    if hint.chars().count() <= 26 {
        hint.to_owned()
    } else {
        format!("{}…", hint.chars().take(25).collect::<String>())
    }
}

/// The category tree as option groups: a top level's own leaves, then one group per
/// second-level branch ("商品类 · 化妆品").
fn category_groups() -> Vec<ChoiceGroup> {
    let leaf = |c: &crate::domain::taxonomy::Category| Choice {
        code: c.code.clone(),
        label: match &c.hint {
            Some(h) => format!("{}（{}）", c.label, short(h)),
            None => c.label.clone(),
        },
    };
    let mut groups = Vec::new();
    for top in &Taxonomy::builtin().categories {
        let own: Vec<Choice> = top
            .children
            .iter()
            .filter(|c| c.is_leaf())
            .map(leaf)
            .collect();
        for branch in top.children.iter().filter(|c| !c.is_leaf()) {
            let mut choices = Vec::new();
            let mut stack: Vec<_> = branch.children.iter().rev().collect();
            while let Some(c) = stack.pop() {
                if c.is_leaf() {
                    choices.push(leaf(c));
                } else {
                    stack.extend(c.children.iter().rev());
                }
            }
            groups.push(ChoiceGroup {
                label: format!("{} · {}", top.label, branch.label),
                choices,
            });
        }
        groups.push(ChoiceGroup {
            label: top.label.clone(),
            choices: own,
        });
    }
    groups
}

#[derive(Template)]
#[template(path = "consumer/intake.html")]
struct IntakePage {
    complaint: bool,
    csrf: String,
    idem: String,
    entered: Entered,
    /// Files chosen before a refusal are not kept: the consumer must choose them again.
    reselect: bool,
}

impl IntakePage {
    fn input(&self, name: &str) -> Input {
        self.entered.input(name)
    }

    fn summary(&self) -> Vec<(String, String)> {
        self.entered.summary()
    }

    fn category_groups(&self) -> Vec<ChoiceGroup> {
        category_groups()
    }

    fn natures(&self) -> Vec<Choice> {
        // IP infringement is reported, never complained of (`Nature::reports_only`).
        Taxonomy::builtin()
            .natures
            .iter()
            .filter(|n| !(self.complaint && n.reports_only))
            .map(|n| Choice {
                code: n.code.clone(),
                label: match &n.hint {
                    Some(h) => format!("{}（{}）", n.label, short(h)),
                    None => n.label.clone(),
                },
            })
            .collect()
    }

    /// The adverse-reaction section starts open once the consumer has filled any of it.
    fn adverse_open(&self) -> bool {
        let fields = [
            "onset_date",
            "symptoms",
            "body_site",
            "severity",
            "started_use",
            "stopped_use",
            "treatment",
            "allergy_history",
        ];
        fields.iter().any(|f| {
            let i = self.input(&format!("adverse_reaction.{f}"));
            !i.value.is_empty() || i.invalid()
        })
    }

    /// The rights-holder section starts open once the box is ticked or any of it filled.
    fn rights_holder_open(&self) -> bool {
        self.entered.value("rights_holder") == "yes"
            || ["uscc", "name", "contact_name", "contact_phone"]
                .iter()
                .any(|f| {
                    let i = self.input(&format!("rights_holder.{f}"));
                    !i.value.is_empty() || i.invalid()
                })
    }

    fn districts(&self) -> Vec<Choice> {
        Taxonomy::builtin()
            .districts
            .iter()
            .map(|d| Choice {
                code: d.code.clone(),
                label: d.name.clone(),
            })
            .collect()
    }
}

fn show(
    req: &HttpRequest,
    state: &AppState,
    kind: Kind,
    status: StatusCode,
    entered: Entered,
    reselect: bool,
) -> Result<HttpResponse, PageError> {
    let idem = match entered.value("idem") {
        "" => uuid::Uuid::new_v4().simple().to_string(),
        kept => kept.to_owned(),
    };
    with_csrf(req, state, status, |csrf| IntakePage {
        complaint: kind.complaint,
        csrf,
        idem,
        entered,
        reselect,
    })
}

pub async fn complaint_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    show(
        &req,
        &state,
        COMPLAINT,
        StatusCode::OK,
        Entered::default(),
        false,
    )
}

pub async fn report_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    show(
        &req,
        &state,
        REPORT,
        StatusCode::OK,
        Entered::default(),
        false,
    )
}

pub async fn complaint_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    receive(&req, &state, payload, COMPLAINT).await
}

pub async fn report_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: Multipart,
) -> Result<HttpResponse, PageError> {
    receive(&req, &state, payload, REPORT).await
}

async fn receive(
    req: &HttpRequest,
    state: &AppState,
    payload: Multipart,
    kind: Kind,
) -> Result<HttpResponse, PageError> {
    limit(req, kind.form)?;
    let mut form = MultipartForm::new(payload);
    let fields = form.texts().await?;
    if !csrf::verify(req, field(&fields, "csrf")) {
        return Err(expired());
    }
    // A form is taken even when uploads are full; its files are then refused beside the input.
    let files = match state.uploads.try_take() {
        Ok(_slot) => {
            let room = state.case_limits().whole();
            (form.files(state.settings.attachment_max_bytes, &state.blobs, room)).await?
        }
        Err(busy) => Err(busy.into()),
    };
    let mut entered = Entered::new(fields);
    let input = if kind.complaint {
        IntakeInput::Complaint(entered.complaint())
    } else {
        IntakeInput::Report(entered.report())
    };
    // The idempotency hash covers the input as the API would see it, so a resent form with
    // the same content matches whatever multipart boundary the browser picked.
    let body = serde_json::to_vec(&input).map_err(|e| PageError::Internal(e.to_string()))?;
    let (mut status, mut retry_after) = (StatusCode::UNPROCESSABLE_ENTITY, None);
    let uploads = match files {
        Ok(uploads) => uploads,
        Err(FileProblem {
            status: s,
            message,
            retry_after: r,
        }) => {
            (status, retry_after) = (s, r);
            entered.issues.push(FieldIssue {
                field: FILE_FIELD.into(),
                code: "file".into(),
                message,
            });
            Vec::new()
        }
    };
    let (ctx, channel) = (state.ctx(), Channel::Public { openid: None });
    let refused = if entered.issues.is_empty() {
        let idem = IdempotencyKey::parse(entered.value("idem")).map(|key| Idempotency {
            scope: kind.scope,
            key,
            request_hash: request_hash(&body),
        });
        match intake::receive(&state.intake, ctx, &input, channel, idem).await {
            Ok(submitted) => Ok(submitted),
            Err(ServiceError::Invalid(issues)) => Err(issues),
            Err(e) => return Err(e.into()),
        }
    } else {
        // Nothing is stored while a field is wrong; every other problem is shown too.
        Err(intake::check(&input, &channel, &ctx)
            .err()
            .unwrap_or_default())
    };
    let submitted = match refused {
        Ok(submitted) => submitted,
        Err(issues) => {
            entered.add_intake_issues(issues);
            let reselect = !uploads.is_empty() || entered.input(FILE_FIELD).invalid();
            let page = show(req, state, kind, status, entered, reselect)?;
            return Ok(FileProblem::mark(retry_after, page));
        }
    };
    let token = TrackingToken::parse(&submitted.tracking_token)
        .ok_or_else(|| PageError::Internal("issued token unreadable".into()))?;
    // A replay answers a form already received: its files were stored with it.
    let upload_failed = !(submitted.replayed
        || uploads.is_empty()
        || store_evidence(state, &submitted.case_no, &token, uploads).await);
    // Post/redirect/get: the confirmation is a page of its own, so reload and Back do not
    // file again; the code reaches it in the case's cookie, never in the address.
    let (case_no, secure) = (submitted.case_no, state.settings.cookie_secure);
    let done = if upload_failed {
        Done::FiledWithoutEvidence
    } else {
        Done::Filed
    };
    holder::to_case(&case_no, &token, done, secure)
}

/// Stores the evidence of a case just filed; whether it was stored. A failure here does not
/// undo the case: the consumer is told to upload again from the tracking page.
async fn store_evidence(
    state: &AppState,
    case_no: &str,
    token: &TrackingToken,
    uploads: Vec<Upload>,
) -> bool {
    let (blobs, limits, now) = (state.blobs.clone(), state.case_limits(), state.clock.now());
    let (case_no, token) = (case_no.to_owned(), token.clone());
    state
        .with_db(move |conn| attach(conn, &blobs, &case_no, Some(&token), uploads, limits, now))
        .await
        .is_ok()
}

#[derive(Template)]
#[template(path = "consumer/filed.html")]
struct FiledPage {
    complaint: bool,
    case_no: String,
    token: String,
    kind_label: String,
    state_label: String,
    deadline: String,
    evidence: Vec<Evidence>,
    upload_failed: bool,
}

/// The confirmation after filing (`GET /track/{case_no}/filed`): case number, the 查询码 in
/// groups of four and the first deadline, for the browser that filed it.
pub async fn filed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let (case_no, token) = match holder_of(&req, &state, &path).await? {
        Ok(held) => held,
        Err(page) => return Ok(page),
    };
    let (target, holder) = (case_no.clone(), token.clone());
    let view = state
        .with_db(move |conn| public_view(conn, &target, Some(&holder)))
        .await?;
    let today = crate::clock::china_date(state.clock.now());
    let page = FiledPage {
        complaint: view.kind == CaseKind::Complaint,
        deadline: words::deadline(
            words::first_deadline(view.state),
            view.due,
            view.due_provisional,
            today,
        ),
        case_no,
        token: token.grouped(),
        kind_label: view.kind_label,
        state_label: view.state_label,
        evidence: evidence(&state, view.attachments).await?,
        upload_failed: Done::from_query(req.query_string()) == Some(Done::FiledWithoutEvidence),
    };
    crate::web::page(StatusCode::OK, &page)
}
