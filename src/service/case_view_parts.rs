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
