//! A 12315 work order whose 问题类别 names 商标侵权 is imported: as a complaint it is a
//! consumer sold a fake (`counterfeit`, which a complaint may have), as a report it keeps the
//! infringement nature.

use diesel::prelude::*;

use super::common::binary::run_on;
use super::common::workorder_sheet::{Order, xlsx_classified};
use super::common::{Backend, TestApp};
use super::*;
use odrdesk::store::schema::{cases, work_orders};

fn nature_of(app: &TestApp, no: &str) -> (String, String) {
    work_orders::table
        .inner_join(cases::table)
        .filter(work_orders::registration_no.eq(no))
        .select((cases::kind, cases::nature))
        .first(&mut app.db())
        .unwrap()
}

async fn a_trademark_complaint_is_imported_as_counterfeit(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let file = app.data_dir().join("ip.xlsx");
    let rows = [
        Order {
            no: "IP-1",
            kind: "投诉",
            address: "江门市新会区会城今古洲路1号",
            claim: "买到假冒名牌面霜，要求退一赔三",
            registered: "2026-11-21 09:00",
        },
        Order {
            no: "IP-2",
            kind: "举报",
            address: "江门市新会区会城今古洲路1号",
            claim: "该店销售侵犯注册商标专用权的面霜",
            registered: "2026-11-21 10:00",
        },
    ];
    std::fs::write(&file, xlsx_classified(&rows, "护肤品 商标侵权")).unwrap();
    let out = run_on(&app, &["workorders", "import", file.to_str().unwrap()]);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("新建案件 2 件"), "{stdout}{stderr}");
    assert_eq!(
        nature_of(&app, "IP-1"),
        ("complaint".to_owned(), "counterfeit".to_owned())
    );
    assert_eq!(
        nature_of(&app, "IP-2"),
        ("report".to_owned(), "ip_trademark".to_owned())
    );
}

on_both_backends!(a_trademark_complaint_is_imported_as_counterfeit);
