//! Businesses known to the bureau: some of the generated respondents are registered before
//! any case arrives, a share of them enrolled in ODR and some with consumer pledges, through
//! the same use case as `odrdesk enterprise add`.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use fastrand::Rng;

use super::corpus::Business;
use super::playback::retry;
use crate::service::accounts::{EnterpriseInput, parse_enterprise, upsert_enterprise};
use crate::service::{Db, ServiceError};

/// Percent of businesses with a USCC that are registered.
const REGISTERED: u32 = 50;
/// Percent of registered businesses enrolled in ODR.
const ODR: u32 = 30;
const WORRY_FREE: u32 = 30;
/// Offline no-reason returns: shops only.
const NO_REASON_RETURN: u32 = 25;
const WITH_EMAIL: u32 = 60;

/// The registered businesses, and which of them take part in ODR.
#[derive(Debug, Default)]
pub struct Registry {
    pub enterprises: Vec<EnterpriseInput>,
    odr: BTreeSet<String>,
}

impl Registry {
    /// Deterministic for the rng's seed and the pool.
    pub fn draw(rng: &mut Rng, businesses: &[Business]) -> Registry {
        let mut registry = Registry::default();
        for (i, b) in businesses.iter().enumerate() {
            let (Some(uscc), Some(district)) = (&b.uscc, b.district) else {
                continue;
            };
            if rng.u32(0..100) >= REGISTERED {
                continue;
            }
            let odr = rng.u32(0..100) < ODR;
            let mut commitments = Vec::new();
            if rng.u32(0..100) < WORRY_FREE {
                commitments.push("worry_free".to_owned());
            }
            if b.platform.is_none() && rng.u32(0..100) < NO_REASON_RETURN {
                commitments.push("no_reason_return".to_owned());
            }
            let email =
                (rng.u32(0..100) < WITH_EMAIL).then(|| format!("kefu{}@example.com", i + 1));
            if odr {
                registry.odr.insert(uscc.clone());
            }
            registry.enterprises.push(EnterpriseInput {
                uscc: Some(uscc.clone()),
                name: Some(b.name.clone()),
                district: Some(district.to_owned()),
                email,
                odr,
                commitments,
            });
        }
        registry
    }

    pub fn in_odr(&self, uscc: Option<&str>) -> bool {
        uscc.is_some_and(|u| self.odr.contains(u))
    }

    pub fn odr_count(&self) -> usize {
        self.odr.len()
    }

    /// Registers every business, one transaction each, dated `at`.
    pub fn register(&self, conn: &mut Db, at: DateTime<Utc>) -> anyhow::Result<()> {
        for input in &self.enterprises {
            let enterprise = parse_enterprise(input).map_err(|issues| {
                anyhow::anyhow!(
                    "generated business {:?} was refused: {}",
                    input.name,
                    issues
                        .iter()
                        .map(|i| format!("{} {}", i.field, i.code))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })?;
            retry(conn, |conn| upsert_enterprise(conn, &enterprise, at)).map_err(
                |e: ServiceError| {
                    anyhow::anyhow!("registering generated business {}: {e}", enterprise.uscc)
                },
            )?;
        }
        Ok(())
    }
}
