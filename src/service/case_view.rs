//! A case as each role may see it, with its clocks and the actions the caller may take.
//! The enterprise view is its own type with no field that could hold reporter data.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::ServiceError;
use super::access::{Access, Caller, access};
use super::case_rules::{ClockBasis, offered_actions, rules_of};
use super::track::{AttachmentView, PublicCaseView, TimelineEntry, public_view_of, timeline_of};
use crate::clock::china_date;
use crate::domain::action::ActionKind;
use crate::domain::aftercare::with_notices;
use crate::domain::agreement::AgreementState;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::clocks::{ClockCase, ClockEvent, ClockView, clocks_for};
use crate::domain::event_payload::EventPayload;
use crate::domain::grounds::CaseGrounds;
use crate::domain::identity::{self, IdentityRequest};
use crate::domain::policy::Clock;
use crate::domain::workflow::{Actor, Recipient, allowed_after};
use crate::domain::{PolicyVersion, mask_email, mask_free_text, mask_name, mask_phone};
use crate::reference::Reference;
use crate::store::models::{CaseRow, EventRow, PartyRow};
use crate::store::{Db, cases, events, workflow};

/// A case with everything needed to decide or show something about it.
pub struct LoadedCase {
    pub case: CaseRow,
    pub respondent_uscc: Option<String>,
    pub events: Vec<EventRow>,
    pub referral: Option<workflow::ReferralRow>,
    /// Parties told of a termination by delivered mail (`aftercare::mail_notices`).
    pub mail_notices: Vec<ClockEvent>,
}

impl LoadedCase {
    pub fn kind(&self) -> CaseKind {
        self.case.kind
    }
    pub fn state(&self) -> CaseState {
        self.case.state
    }
    pub fn odr_answered(&self) -> bool {
        self.events
            .iter()
            .any(|e| e.kind == ActionKind::OdrAnswer.as_str())
    }
    /// Whether the verification period running now was extended: an extension since the
    /// case last entered verification (a reopened report gets a fresh period).
    pub fn verification_extended(&self) -> bool {
        self.events
            .iter()
            .rev()
            .take_while(|e| {
                e.kind == ActionKind::Resume.as_str()
                    || e.to_state != Some(CaseState::PendingVerification)
            })
            .any(|e| e.kind == ActionKind::ExtendVerification.as_str())
    }
    /// The latest identity request and whether it was answered, from the log.
    pub fn identity_request(&self) -> Option<IdentityRequest> {
        IdentityRequest::derive(self.events.iter().map(|e| {
            let due = (e.kind == identity::REQUEST)
                .then(|| EventPayload::parse(&e.payload))
                .flatten()
                .and_then(|p| p.str_of("due").and_then(|d| d.parse().ok()));
            (e.kind.as_str(), due, china_date(e.at.and_utc()))
        }))
    }
}

/// A case row the caller may see, with its respondent's USCC and the caller's access; `None`
/// both when the number does not exist and when the case is out of the caller's reach.
pub fn find_visible(
    conn: &mut Db,
    case_no: &str,
    caller: &Caller,
) -> Result<Option<(CaseRow, Option<String>, Access)>, ServiceError> {
    let Some(case) = cases::find_by_case_no(conn, case_no)? else {
        return Ok(None);
    };
    let respondent_uscc = workflow::respondent_uscc(conn, case.id)?;
    Ok(access(caller, &case, respondent_uscc.as_deref())
        .map(|access| (case, respondent_uscc, access)))
}

/// Loads a case the caller may see, or `NotFound`.
pub fn load_visible(
    conn: &mut Db,
    case_no: &str,
    caller: &Caller,
) -> Result<(LoadedCase, Access), ServiceError> {
    let (case, respondent_uscc, access) =
        find_visible(conn, case_no, caller)?.ok_or(ServiceError::NotFound)?;
    let events = events::list(conn, case.id)?;
    let referral = workflow::referral_of(conn, case.id)?;
    let mail_notices = super::aftercare::mail_notices(conn, &case, &events)?;
    Ok((
        LoadedCase {
            case,
            respondent_uscc,
            events,
            referral,
            mail_notices,
        },
        access,
    ))
}

pub fn policy_for<'a>(
    reference: &'a Reference,
    case: &CaseRow,
) -> Result<&'a PolicyVersion, ServiceError> {
    reference
        .policy
        .of_case(&case.policy_version, case.received_date)
        .ok_or_else(|| no_policy(case))
}

fn no_policy(case: &CaseRow) -> ServiceError {
    ServiceError::Storage(format!("no policy version for case {}", case.case_no))
}

/// The case's clocks as of `today`, as `domain::clocks::clocks_for` derives them for every
/// reader of deadlines.
pub fn clocks_of(
    loaded: &LoadedCase,
    reference: &Reference,
    today: NaiveDate,
) -> Result<Vec<ClockView>, ServiceError> {
    let case = &loaded.case;
    let events: Vec<ClockEvent> = loaded
        .events
        .iter()
        .map(|e| {
            ClockEvent::logged(&e.kind, e.at, e.to_state, case.received_date)
                .with_reason(e.reason.as_deref())
        })
        .collect();
    // Termination notices, recorded or mailed, join the log on the day they were given.
    let notices = super::aftercare::recorded_notices(&loaded.events)
        .into_iter()
        .chain(loaded.mail_notices.iter().cloned())
        .collect();
    let events = with_notices(events, notices);
    let subject = ClockCase {
        kind: loaded.kind(),
        received_date: case.received_date,
        policy_version: &case.policy_version,
        referral_severity: loaded.referral.as_ref().map(|r| r.severity),
    };
    clocks_for(
        &subject,
        &events,
        &reference.policy,
        &reference.calendar,
        today,
    )
    .ok_or_else(|| no_policy(case))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyView {
    pub role: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub uscc: Option<String>,
    pub district: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub at: DateTime<Utc>,
    pub from: String,
    pub to: String,
    pub text: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkView {
    pub case_no: String,
    pub relation: String,
    pub outgoing: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffCaseView {
    pub case_no: String,
    pub kind: CaseKind,
    pub state: CaseState,
    pub state_label: String,
    pub channel: String,
    pub channel_label: String,
    pub received_at: DateTime<Utc>,
    #[schema(value_type = String, format = Date)]
    pub received_date: NaiveDate,
    pub policy_version: String,
    pub district: String,
    pub category: Option<String>,
    pub nature: String,
    pub title: String,
    pub description: String,
    pub claim: Option<String>,
    pub prefer_odr: bool,
    pub flags: Vec<String>,
    pub assignee_id: Option<i64>,
    /// Masked for analysts, as is every free text of the view.
    pub parties: Vec<PartyView>,
    pub purchase_amount_fen: Option<i64>,
    pub purchase_online: Option<bool>,
    pub purchase_platform: Option<String>,
    pub links: Vec<LinkView>,
    /// On a joint complaint's own case: its members and representatives (Order 121 Art. 12).
    pub joint: Option<super::joint::JointView>,
    pub clocks: Vec<ClockView>,
    pub allowed_actions: Vec<ActionKind>,
    pub messages: Vec<MessageView>,
    pub attachments: Vec<AttachmentView>,
    /// The products complained about, in the order given.
    pub products: Vec<ProductView>,
    /// For a cosmetics complaint that reported one.
    pub adverse_reaction: Option<AdverseReactionView>,
    /// The title of the rule the case is handled under (its policy version).
    pub policy_name: String,
    /// Each clock's length and cited basis under that version.
    pub clock_bases: Vec<ClockBasis>,
    /// The not-accept and termination grounds the case may use now.
    pub grounds: Box<CaseGrounds>,
    /// The latest request to prove the complainant's identity by a date.
    pub identity_request: Option<IdentityRequest>,
    /// Order 121 Art. 17 screening, for the staff handling the case only (not analysts).
    pub screening: Option<super::screening::Screening>,
    /// The 调解书 of a settlement in mediation (`domain::agreement`).
    pub agreement: Option<AgreementState>,
    /// A report's reporter that is the rights holder (权利人), for staff only.
    pub rights_holder: Option<super::case_view_parts::RightsHolderView>,
}

pub use super::case_view_parts::{AdverseReactionView, ProductView};

/// What the respondent business sees of a complaint against it. Deliberately has no party
/// list. A business never reaches a report (`access::ENTERPRISE_KIND`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnterpriseCaseView {
    pub case_no: String,
    pub kind: CaseKind,
    pub state: CaseState,
    pub state_label: String,
    pub received_at: DateTime<Utc>,
    pub nature: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub claim: Option<String>,
    /// The complainant's name and phone, so the business can contact them (complaints only).
    pub complainant_name: Option<String>,
    pub complainant_phone: Option<String>,
    pub clocks: Vec<ClockView>,
    pub allowed_actions: Vec<ActionKind>,
    pub messages: Vec<MessageView>,
    /// The steps the business may see, each with what it decided (its own proposal among
    /// them); ratings are the consumer's word to the bureau and are left out.
    pub timeline: Vec<TimelineEntry>,
    pub agreement: Option<AgreementState>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConsumerCaseView {
    #[serde(flatten)]
    pub case: PublicCaseView,
    /// The title of the rule the case is handled under.
    pub policy_name: String,
    /// The latest request to prove the complainant's identity by a date.
    pub identity_request: Option<IdentityRequest>,
    pub clocks: Vec<ClockView>,
    pub allowed_actions: Vec<ActionKind>,
    pub messages: Vec<MessageView>,
    pub agreement: Option<AgreementState>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum CaseView {
    Staff(Box<StaffCaseView>),
    Enterprise(Box<EnterpriseCaseView>),
    Consumer(Box<ConsumerCaseView>),
}

/// The conversation as `role` may read it (staff read all of it): `message` steps, and ODR
/// proposals, which are addressed to the complainant. A party reads what was written to it
/// and what it wrote itself, never what the other side wrote to the mediator.
fn messages_for(events: &[EventRow], role: Option<Actor>) -> Vec<MessageView> {
    let audience: &[&str] = match role {
        None => &[],
        Some(Actor::Enterprise) => &["enterprise"],
        Some(_) => &["complainant", "reporter"],
    };
    events
        .iter()
        .filter(|e| e.kind == "message" || e.kind == "odr_answer")
        .filter_map(|e| EventPayload::parse(&e.payload).map(|p| (e, p)))
        .map(|(e, p)| {
            let (to, text) = match e.kind.as_str() {
                "odr_answer" => (Some(Recipient::Complainant), p.proposal()),
                _ => (p.recipient(), p.text()),
            };
            let to = to.map_or("", Recipient::as_str);
            MessageView {
                at: e.at.and_utc(),
                from: e.actor_role.clone(),
                to: to.to_owned(),
                text: text.unwrap_or_default().to_owned(),
            }
        })
        .filter(|m| role.is_none_or(|r| m.from == r.as_str()) || audience.contains(&m.to.as_str()))
        .collect()
}

fn party_view(p: &PartyRow, masked: bool) -> PartyView {
    let person = p.role != "respondent";
    let mask = |v: &Option<String>, f: fn(&str) -> String| {
        if masked && person {
            v.as_deref().map(f)
        } else {
            v.clone()
        }
    };
    PartyView {
        role: p.role.clone(),
        name: mask(&p.name, mask_name),
        phone: mask(&p.phone, mask_phone),
        email: mask(&p.email, mask_email),
        address: if masked && person {
            None
        } else {
            p.address.clone()
        },
        uscc: p.uscc.clone(),
        district: p.district.clone(),
    }
}

pub fn view(
    conn: &mut Db,
    reference: &Reference,
    case_no: &str,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<CaseView, ServiceError> {
    let (loaded, access) = load_visible(conn, case_no, caller)?;
    render(conn, reference, &loaded, access, now)
}

pub fn render(
    conn: &mut Db,
    reference: &Reference,
    loaded: &LoadedCase,
    access: Access,
    now: DateTime<Utc>,
) -> Result<CaseView, ServiceError> {
    let clocks = clocks_of(loaded, reference, china_date(now))?;
    let rules = rules_of(loaded, reference, china_date(now), &clocks)?;
    let mut actions: Vec<ActionKind> = access
        .actor()
        .map(|a| {
            let unified = policy_for(reference, &loaded.case)?.unified_dispatch;
            let odr = loaded.odr_answered();
            Ok::<_, ServiceError>(allowed_after(
                loaded.kind(),
                loaded.state(),
                a,
                odr,
                unified,
            ))
        })
        .transpose()?
        .map(|actions| offered_actions(actions, &rules))
        .unwrap_or_default();
    let joint = match access {
        Access::Staff(_) | Access::Analyst => super::joint::view(conn, loaded)?,
        _ => None,
    };
    // Representatives are chosen on a joint complaint only.
    if joint.is_none() {
        actions.retain(|a| *a != ActionKind::SetRepresentatives);
    }
    super::agreement::offer(loaded, access, &mut actions);
    let agreement = super::agreement::view_for(loaded, access);
    // A verification period is extended once; the desk stops offering it after that.
    if loaded.verification_extended() {
        actions.retain(|a| *a != ActionKind::ExtendVerification);
    }
    // Nothing more is done on a case whose personal data was removed.
    if super::retention::was_anonymised(&loaded.events) {
        actions.clear();
    }
    let c = &loaded.case;
    let state = loaded.state();
    match access {
        Access::Staff(_) | Access::Analyst => {
            let masked = access == Access::Analyst;
            let parties = cases::parties_of(conn, c.id)?;
            // Analysts read the consumer's words (text, file names, reaction notes) with
            // contacts and the people's names masked; the staff handling the case as written.
            let people: Vec<String> = parties
                .iter()
                .filter(|p| p.role != "respondent")
                .filter_map(|p| p.name.clone())
                .collect();
            let text = |t: &str| {
                if masked {
                    mask_free_text(t, &people)
                } else {
                    t.to_owned()
                }
            };
            Ok(CaseView::Staff(Box::new(StaffCaseView {
                case_no: c.case_no.clone(),
                kind: loaded.kind(),
                state,
                state_label: state.label_zh().into(),
                channel: c.channel.as_str().into(),
                channel_label: c.channel.label_zh().into(),
                received_at: c.received_at.and_utc(),
                received_date: c.received_date,
                policy_version: c.policy_version.clone(),
                district: c.district.clone(),
                category: c.category.clone(),
                nature: c.nature.clone(),
                title: text(&c.title),
                description: text(&c.description),
                claim: c.claim.as_deref().map(text),
                prefer_odr: c.prefer_odr,
                flags: c.flags.iter().map(|f| f.as_str().to_owned()).collect(),
                assignee_id: c.assignee_id,
                parties: parties.iter().map(|p| party_view(p, masked)).collect(),
                purchase_amount_fen: c.purchase_amount_fen,
                purchase_online: c.purchase_online,
                purchase_platform: c.purchase_platform.clone(),
                links: workflow::links_of(conn, c.id)?
                    .into_iter()
                    .map(|(case_no, relation, outgoing)| LinkView {
                        case_no,
                        relation,
                        outgoing,
                    })
                    .collect(),
                joint,
                clocks,
                allowed_actions: actions,
                messages: if masked {
                    Vec::new()
                } else {
                    messages_for(&loaded.events, None)
                },
                attachments: cases::attachments_of(conn, c.id)?
                    .iter()
                    .map(AttachmentView::from)
                    .map(|a| AttachmentView {
                        name: text(&a.name),
                        ..a
                    })
                    .collect(),
                products: cases::products_of(conn, c.id)?
                    .into_iter()
                    .map(ProductView::from)
                    .collect(),
                adverse_reaction: cases::adverse_reaction_of(conn, c.id)?
                    .map(AdverseReactionView::from)
                    .map(|r| AdverseReactionView {
                        symptoms: text(&r.symptoms),
                        treatment: r.treatment.as_deref().map(text),
                        allergy_history: r.allergy_history.as_deref().map(text),
                        ..r
                    }),
                policy_name: rules.policy_name,
                clock_bases: rules.clock_bases,
                grounds: Box::new(rules.grounds),
                identity_request: rules.identity_request,
                screening: if masked {
                    None
                } else {
                    super::screening::of_cases(conn, &[c.id])?.remove(&c.id)
                },
                agreement,
                rights_holder: super::case_view_parts::rights_holder_of(conn, c.id, masked)?,
            })))
        }
        Access::Enterprise => {
            let complaint = loaded.kind() == CaseKind::Complaint;
            let complainant = if complaint {
                cases::parties_of(conn, c.id)?
                    .into_iter()
                    .find(|p| p.role == "complainant")
            } else {
                None
            };
            Ok(CaseView::Enterprise(Box::new(EnterpriseCaseView {
                case_no: c.case_no.clone(),
                kind: loaded.kind(),
                state,
                state_label: state.label_zh().into(),
                received_at: c.received_at.and_utc(),
                nature: c.nature.clone(),
                title: complaint.then(|| c.title.clone()),
                description: complaint.then(|| c.description.clone()),
                claim: if complaint { c.claim.clone() } else { None },
                complainant_name: complainant.as_ref().and_then(|p| p.name.clone()),
                complainant_phone: complainant.as_ref().and_then(|p| p.phone.clone()),
                clocks: if complaint { clocks } else { Vec::new() },
                allowed_actions: actions,
                messages: messages_for(&loaded.events, Some(Actor::Enterprise)),
                // Nor does it read how the bureau checks the complainant's identity.
                timeline: timeline_of(&loaded.events, |kind| {
                    kind != ActionKind::Rate.as_str()
                        && kind != identity::REQUEST
                        && kind != identity::PROVIDE
                }),
                agreement,
            })))
        }
        Access::Consumer => Ok(CaseView::Consumer(Box::new(ConsumerCaseView {
            case: public_view_of(conn, c)?,
            policy_name: rules.policy_name,
            identity_request: rules.identity_request,
            clocks: clocks
                .into_iter()
                .filter(|k| {
                    !matches!(
                        k.name,
                        Clock::AdverseGeneral | Clock::AdverseSerious | Clock::AdversePublicConcern
                    )
                })
                .collect(),
            allowed_actions: actions,
            messages: messages_for(&loaded.events, Some(Actor::Consumer)),
            agreement,
        }))),
    }
}

/// The report opened alongside a counterfeit complaint, if the complaint exists and has one.
pub fn linked_report_of(conn: &mut Db, complaint_no: &str) -> Result<Option<String>, ServiceError> {
    diesel::Connection::transaction(conn, |conn| {
        let Some(complaint) = cases::find_by_case_no(conn, complaint_no)? else {
            return Ok(None);
        };
        Ok(workflow::links_of(conn, complaint.id)?
            .into_iter()
            .find(|(_, relation, outgoing)| *outgoing && relation == "linked_report")
            .map(|(case_no, _, _)| case_no))
    })
}
