//! Order 20 and Order 121 side by side in one quarter (2026-Q2): cases received before
//! 2026-04-15 keep Order 20's 45 working days of mediation, cases received since run 60
//! calendar days ending on a working day (Art. 45). Every due date and the bulletin's closure
//! rate are checked against answers worked out by hand below.
//!
//! Hand-worked (2026 calendar: off May 1–5, Jun 19–21; make-up working day Sat May 9):
//! - P, received Mon 04-13 (Order 20), accepted 04-14: 45 working days from 04-15 → Thu 06-18.
//!   Settled 06-17: on time (Order 121 would have made it due Mon 06-15: late).
//! - S, received Wed 04-15 07:00 China time (still 04-14 in UTC), so Order 121; accepted 04-15:
//!   day 60 is Sun 06-14 → Mon 06-15. Settled 06-16: late (Order 20 would give Mon 06-22).
//! - Q, received Thu 04-16 (Order 121), accepted Fri 04-17: day 60 is Tue 06-16 → 06-16.
//!   Settled 06-17: late (Order 20 would give Wed 06-24).
//! - R, received Mon 04-20 (Order 121), accepted Tue 04-21: day 60 is Sat 06-20, inside the
//!   Dragon Boat holiday → Mon 06-22. Settled 06-22: on time (late if the last day were kept).
//!
//! Closure on time: P and R of four = 2/4. Order 20 for all would give 4/4, Order 121 for all
//! 1/4, and Order 121 without Art. 45's roll-over 1/4.

use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};
use crate::fixture::{self, ADMIN, Complaint, MEDIATOR, RESPONDENT_USCC, act, at, morning};

struct Case {
    received: (u32, u32, u32),
    accepted: (u32, u32),
    settled: (u32, u32),
    policy: &'static str,
    mediation_due: &'static str,
}

const CASES: [Case; 4] = [
    // P
    Case {
        received: (4, 13, 10),
        accepted: (4, 14),
        settled: (6, 17),
        policy: "samr-order-20",
        mediation_due: "2026-06-18",
    },
    // S: 07:00 China time on the day Order 121 took effect.
    Case {
        received: (4, 15, 7),
        accepted: (4, 15),
        settled: (6, 16),
        policy: "samr-order-121",
        mediation_due: "2026-06-15",
    },
    // Q
    Case {
        received: (4, 16, 10),
        accepted: (4, 17),
        settled: (6, 17),
        policy: "samr-order-121",
        mediation_due: "2026-06-16",
    },
    // R
    Case {
        received: (4, 20, 10),
        accepted: (4, 21),
        settled: (6, 22),
        policy: "samr-order-121",
        mediation_due: "2026-06-22",
    },
];

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    policy_version: String,
    #[diesel(sql_type = Text)]
    received_date: String,
}

/// The policy version and China date the store recorded for a case, read with SQL.
fn stored(app: &TestApp, case_no: &str) -> Stored {
    let mut conn = app.db();
    let sql = format!(
        "SELECT policy_version, CAST(received_date AS TEXT) AS received_date \
         FROM cases WHERE case_no = '{case_no}'"
    );
    tokio::task::block_in_place(|| {
        diesel::sql_query(sql)
            .get_result(&mut *conn)
            .expect("query")
    })
}

fn clock<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["clocks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no {name} clock: {view}"))
}

async fn orders_20_and_121_side_by_side_in_one_quarter(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.set_now(morning(2026, 4, 1));
    app.add_enterprise(RESPONDENT_USCC, "江门市美颜化妆品有限公司", "440703", true);
    app.add_user(ADMIN, "admin", &[], None).await;
    app.add_user(MEDIATOR, "mediator", &["440703"], None).await;

    let mut numbers = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let (m, d, h) = case.received;
        let phone = format!("1390000002{i}");
        let (no, _) = fixture::complaint(
            &app,
            at(2026, m, d, h, 0),
            Complaint {
                district: "440703",
                category: "goods.cosmetics.skincare",
                nature: "quality",
                online: false,
                odr: false,
                phone: &phone,
                uscc: Some(RESPONDENT_USCC),
            },
        )
        .await;
        let (m, d) = case.accepted;
        act(
            &app,
            morning(2026, m, d),
            MEDIATOR,
            &no,
            json!({"action": "accept"}),
        )
        .await;
        numbers.push(no);
    }
    for (case, no) in CASES.iter().zip(&numbers) {
        let (m, d) = case.settled;
        act(
            &app,
            morning(2026, m, d),
            MEDIATOR,
            no,
            json!({"action": "settle", "agreement": "退货退款", "recovered_fen": 100}),
        )
        .await;
    }

    app.set_now(morning(2026, 7, 10));
    let token = fixture::token(&app, MEDIATOR).await;
    for (case, no) in CASES.iter().zip(&numbers) {
        let (s, view) = app.get_as(&format!("/api/v1/cases/{no}"), &token).await;
        assert_eq!(s, 200, "{view}");
        let row = stored(&app, no);
        assert_eq!(row.policy_version, case.policy, "{no}");
        let (m, d, _) = case.received;
        assert_eq!(row.received_date, format!("2026-{m:02}-{d:02}"), "{no}");
        let mediation = clock(&view, "mediation");
        assert_eq!(mediation["due"], case.mediation_due, "{no}: {mediation}");
        assert_eq!(clock(&view, "acceptance")["overdue"], false, "{no}");
    }

    let b = crate::draft(&app, json!({"period": "2026-Q2", "as_of": "2026-07-10"})).await;
    let rates = &b["rates"];
    assert_eq!(
        (
            rates["closure_on_time"]["numerator"].as_u64(),
            rates["closure_on_time"]["denominator"].as_u64()
        ),
        (Some(2), Some(4)),
        "P and R on time, S and Q late: {b}"
    );
    assert_eq!(
        (
            rates["acceptance_on_time"]["numerator"].as_u64(),
            rates["acceptance_on_time"]["denominator"].as_u64()
        ),
        (Some(4), Some(4)),
        "{b}"
    );
}

crate::on_both_backends!(orders_20_and_121_side_by_side_in_one_quarter);
