//! What a 12315 work order's free-text columns mean in odrdesk's taxonomy: the category and
//! nature named in 问题类别 or 具体问题, the intake channel of 接收方式, and the title. Only what
//! the text names is mapped; nothing is guessed, so a row that names no category or nature is
//! left to intake to refuse with its reason.

use super::case::CaseKind;
use super::taxonomy::{Channel, Nature, Taxonomy};
use super::workorder::WorkOrder;

/// The longest title kept, in characters.
pub const TITLE_CHARS: usize = 30;

/// Words for a nature that the platform's categories use besides the taxonomy's own labels.
const NATURE_WORDS: &[(&str, &str)] = &[
    ("售后", "after_sales"),
    ("退换货", "after_sales"),
    ("虚假宣传", "false_advertising"),
    ("夸大宣传", "false_advertising"),
    ("假货", "counterfeit"),
    ("仿冒", "counterfeit"),
    ("收费", "price"),
    ("价格", "price"),
    ("缺斤短两", "measurement"),
];

/// The texts a row's classification is read from, most specific column first.
fn classification_texts(order: &WorkOrder) -> impl Iterator<Item = &str> {
    order
        .category
        .as_deref()
        .into_iter()
        .chain(order.problem.as_deref())
}

/// The category code whose label the row names (the longest label found: 其他化妆品 over
/// 化妆品), or `None`.
pub fn category(order: &WorkOrder, taxonomy: &Taxonomy) -> Option<String> {
    classification_texts(order).find_map(|text| {
        taxonomy
            .all_categories()
            .into_iter()
            .filter(|c| text.contains(c.label.as_str()))
            .max_by_key(|c| c.label.chars().count())
            .map(|c| c.code.clone())
    })
}

/// The nature the row names, by the taxonomy's labels or the platform's usual words. 其他
/// counts only as the whole text: "其他投诉问题" names no nature. A complaint that names a
/// report-only nature (商标侵权 and the like) is a consumer sold a fake: `counterfeit`, which
/// intake accepts for complaints; a report keeps the infringement nature.
pub fn nature(order: &WorkOrder, taxonomy: &Taxonomy) -> Option<String> {
    let named = named_nature(order, taxonomy)?;
    let reports_only = named.parse::<Nature>().is_ok_and(Nature::reports_only);
    if reports_only && order.kind == CaseKind::Complaint {
        Some(Nature::Counterfeit.as_str().to_owned())
    } else {
        Some(named)
    }
}

/// The nature the row's text names, whatever the row's kind.
fn named_nature(order: &WorkOrder, taxonomy: &Taxonomy) -> Option<String> {
    classification_texts(order).find_map(|text| {
        let by_label = taxonomy
            .natures
            .iter()
            .filter(|n| n.code != "other" && text.contains(n.label.as_str()))
            .max_by_key(|n| n.label.chars().count())
            .map(|n| n.code.clone());
        by_label
            .or_else(|| {
                NATURE_WORDS
                    .iter()
                    .find(|(word, _)| text.contains(word))
                    .map(|(_, code)| (*code).to_owned())
            })
            .or_else(|| (text.trim() == "其他").then(|| "other".to_owned()))
    })
}

/// How the platform received it (接收方式), in odrdesk's channels; the platform's own web
/// intake when the column is missing or says something else.
pub fn channel(order: &WorkOrder) -> Channel {
    let via = order.received_via.as_deref().unwrap_or("");
    if via.contains("电话") || via.contains("热线") {
        Channel::Phone
    } else if via.contains("来信") || via.contains("信函") || via.contains("信件") {
        Channel::Letter
    } else if via.contains("来访") || via.contains("窗口") {
        Channel::Visit
    } else if via.contains("小程序") {
        Channel::MiniProgram
    } else if via.to_ascii_uppercase().contains("APP") {
        Channel::App
    } else {
        Channel::Web
    }
}

/// The title: 具体问题 when given, else the start of 诉求内容, at most [`TITLE_CHARS`].
pub fn title(order: &WorkOrder) -> String {
    let source = order.problem.as_deref().unwrap_or(&order.claim);
    let one_line: String = source
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(TITLE_CHARS)
        .collect();
    one_line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(category: Option<&str>, problem: Option<&str>) -> WorkOrder {
        WorkOrder {
            registration_no: "1".into(),
            kind: CaseKind::Complaint,
            registered_at: None,
            received_via: None,
            business_name: None,
            business_address: None,
            claim: "面霜使用后脸部红肿，要求退款".into(),
            category: category.map(Into::into),
            place: None,
            problem: problem.map(Into::into),
            person_name: None,
            person_phone: None,
            person_address: None,
        }
    }

    #[test]
    fn category_and_nature_come_from_what_the_row_names() {
        let t = Taxonomy::builtin();
        let o = order(Some("护肤品 质量问题"), None);
        assert_eq!(category(&o, t).as_deref(), Some("goods.cosmetics.skincare"));
        assert_eq!(nature(&o, t).as_deref(), Some("quality"));
        let o = order(Some("其他化妆品"), Some("售后服务"));
        assert_eq!(category(&o, t).as_deref(), Some("goods.cosmetics.other"));
        assert_eq!(nature(&o, t).as_deref(), Some("after_sales"));
        // Nothing named: nothing guessed.
        let o = order(Some("退赔费用 其他投诉问题"), None);
        assert_eq!(category(&o, t), None);
        assert_eq!(nature(&o, t), None);
        assert_eq!(
            nature(&order(Some("其他"), None), t).as_deref(),
            Some("other")
        );
    }

    #[test]
    fn a_complaint_naming_ip_infringement_is_counterfeit_a_report_keeps_it() {
        let t = Taxonomy::builtin();
        let mut o = order(Some("商标侵权"), None);
        assert_eq!(nature(&o, t).as_deref(), Some("counterfeit"));
        o.category = Some("专利侵权".into());
        assert_eq!(nature(&o, t).as_deref(), Some("counterfeit"));
        o.category = Some("著作权侵权".into());
        assert_eq!(nature(&o, t).as_deref(), Some("counterfeit"));
        o.kind = CaseKind::Report;
        assert_eq!(nature(&o, t).as_deref(), Some("ip_copyright"));
        o.category = Some("商标侵权".into());
        assert_eq!(nature(&o, t).as_deref(), Some("ip_trademark"));
    }

    #[test]
    fn channel_and_title() {
        let mut o = order(None, None);
        assert_eq!(channel(&o), Channel::Web);
        o.received_via = Some("12315热线".into());
        assert_eq!(channel(&o), Channel::Phone);
        assert_eq!(title(&o), "面霜使用后脸部红肿，要求退款");
        o.claim = "很长".repeat(40);
        assert_eq!(title(&o).chars().count(), TITLE_CHARS);
        o.problem = Some("过敏\n红肿".into());
        assert_eq!(title(&o), "过敏 红肿");
    }
}
