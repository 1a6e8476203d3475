//! Rules of Order 121 for reports that relate to other cases: a repeated or merged report
//! must name the same business as the earlier one (Art. 35), and a lead found while
//! mediating is titled by the business it names (Art. 27).

/// The business a case names: its USCC when given, and its name.
#[derive(Debug, Clone, Copy)]
pub struct Business<'a> {
    pub uscc: Option<&'a str>,
    pub name: &'a str,
}

/// Whether two cases name the same business: by USCC when both give one, else by name
/// (ignoring surrounding and inner blanks).
pub fn same_business(a: Business<'_>, b: Business<'_>) -> bool {
    match (a.uscc, b.uscc) {
        (Some(x), Some(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
        _ => {
            let squeeze = |s: &str| s.split_whitespace().collect::<String>();
            let (x, y) = (squeeze(a.name), squeeze(b.name));
            !x.is_empty() && x == y
        }
    }
}

/// The title of the report a lead found in mediation opens: the business it names, never
/// the complainant's own words (the report has no complainant whose name a mask would know).
pub fn lead_title(business: &str) -> String {
    format!("【调解中发现的线索】{}", business.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_business_by_uscc_else_by_name() {
        let named = |name| Business { uscc: None, name };
        let coded = |uscc, name| Business {
            uscc: Some(uscc),
            name,
        };
        assert!(same_business(
            named("江门市某美容院"),
            named(" 江门市 某美容院 ")
        ));
        assert!(!same_business(
            named("江门市某美容院"),
            named("江门市另一美容院")
        ));
        assert!(!same_business(named(""), named(" ")));
        let uscc = "91440703MA4UJ5QX2U";
        assert!(same_business(coded(uscc, "甲"), coded(uscc, "乙")));
        assert!(!same_business(
            coded(uscc, "甲"),
            coded("91440705MA4UJ5QX2X", "甲")
        ));
        // One side without a USCC: the names decide.
        assert!(same_business(coded(uscc, "甲公司"), named("甲公司")));
        assert_eq!(lead_title(" 美颜公司 "), "【调解中发现的线索】美颜公司");
    }
}
