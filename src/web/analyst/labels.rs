//! Chinese names for the codes the index stores, for facets, tables and chart labels.

use crate::domain::Taxonomy;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::labels::code_label;
use crate::domain::routing::Flag;

/// The facet dimensions shown on the search page: (facet name, heading, filter parameter).
/// Channels have no search filter, so their counts are shown without links.
pub const DIMENSIONS: [(&str, &str, Option<&str>); 8] = [
    ("category", "类别", Some("category")),
    ("nature", "性质", Some("nature")),
    ("district", "辖区", Some("district")),
    ("state", "状态", Some("state")),
    ("kind", "类型", Some("kind")),
    ("flag", "标记", Some("flag")),
    ("channel", "渠道", None),
    ("respondent", "被投诉（举报）方", Some("respondent")),
];

/// The Chinese name of `code` in `dimension`; unknown codes are shown as they are.
pub fn label(dimension: &str, code: &str) -> String {
    code_label(dimension, code).unwrap_or_else(|| code.to_owned())
}

/// Every value a filter `<select>` offers: (code, name). Categories are indented by depth.
pub fn choices(dimension: &str) -> Vec<(String, String)> {
    let t = Taxonomy::builtin();
    match dimension {
        "category" => t
            .all_categories()
            .into_iter()
            .map(|c| {
                let depth = c.code.matches('.').count();
                (c.code.clone(), format!("{}{}", "　".repeat(depth), c.label))
            })
            .collect(),
        "nature" => t
            .natures
            .iter()
            .map(|n| (n.code.clone(), n.label.clone()))
            .collect(),
        "district" => t
            .districts
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect(),
        "state" => CaseState::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label_zh().to_owned()))
            .collect(),
        "kind" => CaseKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), k.label_zh().to_owned()))
            .collect(),
        "flag" => Flag::ALL
            .iter()
            .map(|f| f.as_str().to_owned())
            .chain(["severity:serious".to_owned()])
            .map(|code| {
                let name = label("flag", &code);
                (code, name)
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_chinese_names() {
        assert_eq!(label("kind", "report"), "举报");
        assert_eq!(label("flag", "severity:serious"), "不良反应程度：严重");
        assert_eq!(label("respondent", "某公司"), "某公司");
        assert_eq!(label("channel", "mini_program"), "微信小程序");
        assert!(choices("district").len() >= 7);
        assert!(choices("category").iter().any(|(_, n)| n.starts_with('　')));
    }
}
