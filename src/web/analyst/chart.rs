//! SVG charts whose bars are links: each bar opens the search behind its count. Hand-written
//! like the bulletin's charts (whose `escape` they share), sized by a `viewBox` so they scale
//! from a phone to a desktop. No script: a bar is an `<a>` around its `<rect>`.

use std::fmt::Write as _;

use crate::bulletin::render::svg::escape;

/// One bar: its full label (tooltip, accessible name), a short axis label, its count and
/// the page listing the cases it counts.
#[derive(Debug, Clone)]
pub struct LinkedBar {
    pub label: String,
    pub short: String,
    pub value: u64,
    pub href: Option<String>,
}

const WIDTH: f64 = 640.0;
const PLOT_LEFT: f64 = 48.0;
const PLOT_RIGHT: f64 = WIDTH - 8.0;
const PLOT_TOP: f64 = 16.0;
const PLOT_BOTTOM: f64 = 200.0;
const HEIGHT: f64 = 232.0;
/// At most this many axis labels; with more bars every n-th is labelled.
const MAX_AXIS_LABELS: usize = 12;
/// Counts are printed above the bars when there are at most this many.
const MAX_VALUE_LABELS: usize = 24;

/// A round step (1, 2 or 5 × 10ⁿ) giving about four gridlines up to `max`.
fn tick_step(max: u64) -> u64 {
    let rough = (max as f64 / 4.0).max(1.0);
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(rough);
    (step.round() as u64).max(1)
}

/// Opens the `<svg>`: accessible name and title. A group, not an image: an image's parts are
/// hidden from assistive technology, and the bars are links people must reach.
#[expect(
    clippy::let_underscore_must_use,
    reason = "fmt::Write into a String cannot fail"
)]
fn open(svg: &mut String, title: &str, height: f64) {
    let title = escape(title);
    let _ = write!(
        svg,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH:.1} \
         {height:.1}\" role=\"group\" aria-label=\"{title}\" font-size=\"12\">\n<title>{title}</title>\n"
    );
}

/// Wraps `shape` in a link (when there is one) titled `label：n件`.
#[expect(
    clippy::let_underscore_must_use,
    reason = "fmt::Write into a String cannot fail"
)]
fn linked(svg: &mut String, bar: &LinkedBar, shape: &str) {
    let name = escape(&format!("{}：{}件", bar.label, bar.value));
    match &bar.href {
        Some(href) => {
            let _ = writeln!(
                svg,
                "<a href=\"{}\" aria-label=\"{name}\"><title>{name}</title>{shape}</a>",
                escape(href)
            );
        }
        None => {
            let _ = writeln!(svg, "<g><title>{name}</title>{shape}</g>");
        }
    }
}

/// Vertical bars over time with a counted axis. An empty list gives an empty string.
#[expect(
    clippy::let_underscore_must_use,
    reason = "fmt::Write into a String cannot fail"
)]
pub fn columns(title: &str, bars: &[LinkedBar]) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let step = tick_step(max);
    let top = step * max.div_ceil(step).max(1);
    let plot_height = PLOT_BOTTOM - PLOT_TOP;
    let y_of = |v: u64| PLOT_BOTTOM - plot_height * v as f64 / top as f64;
    let mut svg = String::new();
    open(&mut svg, title, HEIGHT);
    let mut tick = 0;
    while tick <= top {
        let y = y_of(tick);
        let _ = writeln!(
            svg,
            "<line class=\"grid\" x1=\"{PLOT_LEFT:.1}\" y1=\"{y:.1}\" x2=\"{PLOT_RIGHT:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{tick}</text>",
            PLOT_LEFT - 6.0,
            y + 4.0
        );
        tick += step;
    }
    let slot = (PLOT_RIGHT - PLOT_LEFT) / bars.len() as f64;
    let every = bars.len().div_ceil(MAX_AXIS_LABELS);
    for (i, bar) in bars.iter().enumerate() {
        let x = PLOT_LEFT + slot * i as f64;
        let y = y_of(bar.value);
        // The whole column is clickable, so a bar of 0 or 1 is still easy to hit.
        let shape = format!(
            "<rect class=\"target\" x=\"{x:.1}\" y=\"{PLOT_TOP:.1}\" width=\"{slot:.1}\" height=\"{plot_height:.1}\"/>\
             <rect class=\"bar\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            x + slot * 0.15,
            slot * 0.7,
            PLOT_BOTTOM - y
        );
        linked(&mut svg, bar, &shape);
        let middle = x + slot / 2.0;
        if bars.len() <= MAX_VALUE_LABELS && bar.value > 0 {
            let _ = writeln!(
                svg,
                "<text class=\"value\" x=\"{middle:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                y - 3.0,
                bar.value
            );
        }
        if i % every == 0 {
            let _ = writeln!(
                svg,
                "<text class=\"axis\" x=\"{middle:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                PLOT_BOTTOM + 18.0,
                escape(&bar.short)
            );
        }
    }
    let _ = writeln!(
        svg,
        "<line class=\"baseline\" x1=\"{PLOT_LEFT:.1}\" y1=\"{PLOT_BOTTOM:.1}\" x2=\"{PLOT_RIGHT:.1}\" y2=\"{PLOT_BOTTOM:.1}\"/>"
    );
    svg.push_str("</svg>");
    svg
}

const ROW_HEIGHT: f64 = 26.0;
const LABEL_WIDTH: f64 = 150.0;
const LABEL_CHARS: usize = 10;

/// Horizontal bars, one row per value, longest first as given.
pub fn rows(title: &str, bars: &[LinkedBar]) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let bar_x = LABEL_WIDTH + 8.0;
    let area = WIDTH - bar_x - 60.0;
    let height = 8.0 + ROW_HEIGHT * bars.len() as f64;
    let mut svg = String::new();
    open(&mut svg, title, height);
    for (i, bar) in bars.iter().enumerate() {
        let y = 4.0 + ROW_HEIGHT * i as f64;
        let length = area * bar.value as f64 / max as f64;
        let text_y = y + ROW_HEIGHT / 2.0 + 4.0;
        let short: String = if bar.label.chars().count() > LABEL_CHARS {
            bar.label
                .chars()
                .take(LABEL_CHARS - 1)
                .chain(['…'])
                .collect()
        } else {
            bar.label.clone()
        };
        let shape = format!(
            "<rect class=\"target\" x=\"0\" y=\"{y:.1}\" width=\"{WIDTH:.1}\" height=\"{ROW_HEIGHT:.1}\"/>\
             <text class=\"label\" x=\"{LABEL_WIDTH:.1}\" y=\"{text_y:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" x=\"{bar_x:.1}\" y=\"{:.1}\" width=\"{length:.1}\" height=\"16.0\"/>\
             <text class=\"value\" x=\"{:.1}\" y=\"{text_y:.1}\">{}件</text>",
            escape(&short),
            y + 5.0,
            bar_x + length + 6.0,
            bar.value
        );
        linked(&mut svg, bar, &shape);
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: u64, href: Option<&str>) -> LinkedBar {
        LinkedBar {
            label: label.into(),
            short: label.into(),
            value,
            href: href.map(str::to_owned),
        }
    }

    #[test]
    fn bars_are_escaped_links() {
        let svg = columns(
            "月度<趋势>",
            &[
                bar(
                    "2026年10月",
                    3,
                    Some("/analyst/search?from=2026-10-01&to=2026-10-31"),
                ),
                bar("2026年11月", 0, None),
            ],
        );
        assert!(svg.contains("role=\"group\""), "its links stay reachable");
        assert!(svg.contains("<title>月度&lt;趋势&gt;</title>"));
        assert!(svg.contains(
            "<a href=\"/analyst/search?from=2026-10-01&amp;to=2026-10-31\" aria-label=\"2026年10月：3件\">"
        ));
        assert!(svg.contains("<g><title>2026年11月：0件</title>"));
        assert_eq!(columns("x", &[]), "");
        let rows = rows("按类别", &[bar("化妆品", 2, Some("/a"))]);
        assert!(rows.contains("<a href=\"/a\"") && rows.contains("2件"));
    }

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(tick_step(0), 1);
        assert_eq!(tick_step(7), 2);
        assert_eq!(tick_step(40), 10);
        assert_eq!(tick_step(1234), 500);
    }
}
