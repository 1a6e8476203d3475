//! Order 121 Art. 17 screening at intake, and its flags for the staff handling a case. The
//! lookups are bounded (`store::screening::LOOKBACK` latest complaints per contact, through
//! the `(contact, role, case_id)` indexes); the thresholds are the city's (`Ctx::screening`).

use std::collections::HashMap;

use serde::Serialize;

use super::{Ctx, ServiceError};
use crate::domain::case::CaseKind;
use crate::domain::screening::{self, Complaint, Factor};
use crate::intake::NewCase;
use crate::store::Db;
use crate::store::screening::{self as store, Contact};

/// What staff see of a case's screening.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Screening {
    pub factors: Vec<Factor>,
    /// "疑似职业索赔：…", when any factor was found.
    pub headline: Option<String>,
    /// Units bought, as the complaint stated.
    pub purchase_quantity: Option<u32>,
}

/// What intake found for a new complaint, to store with it; `None` for a report, or a
/// complaint with no factor and no quantity.
pub(super) struct Found {
    codes: String,
    quantity: Option<i32>,
}

/// Screens a new complaint against the complaints received before it.
pub(super) fn screen_new(
    conn: &mut Db,
    ctx: &Ctx,
    case: &NewCase,
) -> Result<Option<Found>, ServiceError> {
    if case.kind != CaseKind::Complaint {
        return Ok(None);
    }
    let t = &ctx.screening;
    let since = (case.received_at
        - chrono::Duration::days(i64::from(t.same_complainant_window_days)))
    .naive_utc();
    let person = case.person.as_ref();
    let phone = person.and_then(|p| p.phone.as_ref()).map(|p| p.as_str());
    let id_number = person.and_then(|p| p.id_number.as_deref());
    let address = person.and_then(|p| p.address.as_deref());
    let name = person.and_then(|p| p.name.as_deref());
    let contacts: Vec<Contact> = [
        phone.map(Contact::Phone),
        id_number.map(Contact::IdNumber),
        address.map(Contact::Address),
    ]
    .into_iter()
    .flatten()
    .collect();
    let earlier = store::same_complainant(conn, &contacts, since)?;
    let sharing = |conn: &mut Db, c: Option<Contact>| match c {
        Some(c) => store::others_sharing(conn, c, name, since),
        None => Ok(0),
    };
    let phone_sharers = sharing(conn, phone.map(Contact::Phone))?;
    let address_sharers = sharing(conn, address.map(Contact::Address))?;
    let quantity = case.purchase.as_ref().and_then(|p| p.quantity);
    let business = match &case.respondent.uscc {
        Some(u) => u.as_str(),
        None => case.respondent.name.as_str(),
    };
    let factors = screening::screen(
        &Complaint {
            business,
            category: case.category.as_ref().map(|c| c.as_str()),
            nature: case.nature.as_str(),
            quantity,
        },
        &earlier,
        phone_sharers,
        address_sharers,
        t,
    );
    if factors.is_empty() && quantity.is_none() {
        return Ok(None);
    }
    Ok(Some(Found {
        codes: screening::to_codes(&factors),
        quantity: quantity.and_then(|q| i32::try_from(q).ok()),
    }))
}

/// Stores what intake found, in the intake's transaction.
pub(super) fn record(conn: &mut Db, case_id: i64, found: &Found) -> Result<(), ServiceError> {
    Ok(store::insert(conn, case_id, &found.codes, found.quantity)?)
}

/// The screening of each of `case_ids` that has any, for staff lists and pages. Only the
/// staff handling a case may be shown it (never parties, mail, exports or public pages).
pub fn of_cases(conn: &mut Db, case_ids: &[i64]) -> Result<HashMap<i64, Screening>, ServiceError> {
    Ok(store::of_cases(conn, case_ids)?
        .into_iter()
        .map(|(id, codes, quantity)| {
            let factors = screening::from_codes(&codes);
            let headline = screening::headline(&factors);
            let purchase_quantity = quantity.and_then(|q| u32::try_from(q).ok());
            (
                id,
                Screening {
                    factors,
                    headline,
                    purchase_quantity,
                },
            )
        })
        .collect())
}
