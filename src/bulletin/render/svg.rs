//! Hand-written inline SVG charts. Sizes live in a `viewBox`, so a chart scales to the width
//! of a phone or an A4 page; coordinates carry one fixed decimal so output is byte-stable.

use std::fmt::Write as _;

use crate::bulletin::model::Row;

/// The drawing is this many user units wide; the page scales it.
pub const WIDTH: f64 = 380.0;
const LABEL_WIDTH: f64 = 112.0;
const BAR_X: f64 = LABEL_WIDTH + 8.0;
/// Room right of the longest bar for its value, e.g. `1534件 44.0%`.
const VALUE_WIDTH: f64 = 96.0;
/// The longest bar.
pub const BAR_AREA: f64 = WIDTH - BAR_X - VALUE_WIDTH;
const ROW_HEIGHT: f64 = 26.0;
const BAR_HEIGHT: f64 = 16.0;
const PADDING: f64 = 4.0;
/// Labels longer than this many characters are shortened; the full label stays in `<title>`.
const LABEL_CHARS: usize = 8;

/// One bar: its label, its value and the text printed after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub note: String,
}

impl Bar {
    /// A breakdown line as a bar noted `count件 share`.
    pub fn from_row(row: &Row) -> Bar {
        Bar {
            label: row.label.clone(),
            value: row.count,
            note: format!("{}件 {}", row.count, super::percent(row.share)),
        }
    }
}

/// Escapes text for SVG (XML) content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// The length of the bar for `value` when the largest value fills [`BAR_AREA`].
pub fn bar_length(value: u64, max: u64) -> f64 {
    if max == 0 {
        return 0.0;
    }
    BAR_AREA * (value as f64) / (max as f64)
}

fn short_label(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_owned();
    }
    let mut short: String = label.chars().take(LABEL_CHARS - 1).collect();
    short.push('…');
    short
}

/// A horizontal bar chart, one bar per row, biggest value the full width. An empty list
/// gives an empty string, so the page shows no chart rather than an empty frame.
#[expect(
    clippy::let_underscore_must_use,
    reason = "fmt::Write into a String cannot fail"
)]
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let height = PADDING * 2.0 + ROW_HEIGHT * bars.len() as f64;
    let title = escape(title);
    let mut svg = String::new();
    // `write!` into a String cannot fail.
    let _ = write!(
        svg,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH:.1} \
         {height:.1}\" role=\"img\" aria-label=\"{title}\" font-size=\"14\">\n<title>{title}</title>\n"
    );
    for (i, bar) in bars.iter().enumerate() {
        let top = PADDING + ROW_HEIGHT * i as f64;
        let bar_y = top + (ROW_HEIGHT - BAR_HEIGHT) / 2.0;
        let text_y = top + ROW_HEIGHT / 2.0 + 4.5;
        let length = bar_length(bar.value, max);
        let label = escape(&bar.label);
        let note = escape(&bar.note);
        let _ = writeln!(
            svg,
            "<g><title>{label}：{note}</title>\
             <text x=\"{LABEL_WIDTH:.1}\" y=\"{text_y:.1}\" text-anchor=\"end\" fill=\"#222\">{short}</text>\
             <rect x=\"{BAR_X:.1}\" y=\"{bar_y:.1}\" width=\"{length:.1}\" height=\"{BAR_HEIGHT:.1}\" rx=\"2\" fill=\"#2f6fb0\"/>\
             <text x=\"{value_x:.1}\" y=\"{text_y:.1}\" fill=\"#333\">{note}</text></g>",
            short = escape(&short_label(&bar.label)),
            value_x = BAR_X + length + 6.0,
        );
    }
    svg.push_str("</svg>");
    svg
}
