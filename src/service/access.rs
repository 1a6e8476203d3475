//! Who may see a case, and as whom they act on it. A case outside the caller's reach is
//! "not found", never "forbidden", so its existence does not leak.

use crate::auth::{Role, StaffUser};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::workflow::Actor;
use crate::secrets::TrackingToken;
use crate::store::models::CaseRow;

/// The caller as use cases see it.
#[derive(Debug, Clone)]
pub enum Caller {
    Staff(StaffUser),
    /// Signed in through the mini-program; owns the cases filed under this openid.
    Consumer {
        openid: String,
    },
    /// Holds a case's tracking token (web form users without an account).
    TokenHolder(TrackingToken),
    /// The service itself (the deadline sweep, reads after a step): sees every case and acts
    /// as `Actor::System`.
    System,
}

/// How a visible case is shown and acted upon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Bureau staff: full case, personal data included.
    Staff(Actor),
    /// Analysts: read-only, personal data masked.
    Analyst,
    /// The respondent business: the complaints against it. Reports never reach it (Order 121
    /// Art. 37: neither the reporter nor how a report is handled may be disclosed to it).
    Enterprise,
    /// The complainant or reporter.
    Consumer,
}

impl Access {
    pub fn actor(self) -> Option<Actor> {
        match self {
            Access::Staff(a) => Some(a),
            Access::Analyst => None,
            Access::Enterprise => Some(Actor::Enterprise),
            Access::Consumer => Some(Actor::Consumer),
        }
    }
}

impl StaffUser {
    /// Whether this user works for the bureau of `district`. Supervisors and admins without
    /// bureaus work city-wide.
    pub fn covers(&self, district: &str) -> bool {
        match self.role {
            Role::Admin | Role::Analyst => true,
            Role::Supervisor => {
                self.bureaus.is_empty() || self.bureaus.iter().any(|b| b == district)
            }
            Role::Mediator => self.bureaus.iter().any(|b| b == district),
            Role::Enterprise | Role::Dispatcher => false,
        }
    }

    /// The districts whose queues this user sees; `None` for all of them.
    pub fn queue_districts(&self) -> Option<Vec<String>> {
        match self.role {
            Role::Admin | Role::Analyst => None,
            Role::Supervisor if self.bureaus.is_empty() => None,
            _ => Some(self.bureaus.clone()),
        }
    }
}

/// The only kind of case a business ever sees: a complaint against it. Both `access` (every
/// single case) and the queue (every list) filter on it, so a report is "not found" to a
/// business everywhere, exactly like a number that does not exist.
pub const ENTERPRISE_KIND: CaseKind = CaseKind::Complaint;

pub fn access(caller: &Caller, case: &CaseRow, respondent_uscc: Option<&str>) -> Option<Access> {
    match caller {
        Caller::Staff(user) => match user.role {
            Role::Admin => Some(Access::Staff(Actor::Admin)),
            Role::Supervisor if user.covers(&case.district) => {
                Some(Access::Staff(Actor::Supervisor))
            }
            Role::Mediator if user.covers(&case.district) => Some(Access::Staff(Actor::Mediator)),
            Role::Analyst => Some(Access::Analyst),
            // The unified intake unit sees a case only while it waits to be dispatched: how a
            // bureau handles it is not the unit's to know (Order 121 Art. 37).
            Role::Dispatcher if case.state == CaseState::AwaitingDispatch => {
                Some(Access::Staff(Actor::Dispatcher))
            }
            Role::Enterprise
                if case.kind == ENTERPRISE_KIND
                    && user.uscc.is_some()
                    && user.uscc.as_deref() == respondent_uscc =>
            {
                Some(Access::Enterprise)
            }
            _ => None,
        },
        Caller::Consumer { openid } => {
            (case.consumer_openid.as_deref() == Some(openid.as_str())).then_some(Access::Consumer)
        }
        Caller::TokenHolder(token) => token
            .matches(&case.tracking_token_hash)
            .then_some(Access::Consumer),
        Caller::System => Some(Access::Staff(Actor::System)),
    }
}
