//! The Chinese name of a stored code, by the dimension it belongs to: what the index and the
//! exports hold as codes, pages and the people's CSV show as words.

use super::Taxonomy;
use super::case::{CaseKind, CaseState};
use super::routing::Flag;
use super::severity::Severity;
use super::taxonomy::Channel;

/// Index flags are the case's flags plus `severity:<level>` for an adverse reaction.
fn flag_label(code: &str) -> Option<String> {
    if let Some(severity) = code.strip_prefix("severity:") {
        let level = severity
            .parse::<Severity>()
            .map_or(severity, |s| s.label_zh());
        return Some(format!("不良反应程度：{level}"));
    }
    Flag::parse(code).map(|f| f.label_zh().to_owned())
}

/// The Chinese name of `code` in `dimension`, from the enum's `label_zh()` or the taxonomy;
/// `None` for a code it does not know (and for dimensions of free values).
pub fn code_label(dimension: &str, code: &str) -> Option<String> {
    let t = Taxonomy::builtin();
    match dimension {
        "category" | "category_path" if code == "none" => Some("未分类".to_owned()),
        "category" | "category_path" => t.category(code).map(|c| c.label.clone()),
        "nature" => t.nature(code).map(|n| n.label.clone()),
        "district" => t.district(code).map(|d| d.name.clone()),
        "channel" => code
            .parse::<Channel>()
            .ok()
            .map(|c| c.label_zh().to_owned()),
        "state" => code
            .parse::<CaseState>()
            .ok()
            .map(|s| s.label_zh().to_owned()),
        "kind" => code
            .parse::<CaseKind>()
            .ok()
            .map(|k| k.label_zh().to_owned()),
        "flag" => flag_label(code),
        _ => None,
    }
}
