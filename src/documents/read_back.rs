//! Reading a stored document's text back out of the page it was issued as: the inverse of
//! `page` for the parts a client shows (title, number, addressee, paragraphs, notes, bureau
//! and date). Nothing is rendered again: the answer is what the frozen page says.

use crate::domain::documents::DocText;

/// The text of a page laid out by `super::page`; `None` if `html` is not such a page.
pub fn read_back(html: &str) -> Option<DocText> {
    let body = after(html, "<body>")?;
    Some(DocText {
        title: text(between(body, "<h1>", "</h1>")?),
        number: text(between(body, "<p class=\"number\">", "</p>")?),
        addressee: text(between(body, "<p class=\"addressee\">", "</p>")?),
        body: paragraphs(between(body, "<div class=\"body\">", "</div>")?),
        notes: between(body, "<div class=\"notes\">", "</div>").map_or_else(Vec::new, paragraphs),
        bureau: text(between(body, "<span class=\"bureau\">", "</span>")?),
        issued_on: text(between(body, "<span class=\"date\">", "</span>")?),
    })
}

fn after<'a>(s: &'a str, open: &str) -> Option<&'a str> {
    s.find(open).map(|at| &s[at + open.len()..])
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let rest = after(s, open)?;
    rest.find(close).map(|end| &rest[..end])
}

fn paragraphs(block: &str) -> Vec<String> {
    block
        .split("<p>")
        .skip(1)
        .filter_map(|p| p.split("</p>").next())
        .map(text)
        .collect()
}

/// The text of an escaped HTML fragment (the layout escapes every value).
fn text(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.trim();
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest.find(';').map(|end| (&rest[..=end], end));
        let decoded = entity.and_then(|(e, end)| entity_char(e).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity such as `&amp;`, `&#60;` or `&#x27;` stands for.
fn entity_char(entity: &str) -> Option<char> {
    let name = entity.strip_prefix('&')?.strip_suffix(';')?;
    let code = match name {
        "amp" => return Some('&'),
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        _ => name.strip_prefix('#')?,
    };
    let number = match code.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => code.parse().ok()?,
    };
    char::from_u32(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::documents::VerifyCode;

    #[test]
    fn the_issued_page_reads_back_to_its_text() {
        let text = DocText {
            title: "投诉受理决定书".into(),
            number: "江蓬市监投受〔2026〕第1号".into(),
            addressee: "张三：".into(),
            body: vec![
                "你于2026年5月6日提出的投诉<b>&amp;</b> \"面霜\" 'x' 已受理。".into(),
                "第二段 a < b > c & d".into(),
            ],
            notes: vec!["抄送：江门市美颜化妆品有限公司".into()],
            bureau: "江门市蓬江区市场监督管理局".into(),
            issued_on: "2026年5月6日".into(),
        };
        let code = VerifyCode::from_random([7; 8]);
        let html = super::super::page(&text, &code, "https://odr.example.cn", None).unwrap();
        let back = read_back(&html).unwrap();
        assert_eq!(back.title, text.title);
        assert_eq!(back.number, text.number);
        assert_eq!(back.addressee, text.addressee);
        assert_eq!(back.body, text.body);
        assert_eq!(back.notes, text.notes);
        assert_eq!(back.bureau, text.bureau);
        assert_eq!(back.issued_on, text.issued_on);
        let without_notes = DocText {
            notes: Vec::new(),
            ..text
        };
        let html =
            super::super::page(&without_notes, &code, "https://odr.example.cn", None).unwrap();
        assert!(read_back(&html).unwrap().notes.is_empty());
        assert!(read_back("<p>not a document</p>").is_none());
    }
}
