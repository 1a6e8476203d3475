//! Keeping personal data out of what the public reads: typical cases are anonymised when
//! drafted with `domain::mask::mask_free_text` and the case's party names (the same mask
//! analysts see), and editorial text is checked again before publication.

use crate::domain::mask::mask_free_text;

/// Whether text still holds something shaped like a phone, ID or bank card number or an
/// e-mail address.
pub fn holds_personal_data(text: &str) -> bool {
    mask_free_text(text, &[]) != text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_personal_data_and_figures_are_not() {
        for text in [
            "张三丰（13800138000）",
            "身份证440703199001011234",
            "zs@example.cn",
            "电话0750-3201234",
            "卡号6217 0012 3456 7893",
        ] {
            assert!(holds_personal_data(text), "{text}");
        }
        assert!(!holds_personal_data("某美容店退还货款 300 元"));
        assert!(!holds_personal_data(
            "2026年第三季度受理投诉 1234 件，咨询电话 12315"
        ));
    }
}
