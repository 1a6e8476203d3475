//! The rights holder (权利人) as a reporter of counterfeits or IP infringement: a business,
//! named by its USCC (GB 32100 check character), with a contact person and mobile number.
//! Only staff ever read it; the reported business never sees a report (Order 121 Art. 37).

use super::input::RightsHolderInput;
use super::issues::Issues;
use crate::domain::{Phone, Uscc};

/// A checked rights holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsHolder {
    pub uscc: Uscc,
    pub name: String,
    pub contact_name: String,
    pub contact_phone: Phone,
}

/// Every field is required once the reporter says it is a rights holder; each problem is
/// reported under `rights_holder.<field>`.
pub fn parse(issues: &mut Issues, r: &RightsHolderInput) -> Option<RightsHolder> {
    let uscc = issues
        .required_text("rights_holder.uscc", &r.uscc)
        .and_then(|t| issues.take("rights_holder.uscc", t.parse::<Uscc>()));
    let name = issues.required_text("rights_holder.name", &r.name);
    let contact_name = issues.required_text("rights_holder.contact_name", &r.contact_name);
    let contact_phone = issues
        .required_text("rights_holder.contact_phone", &r.contact_phone)
        .and_then(|t| issues.take("rights_holder.contact_phone", t.parse::<Phone>()));
    Some(RightsHolder {
        uscc: uscc?,
        name: name?,
        contact_name: contact_name?,
        contact_phone: contact_phone?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(uscc: &str) -> RightsHolderInput {
        RightsHolderInput {
            uscc: Some(uscc.into()),
            name: Some("某品牌（中国）有限公司".into()),
            contact_name: Some("李法务".into()),
            contact_phone: Some("13800138000".into()),
        }
    }

    #[test]
    fn a_valid_rights_holder_parses() {
        let mut issues = Issues::default();
        let r = parse(&mut issues, &input("91440703MA4UJ5QX2U")).expect("valid");
        assert_eq!(r.uscc.as_str(), "91440703MA4UJ5QX2U");
        assert!(issues.into_result(|| Some(())).is_ok());
    }

    #[test]
    fn a_bad_check_character_and_missing_fields_are_named() {
        let mut issues = Issues::default();
        let mut bad = input("91440703MA4UJ5QX2X");
        bad.contact_name = None;
        assert!(parse(&mut issues, &bad).is_none());
        let fields: Vec<String> = issues
            .into_result(|| Some(()))
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.field)
            .collect();
        assert_eq!(fields, ["rights_holder.uscc", "rights_holder.contact_name"]);
    }
}
