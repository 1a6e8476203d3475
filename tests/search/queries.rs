//! Query language, filters, facets, scope and paging.

use diesel::RunQueryDsl;
use diesel::sql_types::BigInt;

use super::common::{Backend, TestApp, sample_report};
use super::*;

#[derive(diesel::QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn db_count(app: &TestApp, sql: &str) -> u64 {
    let mut conn = app.db();
    let rows: Vec<N> = diesel::sql_query(sql)
        .load(&mut *conn)
        .expect("count query");
    rows[0].n as u64
}

async fn query_language_filters_facets_and_paging(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let analyst = app.add_user("ana@jm.gov.cn", "analyst", &[], None).await;
    let med = app
        .add_user("med@jm.gov.cn", "mediator", &["440703"], None)
        .await;
    let (_, r) = app.post_json("/api/v1/reports", &sample_report()).await;
    let report = r["case_no"].as_str().unwrap().to_owned();
    let a = app
        .file(&complaint(
            "面膜使用后皮肤过敏红肿",
            "补水面膜用了两次后面部过敏红肿。",
            "goods.cosmetics.skincare",
            "440703",
            "江门市美颜化妆品有限公司",
        ))
        .await
        .0;
    let b = app
        .file(&complaint(
            "烟酰胺精华用后烂脸",
            "用了GlowLab烟酰胺精华两周后烂脸，要求七天无理由退货。",
            "goods.cosmetics.skincare",
            "440705",
            "新会区某美妆店",
        ))
        .await
        .0;
    let c = app
        .file(&complaint(
            "美容院办卡后跑路",
            "在美容院办了预付卡，没多久美容院关门。",
            "services.beauty_salon",
            "440704",
            "江海区某美容院",
        ))
        .await
        .0;
    for i in 0..5 {
        app.file(&complaint(
            &format!("口红色号与宣传不符{i}"),
            "网购口红实物颜色与页面宣传差别很大。",
            "goods.cosmetics.makeup",
            "440703",
            "江门市美颜化妆品有限公司",
        ))
        .await;
    }
    let all = db_count(&app, "SELECT COUNT(*) AS n FROM cases");
    assert_eq!(all, 9);
    wait_indexed(&app, &analyst, all).await;

    assert_eq!(
        case_nos(&search(&app, &analyst, &format!("q={}", enc("烟酰胺"))).await),
        [b.as_str()]
    );
    assert_eq!(
        case_nos(&search(&app, &analyst, &format!("q={}", enc("\"无理由退货\""))).await),
        [b.as_str()]
    );
    assert_eq!(
        case_nos(&search(&app, &analyst, "q=glowlab").await),
        [b.as_str()],
        "English is case-insensitive"
    );
    assert_eq!(
        case_nos(&search(&app, &analyst, &format!("q={}", enc("title:美容院"))).await),
        [c.as_str()]
    );
    // The sample report's respondent is a beauty salon too: respondent names are searched.
    let mut either =
        case_nos(&search(&app, &analyst, &format!("q={}", enc("烟酰胺 OR 美容院"))).await);
    either.sort();
    let mut expected = vec![b.clone(), c.clone(), report.clone()];
    expected.sort();
    assert_eq!(either, expected);
    let masks = search(&app, &analyst, &format!("q={}", enc("面膜 -过敏"))).await;
    assert!(!case_nos(&masks).contains(&a), "exclusion");
    let hit = &search(&app, &analyst, &format!("q={}", enc("烂脸"))).await["hits"][0];
    assert!(hit["snippet"].as_str().unwrap().contains("<b>"), "{hit}");
    assert_eq!(hit["district"], "440705");

    // Filters and facets agree with the database.
    let cosmetics = search(&app, &analyst, "category=goods.cosmetics").await;
    assert_eq!(
        cosmetics["total"].as_u64(),
        Some(db_count(
            &app,
            "SELECT COUNT(*) AS n FROM cases WHERE category LIKE 'goods.cosmetics%'"
        ))
    );
    let facets = &search(&app, &analyst, "").await["facets"];
    for district in ["440703", "440704", "440705"] {
        let db = db_count(
            &app,
            &format!("SELECT COUNT(*) AS n FROM cases WHERE district = '{district}'"),
        );
        assert_eq!(
            facets["district"][district].as_u64(),
            Some(db),
            "district {district}"
        );
    }
    assert_eq!(facets["kind"]["report"], 1);
    // Each level of the category tree counts the cases under it.
    for level in ["goods", "goods.cosmetics"] {
        let db = db_count(
            &app,
            &format!("SELECT COUNT(*) AS n FROM cases WHERE category LIKE '{level}%'"),
        );
        assert!(db > 0, "the fixture has {level} cases");
        assert_eq!(
            facets["category_path"][level].as_u64(),
            Some(db),
            "category level {level}"
        );
    }
    // Each flag counts the cases that carry it.
    let flags = facets["flag"].as_object().expect("flag facet");
    let plain: Vec<_> = flags.iter().filter(|(f, _)| !f.contains(':')).collect();
    assert!(!plain.is_empty(), "the fixture has flagged cases: {facets}");
    for (flag, n) in plain {
        let db = db_count(
            &app,
            &format!("SELECT COUNT(*) AS n FROM cases WHERE ',' || flags || ',' LIKE '%,{flag},%'"),
        );
        assert_eq!(n.as_u64(), Some(db), "flag {flag}");
    }
    assert_eq!(
        search(&app, &analyst, "kind=report").await["hits"][0]["case_no"],
        report.as_str()
    );
    assert_eq!(
        search(&app, &analyst, "nature=quality&district=440703").await["total"].as_u64(),
        Some(db_count(
            &app,
            "SELECT COUNT(*) AS n FROM cases WHERE nature = 'quality' AND district = '440703'"
        ))
    );
    let respondent = format!("respondent={}", enc("江门市美颜化妆品有限公司"));
    assert_eq!(search(&app, &analyst, &respondent).await["total"], 6);

    // A mediator searches only their bureau.
    let theirs = search(&app, &med, "").await;
    assert_eq!(
        theirs["total"].as_u64(),
        Some(db_count(
            &app,
            "SELECT COUNT(*) AS n FROM cases WHERE district = '440703'"
        ))
    );

    // Cursor paging visits every case exactly once, in order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let q = match &cursor {
            Some(c) => format!("sort=newest&limit=2&cursor={}", enc(c)),
            None => "sort=newest&limit=2".into(),
        };
        let page = search(&app, &analyst, &q).await;
        seen.extend(case_nos(&page));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (9, 9), "{seen:?}");
    let mut relevance = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("q={}&limit=1&cursor={}", enc("口红"), enc(c)),
            None => format!("q={}&limit=1", enc("口红")),
        };
        let page = search(&app, &analyst, &q).await;
        relevance.extend(case_nos(&page));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() || relevance.len() > 10 {
            break;
        }
    }
    relevance.sort();
    relevance.dedup();
    assert_eq!(relevance.len(), 5);

    // Client mistakes.
    assert_eq!(
        app.get_as(&format!("/api/v1/search?q={}", enc("title:(")), &analyst)
            .await
            .0,
        422
    );
    assert_eq!(
        app.get_as("/api/v1/search?limit=500", &analyst).await.0,
        422
    );
    assert_eq!(
        app.get_as("/api/v1/search?cursor=nonsense", &analyst)
            .await
            .0,
        422
    );
    assert_eq!(
        app.get_as("/api/v1/search?sort=sideways", &analyst).await.0,
        400
    );
    assert_eq!(app.get("/api/v1/search").await.0, 401);
    let consumer_token = "0".repeat(64);
    assert_eq!(app.get_as("/api/v1/search", &consumer_token).await.0, 401);
}

on_both_backends!(query_language_filters_facets_and_paging);
