//! A bulletin published before a section existed keeps rendering byte for byte as it did.
//! `stored/2026-Q3.json` is the sample bulletin as the code before the counterfeit and IP
//! section stored it, and the other files are what that code rendered from it; today's code
//! must read the stored JSON and render the same bytes.

use std::path::{Path, PathBuf};

use odrdesk::bulletin::model::Bulletin;
use odrdesk::bulletin::render;

fn stored(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bulletin/stored")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(stored(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The renderings compared, by file name.
fn renderings(b: &Bulletin) -> [(&'static str, String); 4] {
    [
        ("2026-Q3.rendered.json", render::json(b)),
        ("2026-Q3.csv", render::csv(b)),
        ("2026-Q3.html", render::html(b)),
        ("2026-Q3.page.html", render::public_page(b)),
    ]
}

#[test]
fn a_bulletin_stored_before_the_counterfeit_section_renders_as_it_did() {
    // Written once, by the code of the time, with ODRDESK_WRITE_STORED_BULLETIN set.
    if std::env::var_os("ODRDESK_WRITE_STORED_BULLETIN").is_some() {
        let sample = odrdesk::bulletin::sample::sample();
        std::fs::create_dir_all(stored("")).unwrap();
        let json = serde_json::to_string_pretty(&sample).unwrap();
        std::fs::write(stored("2026-Q3.json"), json).unwrap();
        for (name, text) in renderings(&sample) {
            std::fs::write(stored(name), text).unwrap();
        }
    }
    let old: Bulletin = serde_json::from_str(&read("2026-Q3.json")).expect("old JSON reads");
    assert!(
        old.figures.counterfeit_ip.is_none(),
        "an old bulletin has no counterfeit and IP section"
    );
    for (name, text) in renderings(&old) {
        assert!(text == read(name), "{name} renders differently than it did");
    }
}
