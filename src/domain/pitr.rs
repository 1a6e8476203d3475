//! What a PostgreSQL server must be set to for base backups and point-in-time recovery
//! (`pg_basebackup` with WAL archiving): the rules `odrdesk backup --check` applies to the
//! settings it reads.

/// The settings read, in the order reported.
pub const SETTINGS: [&str; 4] = [
    "wal_level",
    "archive_mode",
    "archive_command",
    "max_wal_senders",
];

/// One setting as found, and whether it allows a base backup with WAL archiving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingCheck {
    pub name: String,
    /// `None`: the server did not report it.
    pub value: Option<String>,
    pub ok: bool,
    /// What it must be.
    pub needs: &'static str,
}

/// Judges each of `SETTINGS` against what the server reported as (name, value).
pub fn assess(found: &[(String, String)]) -> Vec<SettingCheck> {
    SETTINGS
        .iter()
        .map(|&name| {
            let value = found
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.trim().to_owned());
            let v = value.as_deref().unwrap_or("");
            let (ok, needs) = match name {
                "wal_level" => (matches!(v, "replica" | "logical"), "replica or logical"),
                "archive_mode" => (matches!(v, "on" | "always"), "on (or always)"),
                "archive_command" => (
                    !v.is_empty() && v != "(disabled)",
                    "a command that copies %p to the WAL archive",
                ),
                _ => (v.parse::<u32>().is_ok_and(|n| n >= 2), "at least 2"),
            };
            SettingCheck {
                name: name.to_owned(),
                value,
                ok,
                needs,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_default_server_lacks_archiving_and_a_configured_one_passes() {
        let default = assess(&found(&[
            ("wal_level", "replica"),
            ("archive_mode", "off"),
            ("archive_command", ""),
            ("max_wal_senders", "10"),
        ]));
        let bad: Vec<_> = default
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(bad, ["archive_mode", "archive_command"]);
        let ready = assess(&found(&[
            ("wal_level", "logical"),
            ("archive_mode", "on"),
            ("archive_command", "cp %p /wal/%f"),
            ("max_wal_senders", "2"),
        ]));
        assert!(ready.iter().all(|c| c.ok), "{ready:?}");
        let minimal = assess(&found(&[
            ("wal_level", "minimal"),
            ("max_wal_senders", "0"),
        ]));
        assert!(minimal.iter().all(|c| !c.ok), "{minimal:?}");
        assert_eq!(minimal[1].value, None);
    }
}
