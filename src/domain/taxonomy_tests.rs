use super::*;

const JSON: &str = include_str!("../../reference/taxonomy.json");

#[test]
fn builtin_parses_and_codes_are_unique() {
    let t = Taxonomy::builtin();
    assert_eq!(t.version, "2026.1");
    let mut codes = HashSet::new();
    for c in t.all_categories() {
        assert!(codes.insert(c.code.as_str()), "{}", c.code);
    }
    assert_eq!(codes.len(), 2 + 9 + 9 + 9);
    let unique = |v: Vec<&str>| v.iter().collect::<HashSet<_>>().len() == v.len();
    assert!(unique(t.natures.iter().map(|n| n.code.as_str()).collect()));
    assert!(unique(
        t.districts.iter().map(|d| d.code.as_str()).collect()
    ));
    assert!(unique(t.channels.iter().map(|c| c.code.as_str()).collect()));
    assert_eq!(t.districts.len(), 7);
    assert_eq!(
        (t.city.code.as_str(), t.city.name.as_str()),
        ("440700", "江门市")
    );
}

#[test]
fn every_leaf_has_a_hint() {
    let t = Taxonomy::builtin();
    let leaves: Vec<&Category> = t
        .all_categories()
        .into_iter()
        .filter(|c| c.is_leaf())
        .collect();
    assert_eq!(leaves.len(), 26);
    for leaf in leaves {
        assert!(
            leaf.hint.as_deref().is_some_and(|h| h.chars().count() > 4),
            "{}",
            leaf.code
        );
    }
    assert_eq!(
        t.category("goods.cosmetics.skincare")
            .map(|c| c.label.as_str()),
        Some("护肤品")
    );
    assert_eq!(
        t.category("services.beauty_salon")
            .map(|c| c.label.as_str()),
        Some("美容美发")
    );
    assert!(t.is_leaf("goods.cosmetics.makeup"));
    assert!(!t.is_leaf("goods.cosmetics"));
    assert!(!t.is_leaf("goods.cosmetics.nope"));
    assert!(t.category("goods.cosmetic").is_none());
}

#[test]
fn enums_match_data() {
    let t = Taxonomy::builtin();
    for n in Nature::ALL {
        assert_eq!(
            t.nature(n.as_str()).map(|i| i.label.as_str()),
            Some(n.label_zh())
        );
        assert_eq!(n.as_str().parse::<Nature>(), Ok(n));
        assert_eq!(
            serde_json::to_value(n).ok(),
            Some(serde_json::json!(n.as_str()))
        );
    }
    for c in Channel::ALL {
        let info = t.channel(c.as_str());
        assert_eq!(
            info.map(|i| (i.label.as_str(), i.staff_keyed)),
            Some((c.label_zh(), c.is_staff_keyed()))
        );
        assert_eq!(c.as_str().parse::<Channel>(), Ok(c));
    }
    assert_eq!(
        Nature::ALL.map(Nature::label_zh),
        [
            "质量",
            "售后服务",
            "价格",
            "虚假宣传",
            "安全",
            "合同",
            "假冒",
            "商标侵权",
            "专利侵权",
            "著作权侵权",
            "计量",
            "人格权益",
            "其他"
        ]
    );
    assert!(Channel::Phone.is_staff_keyed() && !Channel::MiniProgram.is_staff_keyed());
    assert_eq!(
        "fraud".parse::<Nature>().map_err(|e| e.code),
        Err("unknown_nature")
    );
    assert_eq!(
        "fax".parse::<Channel>().map_err(|e| e.code),
        Err("unknown_channel")
    );
}

#[test]
fn sample_codes_parse() {
    let skincare = CategoryCode::parse("goods.cosmetics.skincare").expect("known");
    assert!(skincare.is_leaf());
    assert_eq!(skincare.label(), "护肤品");
    assert_eq!(skincare.top_level(), "goods");
    assert_eq!(
        skincare.parent().map(|p| p.to_string()).as_deref(),
        Some("goods.cosmetics")
    );
    assert!(skincare.is_within("goods.cosmetics") && !skincare.is_within("goods.cosm"));
    assert!(CategoryCode::parse_leaf("services.beauty_salon").is_ok());
    assert_eq!(
        CategoryCode::parse_leaf("goods.cosmetics").map_err(|e| e.code),
        Err("category_not_leaf")
    );
    assert_eq!(
        CategoryCode::parse("goods.toys").map_err(|e| e.code),
        Err("unknown_category")
    );
    let district: DistrictCode = " 440703 ".parse().expect("known");
    assert_eq!((district.as_str(), district.name()), ("440703", "蓬江区"));
    assert!(!district.is_city());
    let city = DistrictCode::city();
    assert_eq!(
        (city.as_str(), city.name(), city.is_city()),
        ("440700", "江门市", true)
    );
    assert_eq!(Taxonomy::builtin().county("440700"), None);
    for code in ["440700", "440000", "", "蓬江区"] {
        assert_eq!(
            DistrictCode::parse(code).map_err(|e| e.code),
            Err("unknown_district")
        );
    }
    let parsed: Result<CategoryCode, _> = serde_json::from_str("\"goods.food\"");
    assert!(parsed.is_ok());
    assert!(serde_json::from_str::<DistrictCode>("\"999999\"").is_err());
}

#[test]
fn validation_rejects_bad_data() {
    let dup = JSON.replace("\"goods.food\"", "\"goods.appliances\"");
    assert_eq!(
        Taxonomy::from_json(&dup),
        Err(TaxonomyError::DuplicateCode("goods.appliances".into()))
    );
    let no_hint = JSON.replace("\"hint\": \"上面没有列出的其他商品。\"", "\"hint\": \" \"");
    assert_eq!(
        Taxonomy::from_json(&no_hint),
        Err(TaxonomyError::MissingHint("goods.other".into()))
    );
    let bad_child = JSON.replace("\"goods.vehicles\"", "\"services.vehicles\"");
    assert!(matches!(
        Taxonomy::from_json(&bad_child),
        Err(TaxonomyError::BadChildCode { .. })
    ));
    let nature = JSON.replace("\"personal_rights\"", "\"privacy\"");
    assert!(matches!(
        Taxonomy::from_json(&nature),
        Err(TaxonomyError::FixedListMismatch { .. })
    ));
    let keyed = JSON.replace("\"staff_keyed\": true }", "\"staff_keyed\": false }");
    assert!(matches!(
        Taxonomy::from_json(&keyed),
        Err(TaxonomyError::FixedListMismatch { .. })
    ));
    assert!(matches!(
        Taxonomy::from_json("{}"),
        Err(TaxonomyError::Parse(_))
    ));
}

#[test]
fn openapi_schema_builds() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(Taxonomy::schema()).expect("schema serialises");
    assert!(schema.to_string().contains("categories"));
    let mut schemas = Vec::new();
    <Taxonomy as utoipa::ToSchema>::schemas(&mut schemas);
    assert!(schemas.iter().any(|(name, _)| name == "Category"));
}

#[test]
fn ip_natures_are_grouped_with_counterfeits_and_only_for_reports() {
    let ip: Vec<Nature> = Nature::ALL
        .into_iter()
        .filter(|n| n.is_ip_infringement())
        .collect();
    assert_eq!(
        ip,
        [Nature::IpTrademark, Nature::IpPatent, Nature::IpCopyright]
    );
    assert!(Nature::Counterfeit.is_counterfeit_or_ip());
    assert!(!Nature::Counterfeit.is_ip_infringement());
    assert!(!Nature::Counterfeit.reports_only());
    assert!(!Nature::Quality.is_counterfeit_or_ip());
    let t = Taxonomy::builtin();
    for n in Nature::ALL {
        let info = t.nature(n.as_str()).expect("in the file");
        assert_eq!(info.group.as_deref(), n.group());
        assert_eq!(info.reports_only, n.reports_only());
    }
    // The file must say what the code says.
    let text = include_str!("../../reference/taxonomy.json").replacen(
        r#", "group": "counterfeit_ip", "reports_only": true"#,
        "",
        1,
    );
    assert!(matches!(
        Taxonomy::from_json(&text),
        Err(TaxonomyError::FixedListMismatch { .. })
    ));
}
