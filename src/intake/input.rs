//! What clients send. Every field is optional on the wire so that one response can list every
//! missing or bad field at once; `parse` turns these into domain values.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(default)]
pub struct PersonInput {
    #[validate(length(max = 50))]
    pub name: Option<String>,
    /// Mainland mobile number, e.g. 13800138000.
    pub phone: Option<String>,
    pub email: Option<String>,
    #[validate(length(max = 200))]
    pub address: Option<String>,
    /// Resident ID number; stored, never shown unmasked.
    #[validate(length(max = 18))]
    pub id_number: Option<String>,
    /// Tell me of every step by SMS at `phone` (用短信通知我办理进展); default true.
    pub sms_notices: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(default)]
pub struct RespondentInput {
    #[validate(length(max = 100))]
    pub name: Option<String>,
    /// Unified social credit code (统一社会信用代码), 18 characters.
    pub uscc: Option<String>,
    #[validate(length(max = 200))]
    pub address: Option<String>,
    /// County-level district code where the business operates, e.g. 440703.
    pub district: Option<String>,
    /// E-commerce platform the seller trades on, if any.
    #[validate(length(max = 100))]
    pub platform: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(default)]
pub struct ProductInput {
    #[validate(length(max = 100))]
    pub name: Option<String>,
    #[validate(length(max = 100))]
    pub brand: Option<String>,
    /// Cosmetics filing or registration number, e.g. 粤G妆网备字2022001234.
    pub cosmetics_id: Option<String>,
    #[validate(length(max = 64))]
    pub batch: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(default)]
pub struct PurchaseInput {
    /// YYYY-MM-DD, not after the day received.
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<chrono::NaiveDate>,
    /// Amount paid in fen (1 yuan = 100 fen).
    pub amount_fen: Option<i64>,
    pub online: Option<bool>,
    #[validate(length(max = 100))]
    pub platform: Option<String>,
    #[validate(length(max = 64))]
    pub order_no: Option<String>,
    /// Units of the product bought (1 or more); staff see an unusual quantity flagged
    /// (Order 121 Art. 17).
    pub quantity: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(default)]
pub struct AdverseReactionInput {
    #[schema(value_type = Option<String>, format = Date)]
    pub onset_date: Option<chrono::NaiveDate>,
    #[validate(length(max = 1000))]
    pub symptoms: Option<String>,
    #[validate(length(max = 100))]
    pub body_site: Option<String>,
    /// `general`, `serious` or `public_concern`.
    pub severity: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub started_use: Option<chrono::NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub stopped_use: Option<chrono::NaiveDate>,
    #[validate(length(max = 1000))]
    pub treatment: Option<String>,
    #[validate(length(max = 500))]
    pub allergy_history: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(default)]
pub struct PlaceInput {
    /// District code where the conduct happened.
    pub district: Option<String>,
    #[validate(length(max = 200))]
    pub address: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(default)]
pub struct ComplaintInput {
    /// `web`, `mini_program` or `app` (staff-keyed channels come through staff intake).
    pub channel: Option<String>,
    #[validate(nested)]
    pub complainant: Option<PersonInput>,
    #[validate(nested)]
    pub respondent: Option<RespondentInput>,
    #[validate(nested)]
    pub product: Option<ProductInput>,
    #[validate(nested)]
    pub purchase: Option<PurchaseInput>,
    #[validate(nested)]
    pub adverse_reaction: Option<AdverseReactionInput>,
    /// Dotted goods/services category code, e.g. goods.cosmetics.skincare.
    pub category: Option<String>,
    /// quality, after_sales, price, false_advertising, safety, contract, counterfeit, …
    pub nature: Option<String>,
    #[validate(length(max = 100))]
    pub title: Option<String>,
    #[validate(length(max = 5000))]
    pub description: Option<String>,
    #[validate(length(max = 1000))]
    pub claim: Option<String>,
    /// The consumer asks for direct negotiation with an ODR enterprise first.
    pub prefer_odr: Option<bool>,
    /// 是否同意公示投诉信息: the complainant agrees that the closed complaint may be published
    /// (masked, after an editor's review) on the business's public page. Absent means no:
    /// consent is never presumed. Staff keying in a paper 投诉登记表 send the complainant's
    /// own answer on it; a 12315 work order carries none and stores no.
    pub disclosure_consent: Option<bool>,
}

/// A rights holder reporting counterfeits or infringement of its IP (我是权利人（企业）).
/// Every field is required when this block is given; staff alone read it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(default)]
pub struct RightsHolderInput {
    /// The rights holder's unified social credit code (统一社会信用代码), 18 characters
    /// with the GB 32100 check character.
    pub uscc: Option<String>,
    /// Registered name of the rights holder.
    #[validate(length(max = 100))]
    pub name: Option<String>,
    /// The person the bureau contacts, e.g. for identifying the goods (权利人辨认鉴别).
    #[validate(length(max = 50))]
    pub contact_name: Option<String>,
    /// The contact person's mainland mobile number.
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(default)]
pub struct ReportInput {
    pub channel: Option<String>,
    /// May be left out entirely: anonymous report.
    #[validate(nested)]
    pub reporter: Option<PersonInput>,
    #[validate(nested)]
    pub respondent: Option<RespondentInput>,
    #[validate(nested)]
    pub place: Option<PlaceInput>,
    #[validate(nested)]
    pub product: Option<ProductInput>,
    #[validate(nested)]
    pub purchase: Option<PurchaseInput>,
    pub category: Option<String>,
    pub nature: Option<String>,
    #[validate(length(max = 100))]
    pub title: Option<String>,
    #[validate(length(max = 5000))]
    pub description: Option<String>,
    /// The reporter is the rights holder of the brand, patent or work (a business).
    #[validate(nested)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rights_holder: Option<RightsHolderInput>,
}
