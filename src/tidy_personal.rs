//! Where personal data lives: every text column of every table is classified here, and a
//! new one fails the test until someone decides whether it holds personal data and, if so,
//! how `store::retention` removes it (ARCHITECTURE.md, "Personal data lives only in").

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How a text column is treated when a case's personal data goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Personal data of a case: `store::retention` clears or replaces it by name.
    Personal,
    /// The whole row is personal and deleted with its case.
    CaseRows,
    /// Personal data in the event log: moved by `domain::event_personal` (`split`,
    /// `split_reason`) into `event_personal` when written or upgraded, whose rows
    /// `store::event_personal::forget` deletes; the column keeps only codes and figures.
    EventLog,
    /// Kept only for a short period, then deleted by the retention pass.
    Ephemeral,
    /// About staff accounts and their own work, not about complainants or reporters.
    Staff,
    /// Codes, figures, hashes, business data and reference data: no personal data.
    NotPersonal,
}

use Class::*;

/// Tables whose every column is of one class (new columns included).
const TABLES: &[(&str, Class)] = &[
    ("attachments", CaseRows),
    ("event_personal", EventLog),
    ("idempotency_keys", Ephemeral),
    ("outbox", Ephemeral),
    ("webhook_deliveries", Ephemeral),
    ("phone_codes", Ephemeral),
    ("phone_sessions", Ephemeral),
    ("sessions", Ephemeral),
    ("email_verifications", Ephemeral),
    ("wechat_grants", Ephemeral),
    ("users", Staff),
    ("exports", Staff),
    ("bulletins", NotPersonal),
    ("warnings", NotPersonal),
    ("calendar_years", NotPersonal),
    ("policy_tables", NotPersonal),
    ("document_templates", NotPersonal),
    ("document_counters", NotPersonal),
    ("case_counters", NotPersonal),
    ("history_aggregates", NotPersonal),
    ("job_leases", NotPersonal),
    ("api_keys", NotPersonal),
    ("enterprise_api_keys", NotPersonal),
    ("webhook_endpoints", NotPersonal),
    ("enterprises", NotPersonal),
    ("user_bureaus", NotPersonal),
    ("referrals", NotPersonal),
    ("case_links", NotPersonal),
    ("case_products", NotPersonal),
    ("case_screening", NotPersonal),
    ("case_anonymisations", NotPersonal),
    ("work_orders", NotPersonal),
    ("work_order_imports", Staff),
];

/// Text columns classified one by one, in tables that mix personal data with figures.
const COLUMNS: &[(&str, &str, Class)] = &[
    ("cases", "title", Personal),
    ("cases", "description", Personal),
    ("cases", "claim", Personal),
    ("cases", "purchase_order_no", Personal),
    ("cases", "consumer_openid", Personal),
    ("cases", "case_no", NotPersonal),
    ("cases", "kind", NotPersonal),
    ("cases", "state", NotPersonal),
    ("cases", "tracking_token_hash", NotPersonal),
    ("cases", "channel", NotPersonal),
    ("cases", "policy_version", NotPersonal),
    ("cases", "district", NotPersonal),
    ("cases", "category", NotPersonal),
    ("cases", "nature", NotPersonal),
    ("cases", "purchase_platform", NotPersonal),
    ("cases", "flags", NotPersonal),
    ("cases", "last_event_hash", NotPersonal),
    ("cases", "respondent_uscc", NotPersonal),
    ("cases", "respondent_name", NotPersonal),
    ("case_parties", "name", Personal),
    ("case_parties", "phone", Personal),
    ("case_parties", "email", Personal),
    ("case_parties", "address", Personal),
    ("case_parties", "id_number", Personal),
    ("case_parties", "role", NotPersonal),
    ("case_parties", "uscc", NotPersonal),
    ("case_parties", "district", NotPersonal),
    ("case_parties", "platform", NotPersonal),
    ("adverse_reactions", "symptoms", Personal),
    ("adverse_reactions", "treatment", Personal),
    ("adverse_reactions", "allergy_history", Personal),
    ("adverse_reactions", "body_site", NotPersonal),
    ("adverse_reactions", "severity", NotPersonal),
    ("case_rights_holders", "contact_name", Personal),
    ("case_rights_holders", "contact_phone", Personal),
    ("case_rights_holders", "uscc", NotPersonal),
    ("case_rights_holders", "name", NotPersonal),
    ("case_disclosures", "reply", Personal),
    ("case_disclosures", "refusal_reason", Personal),
    ("case_disclosures", "published_reply", Personal),
    ("case_disclosures", "review", NotPersonal),
    ("case_disclosures", "reviewed_by", Staff),
    ("documents", "fields", Personal),
    ("documents", "html", Personal),
    ("documents", "pdf_sha256", Personal),
    ("documents", "kind", NotPersonal),
    ("documents", "policy_version", NotPersonal),
    ("documents", "bureau", NotPersonal),
    ("documents", "number", NotPersonal),
    ("documents", "title", NotPersonal),
    ("documents", "audience", NotPersonal),
    ("documents", "verify_code", NotPersonal),
    ("documents", "sha256", NotPersonal),
    ("case_events", "reason", EventLog),
    ("case_events", "payload", EventLog),
    ("case_events", "actor", EventLog),
    ("case_events", "kind", NotPersonal),
    ("case_events", "actor_role", NotPersonal),
    ("case_events", "from_state", NotPersonal),
    ("case_events", "to_state", NotPersonal),
    ("case_events", "prev_hash", NotPersonal),
    ("case_events", "hash", NotPersonal),
    // SHA-256 over a random salt and the part: gives back no short value such as a phone.
    ("case_events", "personal_digest", NotPersonal),
];

/// What moves the personal part of each `EventLog` column of `case_events` out of it, in
/// the two places that write it (`store::events::append`, `store::chain_upgrade::rewrite`).
const EVENT_LOG_SPLITS: &[(&str, &str)] = &[
    ("reason", "split_reason("),
    ("payload", "split("),
    ("actor", "split("),
];

/// `(table, column)` of every `Text` or `Nullable<Text>` column declared in `src/store/`.
fn text_columns(root: &Path) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let dir = root.join("src/store");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("src/store")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let mut lines = text.lines().map(str::trim);
        while let Some(line) = lines.next() {
            if line != "diesel::table! {" {
                continue;
            }
            // The table's doc comments and attributes come before its name.
            let Some(header) = lines
                .by_ref()
                .find(|l| !l.starts_with("///") && !l.starts_with("#["))
            else {
                break;
            };
            let table = header.split([' ', '(']).next().unwrap_or("").to_owned();
            for col in lines.by_ref() {
                if col.starts_with('}') {
                    break;
                }
                if let Some((name, ty)) = col.split_once("->")
                    && ty.contains("Text")
                {
                    out.insert((table.clone(), name.trim().to_owned()));
                }
            }
        }
    }
    out
}

fn class_of(table: &str, column: &str) -> Option<Class> {
    TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, c)| *c)
        .or_else(|| {
            COLUMNS
                .iter()
                .find(|(t, c, _)| *t == table && *c == column)
                .map(|(_, _, c)| *c)
        })
}

#[test]
fn tidy_every_text_column_is_classified_for_personal_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let columns = text_columns(root);
    assert!(columns.len() > 100, "the schema parser found too little");
    assert!(
        columns.contains(&("event_personal".to_owned(), "content".to_owned())),
        "a table with a doc comment is read under its own name"
    );
    let unclassified: Vec<_> = columns
        .iter()
        .filter(|(t, c)| class_of(t, c).is_none())
        .collect();
    assert!(
        unclassified.is_empty(),
        "text columns not classified in src/tidy_personal.rs (does it hold personal data? \
         then remove it in store::retention too): {unclassified:?}"
    );
    let stale: Vec<_> = COLUMNS
        .iter()
        .filter(|(t, c, _)| !columns.contains(&((*t).to_owned(), (*c).to_owned())))
        .collect();
    assert!(
        stale.is_empty(),
        "classified columns that no longer exist: {stale:?}"
    );

    // The event log's personal columns go through the split wherever they are written, and
    // the split's parts are what `forget` deletes.
    let writers = ["src/store/events.rs", "src/store/chain_upgrade.rs"]
        .map(|f| std::fs::read_to_string(root.join(f)).expect("read"));
    for (t, c) in &columns {
        if t != "case_events" || class_of(t, c) != Some(EventLog) {
            continue;
        }
        let split = EVENT_LOG_SPLITS
            .iter()
            .find(|(col, _)| col == c)
            .map(|(_, f)| *f);
        assert!(
            split.is_some_and(|f| writers.iter().all(|w| w.contains(f))),
            "case_events.{c} is classified as event-log personal data, but nothing splits it"
        );
    }
    let forget = std::fs::read_to_string(root.join("src/store/event_personal.rs")).expect("read");
    assert!(
        forget.contains("pub fn forget") && forget.contains("diesel::delete("),
        "store::event_personal::forget deletes the event log's personal parts"
    );

    // Everything personal is handled by the anonymisation or the retention pass.
    let retention = ["src/store/retention.rs", "src/store/documents.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(root.join(f)).expect("read"))
        .collect::<String>();
    let mut by_table: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (t, c) in &columns {
        match class_of(t, c) {
            Some(Personal) if !retention.contains(&format!("{t}::{c}")) => {
                by_table.entry(t).or_default().push(c);
            }
            Some(CaseRows | Ephemeral) if !retention.contains(&format!("{t}::")) => {
                by_table.entry(t).or_default().push("(rows)");
            }
            _ => {}
        }
    }
    assert!(
        by_table.is_empty(),
        "personal data that store::retention never removes: {by_table:?}"
    );
}
