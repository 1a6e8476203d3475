//! Who is calling: staff accounts with roles, WeChat consumers, and the extractor that turns a
//! bearer token or session cookie into a `Principal`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Supervisor,
    Mediator,
    Analyst,
    Enterprise,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Supervisor,
        Role::Mediator,
        Role::Analyst,
        Role::Enterprise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Mediator => "mediator",
            Role::Analyst => "analyst",
            Role::Enterprise => "enterprise",
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
                format!("unknown role {s:?} (admin, supervisor, mediator, analyst, enterprise)")
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
