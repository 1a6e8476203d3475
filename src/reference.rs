//! The calendar and policy in force: built-in files overlaid with what administrators loaded
//! into the database. A snapshot is cheap to clone and is what use cases receive.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use crate::domain::documents::{DocumentSet, DocumentsError, DocumentsFile};
use crate::domain::{PolicyTable, Taxonomy, WorkCalendar, YearCalendar};
use crate::service::ServiceError;
use crate::store::{self, Db, StoreError, reference};

#[derive(Clone)]
pub struct Reference {
    pub calendar: Arc<WorkCalendar>,
    pub policy: Arc<PolicyTable>,
    /// The document templates, checked against `policy`.
    pub documents: Arc<DocumentSet>,
}

/// The templates compiled in (`reference/documents.toml`).
const BUILTIN_DOCUMENTS: &str = include_str!("../reference/documents.toml");

/// Reads document templates and checks them: every kind for every version of `policy`, a
/// numbering style for the city and each of its districts.
pub fn documents_from_toml(
    text: &str,
    policy: &PolicyTable,
) -> Result<DocumentSet, DocumentsError> {
    let file: DocumentsFile =
        toml::from_str(text).map_err(|e| DocumentsError::Parse(e.message().to_owned()))?;
    let versions: Vec<&str> = policy.versions.iter().map(|v| v.id.as_str()).collect();
    let taxonomy = Taxonomy::builtin();
    let bureaus: Vec<&str> = std::iter::once(taxonomy.city.code.as_str())
        .chain(taxonomy.districts.iter().map(|d| d.code.as_str()))
        .collect();
    DocumentSet::new(file, &versions, &bureaus)
}

/// The built-in templates for `policy`; a stored policy table with versions the built-in file
/// does not cover was refused when it was loaded, so this only fails in a broken build.
#[expect(
    clippy::expect_used,
    reason = "the built-in file is compiled in and checked against the built-in policy by a test"
)]
pub fn builtin_documents(policy: &PolicyTable) -> DocumentSet {
    documents_from_toml(BUILTIN_DOCUMENTS, policy)
        .or_else(|_| documents_from_toml(BUILTIN_DOCUMENTS, &PolicyTable::builtin()))
        .expect("built-in document templates are valid")
}

/// Shared, reloadable reference data (one per process).
#[derive(Clone)]
pub struct ReferenceData(Arc<RwLock<Reference>>);

impl ReferenceData {
    pub fn builtin() -> ReferenceData {
        ReferenceData(Arc::new(RwLock::new(Reference {
            calendar: Arc::new(WorkCalendar::builtin()),
            documents: Arc::new(builtin_documents(&PolicyTable::builtin())),
            policy: Arc::new(PolicyTable::builtin()),
        })))
    }

    pub fn snapshot(&self) -> Reference {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Rebuilds from the built-in files plus the database overrides.
    pub fn reload(&self, conn: &mut Db) -> Result<(), StoreError> {
        let fresh = load(conn)?;
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = fresh;
        Ok(())
    }
}

fn load(conn: &mut Db) -> Result<Reference, StoreError> {
    let mut calendar = WorkCalendar::builtin();
    for definition in reference::calendar_years(conn)? {
        // Stored definitions were validated when loaded; a bad row is skipped, not fatal.
        match YearCalendar::from_toml(&definition) {
            Ok(year) => {
                if let Err(e) = calendar.add_year(year) {
                    tracing::error!(error = %e, "stored calendar year rejected");
                }
            }
            Err(e) => tracing::error!(error = %e, "stored calendar year unreadable"),
        }
    }
    let policy = match reference::latest_policy_table(conn)? {
        Some(text) => PolicyTable::from_toml(&text).unwrap_or_else(|e| {
            tracing::error!(error = %e, "stored policy table unreadable; using built-in");
            PolicyTable::builtin()
        }),
        None => PolicyTable::builtin(),
    };
    let documents = match store::documents::latest_templates(conn)? {
        Some(text) => documents_from_toml(&text, &policy).unwrap_or_else(|e| {
            tracing::error!(error = %e, "stored document templates unusable; using built-in");
            builtin_documents(&policy)
        }),
        None => builtin_documents(&policy),
    };
    Ok(Reference {
        calendar: Arc::new(calendar),
        policy: Arc::new(policy),
        documents: Arc::new(documents),
    })
}

fn invalid(code: &'static str, message: String) -> ServiceError {
    ServiceError::Refused { code, message }
}

/// Validates and stores a calendar year (TOML, the format of `reference/calendar/`).
pub fn load_calendar_year(
    conn: &mut Db,
    toml_text: &str,
    now: DateTime<Utc>,
) -> Result<i32, ServiceError> {
    let year = YearCalendar::from_toml(toml_text)
        .map_err(|e| invalid("invalid_calendar", e.to_string()))?;
    WorkCalendar::builtin()
        .add_year(year.clone())
        .map_err(|e| invalid("invalid_calendar", e.to_string()))?;
    reference::save_calendar_year(conn, year.year, toml_text, now.naive_utc())?;
    Ok(year.year)
}

/// Validates and stores a whole policy table (TOML, the format of `reference/policy.toml`).
pub fn load_policy_table(
    conn: &mut Db,
    toml_text: &str,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let table =
        PolicyTable::from_toml(toml_text).map_err(|e| invalid("invalid_policy", e.to_string()))?;
    // Every version must have its documents: load templates for a new version first.
    let templates = store::documents::latest_templates(conn)?;
    documents_from_toml(templates.as_deref().unwrap_or(BUILTIN_DOCUMENTS), &table)
        .map_err(|e| invalid("invalid_policy", format!("{e}；请先载入该版本的文书模板")))?;
    reference::save_policy_table(conn, toml_text, now.naive_utc())?;
    Ok(table.versions.len())
}

/// Validates and stores document templates (TOML, the format of `reference/documents.toml`)
/// against the policy table in force.
pub fn load_document_templates(
    conn: &mut Db,
    toml_text: &str,
    now: DateTime<Utc>,
) -> Result<usize, ServiceError> {
    let policy = match reference::latest_policy_table(conn)? {
        Some(text) => PolicyTable::from_toml(&text).unwrap_or_else(|_| PolicyTable::builtin()),
        None => PolicyTable::builtin(),
    };
    let set = documents_from_toml(toml_text, &policy)
        .map_err(|e| invalid("invalid_documents", e.to_string()))?;
    store::documents::save_templates(conn, toml_text, now.naive_utc())?;
    Ok(set.file().templates.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_templates_cover_every_version_kind_and_bureau() {
        let set = documents_from_toml(BUILTIN_DOCUMENTS, &PolicyTable::builtin());
        assert!(set.is_ok(), "{:?}", set.err());
    }

    /// Every built-in template, filled with every value its kind has, cites its own order
    /// and never the other: Order 20's documents include the dispatch and return notices,
    /// which no Order 20 case reaches (only Order 121 has the unified intake unit).
    #[test]
    fn each_builtin_template_cites_only_its_own_order() {
        use std::collections::HashMap;

        use crate::domain::documents::{COMMON_FIELDS, DocKind};
        let policy = PolicyTable::builtin();
        let set = documents_from_toml(BUILTIN_DOCUMENTS, &policy).unwrap();
        let orders = [
            (
                "samr-order-20",
                "《市场监督管理投诉举报处理暂行办法》",
                ["《市场监督管理投诉举报处理办法》", "第121号令"],
            ),
            (
                "samr-order-121",
                "《市场监督管理投诉举报处理办法》",
                ["暂行办法", "第20号令"],
            ),
        ];
        for (version, cites, foreign) in orders {
            for kind in DocKind::ALL {
                let values: HashMap<&str, String> = COMMON_FIELDS
                    .iter()
                    .chain(kind.fields())
                    .map(|name| (*name, format!("〈{name}〉")))
                    .collect();
                let text = set
                    .render(version, *kind, "N".into(), "局", &values)
                    .unwrap();
                let all = [text.title, text.addressee]
                    .into_iter()
                    .chain(text.body)
                    .chain(text.notes)
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(all.contains(cites), "{version} {kind:?}: {all}");
                for other in foreign {
                    assert!(
                        !all.contains(other),
                        "{version} {kind:?} cites {other}: {all}"
                    );
                }
                assert!(!all.contains('{') && !all.contains('}'), "{all}");
                // Every value the kind offers is printed somewhere.
                for name in kind.fields() {
                    assert!(
                        all.contains(&format!("〈{name}〉")),
                        "{version} {kind:?} omits {{{name}}}"
                    );
                }
            }
        }
    }
}
