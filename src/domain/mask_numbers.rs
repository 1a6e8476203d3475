//! Numbers in free text: mobile and landline phone numbers, ID numbers and bank cards.
//! Shapes that merely look alike (dates, amounts, case numbers, licence and batch numbers)
//! are left alone: landlines need a valid area code or a phone word before them, and cards
//! must pass the Luhn check.

use super::Span;
use crate::domain::ids::{ascii_digit, is_mobile_digits};

/// What people put between the groups of a phone or card number.
fn is_group_sep(c: char) -> bool {
    matches!(c, ' ' | '-' | '－' | '—')
}

/// Words after which a bare 7–8 digit number is a landline without its area code.
const PHONE_WORDS: [&str; 10] = [
    "电话", "座机", "固话", "致电", "拨打", "号码", "联系", "tel", "Tel", "TEL",
];

fn digits_of(chars: &[char]) -> String {
    chars.iter().filter_map(|c| ascii_digit(*c)).collect()
}

/// Copies `chars`, keeping the first `head` and the last `tail` digits and starring the
/// others; separators stay as written.
fn star_digits(chars: &[char], head: usize, tail: usize) -> String {
    let total = chars.iter().filter(|c| ascii_digit(**c).is_some()).count();
    let mut seen = 0;
    chars
        .iter()
        .map(|c| {
            if ascii_digit(*c).is_none() {
                return *c;
            }
            seen += 1;
            if seen <= head || seen + tail > total {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

pub(super) fn masked_id(chars: &[char]) -> String {
    let head: String = chars.iter().take(6).collect();
    let tail: String = chars.iter().skip(chars.len().saturating_sub(4)).collect();
    format!("{head}********{tail}")
}

fn is_id_check(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

pub(super) fn is_id_shape(chars: &[char]) -> bool {
    chars.len() == 18
        && chars[..17].iter().all(|c| ascii_digit(*c).is_some())
        && (ascii_digit(chars[17]).is_some() || is_id_check(chars[17]))
}

/// The Luhn check that bank card numbers carry in their last digit.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(k, b)| {
            let d = u32::from(b.wrapping_sub(b'0'));
            if k % 2 == 1 {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The length of the area code that starts `digits`: 010 and 02x have three digits, the
/// other codes (03x–09x) four.
fn area_len(digits: &str) -> Option<usize> {
    match digits.as_bytes() {
        [b'0', b'1', b'0', ..] | [b'0', b'2', ..] => Some(3),
        [b'0', b'3'..=b'9', ..] => Some(4),
        _ => None,
    }
}

/// Local numbers have 7 or 8 digits and never start with 0 or 1.
fn is_local(digits: &str) -> bool {
    (7..=8).contains(&digits.len()) && matches!(digits.as_bytes().first(), Some(b'2'..=b'9'))
}

struct Text<'a> {
    chars: &'a [char],
    covered: &'a [bool],
}

impl Text<'_> {
    /// The character at `i`, unless it is already part of a masked span.
    fn free(&self, i: usize) -> Option<char> {
        match self.covered.get(i) {
            Some(false) => self.chars.get(i).copied(),
            _ => None,
        }
    }

    /// Length of the run of digits from `from` that does not enter a covered position.
    fn digit_run(&self, from: usize) -> usize {
        (from..self.chars.len())
            .take_while(|i| self.free(*i).and_then(ascii_digit).is_some())
            .count()
    }

    fn digits(&self, start: usize, end: usize) -> String {
        digits_of(&self.chars[start..end])
    }

    fn span(&self, start: usize, end: usize, text: String) -> Span {
        Span { start, end, text }
    }

    fn starred(&self, start: usize, end: usize, head: usize, tail: usize) -> Span {
        self.span(start, end, star_digits(&self.chars[start..end], head, tail))
    }

    /// Whether the number at `start..end` is part of a longer code: letters around it (a
    /// licence or batch number such as `G20190123`), or a decimal point and digits after it.
    fn glued(&self, start: usize, end: usize) -> bool {
        let letter = |c: Option<&char>| {
            c.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, 'Ａ'..='Ｚ' | 'ａ'..='ｚ'))
        };
        let before = start.checked_sub(1).and_then(|i| self.chars.get(i));
        let after = self.chars.get(end);
        let decimal = matches!(after, Some('.' | '．'))
            && self
                .chars
                .get(end + 1)
                .and_then(|c| ascii_digit(*c))
                .is_some();
        letter(before) || letter(after) || decimal
    }

    fn number_at(&self, start: usize, len: usize) -> Option<Span> {
        self.id_number(start, len)
            .or_else(|| self.mobile(start, len))
            .or_else(|| self.card(start, len))
            .or_else(|| self.landline(start, len))
    }

    fn id_number(&self, start: usize, len: usize) -> Option<Span> {
        let end = start + len;
        let x_suffix = len == 17 && self.free(end).is_some_and(is_id_check);
        let stop = match (x_suffix, len) {
            (true, _) => end + 1,
            (false, 18) => end,
            _ => return None,
        };
        Some(self.span(start, stop, masked_id(&self.chars[start..stop])))
    }

    fn mobile(&self, start: usize, len: usize) -> Option<Span> {
        let end = start + len;
        let digits = self.digits(start, end);
        if len == 11 && is_mobile_digits(&digits) {
            return Some(self.starred(start, end, 3, 4));
        }
        if len == 13 && digits.starts_with("86") && is_mobile_digits(&digits[2..]) {
            return Some(self.starred(start + 2, end, 3, 4));
        }
        let stop = self.groups(start, &[3, 4, 4])?;
        is_mobile_digits(&self.digits(start, stop)).then(|| self.starred(start, stop, 3, 4))
    }

    /// Where a number written in groups of exactly `sizes` digits, separated by one and the
    /// same separator, ends.
    fn groups(&self, start: usize, sizes: &[usize]) -> Option<usize> {
        let (first, rest) = sizes.split_first()?;
        if self.digit_run(start) != *first {
            return None;
        }
        let sep = self.free(start + first).filter(|c| is_group_sep(*c))?;
        let mut end = start + first;
        for size in rest {
            if self.free(end) != Some(sep) || self.digit_run(end + 1) != *size {
                return None;
            }
            end += 1 + size;
        }
        Some(end)
    }

    /// 16–19 digits that pass the Luhn check, written in one run or in groups of four.
    fn card(&self, start: usize, len: usize) -> Option<Span> {
        let stop = if (16..=19).contains(&len) {
            start + len
        } else {
            let sixteen = self.groups(start, &[4, 4, 4, 4])?;
            let sep = self.chars[start + 4];
            let tail = match self.free(sixteen) == Some(sep) {
                true => self.digit_run(sixteen + 1),
                false => 0,
            };
            if (1..=3).contains(&tail) && luhn(&self.digits(start, sixteen + 1 + tail)) {
                sixteen + 1 + tail
            } else {
                sixteen
            }
        };
        (luhn(&self.digits(start, stop)) && !self.glued(start, stop))
            .then(|| self.starred(start, stop, 4, 4))
    }

    /// `0750-3201234`, `(0750)3201234`, `02012345678`, and `3201234` after a phone word. The
    /// area code stays; the local number keeps its last two digits.
    fn landline(&self, start: usize, len: usize) -> Option<Span> {
        let end = start + len;
        let digits = self.digits(start, end);
        let area = area_len(&digits);
        let (stop, head) = if area == Some(len) {
            (self.local_after_area(start, end)?, len)
        } else if let Some(a) = area.filter(|a| len >= 11 && digits.get(*a..).is_some_and(is_local))
        {
            (end, a)
        } else if is_local(&digits) && self.after_phone_word(start) {
            (end, 0)
        } else {
            return None;
        };
        (!self.glued(start, stop)).then(|| self.starred(start, stop, head, 2))
    }

    /// Where the local number after the area code at `start..end` ends: `0750-3201234`,
    /// `0750 3201234`, `(0750)3201234` or `(0750) 3201234`.
    fn local_after_area(&self, start: usize, end: usize) -> Option<usize> {
        let opened = start
            .checked_sub(1)
            .and_then(|i| self.chars.get(i))
            .is_some_and(|c| matches!(c, '(' | '（'));
        let after = self.free(end)?;
        let joined = if opened {
            matches!(after, ')' | '）')
        } else {
            is_group_sep(after)
        };
        if !joined {
            return None;
        }
        let mut local = end + 1;
        if opened && self.free(local) == Some(' ') {
            local += 1;
        }
        let stop = local + self.digit_run(local);
        is_local(&self.digits(local, stop)).then_some(stop)
    }

    fn after_phone_word(&self, start: usize) -> bool {
        let before: String = self.chars[start.saturating_sub(8)..start].iter().collect();
        let before = before.trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, ':' | '：' | '是' | '为' | '-')
        });
        PHONE_WORDS.iter().any(|w| before.ends_with(w))
    }
}

/// Adds a span for every phone, ID and card number in `chars` outside `covered`.
pub(super) fn find_numbers(chars: &[char], covered: &[bool], spans: &mut Vec<Span>) {
    let text = Text { chars, covered };
    let mut i = 0;
    while i < chars.len() {
        let len = text.digit_run(i);
        if len == 0 {
            i += 1;
            continue;
        }
        match text.number_at(i, len) {
            Some(span) => {
                i = span.end;
                spans.push(span);
            }
            None => i += len,
        }
    }
}
