//! The analyst query text (`q`): building the query must answer with a query or a query
//! error, and running it must not panic either. Runs against one empty index opened once.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use odrdesk::search::index::{self, Live};
use odrdesk::search::query::{self, Filters, Sort};

fn live() -> &'static Live {
    static LIVE: OnceLock<Live> = OnceLock::new();
    LIVE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        // An empty index has no segment files to read, so searching it needs nothing on disk
        // once opened: the directory goes away at once instead of being left behind.
        index::open_dir(&dir.path().join("index")).expect("empty index")
    })
}

fuzz_target!(|q: &str| {
    let live = live();
    let filters = Filters {
        q: Some(q.to_owned()),
        ..Filters::default()
    };
    let terms = query::highlight_terms(Some(q));
    let _ = query::snippet(q, &terms);
    let _ = query::decode_cursor(q);
    if let Ok(parsed) = query::build(live, &filters, &None) {
        let _ = query::search(live, parsed.as_ref(), Sort::Relevance, None, 10, &terms);
    }
});
