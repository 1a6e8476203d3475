//! Public business pages (`/businesses`, `/businesses/{uscc}` and their JSON): the figures
//! of the bulletin's fixture business against SQL written here, counting from the tables;
//! reports never change them; no planted name or phone reaches them; unknown, unregistered
//! and malformed USCCs; the list's search and paging.

use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};
use odrdesk::domain::ids::Uscc;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, sample_complaint, sample_report};
use crate::fixture::{self, Complaint, MEDIATOR, RESPONDENT_USCC, act, complaint, morning};
use crate::on_both_backends;

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(app: &TestApp, sql: &str) -> u64 {
    let mut conn = app.db();
    let row: N = tokio::task::block_in_place(|| {
        diesel::sql_query(sql)
            .get_result(&mut *conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    });
    row.n as u64
}

/// A valid USCC from 17 digits and its check character.
fn uscc(n: u32) -> String {
    let first = format!("9144070300{n:07}");
    let check = Uscc::check_char(&first).expect("check character");
    format!("{first}{check}")
}

async fn get_as(app: &TestApp, path: &str, accept: &str) -> (u16, String) {
    let res = app
        .client
        .get(app.url(path))
        .header("Accept", accept)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.text().await.expect("body"))
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let (s, v) = app.get(path).await;
    assert_eq!(s, 200, "{path}: {v}");
    v
}

fn rate(v: &Value) -> (u64, u64) {
    (
        v["numerator"].as_u64().expect("numerator"),
        v["denominator"].as_u64().expect("denominator"),
    )
}

/// The fixture, a complaint still in its ODR period, and a complaint with a planted name
/// and phone in its text; the clock on 20 November 2026.
async fn fixture_business(app: &TestApp) {
    fixture::build(app).await;
    let plain = Complaint {
        district: "440703",
        category: "goods.cosmetics.skincare",
        nature: "quality",
        online: false,
        odr: true,
        phone: "13900000020",
        uscc: Some(RESPONDENT_USCC),
    };
    complaint(app, morning(2026, 11, 18), plain).await;
    // Not complaints about this business's handling: one not accepted (outside the bureau's
    // duties), one transferred out of the city. Neither is counted on its page.
    let elsewhere = Complaint {
        odr: false,
        phone: "13900000021",
        ..plain
    };
    let (refused, _) = complaint(app, morning(2026, 11, 18), elsewhere).await;
    act(
        app,
        morning(2026, 11, 18),
        MEDIATOR,
        &refused,
        json!({"action": "not_accept", "reason": "outside_authority", "detail": "属于其他部门职责"}),
    )
    .await;
    let moved = Complaint {
        phone: "13900000022",
        ..elsewhere
    };
    let (gone, _) = complaint(app, morning(2026, 11, 18), moved).await;
    act(
        app,
        morning(2026, 11, 18),
        MEDIATOR,
        &gone,
        json!({"action": "transfer", "outside": true, "reason": "经营者在佛山"}),
    )
    .await;
    app.set_now(morning(2026, 11, 19));
    let mut planted = sample_complaint();
    planted["complainant"]["name"] = json!("欧阳娜娜");
    planted["complainant"]["phone"] = json!("13712345678");
    planted["title"] = json!("欧阳娜娜的面霜投诉，电话13712345678");
    planted["description"] = json!("我是欧阳娜娜，手机13712345678，住在蓬江区建设路9号。");
    planted["purchase"] = json!({"date": "2026-11-10", "amount_fen": 9900, "online": false});
    planted["prefer_odr"] = json!(false);
    let (s, v) = app.post_json("/api/v1/complaints", &planted).await;
    assert_eq!(s, 201, "{v}");
    app.set_now(morning(2026, 11, 20));
}

const WINDOW: &str = "received_date >= '2025-10-01' AND received_date <= '2026-11-20'";

async fn figures_equal_sql_on_the_fixture(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    fixture_business(&app).await;
    let page = json_of(&app, &format!("/api/v1/businesses/{RESPONDENT_USCC}")).await;
    let f = &page["figures"];
    let mine = format!(
        "kind = 'complaint' AND respondent_uscc = '{RESPONDENT_USCC}' \
         AND state NOT IN ('merged', 'repeated', 'not_accepted', 'transferred_out', \
         'referred_elsewhere')"
    );

    let quarters = f["quarters"].as_array().expect("quarters");
    assert_eq!(quarters.len(), 5, "{f}");
    let labels: Vec<&str> = quarters
        .iter()
        .map(|q| q["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    );
    for q in quarters {
        let (from, to) = (q["from"].as_str().unwrap(), q["to"].as_str().unwrap());
        let n = count(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM cases WHERE {mine} \
                 AND received_date >= '{from}' AND received_date <= '{to}'"
            ),
        );
        assert_eq!(q["complaints"], json!(n), "{q}");
    }
    // Known answers: Q2 the May complaint; Q3 A, B, C and E (D merged into A); Q4 so far G,
    // the ODR complaint of 18 November and the planted one. 2025-Q3 had two.
    let q3 = &quarters[3];
    assert_eq!(q3["complaints"], 4);
    assert_eq!(
        (q3["previous_quarter"].clone(), q3["qoq"].clone()),
        (json!(1), json!(3.0))
    );
    assert_eq!(
        (q3["previous_year"].clone(), q3["yoy"].clone()),
        (json!(2), json!(1.0))
    );
    let now = &quarters[4];
    assert_eq!(
        (now["so_far"].clone(), now["complaints"].clone()),
        (json!(true), json!(3))
    );
    assert_eq!(now["to"], "2026-11-20");
    assert_eq!(now["qoq"], Value::Null);

    let in_window = count(
        &app,
        &format!("SELECT COUNT(*) AS n FROM cases WHERE {mine} AND {WINDOW}"),
    );
    assert_eq!(f["complaints"], json!(in_window));
    assert_eq!(in_window, 8);

    let mediated = "EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cases.id \
         AND e.to_state IN ('in_mediation', 'mediation_paused'))";
    let settled = count(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM cases WHERE {mine} AND {WINDOW} \
             AND state = 'settled' AND {mediated}"
        ),
    );
    let ended = count(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM cases WHERE {mine} AND {WINDOW} \
             AND ((state = 'settled' AND {mediated}) OR state = 'mediation_terminated')"
        ),
    );
    assert_eq!(rate(&f["mediation_success"]), (settled, ended));
    assert_eq!((settled, ended), (1, 2), "A settled, B terminated");

    // Settled in ODR: a step from ODR negotiation straight to settled; the fixture's one
    // (E) came two days after receipt, well within the 10 working days.
    let odr_settled = count(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM cases WHERE {mine} AND {WINDOW} AND EXISTS \
             (SELECT 1 FROM case_events e WHERE e.case_id = cases.id \
              AND e.from_state = 'odr_negotiation' AND e.to_state = 'settled')"
        ),
    );
    // Its denominator: complaints that went through ODR negotiation and left it.
    let judged = count(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM cases WHERE {mine} AND {WINDOW} \
             AND state <> 'odr_negotiation' AND EXISTS \
             (SELECT 1 FROM case_events e WHERE e.case_id = cases.id \
              AND e.to_state = 'odr_negotiation')"
        ),
    );
    assert_eq!(rate(&f["settled_in_odr_period"]), (odr_settled, judged));
    assert_eq!(
        (odr_settled, judged),
        (1, 1),
        "E settled in ODR, the ODR complaint of 18 Nov still runs, the rest never went to ODR"
    );

    let went_to_odr = "EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cases.id \
         AND e.to_state = 'odr_negotiation')";
    let answered = "EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = cases.id \
         AND e.kind = 'odr_answer')";
    let on_time = count(
        &app,
        &format!("SELECT COUNT(*) AS n FROM cases WHERE {mine} AND {WINDOW} AND {answered}"),
    );
    let due = count(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM cases WHERE {mine} AND {WINDOW} AND {went_to_odr} \
             AND ({answered} OR state <> 'odr_negotiation')"
        ),
    );
    assert_eq!(rate(&f["odr_response_on_time"]), (on_time, due));
    assert_eq!((on_time, due), (1, 1));

    assert_eq!(page["odr"]["enrolled"], true);
    assert_eq!(
        page["odr"]["since"], "2025-06-01",
        "registered in ODR on 1 June 2025"
    );
    assert_eq!(page["district_name"], "蓬江区");
    let keys: Vec<&str> = f["methodology"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"settled_in_odr_period"), "{keys:?}");

    // The page shows the same figures, and says what each means.
    let (s, html) = get_as(&app, &format!("/businesses/{RESPONDENT_USCC}"), "text/html").await;
    assert_eq!(s, 200);
    for needle in [
        "江门市美颜化妆品有限公司",
        "2026年第3季度",
        "2026年第4季度（截至11月20日）",
        "+300.0%（上期 1 件）",
        "+100.0%（上期 2 件）",
        "50.0%",
        "1 / 2 件",
        "1 / 1 件",
        "自2025年6月1日起",
        "公示的投诉",
        "统计说明",
        "企业自行和解率",
    ] {
        assert!(html.contains(needle), "{needle} missing from the page");
    }
    // The same JSON at the page's address for a client asking for JSON.
    let (s, body) = get_as(
        &app,
        &format!("/businesses/{RESPONDENT_USCC}"),
        "application/json",
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), page);
}

async fn snapshot(app: &TestApp) -> (Value, Value, String, String) {
    let page = json_of(app, &format!("/api/v1/businesses/{RESPONDENT_USCC}")).await;
    let list = json_of(app, "/api/v1/businesses").await;
    let (_, html) = get_as(app, &format!("/businesses/{RESPONDENT_USCC}"), "text/html").await;
    let (_, list_html) = get_as(app, "/businesses", "text/html").await;
    (page, list, html, list_html)
}

async fn reports_never_change_a_business_page(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    fixture_business(&app).await;
    let before = snapshot(&app).await;

    // Reports against the business, received in the shown quarters, one decided.
    for (m, d) in [(10, 12), (11, 16)] {
        app.set_now(morning(2026, m, d));
        let mut r = sample_report();
        r["respondent"] = json!({"name": "江门市美颜化妆品有限公司", "uscc": RESPONDENT_USCC,
            "district": "440703"});
        r["place"] = json!({"district": "440703", "address": "蓬江区港口路8号"});
        let (s, v) = app.post_json("/api/v1/reports", &r).await;
        assert_eq!(s, 201, "{v}");
        let no = v["case_no"].as_str().unwrap().to_owned();
        if m == 10 {
            act(
                &app,
                morning(2026, 10, 14),
                MEDIATOR,
                &no,
                json!({"action": "open_case"}),
            )
            .await;
        }
    }
    app.set_now(morning(2026, 11, 20));
    let reports = count(
        &app,
        &format!(
            "SELECT COUNT(*) AS n FROM cases WHERE kind = 'report' \
             AND respondent_uscc = '{RESPONDENT_USCC}'"
        ),
    );
    assert_eq!(reports, 2, "the reports are stored against the business");
    let after = snapshot(&app).await;
    assert_eq!(before.0, after.0, "business JSON");
    assert_eq!(before.1, after.1, "list JSON");
    assert_eq!(before.2, after.2, "business page");
    assert_eq!(before.3, after.3, "list page");
    assert!(!after.2.contains("举报量"), "no report figure on the page");
}

async fn planted_personal_data_never_reaches_the_pages(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    fixture_business(&app).await;
    let (page, list, html, list_html) = snapshot(&app).await;
    let texts = [page.to_string(), list.to_string(), html, list_html];
    for needle in [
        "欧阳娜娜",
        "13712345678",
        "张三",
        "13800138000",
        "13900000010",
        "zhang@example.com",
        "建设路",
        "面霜投诉",
    ] {
        for t in &texts {
            assert!(!t.contains(needle), "{needle} leaked: {t}");
        }
    }
}

async fn bad_unknown_and_unregistered_usccs(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(morning(2026, 11, 20));
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", false);
    let unregistered = uscc(1);
    // A complaint names the unregistered business: still no page for it.
    fixture::complaint(
        &app,
        morning(2026, 11, 2),
        Complaint {
            district: "440703",
            category: "goods.food",
            nature: "quality",
            online: false,
            odr: false,
            phone: "13900000031",
            uscc: Some(&unregistered),
        },
    )
    .await;
    app.set_now(morning(2026, 11, 20));

    let bad = "91440703MA4UJ5QX2X";
    let (s, v) = app.get(&format!("/api/v1/businesses/{bad}")).await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["error"], "uscc_checksum", "{v}");
    let (s, v) = app.get("/api/v1/businesses/123").await;
    assert_eq!((s, v["error"].as_str()), (400, Some("uscc_length")), "{v}");
    let (s, v) = app.get(&format!("/api/v1/businesses/{unregistered}")).await;
    assert_eq!(s, 404, "{v}");
    let (s, html) = get_as(&app, &format!("/businesses/{unregistered}"), "text/html").await;
    assert_eq!(s, 404);
    assert!(html.contains("页面不存在"), "{html}");
    let (s, html) = get_as(&app, &format!("/businesses/{bad}"), "text/html").await;
    assert_eq!(s, 400);
    assert!(html.contains("校验位"), "{html}");
    let (s, body) = get_as(
        &app,
        &format!("/businesses/{unregistered}"),
        "application/json",
    )
    .await;
    assert_eq!(s, 404, "{body}");
    assert!(serde_json::from_str::<Value>(&body).is_ok(), "{body}");

    // A registered business without complaints has a page, with nothing counted.
    let (s, v) = app
        .get(&format!("/api/v1/businesses/{RESPONDENT_USCC}"))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["figures"]["complaints"], 0);
    assert_eq!(v["odr"], json!({"enrolled": false, "since": null}));
    let list = json_of(&app, "/api/v1/businesses").await;
    assert_eq!(list["total"], 0, "neither is listed: {list}");
}

async fn the_list_searches_and_pages(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(morning(2026, 1, 5));
    for i in 0..23u32 {
        let name = if i == 7 {
            "江门市百分百_美妆店".to_owned()
        } else {
            format!("江门市第{i}号商行")
        };
        app.add_enterprise(&uscc(i), &name, "440703", i % 2 == 0);
    }
    // Business i gets i % 3 + 1 complaints; business 22's only complaint is too old.
    for i in 0..23u32 {
        let (when, n) = if i == 22 {
            (morning(2025, 10, 9), 1)
        } else {
            (morning(2026, 10, 9), i % 3 + 1)
        };
        for k in 0..n {
            let phone = format!("139{:04}{:04}", i, k);
            let code = uscc(i);
            complaint(
                &app,
                when,
                Complaint {
                    district: "440703",
                    category: "goods.food",
                    nature: "quality",
                    online: false,
                    odr: false,
                    phone: &phone,
                    uscc: Some(&code),
                },
            )
            .await;
        }
    }
    app.set_now(morning(2026, 11, 20));

    let first = json_of(&app, "/api/v1/businesses").await;
    assert_eq!(first["total"], 22, "{first}");
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    let counts: Vec<u64> = items
        .iter()
        .map(|b| b["complaints"].as_u64().unwrap())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most first: {counts:?}"
    );
    assert_eq!(counts[0], 3);
    let second = json_of(&app, "/api/v1/businesses?page=2").await;
    let rest = second["items"].as_array().unwrap();
    assert_eq!(rest.len(), 2);
    let mut seen: Vec<&str> = items
        .iter()
        .chain(rest)
        .map(|b| b["uscc"].as_str().unwrap())
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 22, "no business on two pages");
    assert!(
        !seen.contains(&uscc(22).as_str()),
        "nothing in the last 12 months"
    );

    let found = json_of(&app, "/api/v1/businesses?q=%E7%AC%AC1%E5%8F%B7").await;
    let names: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["江门市第1号商行"], "第1号");
    let by_code = json_of(&app, &format!("/api/v1/businesses?q={}", uscc(5))).await;
    assert_eq!(by_code["total"], 1);
    assert_eq!(by_code["items"][0]["complaints"], 3);
    let prefix = json_of(&app, "/api/v1/businesses?q=9144070300000001").await;
    assert_eq!(prefix["total"], 10, "USCC prefix 000001x: {prefix}");
    let underscore = json_of(&app, "/api/v1/businesses?q=_").await;
    assert_eq!(underscore["total"], 1, "a wildcard matches itself only");
    let percent = json_of(&app, "/api/v1/businesses?q=%25").await;
    assert_eq!(percent["total"], 0);

    for bad in ["page=0", "page=101", "page=x"] {
        let (s, v) = app.get(&format!("/api/v1/businesses?{bad}")).await;
        assert_eq!(
            (s, v["fields"][0]["field"].as_str()),
            (422, Some("page")),
            "{bad}: {v}"
        );
    }
    let long = "商".repeat(51);
    let (s, v) = app.get(&format!("/api/v1/businesses?q={long}")).await;
    assert_eq!(s, 422, "{v}");

    let (s, html) = get_as(&app, "/businesses?page=2", "text/html").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("第 2 / 2 页") && html.contains("rel=\"prev\""),
        "{html}"
    );
    assert!(!html.contains("rel=\"next\""));
    let (s, html) = get_as(&app, "/businesses?q=%E7%99%BE%E5%88%86", "text/html").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("江门市百分百_美妆店") && html.contains("共 1 家企业"),
        "{html}"
    );
    let (s, _) = get_as(&app, "/businesses?page=0", "text/html").await;
    assert_eq!(s, 400);
    let (s, body) = get_as(&app, "/businesses", "application/json").await;
    assert_eq!(s, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), first);
}

/// A business outside ODR: its complaints never went through ODR negotiation, so the
/// self-settlement rate has no denominator and reads 「不适用」 (JSON `null`), not 0 %.
async fn self_settlement_does_not_apply_without_odr(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let outside = uscc(7);
    app.add_enterprise(&outside, "江门市不在线商贸有限公司", "440703", false);
    for (day, phone) in [(9, "13900000031"), (10, "13900000032")] {
        let c = Complaint {
            district: "440703",
            category: "goods.food",
            nature: "quality",
            online: false,
            odr: false,
            phone,
            uscc: Some(outside.as_str()),
        };
        complaint(&app, morning(2026, 11, day), c).await;
    }
    app.set_now(morning(2026, 11, 20));
    let page = json_of(&app, &format!("/api/v1/businesses/{outside}")).await;
    let f = &page["figures"];
    assert_eq!(f["complaints"], 2, "{f}");
    assert_eq!(rate(&f["settled_in_odr_period"]), (0, 0), "{f}");
    assert_eq!(f["settled_in_odr_period"]["value"], Value::Null);
    let (s, html) = get_as(&app, &format!("/businesses/{outside}"), "text/html").await;
    assert_eq!(s, 200);
    assert!(html.contains("不适用"), "{html}");
    assert!(!html.contains("0.0%"), "{html}");
}

on_both_backends!(
    self_settlement_does_not_apply_without_odr,
    figures_equal_sql_on_the_fixture,
    reports_never_change_a_business_page,
    planted_personal_data_never_reaches_the_pages,
    bad_unknown_and_unregistered_usccs,
    the_list_searches_and_pages,
);
