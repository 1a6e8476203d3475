//! Masks for personal information shown in analyst views, exports and bulletins.
//! All functions work on characters, never on byte offsets, and never fail.

use super::ids::{Phone, ascii_digit, is_mobile_digits};

fn stars(n: usize) -> String {
    "*".repeat(n)
}

/// `13800138000` → `138****8000`. Input in any accepted phone shape (`+86 138-0013-8000`)
/// is normalised first; anything else keeps at most its first 3 and last 4 characters.
pub fn mask_phone(phone: &str) -> String {
    if let Ok(parsed) = phone.parse::<Phone>() {
        let digits = parsed.as_str();
        return format!("{}****{}", &digits[..3], &digits[7..]);
    }
    let chars: Vec<char> = phone.trim().chars().collect();
    if chars.len() >= 11 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}{}{tail}", stars(chars.len() - 7))
    } else {
        stars(chars.len())
    }
}

/// `张三` → `张*`, `欧阳娜娜` → `欧***`; a single character is masked entirely.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count();
            if rest == 0 {
                stars(1)
            } else {
                format!("{first}{}", stars(rest))
            }
        }
    }
}

fn is_id_shape(chars: &[char]) -> bool {
    chars.len() == 18
        && chars[..17].iter().all(|c| ascii_digit(*c).is_some())
        && (ascii_digit(chars[17]).is_some() || matches!(chars[17], 'X' | 'x' | 'Ｘ' | 'ｘ'))
}

fn masked_id(chars: &[char]) -> String {
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}********{tail}")
}

/// 18-character resident ID number → first 6 + `********` + last 4.
/// Anything that is not shaped like an ID number is masked completely.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if is_id_shape(&chars) {
        masked_id(&chars)
    } else {
        stars(chars.len())
    }
}

/// `zhang@example.com` → `z****@example.com`; the local part's length is not revealed.
pub fn mask_email(email: &str) -> String {
    let email = email.trim();
    match email.rsplit_once('@') {
        Some((local, domain)) if !domain.is_empty() => match local.chars().next() {
            Some(first) => format!("{first}****@{domain}"),
            None => stars(email.chars().count()),
        },
        _ => stars(email.chars().count()),
    }
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// A replacement of `chars[start..end]`.
struct Span {
    start: usize,
    end: usize,
    text: String,
}

fn find_emails(chars: &[char], spans: &mut Vec<Span>) {
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '@' {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > 0 && is_local_char(chars[start - 1]) {
            start -= 1;
        }
        let mut end = i + 1;
        while end < chars.len() && is_domain_char(chars[end]) {
            end += 1;
        }
        while end > i + 1 && matches!(chars[end - 1], '.' | '-') {
            end -= 1;
        }
        let domain: String = chars[i + 1..end].iter().collect();
        let valid = start < i
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.contains("..");
        if valid {
            let email: String = chars[start..end].iter().collect();
            spans.push(Span {
                start,
                end,
                text: mask_email(&email),
            });
            i = end;
        } else {
            i += 1;
        }
    }
}

/// Length of the run of digits starting at `from` that does not enter a covered position.
fn digit_run(chars: &[char], covered: &[bool], from: usize) -> usize {
    chars[from..]
        .iter()
        .zip(&covered[from..])
        .take_while(|(c, cov)| !**cov && ascii_digit(**c).is_some())
        .count()
}

fn digits_of(chars: &[char]) -> String {
    chars.iter().filter_map(|c| ascii_digit(*c)).collect()
}

/// Copies `chars[start..end]`, replacing the digits with index 3..7 (counting digits only).
fn mask_phone_digits(chars: &[char]) -> String {
    let mut seen = 0;
    chars
        .iter()
        .map(|c| {
            if ascii_digit(*c).is_none() {
                return *c;
            }
            seen += 1;
            if (4..=7).contains(&seen) { '*' } else { *c }
        })
        .collect()
}

/// Phone written as `138 0013 8000` or `138-0013-8000`, starting at a 3-digit run.
fn grouped_phone_end(chars: &[char], covered: &[bool], start: usize) -> Option<usize> {
    let sep_at = start + 3;
    let sep = *chars.get(sep_at).filter(|c| matches!(**c, ' ' | '-'))?;
    let second = sep_at + 1;
    if second >= chars.len() || digit_run(chars, covered, second) != 4 {
        return None;
    }
    let sep2_at = second + 4;
    if chars.get(sep2_at) != Some(&sep) || covered.get(sep2_at) != Some(&false) {
        return None;
    }
    let third = sep2_at + 1;
    if third >= chars.len() || digit_run(chars, covered, third) != 4 {
        return None;
    }
    let end = third + 4;
    is_mobile_digits(&digits_of(&chars[start..end])).then_some(end)
}

fn find_numbers(chars: &[char], covered: &[bool], spans: &mut Vec<Span>) {
    let mut i = 0;
    while i < chars.len() {
        let len = digit_run(chars, covered, i);
        if len == 0 {
            i += 1;
            continue;
        }
        let end = i + len;
        let digits = digits_of(&chars[i..end]);
        let x_suffix = len == 17
            && covered.get(end) == Some(&false)
            && chars
                .get(end)
                .is_some_and(|c| matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ'));
        let mut push = |start: usize, stop: usize, text: String| {
            spans.push(Span {
                start,
                end: stop,
                text,
            })
        };
        if x_suffix || len == 18 {
            let stop = if x_suffix { end + 1 } else { end };
            push(i, stop, masked_id(&chars[i..stop]));
            i = stop;
            continue;
        }
        if len == 11 && is_mobile_digits(&digits) {
            push(i, end, mask_phone_digits(&chars[i..end]));
        } else if len == 13 && digits.starts_with("86") && is_mobile_digits(&digits[2..]) {
            push(i + 2, end, mask_phone_digits(&chars[i + 2..end]));
        } else if len == 3
            && let Some(stop) = grouped_phone_end(chars, covered, i)
        {
            push(i, stop, mask_phone_digits(&chars[i..stop]));
            i = stop;
            continue;
        }
        i = end;
    }
}

/// Masks mainland mobile numbers, 18-character ID numbers and e-mail addresses found in
/// free text (complaint descriptions, notes) before it is shown outside the case.
pub fn mask_free_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut spans = Vec::new();
    find_emails(&chars, &mut spans);
    let mut covered = vec![false; chars.len()];
    for span in &spans {
        covered[span.start..span.end].fill(true);
    }
    find_numbers(&chars, &covered, &mut spans);
    spans.sort_by_key(|s| s.start);

    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for span in spans {
        if span.start < pos {
            continue;
        }
        out.extend(&chars[pos..span.start]);
        out.push_str(&span.text);
        pos = span.end;
    }
    out.extend(&chars[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone() {
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("+86 138-0013-8000"), "138****8000");
        assert_eq!(mask_phone("0750-3123456"), "075*****3456");
        assert_eq!(mask_phone("12345"), "*****");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn name() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name(" 李 "), "*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name("Ann"), "A**");
    }

    #[test]
    fn id_number() {
        assert_eq!(mask_id_number("44070319900101123X"), "440703********123X");
        assert_eq!(mask_id_number("440703199001011234"), "440703********1234");
        assert_eq!(mask_id_number("4407031990010112"), "****************");
        assert_eq!(mask_id_number("44070319900101123Y"), "******************");
        assert_eq!(mask_id_number("身份证"), "***");
    }

    #[test]
    fn email() {
        assert_eq!(mask_email("zhang@example.com"), "z****@example.com");
        assert_eq!(mask_email("a@qq.com"), "a****@qq.com");
        assert_eq!(mask_email("王@例子.中国"), "王****@例子.中国");
        assert_eq!(mask_email("@example.com"), "************");
        assert_eq!(mask_email("no-at-sign"), "**********");
    }

    #[test]
    fn free_text_masks_contacts() {
        let text = "我叫张三，电话13800138000，身份证44070319900101123x，邮箱zhang@example.com。";
        assert_eq!(
            mask_free_text(text),
            "我叫张三，电话138****8000，身份证440703********123x，邮箱z****@example.com。"
        );
    }

    #[test]
    fn free_text_variants() {
        assert_eq!(
            mask_free_text("call +8613800138000 now"),
            "call +86138****8000 now"
        );
        assert_eq!(
            mask_free_text("手机：138 0013 8000。"),
            "手机：138 **** 8000。"
        );
        assert_eq!(mask_free_text("手机138-0013-8000"), "手机138-****-8000");
        assert_eq!(
            mask_free_text("１３８００１３８０００"),
            "１３８****８０００"
        );
        assert_eq!(mask_free_text("13800138000@qq.com"), "1****@qq.com");
        assert_eq!(mask_free_text("mail: a.b@x.cn."), "mail: a****@x.cn.");
        assert_eq!(
            mask_free_text("id 440703199001011234"),
            "id 440703********1234"
        );
    }

    #[test]
    fn free_text_leaves_other_numbers() {
        for text in [
            "订单号2024010112345，金额128.50元",
            "12800138000",
            "138001380001",
            "138 0013 80001",
            "user@localhost",
            "@@@",
            "",
            "第3段 138 0013",
        ] {
            assert_eq!(mask_free_text(text), text);
        }
    }
}
