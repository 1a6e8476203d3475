//! The history CSV import (`odrdesk import`) on arbitrary bytes: every input must give a
//! report (accepted, rejected and skipped rows, or a file error), never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use odrdesk::bulletin::history;
use odrdesk::domain::Taxonomy;

fuzz_target!(|data: &[u8]| {
    let report = history::parse(data, Taxonomy::builtin());
    let _ = report.periods();
});
