use super::*;

fn share(numerator: u64, denominator: u64) -> Share {
    Share {
        numerator,
        denominator,
    }
}

/// A business with much to answer for.
fn troubled() -> GradeInputs {
    GradeInputs {
        complaints: 6,
        sector_median: Some(2.0),
        response: share(1, 2),
        settlement: share(2, 4),
        violations: 1,
        counterfeit_ip: 1,
        adverse_referrals: 2,
        commitment_unit: true,
    }
}

/// An ordinary business, a little above its sector.
fn ordinary() -> GradeInputs {
    GradeInputs {
        complaints: 3,
        sector_median: Some(2.0),
        response: share(2, 3),
        settlement: Share::default(),
        violations: 0,
        counterfeit_ip: 0,
        adverse_referrals: 1,
        commitment_unit: false,
    }
}

fn points(a: &Assessment) -> Vec<(String, f64)> {
    a.items.iter().map(|i| (i.key.clone(), i.points)).collect()
}

#[test]
fn grades_worked_by_hand_under_the_default_method() {
    let m = Method::default();
    // troubled: complaints 6 against a median of 2 is 2 medians above it: 10 × 2 = 20 (cap 30);
    // response 1/2: 20 × 0.5 = 10; settlement 2/4: 20 × 0.5 = 10; one filed report: 15;
    // of it counterfeit: 10 more; two referrals: 2 × 2 = 4 (cap 10); commitment unit: +5.
    // 100 − 20 − 10 − 10 − 15 − 10 − 4 + 5 = 36 → below 60: D.
    let a = assess(&troubled(), &m);
    assert_eq!(
        points(&a),
        [
            ("complaints".into(), -20.0),
            ("response".into(), -10.0),
            ("settlement".into(), -10.0),
            ("violations".into(), -15.0),
            ("counterfeit_ip".into(), -10.0),
            ("adverse_referrals".into(), -4.0),
            ("commitment".into(), 5.0),
        ]
    );
    assert_eq!((a.score, a.grade), (36.0, Grade::D));

    // ordinary: 3 / 2 − 1 = 0.5 medians above: 10 × 0.5 = 5; response 2/3: 20 × 1/3 = 6.67,
    // kept as 6.7; no ended complaint: 0; one referral: 2.
    // 100 − 5 − 6.7 − 2 = 86.3 → at least 75, below 90: B.
    let a = assess(&ordinary(), &m);
    assert_eq!((a.score, a.grade), (86.3, Grade::B));

    // One complaint where the median is 2, everything answered and settled, a commitment
    // unit: 100 + 5, kept at 100 → A.
    let clean = GradeInputs {
        complaints: 1,
        sector_median: Some(2.0),
        response: share(1, 1),
        settlement: share(1, 1),
        commitment_unit: true,
        ..GradeInputs::default()
    };
    assert_eq!(assess(&clean, &m).score, 100.0);
    assert_eq!(grade(&clean, &m), Grade::A);
}

#[test]
fn a_changed_method_changes_the_grade_as_worked_by_hand() {
    // Raising B's threshold to 87 puts ordinary's 86.3 in C.
    let stricter = Method {
        grade_b: 87.0,
        ..Method::default()
    };
    assert_eq!(grade(&ordinary(), &stricter), Grade::C);
    // Halving the response weight and dropping the referral points:
    // 100 − 5 − 10 × 1/3 (3.3) − 0 = 91.7 → A.
    let lenient = Method {
        response_weight: 10.0,
        referral_points: 0.0,
        ..Method::default()
    };
    let a = assess(&ordinary(), &lenient);
    assert_eq!((a.score, a.grade), (91.7, Grade::A));
    // A complaints cap of 5 stops troubled's complaint deduction at 5: 36 + 15 = 51, still D;
    // with C from 50 it is C.
    let capped = Method {
        complaints_cap: 5.0,
        grade_c: 50.0,
        ..Method::default()
    };
    let a = assess(&troubled(), &capped);
    assert_eq!((a.score, a.grade), (51.0, Grade::C));
}

#[test]
fn the_text_says_the_values_it_computes_with() {
    let m = Method {
        violation_points: 12.5,
        grade_a: 88.0,
        ..Method::default()
    };
    let text = m.explain().join("\n");
    for words in [
        "每件扣 12.5 分",
        "88 分及以上为 A 级",
        "最多扣 30 分",
        "加 5 分",
    ] {
        assert!(text.contains(words), "{words} in {text}");
    }
    assert!(!text.contains("每件扣 15 分"), "{text}");
}

#[test]
fn methods_out_of_order_are_refused() {
    assert!(Method::default().check().is_ok());
    let reversed = Method {
        grade_b: 95.0,
        ..Method::default()
    };
    assert!(reversed.check().is_err());
    let negative = Method {
        response_weight: -1.0,
        ..Method::default()
    };
    assert!(negative.check().is_err());
    let m: Method = serde_json::from_str(r#"{"violation_points": 20, "grade_a": 85}"#).unwrap();
    assert_eq!((m.violation_points, m.grade_a, m.base), (20.0, 85.0, 100.0));
    assert!(serde_json::from_str::<Method>(r#"{"violations": 20}"#).is_err());
}

#[test]
fn quarters_parse_both_ways_and_span_their_months() {
    let q: Quarter = "2026Q3".parse().unwrap();
    assert_eq!(q, "2026-q3".parse().unwrap());
    assert_eq!(q.to_string(), "2026Q3");
    assert_eq!(
        (q.from().to_string(), q.to().to_string()),
        ("2026-07-01".into(), "2026-09-30".into())
    );
    assert_eq!(
        "2026Q1".parse::<Quarter>().unwrap().previous().to_string(),
        "2025Q4"
    );
    assert_eq!(Quarter::of(q.to()), q);
    for bad in [
        "2026Q5", "2026", "Q3", "26Q3", "2026Q", "2026Q03", "abcdQ1", "2026-Q3x",
    ] {
        assert!(bad.parse::<Quarter>().is_err(), "{bad}");
    }
}

#[test]
fn sectors_come_from_the_category_tree() {
    let of = |c: &str| Sector::of_category(Some(c));
    assert_eq!(of("goods.cosmetics.skincare"), Some(Sector::Cosmetics));
    assert_eq!(of("goods.cosmetics"), Some(Sector::Cosmetics));
    assert_eq!(of("services.beauty_salon"), Some(Sector::Beauty));
    assert_eq!(of("goods.cosmeticsx"), None);
    assert_eq!(of("goods.food"), None);
    assert_eq!(Sector::of_category(None), None);
    assert!(is_counterfeit_or_ip("counterfeit") && is_counterfeit_or_ip("ip_patent"));
    assert!(!is_counterfeit_or_ip("quality"));
    assert_eq!(median(vec![3, 1, 2]), Some(2.0));
    assert_eq!(median(vec![4, 1]), Some(2.5));
    assert_eq!(median(vec![]), None);
}
