//! A strict reader of the Prometheus text exposition format (version 0.0.4): every line is a
//! `# HELP`, a `# TYPE` or a sample of a declared family, label names and escapes are
//! checked, no series appears twice, and a histogram's buckets are cumulative and end at
//! `+Inf` with its `_count`. Anything else panics, naming the line.

use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

#[derive(Debug, Default)]
pub struct Exposition {
    pub samples: Vec<Sample>,
    /// Family name → its type.
    pub types: BTreeMap<String, String>,
}

impl Exposition {
    /// The samples of `name` whose labels include every pair of `with`.
    pub fn matching<'a>(
        &'a self,
        name: &'a str,
        with: &'a [(&str, &str)],
    ) -> impl Iterator<Item = &'a Sample> {
        self.samples.iter().filter(move |s| {
            s.name == name
                && with
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    /// The sum of the matching samples (0 when none).
    pub fn sum(&self, name: &str, with: &[(&str, &str)]) -> f64 {
        self.matching(name, with).map(|s| s.value).sum()
    }

    /// The one sample of `name` with exactly these labels.
    pub fn value(&self, name: &str, with: &[(&str, &str)]) -> Option<f64> {
        let wanted: BTreeMap<String, String> = with
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.samples
            .iter()
            .find(|s| s.name == name && s.labels == wanted)
            .map(|s| s.value)
    }

    /// Every label value of every sample (`le` of histogram buckets left out).
    pub fn label_values(&self) -> Vec<&str> {
        self.samples
            .iter()
            .flat_map(|s| s.labels.iter())
            .filter(|(k, _)| k.as_str() != "le")
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn is_name(s: &str, colons: bool) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (colons && c == ':'))
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (colons && c == ':'))
}

/// Reads the whole text; panics on the first line that breaks the format.
pub fn parse(text: &str) -> Exposition {
    let mut out = Exposition::default();
    let mut helped = BTreeSet::new();
    let mut seen = BTreeSet::new();
    assert!(text.ends_with('\n'), "the exposition ends with a newline");
    for (n, line) in text.lines().enumerate() {
        let at = || format!("line {}: {line:?}", n + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (keyword, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            assert!(is_name(name, true), "bad family name, {}", at());
            match keyword {
                "HELP" => assert!(helped.insert(name.to_owned()), "second HELP, {}", at()),
                "TYPE" => {
                    let kind = parts.next().unwrap_or("");
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                        "unknown type, {}",
                        at()
                    );
                    assert!(
                        !out.samples
                            .iter()
                            .any(|s| family_of(&out.types, &s.name) == Some(name.to_owned())),
                        "TYPE after the family's samples, {}",
                        at()
                    );
                    assert!(
                        out.types.insert(name.to_owned(), kind.to_owned()).is_none(),
                        "second TYPE, {}",
                        at()
                    );
                }
                _ => panic!("a comment that is neither HELP nor TYPE, {}", at()),
            }
            continue;
        }
        let sample = sample(line).unwrap_or_else(|why| panic!("{why}, {}", at()));
        assert!(
            family_of(&out.types, &sample.name).is_some(),
            "a sample of no declared family, {}",
            at()
        );
        assert!(
            seen.insert((sample.name.clone(), sample.labels.clone())),
            "a series given twice, {}",
            at()
        );
        out.samples.push(sample);
    }
    check_histograms(&out);
    out
}

fn family_of(types: &BTreeMap<String, String>, sample: &str) -> Option<String> {
    if types.contains_key(sample) {
        return Some(sample.to_owned());
    }
    ["_bucket", "_sum", "_count"].iter().find_map(|suffix| {
        let base = sample.strip_suffix(suffix)?;
        matches!(
            types.get(base).map(String::as_str),
            Some("histogram" | "summary")
        )
        .then(|| base.to_owned())
    })
}

fn sample(line: &str) -> Result<Sample, String> {
    let name_end = line.find(['{', ' ']).ok_or("a sample without a value")?;
    let name = &line[..name_end];
    if !is_name(name, true) {
        return Err("bad metric name".into());
    }
    let mut rest = &line[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(body) = rest.strip_prefix('{') {
        let (parsed, after) = label_set(body)?;
        labels = parsed;
        rest = after;
    }
    let rest = rest.strip_prefix(' ').ok_or("no space before the value")?;
    let mut fields = rest.split(' ');
    let value = match fields.next().unwrap_or("") {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v.parse::<f64>().map_err(|_| format!("bad value {v:?}"))?,
    };
    if let Some(ts) = fields.next() {
        ts.parse::<i64>().map_err(|_| "bad timestamp")?;
    }
    if fields.next().is_some() {
        return Err("text after the timestamp".into());
    }
    Ok(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

/// Reads `name="value",…}`; returns the labels and the text after the brace.
fn label_set(mut text: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    loop {
        if let Some(after) = text.strip_prefix('}') {
            return Ok((labels, after));
        }
        let eq = text.find('=').ok_or("a label without =")?;
        let name = &text[..eq];
        if !is_name(name, false) || name.starts_with("__") {
            return Err(format!("bad label name {name:?}"));
        }
        let mut chars = text[eq + 1..].char_indices();
        if chars.next().map(|(_, c)| c) != Some('"') {
            return Err("an unquoted label value".into());
        }
        let mut value = String::new();
        let end = loop {
            match chars.next().ok_or("an unterminated label value")? {
                (i, '"') => break eq + 1 + i + 1,
                (_, '\\') => match chars.next().ok_or("a dangling escape")?.1 {
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    'n' => value.push('\n'),
                    c => return Err(format!("bad escape \\{c}")),
                },
                (_, '\n') => return Err("a raw newline in a label value".into()),
                (_, c) => value.push(c),
            }
        };
        if labels.insert(name.to_owned(), value).is_some() {
            return Err(format!("label {name} given twice"));
        }
        text = &text[end..];
        text = text.strip_prefix(',').unwrap_or(text);
    }
}

/// Each histogram series: buckets cumulative, ending at `+Inf` equal to `_count`.
fn check_histograms(e: &Exposition) {
    for (family, kind) in &e.types {
        if kind != "histogram" {
            continue;
        }
        let mut series: BTreeMap<BTreeMap<String, String>, Vec<(f64, f64)>> = BTreeMap::new();
        for s in e.matching(&format!("{family}_bucket"), &[]) {
            let mut key = s.labels.clone();
            let le = key
                .remove("le")
                .unwrap_or_else(|| panic!("{family} bucket without le"));
            let bound = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse()
                    .unwrap_or_else(|_| panic!("{family}: bad le {le:?}"))
            };
            series.entry(key).or_default().push((bound, s.value));
        }
        for (labels, mut buckets) in series {
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            assert!(
                buckets.windows(2).all(|w| w[0].1 <= w[1].1),
                "{family}{labels:?}: buckets not cumulative"
            );
            let (last, total) = *buckets.last().expect("a bucket");
            assert!(last.is_infinite(), "{family}{labels:?}: no +Inf bucket");
            let with: Vec<(&str, &str)> = labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            assert_eq!(
                e.value(&format!("{family}_count"), &with),
                Some(total),
                "{family}{labels:?}: +Inf bucket and _count differ"
            );
        }
    }
}
