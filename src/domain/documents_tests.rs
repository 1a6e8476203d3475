use std::collections::HashMap;

use super::*;

fn file(format: &str, body: &str) -> DocumentsFile {
    let mut codes = BTreeMap::new();
    for kind in DocKind::ALL {
        codes.insert(kind.as_str().to_owned(), "投".to_owned());
    }
    codes.insert("acceptance".into(), "投受".into());
    DocumentsFile {
        version: 1,
        numbering: NumberingFile {
            format: format.into(),
            codes,
        },
        bureaus: BTreeMap::from([(
            "440703".to_owned(),
            Bureau {
                name: "江门市蓬江区市场监督管理局".into(),
                short: "江蓬".into(),
                format: None,
            },
        )]),
        grounds: BTreeMap::new(),
        templates: DocKind::ALL
            .iter()
            .map(|k| Template {
                policy: "p".into(),
                kind: k.as_str().into(),
                title: k.label_zh().into(),
                addressee: "{complainant}：".into(),
                body: vec![body.into()],
                notes: vec![],
            })
            .collect(),
    }
}

const FORMAT: &str = "{bureau}市监{code}〔{year}〕第{n}号";

#[test]
fn numbers_follow_the_bureau_style() {
    let set = DocumentSet::new(file(FORMAT, "于{received_on}收到"), &["p"], &["440703"]).unwrap();
    assert_eq!(
        set.number("440703", DocKind::Acceptance, 2026, 15)
            .as_deref(),
        Some("江蓬市监投受〔2026〕第15号")
    );
    assert_eq!(set.number("440799", DocKind::Acceptance, 2026, 1), None);
}

#[test]
fn a_template_uses_only_its_kinds_placeholders() {
    // `{amount}` belongs to the 调解书, not to every kind.
    let err = DocumentSet::new(file(FORMAT, "金额{amount}"), &["p"], &["440703"]).unwrap_err();
    assert!(matches!(err, DocumentsError::UnknownField { ref name, .. } if name == "amount"));
    let err = DocumentSet::new(file(FORMAT, "未闭合{case_no"), &["p"], &["440703"]).unwrap_err();
    assert!(matches!(err, DocumentsError::Unbalanced(_)));
    let err =
        DocumentSet::new(file("{bureau}〔{year}〕{n}", "x"), &["p"], &["440703"]).unwrap_err();
    assert!(matches!(err, DocumentsError::NumberFormat(_)));
}

#[test]
fn every_bureau_has_its_numbering() {
    let err = DocumentSet::new(file(FORMAT, "x"), &["p"], &["440703", "440704"]).unwrap_err();
    assert_eq!(err, DocumentsError::NoBureau("440704".into()));
}

#[test]
fn every_policy_version_has_every_kind() {
    let err = DocumentSet::new(file(FORMAT, "x"), &["p", "q"], &["440703"]).unwrap_err();
    assert!(matches!(err, DocumentsError::Missing { ref policy, .. } if policy == "q"));
}

#[test]
fn rendering_fills_values_and_leaves_missing_ones_blank() {
    let set = DocumentSet::new(
        file(FORMAT, "你于{received_on}投诉{business}。{subject}"),
        &["p"],
        &["440703"],
    )
    .unwrap();
    let values = HashMap::from([
        (
            "received_on",
            date_zh(chrono::NaiveDate::from_ymd_opt(2026, 5, 6).unwrap()),
        ),
        ("business", "某美容店".to_owned()),
        ("complainant", "王某".to_owned()),
    ]);
    let text = set
        .render("p", DocKind::Acceptance, "N".into(), "局", &values)
        .unwrap();
    assert_eq!(text.body, vec!["你于2026年5月6日投诉某美容店。".to_owned()]);
    assert_eq!(text.addressee, "王某：");
}

#[test]
fn a_paragraph_of_blank_values_is_left_out() {
    let mut f = file(FORMAT, "x");
    let t = f
        .templates
        .iter_mut()
        .find(|t| t.kind == "not_accepted")
        .unwrap();
    t.body = vec![
        "经审查：{ground}。".into(),
        "具体理由：{detail}".into(),
        "特此通知。".into(),
    ];
    let set = DocumentSet::new(f, &["p"], &["440703"]).unwrap();
    let values = HashMap::from([
        ("ground", "超过三年".to_owned()),
        ("detail", " ".to_owned()),
    ]);
    let text = set
        .render("p", DocKind::NotAccepted, "N".into(), "局", &values)
        .unwrap();
    assert_eq!(
        text.body,
        vec!["经审查：超过三年。".to_owned(), "特此通知。".to_owned()]
    );
}

#[test]
fn amounts_and_codes_read_as_printed() {
    assert_eq!(amount_zh(128_000), "人民币1,280.00元");
    assert_eq!(amount_zh(5), "人民币0.05元");
    assert_eq!(amount_zh(123_456_789), "人民币1,234,567.89元");
    let code = VerifyCode::from_random([0xff; 8]);
    assert_eq!(code.as_str().len(), VerifyCode::CHARS);
    assert_eq!(
        VerifyCode::parse(&code.grouped().to_lowercase()),
        Some(code.clone())
    );
    assert_eq!(VerifyCode::parse("ABCD-EFGH-JKM"), None);
}

#[test]
fn a_reports_documents_never_reach_the_business() {
    for kind in DocKind::ALL {
        assert!(
            !kind
                .audience()
                .to_business(crate::domain::case::CaseKind::Report)
        );
    }
    assert!(
        DocKind::Acceptance
            .audience()
            .to_business(crate::domain::case::CaseKind::Complaint)
    );
    assert!(
        !DocKind::NotAccepted
            .audience()
            .to_business(crate::domain::case::CaseKind::Complaint)
    );
}

#[test]
fn periods_are_written_in_chinese_numerals() {
    let cases = [
        (7, "七"),
        (10, "十"),
        (15, "十五"),
        (45, "四十五"),
        (60, "六十"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (365, "三百六十五"),
        (1_005, "一千零五"),
        (2_030, "二千零三十"),
    ];
    for (n, words) in cases {
        assert_eq!(count_zh(n), words, "{n}");
    }
}
