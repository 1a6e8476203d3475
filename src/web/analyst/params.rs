//! The analyst pages' query string: every filter as typed (so forms re-render it), turned into
//! the index's `Filters` with Chinese messages, and links that change one value.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::intake::FieldIssue;
use crate::search::query::Filters;
use crate::service::ServiceError;
use crate::service::analysis::check_filter_dates;

/// The filter fields of `search::query::Filters`, as named in the query string.
pub const FILTER_KEYS: [&str; 10] = [
    "q",
    "from",
    "to",
    "category",
    "nature",
    "district",
    "respondent",
    "state",
    "flag",
    "kind",
];

/// Page options besides the filters.
const OPTION_KEYS: [&str; 10] = [
    "sort",
    "cursor",
    "interval",
    "by",
    "baseline_from",
    "baseline_to",
    "min_count",
    "week_of",
    "baseline_weeks",
    "threshold",
];

/// Longest query text accepted; longer input is refused rather than cut.
const MAX_QUERY_CHARS: usize = 200;

/// Known query-string values, trimmed, empty ones dropped; the first of a repeated name wins.
#[derive(Debug, Clone, Default)]
pub struct Params(BTreeMap<&'static str, String>);

impl Params {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Params {
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            let known = FILTER_KEYS
                .iter()
                .chain(OPTION_KEYS.iter())
                .find(|k| **k == name);
            let value = value.trim();
            if let Some(key) = known
                && !value.is_empty()
            {
                values.entry(*key).or_insert_with(|| value.to_owned());
            }
        }
        Params(values)
    }

    /// A query string; anything unreadable counts as absent.
    pub fn from_query(query: &str) -> Params {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        Params::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    /// A copy with `name` set (or removed when `value` is empty).
    pub fn with(&self, name: &str, value: &str) -> Params {
        let mut next = self.clone();
        if let Some(key) = FILTER_KEYS
            .iter()
            .chain(OPTION_KEYS.iter())
            .find(|k| **k == name)
        {
            if value.is_empty() {
                next.0.remove(key);
            } else {
                next.0.insert(key, value.to_owned());
            }
        }
        next
    }

    /// Only the filters (no paging, sorting or chart options).
    pub fn filters_only(&self) -> Params {
        Params(
            self.0
                .iter()
                .filter(|(k, _)| FILTER_KEYS.contains(k))
                .map(|(k, v)| (*k, v.clone()))
                .collect(),
        )
    }

    /// The filters as name/value pairs, for hidden fields.
    pub fn filter_pairs(&self) -> Vec<(&'static str, &str)> {
        self.0
            .iter()
            .filter(|(k, _)| FILTER_KEYS.contains(k))
            .map(|(k, v)| (*k, v.as_str()))
            .collect()
    }

    /// `path?…` with every value percent-encoded.
    pub fn url(&self, path: &str) -> String {
        let pairs: Vec<(&str, &str)> = self.0.iter().map(|(k, v)| (*k, v.as_str())).collect();
        match serde_urlencoded::to_string(pairs) {
            Ok(q) if !q.is_empty() => format!("{path}?{q}"),
            _ => path.to_owned(),
        }
    }

    /// The search filters, or every problem with them; dates are checked against the bounds
    /// the API sets (`service::analysis::check_filter_dates`) as of `today`.
    pub fn filters(&self, today: NaiveDate) -> Result<Filters, Vec<FieldIssue>> {
        let mut issues = Vec::new();
        let from = self.date("from", &mut issues);
        let to = self.date("to", &mut issues);
        let dates = Filters {
            from,
            to,
            ..Filters::default()
        };
        if let Err(ServiceError::Invalid(refused)) = check_filter_dates(&dates, today) {
            issues.extend(refused);
        }
        if self.get("q").chars().count() > MAX_QUERY_CHARS {
            issues.push(issue("q", "too_long", "查询内容不能超过200个字"));
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        let text = |name: &str| Some(self.get(name).to_owned()).filter(|v| !v.is_empty());
        Ok(Filters {
            q: text("q"),
            from,
            to,
            category: text("category"),
            nature: text("nature"),
            district: text("district"),
            respondent: text("respondent"),
            state: text("state"),
            flag: text("flag"),
            kind: text("kind"),
        })
    }

    /// A date field; a malformed one adds an issue.
    pub fn date(&self, name: &str, issues: &mut Vec<FieldIssue>) -> Option<NaiveDate> {
        match self.get(name) {
            "" => None,
            raw => match raw.parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    issues.push(issue(name, "date", "请按 2026-11-20 的格式填写日期"));
                    None
                }
            },
        }
    }

    /// The filters as the JSON object `POST /api/v1/exports` takes, recorded with an export.
    pub fn filters_json(&self) -> String {
        let object: serde_json::Map<String, serde_json::Value> = self
            .filter_pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), serde_json::Value::from(v)))
            .collect();
        serde_json::Value::Object(object).to_string()
    }
}

pub fn issue(field: &str, code: &str, message: &str) -> FieldIssue {
    FieldIssue {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_filters_and_encode_values() {
        let p = Params::from_query("q=%E9%9D%A2%E8%86%9C&district=440703&junk=1&from=");
        assert_eq!(p.get("q"), "面膜");
        assert_eq!(p.get("from"), "");
        let url = p.with("cursor", "1_2").url("/analyst/search");
        assert_eq!(
            url,
            "/analyst/search?cursor=1_2&district=440703&q=%E9%9D%A2%E8%86%9C"
        );
        assert_eq!(p.with("q", "").url("/a"), "/a?district=440703");
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    #[test]
    fn bad_dates_are_field_issues() {
        let p = Params::from_query("from=2026-13-01&to=2026-01-01");
        let issues = p.filters(today()).unwrap_err();
        assert_eq!(issues[0].field, "from");
        let p = Params::from_query("from=2026-02-01&to=2026-01-01");
        assert_eq!(p.filters(today()).unwrap_err()[0].code, "date_order");
        let ok = Params::from_query("from=2026-01-01&kind=report")
            .filters(today())
            .unwrap();
        assert_eq!(ok.kind.as_deref(), Some("report"));
    }

    #[test]
    fn dates_past_the_bounds_are_field_issues() {
        for (query, field) in [
            ("from=1999-12-31", "from"),
            ("to=2027-11-21", "to"),
            ("to=-262143-01-01", "to"),
            ("from=%2B262142-12-31", "from"),
        ] {
            let issues = Params::from_query(query).filters(today()).unwrap_err();
            assert_eq!(
                (issues[0].field.as_str(), issues[0].code.as_str()),
                (field, "date_range"),
                "{query}"
            );
        }
        assert!(
            Params::from_query("from=2000-01-01&to=2027-11-20")
                .filters(today())
                .is_ok()
        );
    }
}
