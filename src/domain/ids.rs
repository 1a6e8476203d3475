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
        let code = s.trim().to_ascii_uppercase();
        if code.chars().count() != 18 {
            return Err(FieldError::new("uscc_length", "统一社会信用代码应为18位"));
        }
        if !code.chars().all(|c| USCC_CHARSET.contains(c)) {
            return Err(FieldError::new(
                "uscc_charset",
                "统一社会信用代码含有无效字符（只能是数字和除I、O、Z、S、V以外的大写字母）",
            ));
        }
        let (first17, last) = code.split_at(17);
        if Uscc::check_char(first17).is_none_or(|c| !last.starts_with(c)) {
            return Err(FieldError::new(
                "uscc_checksum",
                "统一社会信用代码校验位错误",
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
mod tests {
    use super::*;

    const VALID_USCC: [&str; 6] = [
        "91440703MA4UJ5QX2U",
        "91350100M000100Y43",
        "91440300MA5FUJ7X00",
        "91440705MA51ABCD1H",
        "52440781L12345678W",
        "11440700000000000B",
    ];

    #[test]
    fn project_sample_uscc_is_valid() {
        assert_eq!(Uscc::check_char("91440703MA4UJ5QX2"), Some('U'));
        let code: Uscc = "91440703MA4UJ5QX2U".parse().expect("sample is valid");
        assert_eq!(code.as_str(), "91440703MA4UJ5QX2U");
        assert_eq!(code.division_code(), "440703");
    }

    #[test]
    fn computed_uscc_codes_are_valid() {
        for code in VALID_USCC {
            let (head, tail) = code.split_at(17);
            assert_eq!(
                Uscc::check_char(head).map(String::from).as_deref(),
                Some(tail)
            );
            assert!(code.parse::<Uscc>().is_ok(), "{code}");
        }
    }

    #[test]
    fn uscc_normalises_case_and_whitespace() {
        let code: Uscc = "  91440705ma51abcd1h \n"
            .parse()
            .expect("valid after normalising");
        assert_eq!(code.to_string(), "91440705MA51ABCD1H");
        assert_eq!(
            serde_json::to_string(&code).ok().as_deref(),
            Some("\"91440705MA51ABCD1H\"")
        );
    }

    #[test]
    fn every_single_character_change_is_rejected() {
        for code in VALID_USCC {
            let chars: Vec<char> = code.chars().collect();
            for pos in 0..chars.len() {
                for replacement in USCC_CHARSET.chars().filter(|c| *c != chars[pos]) {
                    let mut changed = chars.clone();
                    changed[pos] = replacement;
                    let changed: String = changed.into_iter().collect();
                    let err = changed.parse::<Uscc>().expect_err(&changed);
                    assert_eq!(err.code, "uscc_checksum");
                    assert_eq!(err.message, "统一社会信用代码校验位错误");
                }
            }
        }
    }

    #[test]
    fn uscc_length_and_charset_errors() {
        let err = "9144070MA4UJ5QX2U".parse::<Uscc>().expect_err("17 chars");
        assert_eq!(err.code, "uscc_length");
        assert_eq!(err.message, "统一社会信用代码应为18位");
        assert_eq!("".parse::<Uscc>().map_err(|e| e.code), Err("uscc_length"));
        for bad in [
            "91440703MA4UJ5QX2I",
            "9144O703MA4UJ5QX2U",
            "91440703MA4UJ5QZ2U",
        ] {
            assert_eq!(bad.parse::<Uscc>().map_err(|e| e.code), Err("uscc_charset"));
        }
        assert_eq!(
            "９1440703MA4UJ5QX2U".parse::<Uscc>().map_err(|e| e.code),
            Err("uscc_charset")
        );
    }

    #[test]
    fn phone_normalisation() {
        for input in [
            "13800138000",
            "138-0013-8000",
            " 138 0013 8000 ",
            "+86 138 0013 8000",
            "8613800138000",
            "１３８００１３８０００",
        ] {
            let phone: Phone = input.parse().expect(input);
            assert_eq!(phone.as_str(), "13800138000");
        }
        assert_eq!(
            "19912345678"
                .parse::<Phone>()
                .map(|p| p.masked())
                .ok()
                .as_deref(),
            Some("199****5678")
        );
        for bad in [
            "",
            "12800138000",
            "1380013800",
            "138001380001",
            "+8612800138000",
            "0756-3123456",
            "1380013800a",
        ] {
            let err = bad.parse::<Phone>().expect_err(bad);
            assert_eq!(err.code, "phone_format");
            assert_eq!(err.message, "手机号码格式不正确");
        }
    }

    #[test]
    fn email_validation() {
        let email: Email = " Zhang@Example.COM ".parse().expect("valid");
        assert_eq!(email.as_str(), "Zhang@example.com");
        for bad in [
            "",
            "zhang",
            "zhang@",
            "@example.com",
            "a b@example.com",
            "zhang@localhost",
        ] {
            assert_eq!(
                bad.parse::<Email>().map_err(|e| e.code),
                Err("email_format"),
                "{bad}"
            );
        }
        let long = format!("{}@{}.com", "a".repeat(60), "b".repeat(200));
        assert_eq!(
            long.parse::<Email>().map_err(|e| e.code),
            Err("email_format")
        );
    }

    #[test]
    fn fen_is_non_negative() {
        assert_eq!(Fen::new(0), Ok(Fen::ZERO));
        assert_eq!(Fen::new(-1).map_err(|e| e.code), Err("amount_negative"));
        assert_eq!("12850".parse::<Fen>().map(Fen::value), Ok(12850));
        assert_eq!(
            "-5".parse::<Fen>().map_err(|e| e.code),
            Err("amount_negative")
        );
        assert_eq!(
            "1.5".parse::<Fen>().map_err(|e| e.code),
            Err("amount_format")
        );
        let fen = Fen::new(12805).expect("positive");
        assert_eq!(fen.to_yuan_string(), "128.05");
        assert_eq!(serde_json::to_string(&fen).ok().as_deref(), Some("12805"));
        assert!(serde_json::from_str::<Fen>("-3").is_err());
        assert_eq!(serde_json::from_str::<Fen>("3").ok(), Fen::new(3).ok());
        assert_eq!(
            Fen::new(i64::MAX).ok().and_then(|f| f.checked_add(Fen(1))),
            None
        );
    }

    #[test]
    fn cosmetics_id_kinds() {
        let cases = [
            ("粤G妆网备字2022001234", CosmeticsIdKind::DomesticFiling),
            ("粤妆网备字2022001234", CosmeticsIdKind::DomesticFiling),
            (" 浙g妆网备字 2021012345", CosmeticsIdKind::DomesticFiling),
            ("国妆特字G20220001", CosmeticsIdKind::SpecialRegistration),
            ("国妆特进字J20220001", CosmeticsIdKind::ImportedSpecial),
            (
                "国妆网备进字（粤）2022001234",
                CosmeticsIdKind::ImportedFiling,
            ),
            ("国妆网备进字J2022001234", CosmeticsIdKind::ImportedFiling),
            ("卫妆准字29-XK-0001", CosmeticsIdKind::Unknown),
            ("粤G妆网备字", CosmeticsIdKind::Unknown),
            ("X妆网备字2022001234", CosmeticsIdKind::Unknown),
            ("国妆特字GG20220001", CosmeticsIdKind::Unknown),
        ];
        for (input, kind) in cases {
            let id: CosmeticsId = input.parse().expect(input);
            assert_eq!(id.kind(), kind, "{input}");
            assert_eq!(id.is_recognised(), kind != CosmeticsIdKind::Unknown);
        }
        let id: CosmeticsId = "国妆网备进字（粤）2022001234".parse().expect("valid");
        assert_eq!(id.as_str(), "国妆网备进字(粤)2022001234");
        assert_eq!(
            serde_json::to_string(&id).ok().as_deref(),
            Some("\"国妆网备进字(粤)2022001234\"")
        );
        for bad in ["", "   ", &"妆".repeat(65)] {
            assert_eq!(
                bad.parse::<CosmeticsId>().map_err(|e| e.code),
                Err("cosmetics_id_format")
            );
        }
        assert!("妆".repeat(64).parse::<CosmeticsId>().is_ok());
    }
}
