//! What the intake's fields are called in Chinese, so that a missing one is named in the
//! message ("请填写「事情经过」") wherever it is shown: the API's `fields` and the forms.

/// A field by its dotted path: its name, and whether it is chosen from a list.
const FIELDS: &[(&str, &str, Pick)] = &[
    ("title", "一句话概括", Pick::Typed),
    ("description", "事情经过", Pick::Typed),
    ("claim", "您的诉求", Pick::Typed),
    ("category", "投诉类别", Pick::Chosen),
    ("nature", "问题性质", Pick::Chosen),
    ("channel", "来源渠道", Pick::Chosen),
    ("complainant", "投诉人信息", Pick::Typed),
    ("complainant.name", "姓名", Pick::Typed),
    ("complainant.phone", "手机号码", Pick::Typed),
    ("complainant.address", "联系地址", Pick::Typed),
    ("respondent", "商家信息", Pick::Typed),
    ("respondent.name", "商家名称", Pick::Typed),
    ("respondent.address", "商家地址", Pick::Typed),
    ("respondent.district", "商家所在县（市、区）", Pick::Chosen),
    (
        "place.district",
        "违法行为发生在哪个县（市、区）",
        Pick::Chosen,
    ),
    ("product.name", "商品名称", Pick::Typed),
    ("rights_holder.uscc", "权利人统一社会信用代码", Pick::Typed),
    ("rights_holder.name", "权利人名称", Pick::Typed),
    ("rights_holder.contact_name", "联系人", Pick::Typed),
    ("rights_holder.contact_phone", "联系人手机号码", Pick::Typed),
    ("adverse_reaction.onset_date", "出现不适的日期", Pick::Typed),
    ("adverse_reaction.symptoms", "症状", Pick::Typed),
    ("adverse_reaction.body_site", "出现症状的部位", Pick::Typed),
];

#[derive(Clone, Copy)]
enum Pick {
    Typed,
    Chosen,
}

/// "请填写「事情经过」", "请选择「问题性质」"; a field without a name here gets the plain
/// "此项为必填项".
pub fn missing(field: &str) -> String {
    match FIELDS.iter().find(|(path, _, _)| *path == field) {
        Some((_, name, Pick::Typed)) => format!("请填写「{name}」"),
        Some((_, name, Pick::Chosen)) => format!("请选择「{name}」"),
        None => "此项为必填项".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn missing_fields_are_named() {
        assert_eq!(super::missing("description"), "请填写「事情经过」");
        assert_eq!(super::missing("nature"), "请选择「问题性质」");
        assert_eq!(super::missing("unknown"), "此项为必填项");
    }
}
