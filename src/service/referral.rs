//! The cosmetics adverse-reaction referral record in the fields of the monitoring form
//! (化妆品不良反应报告表), exportable as JSON or CSV.

use chrono::NaiveDate;
use serde::Serialize;

use super::ServiceError;
use super::access::{Access, Caller};
use super::case_view::load_visible;
use crate::domain::csv_cell::text_cell;
use crate::store::{Db, cases};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReferralForm {
    pub case_no: String,
    pub severity: String,
    #[schema(value_type = String, format = Date)]
    pub opened_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub submitted_on: Option<NaiveDate>,
    pub patient_name: Option<String>,
    pub patient_phone: Option<String>,
    pub allergy_history: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub started_use: Option<NaiveDate>,
    #[schema(value_type = String, format = Date)]
    pub onset_date: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub stopped_use: Option<NaiveDate>,
    pub symptoms: String,
    pub body_site: String,
    pub treatment: Option<String>,
    pub product_name: Option<String>,
    pub brand: Option<String>,
    pub filing_no: Option<String>,
    pub batch: Option<String>,
    pub respondent: Option<String>,
}

pub fn form(conn: &mut Db, case_no: &str, caller: &Caller) -> Result<ReferralForm, ServiceError> {
    let (loaded, access) = load_visible(conn, case_no, caller)?;
    if !matches!(access, Access::Staff(_)) {
        return Err(ServiceError::NotFound);
    }
    let referral = loaded.referral.as_ref().ok_or(ServiceError::NotFound)?;
    let reaction =
        cases::adverse_reaction_of(conn, loaded.case.id)?.ok_or(ServiceError::NotFound)?;
    let parties = cases::parties_of(conn, loaded.case.id)?;
    let person = parties.iter().find(|p| p.role == "complainant");
    let respondent = parties.iter().find(|p| p.role == "respondent");
    let product = cases::products_of(conn, loaded.case.id)?.into_iter().next();
    Ok(ReferralForm {
        case_no: loaded.case.case_no.clone(),
        severity: referral.severity.as_str().into(),
        opened_on: referral.opened_on,
        due: referral.due_date,
        submitted_on: referral.submitted_on,
        patient_name: person.and_then(|p| p.name.clone()),
        patient_phone: person.and_then(|p| p.phone.clone()),
        allergy_history: reaction.allergy_history,
        started_use: reaction.started_use,
        onset_date: reaction.onset_date,
        stopped_use: reaction.stopped_use,
        symptoms: reaction.symptoms,
        body_site: reaction.body_site,
        treatment: reaction.treatment,
        product_name: product.as_ref().map(|p| p.name.clone()),
        brand: product.as_ref().and_then(|p| p.brand.clone()),
        filing_no: product.as_ref().and_then(|p| p.cosmetics_id.clone()),
        batch: product.as_ref().and_then(|p| p.batch.clone()),
        respondent: respondent.and_then(|p| p.name.clone()),
    })
}

/// One header row and one data row; fields quoted as RFC 4180 requires, text never read as
/// a formula.
pub fn to_csv(f: &ReferralForm) -> String {
    let value = serde_json::to_value(f).unwrap_or_default();
    let Some(map) = value.as_object() else {
        return String::new();
    };
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let header: Vec<String> = map.keys().map(|k| quote(k)).collect();
    let row: Vec<String> = map
        .values()
        .map(|v| match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => quote(&text_cell(s)),
            other => quote(&other.to_string()),
        })
        .collect();
    format!("{}\r\n{}\r\n", header.join(","), row.join(","))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::{ReferralForm, to_csv};

    #[test]
    fn consumer_text_in_the_csv_never_starts_a_formula() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default();
        let form = ReferralForm {
            case_no: "TS-2026-000001".into(),
            severity: "serious".into(),
            opened_on: day,
            due: day,
            submitted_on: None,
            patient_name: Some("-张三".into()),
            patient_phone: None,
            allergy_history: None,
            started_use: None,
            onset_date: day,
            stopped_use: None,
            symptoms: "=HYPERLINK(\"https://evil.example\",\"红斑\")".into(),
            body_site: "面部".into(),
            treatment: Some("@SUM(A1:A9)".into()),
            product_name: None,
            brand: None,
            filing_no: None,
            batch: None,
            respondent: Some("+甲公司".into()),
        };
        let csv = to_csv(&form);
        let row = csv.lines().nth(1).unwrap_or_default();
        for cell in [
            "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"红斑\"\")\"",
            "\"'-张三\"",
            "\"'@SUM(A1:A9)\"",
            "\"'+甲公司\"",
            "\"TS-2026-000001\"",
            "\"2026-07-01\"",
        ] {
            assert!(row.contains(cell), "{cell} not in {row}");
        }
    }
}
