//! Renderings of a [`Bulletin`]: JSON (the open-data schema), long-format CSV, a printable
//! HTML page with inline SVG charts, and PDF printed from that page by headless Chromium.
//! Every renderer reads only the bulletin, so the same bulletin always gives the same bytes
//! (the PDF aside, which embeds Chromium's own timestamps).

mod csv;
mod html;
mod pdf;
pub mod svg;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;

use super::model::{Bulletin, HotIssue};

pub use self::csv::{CSV_HEADER, csv};
pub use self::html::{html, public_page};
pub use self::pdf::{Chromium, PdfError, pdf};

/// The open-data JSON: pretty-printed, with a trailing newline. Struck hot terms are left out.
pub fn json(b: &Bulletin) -> String {
    let mut shown = b.clone();
    shown.figures.hot_issues.retain(HotIssue::shown);
    // Serialising plain structs cannot fail; an empty object is a safe answer if it ever did.
    let mut out = serde_json::to_string_pretty(&shown).unwrap_or_else(|_| "{}".to_owned());
    out.push('\n');
    out
}

/// `0.1234` → `12.3%`; `—` without a value.
pub fn percent(value: Option<f64>) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!("{}%", one_decimal(v * 100.0)),
        None => "—".to_owned(),
    }
}

/// How many times as many cases per day as before: `×3.2`, or `新出现` for a term the
/// baseline did not have.
pub fn lift(value: Option<f64>) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!("×{}", one_decimal(v)),
        None => "新出现".to_owned(),
    }
}

/// Cases per day with two decimals: `0.33`.
pub fn per_day(value: f64) -> String {
    format!("{value:.2}")
}

/// A relative change with its direction: `↑12.3%`, `↓4.0%`, `0.0%`, or `—` without one.
pub fn trend(value: Option<f64>) -> String {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return "—".to_owned();
    };
    let magnitude = one_decimal((v * 100.0).abs());
    if magnitude == "0.0" {
        "0.0%".to_owned()
    } else if v > 0.0 {
        format!("↑{magnitude}%")
    } else {
        format!("↓{magnitude}%")
    }
}

/// Fixed one decimal, never `-0.0`.
fn one_decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".to_owned() } else { s }
}

/// Fen as yuan with two decimals and thousands separators: `128645350` → `1,286,453.50`.
pub fn yuan(fen: i64) -> String {
    crate::domain::ids::grouped_yuan(fen)
}

/// `numerator/denominator`, as printed next to a rate.
pub fn fraction(numerator: u64, denominator: u64) -> String {
    format!("{numerator}/{denominator}")
}

/// `2026年7月1日`.
pub fn chinese_date(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

/// `2026-Q3` → `2026年第三季度`; any other span as its dates.
pub fn period_name(label: &str, from: NaiveDate, to: NaiveDate) -> String {
    const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];
    let quarter = super::period::Period::parse_quarter(label)
        .ok()
        .filter(|p| p.from == from && p.to == to);
    match quarter {
        Some(p) => {
            let index = (chrono::Datelike::month0(&p.from) / 3) as usize;
            let name = QUARTERS.get(index).copied().unwrap_or("");
            format!("{}年第{name}季度", chrono::Datelike::year(&p.from))
        }
        None => format!("{}至{}", chinese_date(from), chinese_date(to)),
    }
}
