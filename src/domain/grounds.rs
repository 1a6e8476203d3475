//! The grounds a policy version allows for not accepting a complaint (不予受理) and for
//! terminating mediation (终止调解), each with the article it rests on; and the checks a step
//! naming a ground must pass: the ground is the case's version's, identity_unverified follows
//! an identity request left unanswered past its date, and a fraud or extortion ground records
//! its police referral (Order 121 Art. 42).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::codes::{NotAcceptReason, TerminationReason};
use super::identity::IdentityRequest;
use super::policy::PolicyVersion;
use super::workflow::{Command, Refusal};

/// A not-accept ground a policy version allows, with its article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotAcceptGround {
    pub code: NotAcceptReason,
    /// The article, e.g. "第121号令第十六条第六项".
    #[serde(default)]
    pub basis: String,
}

/// A termination ground a policy version allows, with its article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminationGround {
    pub code: TerminationReason,
    #[serde(default)]
    pub basis: String,
}

/// One ground as a form or the API offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GroundOption {
    pub code: &'static str,
    pub label: &'static str,
    pub basis: String,
}

/// The grounds a case may use now (`case_view`'s `grounds`; the desk's selects).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CaseGrounds {
    pub not_accept: Vec<GroundOption>,
    pub termination: Vec<GroundOption>,
}

impl CaseGrounds {
    /// The version's grounds, less identity_unverified until an identity request has
    /// gone unanswered past its date.
    pub fn offered(
        policy: &PolicyVersion,
        identity: Option<&IdentityRequest>,
        today: NaiveDate,
    ) -> CaseGrounds {
        let expired = identity.is_some_and(|r| r.expired(today));
        CaseGrounds {
            not_accept: policy
                .not_accept_grounds
                .iter()
                .filter(|g| g.code != NotAcceptReason::IdentityUnverified || expired)
                .map(|g| GroundOption {
                    code: g.code.as_str(),
                    label: g.code.label_zh(),
                    basis: g.basis.clone(),
                })
                .collect(),
            termination: policy
                .termination_grounds
                .iter()
                .map(|g| GroundOption {
                    code: g.code.as_str(),
                    label: g.code.label_zh(),
                    basis: g.basis.clone(),
                })
                .collect(),
        }
    }
}

/// Every ground of both lists, without articles: the lists of a version the law file does
/// not know.
pub fn all_grounds() -> (Vec<NotAcceptGround>, Vec<TerminationGround>) {
    (
        NotAcceptReason::ALL
            .iter()
            .map(|&code| NotAcceptGround {
                code,
                basis: String::new(),
            })
            .collect(),
        TerminationReason::ALL
            .iter()
            .map(|&code| TerminationGround {
                code,
                basis: String::new(),
            })
            .collect(),
    )
}

/// Event kind of a recorded referral to the police; staff-only.
pub const POLICE_REFERRAL: &str = "police_referral";

/// A referral to the police (Order 121 Art. 42), as its event records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoliceReferral {
    pub police_unit: String,
    pub referred_on: NaiveDate,
    pub detail: Option<String>,
}

impl PoliceReferral {
    pub fn payload(&self) -> serde_json::Value {
        serde_json::json!({
            "v": 1,
            "police_unit": self.police_unit,
            "referred_on": self.referred_on.to_string(),
            "detail": self.detail,
        })
    }

    /// The staff timeline's line: "移送公安机关：江门市公安局（2026-05-08）；…".
    pub fn line(payload: &super::event_payload::EventPayload) -> String {
        let unit = payload.str_of("police_unit").unwrap_or_default();
        let on = payload.str_of("referred_on").unwrap_or_default();
        let mut line = format!("移送公安机关：{unit}（{on}）");
        if let Some(d) = payload.str_of("detail").filter(|d| !d.trim().is_empty()) {
            line.push('；');
            line.push_str(d);
        }
        line
    }
}

fn invalid(field: &'static str, code: &'static str, message: String) -> Result<(), Refusal> {
    Err(Refusal::Invalid {
        field,
        code,
        message,
    })
}

/// What a step naming a ground, or asking for or giving identity proof, must meet beyond
/// the workflow's state rules, with `today` the China date.
pub fn check(
    policy: &PolicyVersion,
    command: &Command,
    identity: Option<&IdentityRequest>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let not_in_policy = |label: &str| {
        invalid(
            "reason",
            "not_in_policy",
            format!("本案适用{}，其中没有「{label}」这一情形", policy.name),
        )
    };
    match command {
        Command::NotAccept { reason, .. } => {
            if !policy.not_accept_grounds.iter().any(|g| g.code == *reason) {
                return not_in_policy(reason.label_zh());
            }
            if *reason == NotAcceptReason::IdentityUnverified
                && !identity.is_some_and(|r| r.expired(today))
            {
                return invalid(
                    "reason",
                    "identity_not_expired",
                    "限期提供身份证明材料的期限届满且未提供后，才能以此理由不予受理".into(),
                );
            }
            Ok(())
        }
        Command::Terminate {
            reason,
            police_unit,
            referred_on,
            ..
        } => {
            if !policy.termination_grounds.iter().any(|g| g.code == *reason) {
                return not_in_policy(reason.label_zh());
            }
            let unit = police_unit.as_deref().map(str::trim).unwrap_or_default();
            if *reason != TerminationReason::FraudulentClaim {
                if !unit.is_empty() || referred_on.is_some() {
                    return invalid(
                        "police_unit",
                        "not_referred",
                        "只有以第四十二条情形终止调解时才填写移送公安机关的信息".into(),
                    );
                }
                return Ok(());
            }
            if unit.is_empty() {
                return invalid("police_unit", "required", "请填写「移送的公安机关」".into());
            }
            match referred_on {
                None => invalid("referred_on", "required", "请填写「移送日期」".into()),
                Some(on) if *on > today => {
                    invalid("referred_on", "in_future", "移送日期不能晚于今天".into())
                }
                Some(_) => Ok(()),
            }
        }
        Command::RequestIdentity { due, .. } if *due <= today => invalid(
            "due",
            "not_in_future",
            "提供身份证明材料的期限应晚于今天".into(),
        ),
        Command::ProvideIdentity { .. } if !identity.is_some_and(IdentityRequest::open) => invalid(
            "action",
            "no_identity_request",
            "本案没有待提供的身份证明材料".into(),
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
#[path = "grounds_tests.rs"]
mod tests;
