//! Keeping personal data out of what the public reads: typical cases are anonymised when
//! drafted, and editorial text is checked again before publication.

use crate::domain::mask::{mask_free_text, mask_name};

/// Replaces each known personal name with its mask (`张三丰` → `张**`) and masks phone
/// numbers, ID numbers and e-mail addresses anywhere in the text.
pub fn anonymise(text: &str, names: &[String]) -> String {
    let mut out = mask_free_text(text);
    let mut names: Vec<&String> = names.iter().filter(|n| n.chars().count() >= 2).collect();
    // Longest first, so 欧阳娜娜 is masked before a shorter name inside it.
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    for name in names {
        out = out.replace(name.as_str(), &mask_name(name));
    }
    out
}

/// Whether text still holds something shaped like a phone number, ID number or e-mail.
pub fn holds_personal_data(text: &str) -> bool {
    mask_free_text(text) != text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_phones_ids_and_mail_are_masked() {
        let names = vec!["张三丰".to_owned(), "李四".to_owned()];
        let text = "张三丰（13800138000，440703199001011234，zs@example.cn）与李四协商";
        let out = anonymise(text, &names);
        for secret in [
            "张三丰",
            "13800138000",
            "440703199001011234",
            "zs@example.cn",
            "李四",
        ] {
            assert!(!out.contains(secret), "{secret} left in {out}");
        }
        assert!(out.contains("张**") && out.contains("李*"));
        assert!(holds_personal_data(text));
        assert!(!holds_personal_data("某美容店退还货款 300 元"));
    }
}
