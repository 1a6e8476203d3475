//! Masks for personal information shown in analyst views, search, exports and bulletins.
//! All functions work on characters, never on byte offsets, and never fail.

use super::ids::Phone;

#[path = "mask_numbers.rs"]
mod numbers;

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

/// 18-character resident ID number → first 6 + `********` + last 4.
/// Anything that is not shaped like an ID number is masked completely.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if numbers::is_id_shape(&chars) {
        numbers::masked_id(&chars)
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

/// Each party name (two characters or more) wherever it is written, longest first, so that
/// 欧阳娜娜 is masked before a shorter name inside it.
fn find_names(chars: &[char], names: &[String], covered: &mut [bool], spans: &mut Vec<Span>) {
    let mut names: Vec<Vec<char>> = names
        .iter()
        .map(|n| n.trim().chars().collect::<Vec<char>>())
        .filter(|n| n.len() >= 2)
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    names.dedup();
    for name in names {
        let mut i = 0;
        while i + name.len() <= chars.len() {
            let end = i + name.len();
            if chars[i..end] == name[..] && !covered[i..end].contains(&true) {
                covered[i..end].fill(true);
                let text = mask_name(&name.iter().collect::<String>());
                spans.push(Span {
                    start: i,
                    end,
                    text,
                });
                i = end;
            } else {
                i += 1;
            }
        }
    }
}

/// The one mask for free text (titles, descriptions, claims) that analysts or the public
/// read (search index, analyst case view, bulletins): mobile and landline numbers, 18-character ID numbers, bank card
/// numbers, e-mail addresses, and the case's own personal party `names` (complainant,
/// reporter, agent; never the business complained about).
pub fn mask_free_text(text: &str, names: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut spans = Vec::new();
    find_emails(&chars, &mut spans);
    let mut covered = vec![false; chars.len()];
    for span in &spans {
        covered[span.start..span.end].fill(true);
    }
    find_names(&chars, names, &mut covered, &mut spans);
    numbers::find_numbers(&chars, &covered, &mut spans);
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
#[path = "mask_tests.rs"]
mod tests;
