//! Intake on arbitrary request bodies: JSON into the wire input types, then the pure parse
//! into a checked case. Both must answer (a value or a list of field issues), never panic.

#![no_main]

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use odrdesk::domain::PolicyTable;
use odrdesk::intake::input::{ComplaintInput, ReportInput};
use odrdesk::intake::{IntakeContext, parse_complaint, parse_report};

struct Fixed {
    now: DateTime<Utc>,
    policy: PolicyTable,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| Fixed {
        now: Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap(),
        policy: PolicyTable::builtin(),
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixed();
    // Public intake, and staff intake with a receipt date keyed in a week earlier.
    let contexts = [
        IntakeContext {
            now: f.now,
            received_at: f.now,
            staff: false,
            policy: &f.policy,
        },
        IntakeContext {
            now: f.now,
            received_at: f.now - chrono::Duration::days(7),
            staff: true,
            policy: &f.policy,
        },
    ];
    if let Ok(input) = serde_json::from_slice::<ComplaintInput>(data) {
        for ctx in &contexts {
            let _ = parse_complaint(&input, ctx);
        }
    }
    if let Ok(input) = serde_json::from_slice::<ReportInput>(data) {
        for ctx in &contexts {
            let _ = parse_report(&input, ctx);
        }
    }
});
