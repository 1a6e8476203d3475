//! Issuing official documents (文书): inside the deciding transaction, a step that the rules
//! put on paper takes the bureau's next number for that kind and year, is filled into its
//! policy version's template, laid out once as HTML, stored, and logged with its SHA-256 in the
//! case's hash-chained event log (`document_issued`). Nothing re-renders a stored document.

use std::collections::HashMap;

use chrono::Datelike;
use sha2::{Digest, Sha256};

use super::access::Caller;
use super::actions::actor_name;
use super::case_view::{LoadedCase, policy_for};
use super::{Ctx, ServiceError};
use crate::domain::action::ActionKind;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::documents::{
    AgreementForm, DocKind, DocumentSet, GroundList, VerifyCode, amount_zh, count_zh, date_zh,
};
use crate::domain::mask_free_text;
use crate::domain::policy::{DayUnit, PolicyVersion};
use crate::domain::workflow::{Actor, Command};
use crate::domain::{DistrictCode, Taxonomy};
use crate::store::documents::{self as store, NewDocumentRow};
use crate::store::events::{self, EventDraft};
use crate::store::{Db, StoreError, cases};

/// Event kind that logs an issued document (staff-only on timelines; parties see the
/// documents in their own list).
pub const DOCUMENT_ISSUED: &str = "document_issued";

/// What was issued, for the notice mail and the answer to the step.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: i64,
    pub kind: DocKind,
    pub number: String,
}

/// Issues the document `command` calls for on `before` (the case as loaded before the step,
/// now in `to`), if it calls for one.
pub(super) fn issue_for_step(
    conn: &mut Db,
    ctx: &Ctx,
    before: &LoadedCase,
    caller: &Caller,
    actor: Actor,
    command: &Command,
    to: CaseState,
) -> Result<Option<Issued>, ServiceError> {
    if let Command::CorrectDocument {
        document_id,
        fields,
        ..
    } = command
    {
        return super::document_corrections::correct(
            conn,
            ctx,
            before,
            caller,
            actor,
            *document_id,
            fields,
        )
        .map(Some);
    }
    let case = &before.case;
    let written = !matches!(
        command,
        Command::Settle {
            agreement_form: AgreementForm::PerformedAtOnce | AgreementForm::Waived,
            ..
        }
    );
    let Some(kind) = DocKind::issued_by(command.kind(), case.kind, case.state, to, written) else {
        return Ok(None);
    };
    let policy = policy_for(&ctx.reference, case)?;
    let set = &ctx.reference.documents;
    let mut fields = common_fields(conn, before, policy)?;
    fields.extend(step_fields(set, policy, case.kind, command, ctx));
    match (kind, command) {
        (DocKind::MediationAgreement, _) => {
            fields.insert("facts", agreement_facts(before));
        }
        (DocKind::ReportNotOpened, Command::NotifyReporter { text }) => {
            fields.insert("detail", not_opened_reason(before, text.as_deref()));
        }
        _ => {}
    }
    // The city's unified intake unit sends a case out; everything else comes from the bureau
    // that holds the case.
    let bureau = match kind {
        DocKind::DispatchNotice => Taxonomy::builtin().city.code.clone(),
        _ => case.district.clone(),
    };
    let draft = Draft {
        case_id: case.id,
        kind,
        policy,
        bureau: &bureau,
        fields,
        replaces: None,
    };
    issue(conn, ctx, draft, caller, actor).map(Some)
}

/// A document about to be issued.
pub(super) struct Draft<'a> {
    pub case_id: i64,
    pub kind: DocKind,
    pub policy: &'a PolicyVersion,
    pub bureau: &'a str,
    pub fields: HashMap<&'static str, String>,
    /// The document a correction replaces: its id and number.
    pub replaces: Option<(i64, String)>,
}

/// Numbers, renders, stores and logs one document.
pub(super) fn issue(
    conn: &mut Db,
    ctx: &Ctx,
    draft: Draft,
    caller: &Caller,
    actor: Actor,
) -> Result<Issued, ServiceError> {
    let set = &ctx.reference.documents;
    let (kind, today) = (draft.kind, ctx.today());
    let year = today.year();
    let bureau = set
        .bureau(draft.bureau)
        .ok_or_else(|| no_template(draft.bureau, kind))?
        .name
        .clone();
    let serial = store::next_serial(conn, draft.bureau, kind.as_str(), year)?;
    let number = set
        .number(draft.bureau, kind, year, serial)
        .ok_or_else(|| no_template(draft.bureau, kind))?;
    let mut fields = draft.fields;
    fields.insert("bureau", bureau.clone());
    fields.insert("issued_on", date_zh(today));
    let text = set
        .render(&draft.policy.id, kind, number.clone(), &bureau, &fields)
        .ok_or_else(|| no_template(&draft.policy.id, kind))?;
    let code = new_verify_code()?;
    let replaced = draft.replaces.as_ref().map(|(_, n)| n.as_str());
    let html = crate::documents::page(&text, &code, &ctx.public_url, replaced)
        .map_err(|e| StoreError::Other(format!("document layout: {e}")))?;
    let sha256 = hex::encode(Sha256::digest(html.as_bytes()));
    let fields_json = serde_json::to_string(&fields)
        .map_err(|e| StoreError::Other(format!("document fields: {e}")))?;
    let audience = kind.audience().as_str();
    let id = store::insert(
        conn,
        &NewDocumentRow {
            case_id: draft.case_id,
            kind: kind.as_str(),
            policy_version: &draft.policy.id,
            bureau: draft.bureau,
            year,
            serial,
            number: &number,
            title: &text.title,
            audience,
            issued_on: today,
            issued_at: ctx.now.naive_utc(),
            verify_code: code.as_str(),
            fields: &fields_json,
            html: &html,
            sha256: &sha256,
            replaces_id: draft.replaces.as_ref().map(|(id, _)| *id),
        },
    )?;
    let mut payload = serde_json::json!({
        "v": 1,
        "document_id": id,
        "kind": kind.as_str(),
        "number": number,
        "title": text.title,
        "audience": audience,
        "sha256": sha256,
    });
    if let (Some((replaced_id, replaced_no)), Some(map)) =
        (&draft.replaces, payload.as_object_mut())
    {
        map.insert("replaces_id".into(), (*replaced_id).into());
        map.insert("replaces".into(), replaced_no.clone().into());
    }
    events::append(
        conn,
        draft.case_id,
        EventDraft {
            kind: DOCUMENT_ISSUED.into(),
            actor: actor_name(caller),
            actor_role: actor.as_str().into(),
            at: ctx.now.naive_utc(),
            from_state: None,
            to_state: None,
            reason: Some(kind.as_str().into()),
            payload,
        },
    )?;
    Ok(Issued { id, kind, number })
}

/// Values every template may use.
fn common_fields(
    conn: &mut Db,
    loaded: &LoadedCase,
    policy: &PolicyVersion,
) -> Result<HashMap<&'static str, String>, ServiceError> {
    let case = &loaded.case;
    let own_role = match case.kind {
        CaseKind::Complaint => "complainant",
        CaseKind::Report => "reporter",
    };
    let parties = cases::parties_of(conn, case.id)?;
    let person = parties
        .iter()
        .find(|p| p.role == own_role)
        .and_then(|p| p.name.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| own_role_word(case.kind).to_owned());
    Ok(HashMap::from([
        ("case_no", case.case_no.clone()),
        ("received_on", date_zh(case.received_date)),
        ("policy_name", policy.name.clone()),
        ("business", case.respondent_name.clone()),
        ("complainant", person),
        ("subject", subject(&case.title)),
    ]))
}

/// The case's short title as a document names it: numbers masked as in the 调解书's facts
/// (the business reads the documents addressed to both parties), and no full stop of its own
/// before the document's punctuation.
fn subject(title: &str) -> String {
    mask_free_text(title.trim(), &[])
        .trim_end_matches(['。', '.', '；', ';', '，', ','])
        .to_owned()
}

fn own_role_word(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Complaint => "投诉人",
        CaseKind::Report => "举报人",
    }
}

/// Values the step itself supplies.
fn step_fields(
    set: &DocumentSet,
    policy: &PolicyVersion,
    case_kind: CaseKind,
    command: &Command,
    ctx: &Ctx,
) -> Vec<(&'static str, String)> {
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    match command {
        Command::Dispatch { bureau } => vec![
            ("to_bureau", bureau_name(set, bureau)),
            ("case_kind", case_kind.label_zh().into()),
        ],
        Command::ReturnToDispatcher { reason } => vec![
            ("reason", reason.clone()),
            ("case_kind", case_kind.label_zh().into()),
        ],
        Command::RequestIdentity { due, detail } => {
            // The notice names what to bring even when the request did not say.
            let detail = Some(text(detail))
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| IDENTITY_PROOF.to_owned());
            vec![("due", date_zh(*due)), ("detail", detail)]
        }
        Command::Accept => {
            let rule = &policy.clocks.mediation;
            let period = match rule.unit {
                DayUnit::Working => format!("{}个工作日", count_zh(rule.days)),
                DayUnit::Calendar => format!("{}日", count_zh(rule.days)),
            };
            vec![("mediation_period", period)]
        }
        Command::NotAccept { reason, detail } => {
            let basis = policy
                .not_accept_grounds
                .iter()
                .find(|g| g.code == *reason)
                .map(|g| g.basis.as_str());
            let words = set.ground_words(&policy.id, GroundList::NotAccept, reason.as_str());
            vec![
                ("ground", words.unwrap_or(reason.label_zh()).to_owned()),
                ("ground_basis", article(basis)),
                ("detail", text(detail)),
            ]
        }
        Command::Terminate { reason, detail, .. } => {
            let basis = policy
                .termination_grounds
                .iter()
                .find(|g| g.code == *reason)
                .map(|g| g.basis.as_str());
            let words = set.ground_words(&policy.id, GroundList::Termination, reason.as_str());
            vec![
                ("ground", words.unwrap_or(reason.label_zh()).to_owned()),
                ("ground_basis", article(basis)),
                ("detail", text(detail)),
                ("terminated_on", date_zh(ctx.today())),
            ]
        }
        Command::Settle {
            agreement,
            recovered_fen,
            performance_due,
            ..
        } => vec![
            ("terms", agreement.trim().to_owned()),
            ("amount", amount_zh(*recovered_fen)),
            (
                "performance_due",
                performance_due.map_or_else(|| "本调解书签收之日".to_owned(), date_zh),
            ),
        ],
        Command::NotifyReporter { text: t } => vec![("detail", text(t))],
        _ => Vec::new(),
    }
}

/// What an identity request asks for when the staff named nothing more specific.
const IDENTITY_PROOF: &str = "有效身份证明材料（如居民身份证复印件）";

/// The reason a 不予立案告知书 gives: the one the decision not to open recorded, followed by
/// what the notice adds, so a notice sent without words of its own still says why.
fn not_opened_reason(loaded: &LoadedCase, told: Option<&str>) -> String {
    let decided = loaded
        .events
        .iter()
        .rev()
        .find(|e| e.kind == ActionKind::NotOpen.as_str())
        .and_then(|e| e.reason.as_deref())
        .map(str::trim)
        .unwrap_or_default();
    let told = told.map(str::trim).unwrap_or_default();
    match (decided, told) {
        (d, t) if t.is_empty() || t == d => d.to_owned(),
        ("", t) => t.to_owned(),
        (d, t) => format!("{}。{t}", d.trim_end_matches('。')),
    }
}

/// The article a ground rests on, without the explanation some bases carry in brackets (the
/// fraud ground's names the police referral, which stays with the staff).
fn article(basis: Option<&str>) -> String {
    basis
        .map(|b| b.split('（').next().unwrap_or(b).trim().to_owned())
        .unwrap_or_default()
}

fn bureau_name(set: &DocumentSet, code: &str) -> String {
    code.parse::<DistrictCode>()
        .ok()
        .and_then(|c| set.bureau(c.as_str()))
        .map_or_else(|| code.to_owned(), |b| b.name.clone())
}

/// The facts of a 调解书: the complaint as written, with numbers masked (the parties' names
/// are on the document anyway).
fn agreement_facts(loaded: &LoadedCase) -> String {
    mask_free_text(loaded.case.description.trim(), &[])
}

fn new_verify_code() -> Result<VerifyCode, ServiceError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Other(format!("random: {e}")))?;
    Ok(VerifyCode::from_random(bytes))
}

fn no_template(what: &str, kind: DocKind) -> ServiceError {
    ServiceError::Storage(format!(
        "no document template or numbering for {what} / {}",
        kind.as_str()
    ))
}
