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
                assert_eq!(
                    err.message,
                    "统一社会信用代码第 18 位（校验位）与前 17 位不符，请对照营业执照重新输入"
                );
            }
        }
    }
}

#[test]
fn uscc_length_and_charset_errors() {
    let err = "9144070MA4UJ5QX2U".parse::<Uscc>().expect_err("17 chars");
    assert_eq!(err.code, "uscc_length");
    assert_eq!(
        err.message,
        "统一社会信用代码应为 18 位，现在是 17 位，请对照营业执照重新输入"
    );
    assert_eq!("".parse::<Uscc>().map_err(|e| e.code), Err("uscc_length"));
    for bad in [
        "91440703MA4UJ5QX2I",
        "9144O703MA4UJ5QX2U",
        "91440703MA4UJ5QZ2U",
    ] {
        assert_eq!(bad.parse::<Uscc>().map_err(|e| e.code), Err("uscc_charset"));
    }
    let err = "9144O703MA4UJ5QX2U".parse::<Uscc>().expect_err("letter O");
    assert_eq!(
        err.message,
        "统一社会信用代码第 5 位「O」不是有效字符（只有数字和除 I、O、Z、S、V 以外的大写字母），请对照营业执照重新输入"
    );
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
