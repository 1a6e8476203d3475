//! Where in the city an address is: the county-level district of a free-text address, by the
//! district's own name or one of its towns and streets (`reference/gazetteer.json`). Used to
//! route work orders imported from the 12315 platform, whose addresses are typed by people.

use std::sync::OnceLock;

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Gazetteer {
    pub version: String,
    #[serde(default)]
    pub source: String,
    pub districts: Vec<GazetteerDistrict>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GazetteerDistrict {
    pub code: String,
    /// The district's names as addresses write them, longest first ("蓬江区", "蓬江").
    pub names: Vec<String>,
    /// Towns (镇) and streets (街道) with their suffix.
    pub towns: Vec<String>,
}

/// How an address was placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub district: String,
    /// The name in the address that placed it.
    pub by: String,
}

static BUILTIN: OnceLock<Gazetteer> = OnceLock::new();

/// Town names without their suffix, for addresses that leave it out ("杜阮" for 杜阮镇).
fn bare(town: &str) -> &str {
    town.strip_suffix("街道")
        .or_else(|| town.strip_suffix('镇'))
        .unwrap_or(town)
}

impl Gazetteer {
    #[expect(
        clippy::expect_used,
        reason = "the built-in file is compiled in and parsed by a unit test"
    )]
    pub fn builtin() -> &'static Gazetteer {
        BUILTIN.get_or_init(|| {
            serde_json::from_str(include_str!("../../reference/gazetteer.json"))
                .expect("built-in gazetteer is valid")
        })
    }

    /// The district of `address`: a district name wins (the address says it outright), then
    /// a town with its suffix, then a bare town name that only one district has. An address
    /// naming two districts, or nothing known, is not placed: a person decides.
    pub fn locate(&self, address: &str) -> Option<Located> {
        let by_name: Vec<Located> = self
            .districts
            .iter()
            .filter_map(|d| {
                let name = d.names.iter().find(|n| address.contains(n.as_str()))?;
                Some(Located {
                    district: d.code.clone(),
                    by: name.clone(),
                })
            })
            .collect();
        if let Some(found) = one(by_name) {
            return found;
        }
        let by_town = self.matches(address, |t| t);
        if let Some(found) = one(by_town) {
            return found;
        }
        one(self.matches(address, bare)).flatten()
    }

    fn matches(&self, address: &str, form: fn(&str) -> &str) -> Vec<Located> {
        let mut found: Vec<Located> = Vec::new();
        for d in &self.districts {
            if let Some(t) = d.towns.iter().find(|t| address.contains(form(t)))
                && !found.iter().any(|f| f.district == d.code)
            {
                found.push(Located {
                    district: d.code.clone(),
                    by: t.clone(),
                });
            }
        }
        found
    }
}

/// `Some(Some(x))` for exactly one district, `Some(None)` for several (ambiguous: stop
/// looking), `None` for none (look further).
fn one(mut found: Vec<Located>) -> Option<Option<Located>> {
    match found.len() {
        0 => None,
        1 => Some(found.pop()),
        _ => {
            found.dedup_by(|a, b| a.district == b.district);
            Some(if found.len() == 1 { found.pop() } else { None })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(address: &str) -> Option<String> {
        Gazetteer::builtin().locate(address).map(|l| l.district)
    }

    #[test]
    fn addresses_are_placed_by_district_then_town() {
        assert_eq!(at("江门市蓬江区建设路1号").as_deref(), Some("440703"));
        assert_eq!(
            at("广东省江门市新会区会城今古洲").as_deref(),
            Some("440705")
        );
        assert_eq!(at("杜阮镇井根村").as_deref(), Some("440703"));
        assert_eq!(at("台山台城舜德路").as_deref(), Some("440781"));
        // 白沙 is a street of 蓬江 and a town of 台山: the suffix decides …
        assert_eq!(at("白沙街道甘化路").as_deref(), Some("440703"));
        assert_eq!(at("台山白沙镇").as_deref(), Some("440781"));
        // … and without it nobody can tell.
        assert_eq!(at("白沙某市场"), None);
        assert_eq!(at("广州市天河区"), None);
        // Two districts named: a person decides.
        assert_eq!(at("开平市与恩平市交界处"), None);
    }

    #[test]
    fn every_district_of_the_taxonomy_is_in_the_gazetteer() {
        let g = Gazetteer::builtin();
        for d in &super::super::Taxonomy::builtin().districts {
            assert!(g.districts.iter().any(|x| x.code == d.code), "{}", d.code);
        }
    }
}
