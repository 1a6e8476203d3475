//! Text cells for CSV files people open in spreadsheet programs.

use std::borrow::Cow;

/// First characters a spreadsheet reads as the start of a formula (OWASP CSV injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a cell a spreadsheet shows as text: one that would start a formula gets a
/// leading `'`. For text only; figures the code writes (`-3.2`) must stay numbers.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn cells_that_would_start_a_formula_are_kept_as_text() {
        for (text, cell) in [
            (
                "=HYPERLINK(\"https://evil.example\",\"点击\")",
                "'=HYPERLINK(\"https://evil.example\",\"点击\")",
            ),
            ("+86 750 1234", "'+86 750 1234"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
        ] {
            assert_eq!(text_cell(text), cell);
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in [
            "",
            "面霜过敏",
            "TS-2026-000001",
            "a=b",
            "2026-01-05T00:00:00+00:00",
        ] {
            assert_eq!(text_cell(text), text);
        }
    }
}
