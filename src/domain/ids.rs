//! Validated identifiers and value types taken from user input.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use validator::ValidateEmail;

use super::FieldError;

/// Maps ASCII and full-width digits to an ASCII digit.
pub(crate) fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

/// Full-width ASCII forms (U+FF01..U+FF5E) to their half-width counterparts.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                raw.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

const USCC_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Unified social credit code (统一社会信用代码, GB 32100-2015), stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(example = "91440703MA4UJ5QX2U")]
pub struct Uscc(String);
string_newtype!(Uscc);

impl Uscc {
    /// The check character for the first 17 characters, or `None` if `first17` is not
    /// exactly 17 characters from the USCC charset.
    pub fn check_char(first17: &str) -> Option<char> {
        if first17.chars().count() != 17 {
            return None;
        }
        let mut sum = 0u32;
        for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
            let value = USCC_CHARSET.find(c)? as u32;
            sum += value * w;
        }
        let check = (31 - sum % 31) % 31;
        USCC_CHARSET.chars().nth(check as usize)
    }

    /// The 6-digit administrative division code (positions 3–8).
    pub fn division_code(&self) -> &str {
        self.0.get(2..8).unwrap_or("")
    }
}

impl FromStr for Uscc {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const RETYPE: &str = "请对照营业执照重新输入";
        let code = s.trim().to_ascii_uppercase();
        let typed = code.chars().count();
        if typed != 18 {
            return Err(FieldError::new(
                "uscc_length",
                format!("统一社会信用代码应为 18 位，现在是 {typed} 位，{RETYPE}"),
            ));
        }
        if let Some((at, c)) = code
            .chars()
            .enumerate()
            .find(|(_, c)| !USCC_CHARSET.contains(*c))
        {
            return Err(FieldError::new(
                "uscc_charset",
                format!(
                    "统一社会信用代码第 {} 位「{c}」不是有效字符（只有数字和除 I、O、Z、S、V 以外的大写字母），{RETYPE}",
                    at + 1
                ),
            ));
        }
        let (first17, last) = code.split_at(17);
        if Uscc::check_char(first17).is_none_or(|c| !last.starts_with(c)) {
            return Err(FieldError::new(
                "uscc_checksum",
                format!("统一社会信用代码第 18 位（校验位）与前 17 位不符，{RETYPE}"),
            ));
        }
        Ok(Uscc(code))
    }
}

/// Mainland mobile number, stored as 11 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(example = "13800138000")]
pub struct Phone(String);
string_newtype!(Phone);

impl Phone {
    /// Masked form for display, e.g. `138****8000`.
    pub fn masked(&self) -> String {
        super::mask::mask_phone(&self.0)
    }
}

pub(crate) fn is_mobile_digits(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
}

impl FromStr for Phone {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
            .map(|c| ascii_digit(c).unwrap_or_else(|| half_width(c)))
            .collect();
        let digits = match compact.strip_prefix("+86") {
            Some(rest) => rest,
            None if compact.len() == 13 => compact.strip_prefix("86").unwrap_or(&compact),
            None => &compact,
        };
        if is_mobile_digits(digits) {
            Ok(Phone(digits.to_string()))
        } else {
            Err(FieldError::new("phone_format", "手机号码格式不正确"))
        }
    }
}

/// E-mail address; the domain part is stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[schema(example = "zhang@example.com")]
pub struct Email(String);
string_newtype!(Email);

impl FromStr for Email {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.chars().count() > 254 {
            return Err(FieldError::new("email_format", "电子邮箱地址过长"));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(FieldError::new("email_format", "电子邮箱格式不正确"));
        };
        if !s.validate_email() || !domain.contains('.') {
            return Err(FieldError::new("email_format", "电子邮箱格式不正确"));
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }
}

/// A non-negative amount of money in fen (分, 1/100 yuan).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema,
)]
#[schema(example = 12800)]
pub struct Fen(i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn new(fen: i64) -> Result<Fen, FieldError> {
        if fen < 0 {
            Err(FieldError::new("amount_negative", "金额不能为负数"))
        } else {
            Ok(Fen(fen))
        }
    }

    pub fn value(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// Yuan with two decimals, e.g. `128.50`.
    pub fn to_yuan_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Fen as yuan with two decimals and thousands separators: `128645350` → `1,286,453.50`.
pub fn grouped_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut whole = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            whole.push(',');
        }
        whole.push(ch);
    }
    format!("{sign}{whole}.{:02}", abs % 100)
}

impl TryFrom<i64> for Fen {
    type Error = FieldError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Fen::new(value)
    }
}

impl<'de> Deserialize<'de> for Fen {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Fen::new(i64::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Parses an integer number of fen.
impl FromStr for Fen {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.starts_with('-') {
            return Err(FieldError::new("amount_negative", "金额不能为负数"));
        }
        let value: i64 = s
            .parse()
            .map_err(|_| FieldError::new("amount_format", "金额格式不正确"))?;
        Fen::new(value)
    }
}

/// Prints the integer number of fen (see [`Fen::to_yuan_string`] for display to people).
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Recognised shapes of a cosmetics filing or registration number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CosmeticsIdKind {
    /// 普通化妆品国产备案, e.g. 粤G妆网备字2022001234
    DomesticFiling,
    /// 特殊化妆品注册, e.g. 国妆特字G20220001
    SpecialRegistration,
    /// 进口特殊化妆品注册, e.g. 国妆特进字J20220001
    ImportedSpecial,
    /// 进口普通化妆品备案, e.g. 国妆网备进字（粤）2022001234
    ImportedFiling,
    /// Shape not recognised; kept as entered and flagged for review.
    Unknown,
}

/// A cosmetics filing/registration number. Unknown shapes are accepted and flagged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct CosmeticsId {
    value: String,
    kind: CosmeticsIdKind,
}

const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

/// Optionally one upper-case letter, then 4 to 16 digits.
fn letter_then_digits(s: &str) -> bool {
    let digits = s
        .strip_prefix(|c: char| c.is_ascii_uppercase())
        .unwrap_or(s);
    (4..=16).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

fn classify_cosmetics(n: &str) -> CosmeticsIdKind {
    if let Some(rest) = n.strip_prefix("国妆特进字") {
        if letter_then_digits(rest) {
            return CosmeticsIdKind::ImportedSpecial;
        }
    } else if let Some(rest) = n.strip_prefix("国妆特字") {
        if letter_then_digits(rest) {
            return CosmeticsIdKind::SpecialRegistration;
        }
    } else if let Some(rest) = n.strip_prefix("国妆网备进字") {
        let mut chars = rest.chars();
        let rest = match (chars.next(), chars.next(), chars.next()) {
            (Some('('), Some(p), Some(')')) if PROVINCES.contains(p) => chars.as_str(),
            _ => rest,
        };
        if letter_then_digits(rest) {
            return CosmeticsIdKind::ImportedFiling;
        }
    } else if let Some(first) = n.chars().next().filter(|c| PROVINCES.contains(*c)) {
        let rest = &n[first.len_utf8()..];
        let rest = rest
            .strip_prefix(|c: char| c.is_ascii_uppercase())
            .unwrap_or(rest);
        if let Some(digits) = rest.strip_prefix("妆网备字")
            && letter_then_digits(digits)
            && digits.starts_with(|c: char| c.is_ascii_digit())
        {
            return CosmeticsIdKind::DomesticFiling;
        }
    }
    CosmeticsIdKind::Unknown
}

impl CosmeticsId {
    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn kind(&self) -> CosmeticsIdKind {
        self.kind
    }

    /// False when the shape was not recognised and needs a human look.
    pub fn is_recognised(&self) -> bool {
        self.kind != CosmeticsIdKind::Unknown
    }
}

impl FromStr for CosmeticsId {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let value: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| half_width(c).to_ascii_uppercase())
            .collect();
        let len = value.chars().count();
        if len == 0 || len > 64 {
            return Err(FieldError::new(
                "cosmetics_id_format",
                "化妆品备案/注册编号不能为空且不超过64个字符",
            ));
        }
        let kind = classify_cosmetics(&value);
        Ok(CosmeticsId { value, kind })
    }
}

impl fmt::Display for CosmeticsId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl From<CosmeticsId> for String {
    fn from(id: CosmeticsId) -> String {
        id.value
    }
}

impl utoipa::PartialSchema for CosmeticsId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(64))
            .examples(["粤G妆网备字2022001234"])
            .into()
    }
}

impl ToSchema for CosmeticsId {}

impl<'de> Deserialize<'de> for CosmeticsId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "ids_tests.rs"]
mod tests;
