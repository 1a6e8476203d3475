//! What a case's policy version says about it, for its pages and the API: the rule's name,
//! each clock's length and cited basis, the grounds the case may use now, and the identity
//! request it has open. All derived from the log and the policy version, nothing stored.

use chrono::NaiveDate;
use serde::Serialize;

use super::ServiceError;
use super::case_view::{LoadedCase, policy_for};
use crate::domain::action::ActionKind;
use crate::domain::clocks::ClockView;
use crate::domain::grounds::CaseGrounds;
use crate::domain::identity::IdentityRequest;
use crate::domain::policy::{Clock, DayUnit, PolicyVersion};
use crate::reference::Reference;

/// One clock's length and the articles it rests on, as the policy version states them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClockBasis {
    pub name: Clock,
    pub days: u32,
    pub unit: DayUnit,
    pub basis: String,
    /// "调解期限：60 日（自然日）· 依据 第121号令第二十三条第五项…".
    pub text: String,
}

impl ClockBasis {
    pub fn of(policy: &PolicyVersion, clock: Clock) -> ClockBasis {
        let rule = policy.clocks.rule(clock);
        let unit = match rule.unit {
            DayUnit::Working => "工作日",
            DayUnit::Calendar => "自然日",
        };
        let mut text = format!("{}期限：{} 日（{unit}）", clock.label_zh(), rule.days);
        if !rule.basis.is_empty() {
            text.push_str(&format!("· 依据 {}", rule.basis));
        }
        ClockBasis {
            name: clock,
            days: rule.days,
            unit: rule.unit,
            basis: rule.basis.clone(),
            text,
        }
    }
}

/// The policy's word on one case.
pub struct CaseRules {
    pub policy_name: String,
    pub grounds: CaseGrounds,
    pub identity_request: Option<IdentityRequest>,
    /// One per clock the case has, in the order of its clocks.
    pub clock_bases: Vec<ClockBasis>,
}

pub fn rules_of(
    loaded: &LoadedCase,
    reference: &Reference,
    today: NaiveDate,
    clocks: &[ClockView],
) -> Result<CaseRules, ServiceError> {
    let policy = policy_for(reference, &loaded.case)?;
    let identity_request = loaded.identity_request();
    let mut names: Vec<Clock> = Vec::new();
    for c in clocks {
        if !names.contains(&c.name) {
            names.push(c.name);
        }
    }
    Ok(CaseRules {
        policy_name: policy.name.clone(),
        grounds: CaseGrounds::offered(policy, identity_request.as_ref(), today),
        identity_request,
        clock_bases: names
            .into_iter()
            .map(|c| ClockBasis::of(policy, c))
            .collect(),
    })
}

/// Giving identity proof is offered only while a request waits for it.
pub fn offered_actions(mut actions: Vec<ActionKind>, rules: &CaseRules) -> Vec<ActionKind> {
    let open = rules.identity_request.is_some_and(|r| r.open());
    actions.retain(|a| *a != ActionKind::ProvideIdentity || open);
    actions
}
