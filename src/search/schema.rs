//! The index schema: one document per case, text through the Chinese analyzer, everything
//! filterable as exact terms and fast fields. No complainant or reporter data goes in: free
//! text is masked (`domain::mask::mask_free_text`) before it is indexed or stored.

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::analyzer::ZH;
use crate::clock::china_date;
use crate::domain::mask_free_text;
use crate::store::search::CaseSource;

/// Bumped whenever the schema or what goes into a document changes; a stored index with
/// another version is rebuilt. (3: free text is masked before it is indexed.)
pub const SCHEMA_VERSION: u32 = 3;

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub case_id: Field,
    pub case_no: Field,
    pub kind: Field,
    pub state: Field,
    pub channel: Field,
    pub district: Field,
    pub nature: Field,
    pub category: Field,
    /// Every prefix of the category code, so a filter by prefix is one term.
    pub category_path: Field,
    pub respondent: Field,
    pub respondent_exact: Field,
    pub flags: Field,
    /// All of a case's flags in one sorted value (`-` for none): counting these few
    /// combinations is much cheaper than counting the multi-valued `flag` field.
    pub flag_set: Field,
    pub title: Field,
    pub description: Field,
    pub claim: Field,
    pub product: Field,
    pub brand: Field,
    /// Unix seconds; `received_day` is the China-time date as days since 1970-01-01.
    pub received_ts: Field,
    pub received_day: Field,
    pub closed_day: Field,
    pub amount_fen: Field,
    pub recovered_fen: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ZH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let exact = STRING | FAST | STORED;
    let fields = Fields {
        case_id: b.add_u64_field("case_id", INDEXED | FAST | STORED),
        case_no: b.add_text_field("case_no", STRING | STORED),
        kind: b.add_text_field("kind", exact.clone()),
        state: b.add_text_field("state", exact.clone()),
        channel: b.add_text_field("channel", exact.clone()),
        district: b.add_text_field("district", exact.clone()),
        nature: b.add_text_field("nature", exact.clone()),
        category: b.add_text_field("category", exact.clone()),
        category_path: b.add_text_field("category_path", STRING | FAST),
        respondent: b.add_text_field("respondent", text(false)),
        respondent_exact: b.add_text_field("respondent_exact", exact.clone()),
        flags: b.add_text_field("flag", STRING | FAST),
        flag_set: b.add_text_field("flag_set", STRING | FAST),
        title: b.add_text_field("title", text(true)),
        description: b.add_text_field("description", text(true)),
        claim: b.add_text_field("claim", text(false)),
        product: b.add_text_field("product", text(false)),
        brand: b.add_text_field("brand", text(false)),
        received_ts: b.add_i64_field("received_ts", INDEXED | FAST | STORED),
        received_day: b.add_i64_field("received_day", INDEXED | FAST),
        closed_day: b.add_i64_field("closed_day", INDEXED | FAST),
        amount_fen: b.add_i64_field("amount_fen", FAST),
        recovered_fen: b.add_i64_field("recovered_fen", FAST),
    };
    (b.build(), fields)
}

/// The `flag_set` value of these (sorted) flags.
pub fn flag_set_value(flags: &[String]) -> String {
    if flags.is_empty() {
        FLAG_SET_NONE.to_owned()
    } else {
        flags.join(FLAG_SET_SEPARATOR)
    }
}

pub const FLAG_SET_NONE: &str = "-";
pub const FLAG_SET_SEPARATOR: &str = " ";

/// Days since 1970-01-01 of a date (the fast-field form of calendar dates).
pub fn day_number(d: chrono::NaiveDate) -> i64 {
    (d - chrono::NaiveDate::default()).num_days()
}

pub fn document(f: &Fields, s: &CaseSource) -> TantivyDocument {
    let c = &s.case;
    let mut doc = TantivyDocument::default();
    doc.add_u64(f.case_id, c.id as u64);
    doc.add_text(f.case_no, &c.case_no);
    doc.add_text(f.kind, c.kind.as_str());
    doc.add_text(f.state, c.state.as_str());
    doc.add_text(f.channel, c.channel.as_str());
    doc.add_text(f.district, &c.district);
    doc.add_text(f.nature, &c.nature);
    let category = c.category.as_deref().unwrap_or("none");
    doc.add_text(f.category, category);
    let mut prefix = String::new();
    for part in category.split('.') {
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(part);
        doc.add_text(f.category_path, &prefix);
    }
    let respondent = s.respondent_name.as_deref().unwrap_or("");
    doc.add_text(f.respondent, respondent);
    doc.add_text(f.respondent_exact, respondent);
    let mut flags: Vec<String> = c
        .flags
        .iter()
        .map(|flag| flag.as_str().to_owned())
        .collect();
    if let Some(sev) = &s.severity {
        flags.push(format!("severity:{sev}"));
    }
    for flag in &flags {
        doc.add_text(f.flags, flag);
    }
    flags.sort();
    flags.dedup();
    doc.add_text(f.flag_set, flag_set_value(&flags));
    // Analysts read and search only the masked text: the raw digits never become tokens.
    let mask = |text: &str| mask_free_text(text, &s.person_names);
    doc.add_text(f.title, mask(&c.title));
    doc.add_text(f.description, mask(&c.description));
    if let Some(claim) = &c.claim {
        doc.add_text(f.claim, mask(claim));
    }
    if let Some(p) = &s.product {
        doc.add_text(f.product, p);
    }
    if let Some(b) = &s.brand {
        doc.add_text(f.brand, b);
    }
    let received = c.received_at.and_utc();
    doc.add_i64(f.received_ts, received.timestamp());
    doc.add_i64(f.received_day, day_number(china_date(received)));
    if let Some(closed) = c.closed_on {
        doc.add_i64(f.closed_day, day_number(closed));
    }
    doc.add_i64(f.amount_fen, c.purchase_amount_fen.unwrap_or(0));
    doc.add_i64(f.recovered_fen, s.recovered_fen);
    doc
}
