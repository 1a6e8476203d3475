use super::*;

fn masked(text: &str) -> String {
    mask_free_text(text, &[])
}

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
        masked(text),
        "我叫张三，电话138****8000，身份证440703********123x，邮箱z****@example.com。"
    );
}

#[test]
fn free_text_variants() {
    for (text, want) in [
        ("call +8613800138000 now", "call +86138****8000 now"),
        ("手机：138 0013 8000。", "手机：138 **** 8000。"),
        ("手机138-0013-8000", "手机138-****-8000"),
        ("１３８００１３８０００", "１３８****８０００"),
        ("13800138000@qq.com", "1****@qq.com"),
        ("mail: a.b@x.cn.", "mail: a****@x.cn."),
        ("id 440703199001011234", "id 440703********1234"),
    ] {
        assert_eq!(masked(text), want, "{text}");
    }
}

#[test]
fn landlines_in_every_shape() {
    for (text, want) in [
        ("电话0750-3201234。", "电话0750-*****34。"),
        ("(0750)3201234", "(0750)*****34"),
        ("（0750）3201234", "（0750）*****34"),
        ("(020) 87654321", "(020) ******21"),
        ("075032012345", "0750******45"),
        ("07503201234", "0750*****34"),
        ("020-87654321转8", "020-******21转8"),
        ("010 87654321", "010 ******21"),
        ("0750—3201234", "0750—*****34"),
        ("座机：3201234", "座机：*****34"),
        ("联系电话 87654321", "联系电话 ******21"),
        ("Tel: 2345678", "Tel: *****78"),
        ("0750-3201234-801", "0750-*****34-801"),
    ] {
        assert_eq!(masked(text), want, "{text}");
    }
}

#[test]
fn bank_cards_that_pass_luhn() {
    for (text, want) in [
        ("卡号6217001234567893", "卡号6217********7893"),
        ("6222021234567890128退款", "6222***********0128退款"),
        ("卡号 6217 0012 3456 7893。", "卡号 6217 **** **** 7893。"),
        ("6222-0212-3456-7890-128", "6222-****-****-***0-128"),
    ] {
        assert_eq!(masked(text), want, "{text}");
    }
}

#[test]
fn party_names_longest_first_and_respondents_untouched() {
    let names = ["欧阳娜娜".to_owned(), "娜娜".to_owned(), "李".to_owned()];
    assert_eq!(
        mask_free_text("欧阳娜娜和娜娜在李记美容店，李经理说", &names),
        "欧***和娜*在李记美容店，李经理说"
    );
    let names = ["张三".to_owned()];
    assert_eq!(
        mask_free_text("张三（13800138000）投诉张三丰商行", &names),
        "张*（138****8000）投诉张*丰商行"
    );
    assert_eq!(mask_free_text("", &names), "");
    assert_eq!(
        mask_free_text("无关", &[" ".to_owned(), String::new()]),
        "无关"
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
        // Dates, amounts, counts and case numbers.
        "2026-03-15 购买，20260315 收货，2026年3月15日投诉",
        "金额12345678元，共2345678件",
        "案件号TS-2026-000123，另见JB-2025-001234",
        "2019-2023 年",
        // Cosmetics licences, USCCs, batch and order numbers.
        "国妆特字G20190123，粤G妆网备字2020001234，国械注准20193140123",
        "统一社会信用代码91440703MA4UR12345",
        "批号0123456789，批号20240315A，批次12345678",
        "淘宝订单1234567890123456789",
        "卡号6217001234567890",
        "6217 0012 3456 7890",
        // Digits that start no area code or local number.
        "0123-4567890，0750-1234567，0750-0234567，0750-234567，012345678901，075012345678",
        "电话号码12315，拨打12345678",
        "价格0750.3201234",
        "07503201234.5",
    ] {
        assert_eq!(masked(text), text);
    }
}

#[test]
fn masking_is_idempotent() {
    let text = "张三 13800138000 0750-3201234 6217 0012 3456 7893 440703199001011234 a@b.cn";
    let once = mask_free_text(text, &["张三".to_owned()]);
    assert_eq!(masked(&once), once);
}

/// Numbers cut short at the end of the text are left as they are (and nothing panics).
#[test]
fn truncated_shapes_are_left_alone() {
    for text in [
        "(",
        "(0750",
        "0750",
        "（0750）",
        "0750-",
        "(0750) ",
        "电话",
        "电话123456",
        "6217 0012 3456",
        "6217 0012 3456 ",
        "138 0013",
        "x@",
        "1",
        "１７",
    ] {
        assert_eq!(mask_free_text(text, &["(".to_owned()]), text);
    }
}
