//! Who may write to whom on a case, and how much: the message rules of the workflow.

use serde::{Deserialize, Serialize};

use super::{Actor, CaseKind, CaseState, Command, Facts, Refusal, S};

/// Whom a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Complainant,
    Reporter,
    Enterprise,
    Mediator,
}

impl Recipient {
    pub fn as_str(self) -> &'static str {
        match self {
            Recipient::Complainant => "complainant",
            Recipient::Reporter => "reporter",
            Recipient::Enterprise => "enterprise",
            Recipient::Mediator => "mediator",
        }
    }
}

/// How many messages (ODR answers included) each party may write on one case per day. Every
/// one of them mails the recipient a notice, so this bounds the mail a party can cause.
/// Staff are not limited.
pub const PARTY_MESSAGES_PER_DAY: u32 = 10;

/// The longest supplement (补充说明) a consumer writes on the case page.
pub const SUPPLEMENT_MAX_CHARS: usize = 2_000;

/// A consumer's supplement: a message to the mediator, so it is kept, masked, mailed and
/// counted against `PARTY_MESSAGES_PER_DAY` like any message.
pub fn supplement(text: &str) -> Result<Command, crate::domain::FieldError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > SUPPLEMENT_MAX_CHARS {
        return Err(crate::domain::FieldError::new(
            "length",
            format!("补充说明应为1至{SUPPLEMENT_MAX_CHARS}个字"),
        ));
    }
    Ok(Command::Message {
        to: Recipient::Mediator,
        text: text.to_owned(),
    })
}

pub(super) fn check_text(text: &str) -> Result<(), Refusal> {
    if text.trim().is_empty() || text.chars().count() > 5000 {
        return Err(Refusal::Invalid {
            field: "text",
            code: "length",
            message: "内容应为1至5000个字符".into(),
        });
    }
    Ok(())
}

pub(super) fn within_daily_limit(actor: Actor, facts: &Facts) -> Result<(), Refusal> {
    let party = matches!(actor, Actor::Consumer | Actor::Enterprise);
    if party && facts.party_messages_today >= PARTY_MESSAGES_PER_DAY {
        return Err(Refusal::TooMany);
    }
    Ok(())
}

/// Whom a message may go to; `(code, message)` of the refusal otherwise. Mail about a
/// message goes out under the bureau's name, so a party writes only to the mediator, or,
/// while the two sides of a complaint negotiate or are mediated, to the other side. Nobody
/// writes to a reporter but the bureau, and the business named in a report hears nothing of
/// it (Order 121 Art. 37).
pub fn recipient_refusal(
    kind: CaseKind,
    state: CaseState,
    actor: Actor,
    to: Recipient,
) -> Option<(&'static str, &'static str)> {
    if kind == CaseKind::Report && to == Recipient::Enterprise {
        return Some(("not_for_report", "举报案件不向被举报经营者发送消息"));
    }
    let talking = kind == CaseKind::Complaint
        && matches!(
            state,
            S::OdrNegotiation | S::InMediation | S::MediationPaused
        );
    match (actor, to) {
        (a, _) if a.is_staff() => None,
        (Actor::Consumer | Actor::Enterprise, Recipient::Mediator) => None,
        (Actor::Consumer, Recipient::Enterprise) | (Actor::Enterprise, Recipient::Complainant) => {
            (!talking).then_some((
                "not_negotiating",
                "只有在协商或调解期间才能给对方留言，现在请给调解员留言",
            ))
        }
        _ => Some(("recipient_not_allowed", "只能给调解员或投诉的另一方留言")),
    }
}
