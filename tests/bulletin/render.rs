//! The sample bulletin printed to PDF by headless Chromium: the Chinese text must be
//! extractable (so a CJK font was embedded), and the page is photographed at phone and desktop
//! widths into `target/screenshots/` for a look by eye.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::chromium::{ensure_tools, screenshot};
use odrdesk::bulletin::render;
use odrdesk::bulletin::sample::sample;

fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn pdf_carries_extractable_chinese_figures_and_embedded_fonts() {
    ensure_tools();
    let bulletin = sample();
    let pdf = render::pdf(&render::html(&bulletin)).expect("print the bulletin");
    assert!(pdf.starts_with(b"%PDF"));

    let dir = tempfile::tempdir().unwrap();
    let pdf_path = dir.path().join("bulletin.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let pdf_arg = pdf_path.to_str().unwrap();

    let text = run("pdftotext", &["-layout", pdf_arg, "-"]);
    for expected in [
        "江门市市场监督管理局",
        "2026年第三季度消费投诉举报情况通报",
        "2026-Q3",
        "3486",
        "612",
        "1,286,453.50",
        "蓬江区",
        "恩平市",
        "化妆品专题",
        "打击假冒和侵犯知识产权",
        "3391/3452",
    ] {
        assert!(
            text.contains(expected),
            "PDF text lacks {expected}:\n{text}"
        );
    }

    // Skia embeds CFF-outline fonts such as Noto Sans CJK as unnamed Type 3 fonts, so the
    // proof is indirect: Chinese text came out above, and every font in the file is embedded.
    let fonts = run("pdffonts", &[pdf_arg]);
    let rows: Vec<Vec<&str>> = fonts
        .lines()
        .skip_while(|line| !line.starts_with("---"))
        .skip(1)
        .map(|line| line.split_whitespace().collect())
        .filter(|cells: &Vec<&str>| cells.len() >= 7)
        .collect();
    assert!(!rows.is_empty(), "no fonts listed:\n{fonts}");
    // Columns end `emb sub uni object ID`, the object id being two numbers.
    let embedded = |cells: &Vec<&str>| cells[cells.len() - 5] == "yes";
    let unicode = |cells: &Vec<&str>| cells[cells.len() - 3] == "yes";
    assert!(
        rows.iter().all(embedded),
        "a font is not embedded:\n{fonts}"
    );
    assert!(
        rows.iter().any(unicode),
        "no font maps to Unicode:\n{fonts}"
    );

    let shots = screenshots_dir();
    let prefix = shots.join("bulletin-pdf");
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            pdf_arg,
            prefix.to_str().unwrap(),
        ],
    );
    let page_one = std::fs::read_dir(&shots)
        .unwrap()
        .filter_map(Result::ok)
        .any(|e| e.file_name().to_string_lossy().starts_with("bulletin-pdf"));
    assert!(page_one, "pdftoppm wrote no page image");
}

#[test]
fn html_is_photographed_at_phone_and_desktop_widths() {
    ensure_tools();
    let shots = screenshots_dir();
    let html_path = shots.join("bulletin.html");
    std::fs::write(&html_path, render::html(&sample())).unwrap();
    for width in [360, 1280] {
        let png = shots.join(format!("bulletin-{width}.png"));
        screenshot(html_path.to_str().unwrap(), width, &png);
        assert!(
            std::fs::metadata(&png).unwrap().len() > 10_000,
            "{width} px"
        );
    }
}
