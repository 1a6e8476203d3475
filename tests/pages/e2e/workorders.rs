//! The admin imports a 12315 export on `/admin/workorders` in Chromium: a dry run first (the
//! box is checked to start with), then for real, then the same file again; the unplaceable
//! row waits for the unified intake unit, whose dispatch starts the acceptance clock that
//! day; the results come back as a download. Nobody but an admin opens the page.
//! Screenshots at 360 and 1280 px under `target/screenshots/pages/<backend>/`.

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use diesel::prelude::*;
use serde_json::json;

use super::World;
use crate::common::browser::{Browser as Plain, hidden};
use crate::common::workorder_sheet::{Order, write, xlsx};
use crate::common::{Backend, accounts::PASSWORD, china_morning};
use crate::on_both_backends;
use odrdesk::store::schema::{cases, work_order_imports, work_orders};

const ADMIN: &str = "admin@jm.gov.cn";

fn orders() -> Vec<Order<'static>> {
    vec![
        Order {
            no: "P-1",
            kind: "投诉",
            address: "江门市新会区会城今古洲路1号",
            claim: "面霜过敏，要求退款",
            registered: "2026-11-23 09:00",
        },
        Order {
            no: "P-2",
            kind: "投诉",
            address: "广州市天河区体育西路",
            claim: "网店收款后不发货",
            registered: "2026-11-23 10:00",
        },
        Order {
            no: "P-3",
            kind: "咨询",
            address: "江门市蓬江区港口路",
            claim: "想问一下面霜的备案",
            registered: "2026-11-23 11:00",
        },
    ]
}

fn shot(backend: &Backend, name: &str) -> String {
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    format!("{dir}/{name}")
}

async fn upload(w: &World, file: &str, dry_run: bool) -> String {
    let b = &w.browser;
    w.open("/admin/workorders").await;
    let check = b.find("input[name=dry_run]").await;
    assert_eq!(
        b.attr(&check, "checked").await.as_deref(),
        Some("true"),
        "dry run by default"
    );
    if !dry_run {
        b.click(&check).await;
    }
    b.type_into(&b.find("#workbook").await, file).await;
    b.follow(&b.find("form[enctype] button[type=submit]").await)
        .await
}

fn count(page: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {id} in {page}"))
        + marker.len();
    page[at..].split('<').next().unwrap_or_default().to_owned()
}

async fn an_admin_imports_and_exports_work_orders_on_the_page(backend: Backend) {
    let w = World::on(&backend).await;
    let app = &w.app;
    app.set_now(china_morning(2026, 11, 24));
    app.add_user(ADMIN, "admin", &[], None).await;
    app.add_user("dispatch@jm.gov.cn", "dispatcher", &[], None)
        .await;
    app.add_user("xh@jm.gov.cn", "mediator", &["440705"], None)
        .await;
    let file = app.data_dir().join("12315工单.xlsx");
    write(&file, &orders());
    let file = file.to_str().unwrap();

    // From the admin's home to the page.
    w.sign_in(ADMIN, "/admin").await;
    let b = &w.browser;
    let page = b.follow(&b.find("a[href='/admin/workorders']").await).await;
    assert!(
        page.contains("导入工单") && page.contains("导出处理结果"),
        "{page}"
    );
    b.photograph(&shot(&backend, "admin-workorders")).await;

    let page = upload(&w, file, true).await;
    assert!(page.contains("试运行结果（未写入数据库）"), "{page}");
    assert_eq!(count(&page, "count-created"), "1");
    assert_eq!(count(&page, "count-dispatch"), "1");
    assert_eq!(count(&page, "count-refused"), "1");
    assert!(
        page.contains("P-3") && page.contains("不是投诉或举报"),
        "{page}"
    );
    let stored: i64 = cases::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(stored, 0, "a dry run writes nothing");
    b.photograph(&shot(&backend, "admin-workorders-dry-run"))
        .await;

    let page = upload(&w, file, false).await;
    assert!(page.contains("导入结果"), "{page}");
    assert_eq!(count(&page, "count-created"), "1");
    assert_eq!(count(&page, "count-dispatch"), "1");
    b.photograph(&shot(&backend, "admin-workorders-imported"))
        .await;
    let page = upload(&w, file, false).await;
    assert_eq!(count(&page, "count-unchanged"), "2");
    assert_eq!(count(&page, "count-created"), "0");
    // Two imports that wrote, each recorded with who and which file; the dry run none.
    let recorded: Vec<(String, String, i64)> = work_order_imports::table
        .order(work_order_imports::id)
        .select((
            work_order_imports::imported_by,
            work_order_imports::file_name,
            work_order_imports::unchanged,
        ))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        recorded,
        [
            (ADMIN.to_owned(), "12315工单.xlsx".to_owned(), 0),
            (ADMIN.to_owned(), "12315工单.xlsx".to_owned(), 2)
        ]
    );
    let (case_no, state): (String, String) = work_orders::table
        .inner_join(cases::table)
        .filter(work_orders::registration_no.eq("P-2"))
        .select((cases::case_no, cases::state))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(state, "awaiting_dispatch");

    // The results of the period, as a download with the browser's session.
    let cookie = b.cookie_header().await;
    let get = |format: &str| {
        app.client
            .get(app.url(&format!(
                "/admin/workorders/export?from=2026-11-01&to=2026-11-30&format={format}"
            )))
            .header("Cookie", cookie.clone())
            .send()
    };
    let res = get("csv").await.unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("登记编号,案件编号,处理状态"), "{csv}");
    assert!(csv.contains(&format!("P-2,{case_no},待分送")), "{csv}");
    assert!(
        !csv.contains("张三") && !csv.contains("13800138000"),
        "{csv}"
    );
    let res = get("xlsx").await.unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.height(), 3, "a header and two work orders");
    assert_eq!(sheet.get((0, 0)), Some(&Data::String("登记编号".into())));
    // A period backwards is said on the page.
    let res = app
        .client
        .get(app.url("/admin/workorders/export?from=2026-11-30&to=2026-11-01"))
        .header("Cookie", cookie.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("开始日期不能晚于结束日期")
    );

    // Refusals without a 500: not a spreadsheet, no token.
    let mut web = Plain::signed_in(app, ADMIN, "/admin/workorders").await;
    let form = web.get("/admin/workorders").await;
    let csrf = hidden(&form.body, "csrf");
    let page = web
        .post_multipart(
            "/admin/workorders",
            &[("csrf", &csrf)],
            vec![("workbook", "notes.txt", b"hello".to_vec())],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body.contains("只能导入 .xlsx 或 .csv 文件"),
        "{}",
        page.body
    );
    let page = web
        .post_multipart(
            "/admin/workorders",
            &[("dry_run", "1")],
            vec![("workbook", "a.xlsx", xlsx(&orders()))],
        )
        .await;
    assert_eq!(page.status, 400, "{}", page.body);
    // The box sent after the file still makes it a dry run.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "workbook",
            reqwest::multipart::Part::bytes(xlsx(&orders())).file_name("again.xlsx"),
        )
        .text("dry_run", "1");
    let res = web
        .client
        .post(app.url("/admin/workorders"))
        .header("Cookie", web.cookie_header())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("试运行结果"));

    // Nobody else opens or posts to the page.
    for who in ["dispatch@jm.gov.cn", "xh@jm.gov.cn"] {
        let mut other = Plain::new(app);
        let login = other.get("/login").await;
        let token = hidden(&login.body, "csrf");
        other
            .post(
                "/login",
                &[("csrf", &token), ("email", who), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(other.get("/admin/workorders").await.status, 403, "{who}");
        let page = other
            .post_multipart(
                "/admin/workorders",
                &[("csrf", &token)],
                vec![("workbook", "a.xlsx", xlsx(&orders()))],
            )
            .await;
        assert_eq!(page.status, 403, "{who}");
        let export = other
            .get("/admin/workorders/export?from=2026-11-01&to=2026-11-30")
            .await;
        assert_eq!(export.status, 403, "{who}");
    }
    let stored: i64 = cases::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(stored, 2);

    // The unit dispatches the unplaced complaint the next day: 7 working days from then.
    app.set_now(china_morning(2026, 11, 25));
    let unit = app.login_token("dispatch@jm.gov.cn", PASSWORD).await;
    let act = format!("/api/v1/cases/{case_no}/actions");
    let (s, v) = app
        .post_as(
            &act,
            &unit,
            &json!({"action": "dispatch", "bureau": "440705"}),
        )
        .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (200, Some("pending_acceptance")),
        "{v}"
    );
    let med = app.login_token("xh@jm.gov.cn", PASSWORD).await;
    let (s, v) = app.get_as(&format!("/api/v1/cases/{case_no}"), &med).await;
    assert_eq!(s, 200, "{v}");
    let acceptance = v["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "acceptance")
        .cloned()
        .unwrap();
    assert_eq!(acceptance["started"], "2026-11-25", "{v}");
    assert_eq!(acceptance["due"], "2026-12-04", "{v}");
}

on_both_backends!(an_admin_imports_and_exports_work_orders_on_the_page);
