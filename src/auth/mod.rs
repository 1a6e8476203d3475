//! Who is calling: staff accounts with roles, WeChat consumers, and the extractor that turns a
//! bearer token or session cookie into a `Principal`.

pub mod extract;
pub mod password;
pub mod same_origin;
pub mod token;
pub mod wechat;

use serde::{Deserialize, Serialize};

use crate::service::ServiceError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Supervisor,
    Mediator,
    Analyst,
    Enterprise,
    /// The city's unified intake unit (统一接收投诉举报的工作机构, Order 121 Art. 41): bound to
    /// the city, it dispatches returned cases to the competent county bureau.
    Dispatcher,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Supervisor,
        Role::Mediator,
        Role::Analyst,
        Role::Enterprise,
        Role::Dispatcher,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Mediator => "mediator",
            Role::Analyst => "analyst",
            Role::Enterprise => "enterprise",
            Role::Dispatcher => "dispatcher",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown role {s:?} (admin, supervisor, mediator, analyst, enterprise, dispatcher)"
                )
            })
    }
}

/// A signed-in staff or enterprise account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub id: i64,
    pub email: String,
    pub role: Role,
    /// County-level district codes a mediator (or supervisor) works for.
    pub bureaus: Vec<String>,
    /// The business an enterprise account speaks for.
    pub uscc: Option<String>,
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Staff(StaffUser),
    /// A consumer signed in through the WeChat mini-program (code2session openid).
    Consumer {
        openid: String,
    },
    Anonymous,
}

impl Principal {
    /// The staff account behind the request: 401 when nobody signed in, 403 for a consumer.
    pub fn require_staff(&self) -> Result<&StaffUser, ServiceError> {
        match self {
            Principal::Staff(user) => Ok(user),
            Principal::Consumer { .. } => Err(ServiceError::Forbidden),
            Principal::Anonymous => Err(ServiceError::Unauthenticated),
        }
    }

    /// A staff account with one of `roles`: 401 when nobody signed in, 403 otherwise.
    pub fn require_role(&self, roles: &[Role]) -> Result<&StaffUser, ServiceError> {
        let user = self.require_staff()?;
        if roles.contains(&user.role) {
            Ok(user)
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// The WeChat consumer's openid: 401 when nobody signed in, 403 for staff.
    pub fn require_consumer(&self) -> Result<&str, ServiceError> {
        match self {
            Principal::Consumer { openid } => Ok(openid),
            Principal::Staff(_) => Err(ServiceError::Forbidden),
            Principal::Anonymous => Err(ServiceError::Unauthenticated),
        }
    }

    pub fn is_anonymous(&self) -> bool {
        matches!(self, Principal::Anonymous)
    }
}
