//! Parts of the staff case view: the products and the adverse reaction as entered.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::severity::Severity;
use crate::store::models::{AdverseReactionRow, ProductRow};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    pub name: String,
    pub brand: Option<String>,
    /// Cosmetics registration or filing number, as given.
    pub cosmetics_id: Option<String>,
    /// The shape the number was recognised as (unknown shapes are flagged).
    pub cosmetics_id_kind: Option<String>,
    pub batch: Option<String>,
}

impl From<ProductRow> for ProductView {
    fn from(row: ProductRow) -> Self {
        let p = row.data;
        ProductView {
            name: p.name,
            brand: p.brand,
            cosmetics_id: p.cosmetics_id,
            cosmetics_id_kind: p.cosmetics_id_kind,
            batch: p.batch,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AdverseReactionView {
    #[schema(value_type = String, format = Date)]
    pub onset_date: NaiveDate,
    pub symptoms: String,
    pub body_site: String,
    pub severity: Severity,
    #[schema(value_type = Option<String>, format = Date)]
    pub started_use: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub stopped_use: Option<NaiveDate>,
    pub treatment: Option<String>,
    pub allergy_history: Option<String>,
}

impl From<AdverseReactionRow> for AdverseReactionView {
    fn from(r: AdverseReactionRow) -> Self {
        AdverseReactionView {
            onset_date: r.onset_date,
            symptoms: r.symptoms,
            body_site: r.body_site,
            severity: r.severity,
            started_use: r.started_use,
            stopped_use: r.stopped_use,
            treatment: r.treatment,
            allergy_history: r.allergy_history,
        }
    }
}

/// The rights holder who reported the case (`None` for any other reporter). A business, so
/// its name and USCC are shown as given; its contact person is masked for analysts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RightsHolderView {
    pub uscc: String,
    pub name: String,
    pub contact_name: String,
    pub contact_phone: String,
}

/// The staff view's rights holder of a case.
pub fn rights_holder_of(
    conn: &mut crate::store::Db,
    case_id: i64,
    masked: bool,
) -> Result<Option<RightsHolderView>, diesel::result::Error> {
    use crate::domain::mask::{mask_name, mask_phone};
    Ok(
        crate::store::rights_holders::of_case(conn, case_id)?.map(|r| RightsHolderView {
            contact_name: if masked {
                mask_name(&r.contact_name)
            } else {
                r.contact_name
            },
            contact_phone: if masked {
                mask_phone(&r.contact_phone)
            } else {
                r.contact_phone
            },
            uscc: r.uscc,
            name: r.name,
        }),
    )
}
