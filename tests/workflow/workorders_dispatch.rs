//! Work orders the gazetteer cannot place are left for the city's unified intake unit (Order
//! 121 Art. 13, 14, 41): imported awaiting dispatch, in the unit's queue, dispatched like a
//! returned case, the acceptance clock starting on the day of dispatch; importing the file
//! again changes nothing. Under Order 20, which has no such unit, such a row is refused.

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::common::binary::run_on;
use super::common::workorder_sheet::{Order, write};
use super::common::{Backend, TestApp};
use super::*;
use odrdesk::clock::{Clock, china_date};
use odrdesk::store::schema::{cases, work_order_imports, work_orders};

fn orders() -> Vec<Order<'static>> {
    vec![
        Order {
            no: "D-1",
            kind: "投诉",
            address: "江门市新会区会城今古洲路1号",
            claim: "面霜过敏，要求退款",
            registered: "2026-11-21 09:00",
        },
        Order {
            no: "D-2",
            kind: "投诉",
            address: "广州市天河区体育西路",
            claim: "网店收款后不发货，要求退款",
            registered: "2026-11-21 10:00",
        },
        Order {
            no: "D-3",
            kind: "举报",
            address: "某地某路",
            claim: "无证经营美容院",
            registered: "2026-11-22 11:00",
        },
        // Received under Order 20: no unified intake unit to leave it for.
        Order {
            no: "D-4",
            kind: "投诉",
            address: "广州市越秀区",
            claim: "买到过期食品",
            registered: "2026-03-10 09:00",
        },
    ]
}

/// `(case_no, state, district, due_date)` of the case a registration number became.
fn case_of(app: &TestApp, no: &str) -> (String, String, String, NaiveDate) {
    work_orders::table
        .inner_join(cases::table)
        .filter(work_orders::registration_no.eq(no))
        .select((
            cases::case_no,
            cases::state,
            cases::district,
            cases::due_date,
        ))
        .first(&mut app.db())
        .unwrap()
}

fn import(app: &TestApp, file: &str) -> (Option<i32>, String, String) {
    let out = run_on(app, &["workorders", "import", file]);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

async fn unplaced_rows_wait_for_the_dispatcher(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let file = app.data_dir().join("unplaced.xlsx");
    write(&file, &orders());
    let file = file.to_str().unwrap();

    let (code, out, err) = import(&app, file);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.contains("新建案件 1 件，无法确定辖区留待统一接收机构分送 2 件"),
        "{out}"
    );
    assert!(
        err.contains("第 5 行（登记编号 D-4）：无法根据地址确定辖区；登记时适用《市场监督管理投诉举报处理暂行办法》"),
        "{err}"
    );
    // Who imported which file, with its hash and counts, is logged.
    let sha256 = hex::encode(Sha256::digest(std::fs::read(file).unwrap()));
    assert!(
        err.contains("12315 work orders imported") && err.contains(&sha256),
        "{err}"
    );
    let recorded: Vec<(String, String, String, i64, i64, i64)> = work_order_imports::table
        .select((
            work_order_imports::imported_by,
            work_order_imports::file_name,
            work_order_imports::file_sha256,
            work_order_imports::created,
            work_order_imports::left_for_dispatch,
            work_order_imports::refused,
        ))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let (by, name, hash, created, left, refused) = &recorded[0];
    assert!(by.starts_with("cli:"), "{by}");
    assert_eq!((name.as_str(), hash), ("unplaced.xlsx", &sha256));
    assert_eq!((*created, *left, *refused), (1, 2, 1));
    let (complaint_no, state, district, _) = case_of(&app, "D-2");
    assert_eq!(
        (state.as_str(), district.as_str()),
        ("awaiting_dispatch", "440700")
    );
    let (report_no, state, _, _) = case_of(&app, "D-3");
    assert_eq!(state, "awaiting_dispatch");
    assert_eq!(case_of(&app, "D-1").1, "pending_acceptance");

    // Importing the file again changes nothing.
    let (_, out, _) = import(&app, file);
    assert!(
        out.contains("新建案件 0 件，无法确定辖区留待统一接收机构分送 0 件，内容未变 3 件"),
        "{out}"
    );

    // The unit's queue holds both; no clock runs while they wait.
    app.set_now(Utc::now() + Duration::minutes(5));
    app.add_user("dispatch@jm.gov.cn", "dispatcher", &[], None)
        .await;
    let unit = relogin(&app, "dispatch@jm.gov.cn").await;
    let (s, q) = app.get_as("/api/v1/queue", &unit).await;
    assert_eq!(s, 200, "{q}");
    let listed: Vec<&str> = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["case_no"].as_str().unwrap())
        .collect();
    assert!(
        listed.contains(&complaint_no.as_str()) && listed.contains(&report_no.as_str()),
        "{q}"
    );
    let (s, v) = view(&app, &complaint_no, Who::Bearer(&unit)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["allowed_actions"], json!(["dispatch", "note"]));
    assert!(
        !v["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "acceptance"),
        "{v}"
    );
    // The unit's desk lists and opens it like a returned case.
    let desk = app.get_text_as("/desk", &unit).await;
    assert!(
        desk.contains(&complaint_no) && desk.contains("待分送"),
        "{desk}"
    );
    let page = app
        .get_text_as(&format!("/desk/cases/{complaint_no}"), &unit)
        .await;
    assert!(
        page.contains("网店收款后不发货") && page.contains("分送"),
        "{page}"
    );
    // A bureau's mediator neither sees nor handles it before dispatch.
    app.add_user("xh@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    let xinhui = relogin(&app, "xh@jm.gov.cn").await;
    assert_eq!(view(&app, &complaint_no, Who::Bearer(&xinhui)).await.0, 404);

    let state = step(
        &app,
        &complaint_no,
        Who::Bearer(&unit),
        json!({"action": "dispatch", "bureau": "440705"}),
    )
    .await;
    assert_eq!(state, "pending_acceptance");
    let state = step(
        &app,
        &report_no,
        Who::Bearer(&unit),
        json!({"action": "dispatch", "bureau": "440705"}),
    )
    .await;
    assert_eq!(state, "pending_verification");

    // The acceptance clock starts at 新会 on the day of dispatch, and the case's due date
    // follows it.
    let (s, v) = view(&app, &complaint_no, Who::Bearer(&xinhui)).await;
    assert_eq!(s, 200, "{v}");
    let dispatched_on = china_date(app.clock.now()).to_string();
    let acceptance = clock(&v, "acceptance");
    assert_eq!(acceptance["started"], dispatched_on.as_str(), "{v}");
    let (_, state, district, due) = case_of(&app, "D-2");
    assert_eq!(
        (state.as_str(), district.as_str()),
        ("pending_acceptance", "440705")
    );
    assert_eq!(acceptance["due"], due.to_string().as_str());
    assert!(due.to_string() > dispatched_on);
    let (_, v) = view(&app, &report_no, Who::Bearer(&xinhui)).await;
    assert_eq!(clock(&v, "verification")["started"], dispatched_on.as_str());

    // Once dispatched, the same file still changes nothing.
    let (_, out, _) = import(&app, file);
    assert!(out.contains("内容未变 3 件"), "{out}");
    assert_eq!(case_of(&app, "D-2").1, "pending_acceptance");
}

on_both_backends!(unplaced_rows_wait_for_the_dispatcher);
