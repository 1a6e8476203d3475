//! Counterfeits and IP infringement (measure 12): reports of the `counterfeit`, `ip_trademark`,
//! `ip_patent` and `ip_copyright` natures counted by nature, and how many were filed (立案).
//!
//! `tally` counts them for a whole region (the bulletin); `tally_by_business` counts them per
//! business, for any reader that rates businesses (a credit scorecard counts the filed ones
//! as findings against the business). Both are pure: the caller reads the reports.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::taxonomy::Nature;

/// One report of a counterfeit or IP nature, as a reader of the records found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding<'a> {
    /// The business reported: its USCC when known, else its name.
    pub business: &'a str,
    pub nature: Nature,
    /// The bureau filed a case (立案, the report reached `case_opened`).
    pub filed: bool,
}

/// Reports and filed cases of one nature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Counted {
    pub reports: u64,
    pub filed: u64,
}

impl Counted {
    fn add(&mut self, filed: bool) {
        self.reports += 1;
        self.filed += u64::from(filed);
    }
}

/// Counterfeit and IP reports by nature; other natures are not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CounterfeitIpTally {
    pub counterfeit: Counted,
    pub trademark: Counted,
    pub patent: Counted,
    pub copyright: Counted,
}

/// The counted natures, in the order the bulletin lists them.
pub const NATURES: [Nature; 4] = [
    Nature::Counterfeit,
    Nature::IpTrademark,
    Nature::IpPatent,
    Nature::IpCopyright,
];

impl CounterfeitIpTally {
    /// Counts one report; false (and nothing counted) for a nature outside the group.
    pub fn add(&mut self, nature: Nature, filed: bool) -> bool {
        let slot = match nature {
            Nature::Counterfeit => &mut self.counterfeit,
            Nature::IpTrademark => &mut self.trademark,
            Nature::IpPatent => &mut self.patent,
            Nature::IpCopyright => &mut self.copyright,
            _ => return false,
        };
        slot.add(filed);
        true
    }

    pub fn of(&self, nature: Nature) -> Counted {
        match nature {
            Nature::Counterfeit => self.counterfeit,
            Nature::IpTrademark => self.trademark,
            Nature::IpPatent => self.patent,
            Nature::IpCopyright => self.copyright,
            _ => Counted::default(),
        }
    }

    /// IP infringement alone (trademark, patent, copyright).
    pub fn ip(&self) -> Counted {
        [self.trademark, self.patent, self.copyright]
            .iter()
            .fold(Counted::default(), |a, c| Counted {
                reports: a.reports + c.reports,
                filed: a.filed + c.filed,
            })
    }

    /// Counterfeits and IP infringement together.
    pub fn total(&self) -> Counted {
        let ip = self.ip();
        Counted {
            reports: self.counterfeit.reports + ip.reports,
            filed: self.counterfeit.filed + ip.filed,
        }
    }
}

/// The region's counts over `findings`.
pub fn tally<'a>(findings: impl IntoIterator<Item = Finding<'a>>) -> CounterfeitIpTally {
    let mut t = CounterfeitIpTally::default();
    for f in findings {
        t.add(f.nature, f.filed);
    }
    t
}

/// The counts of each business with at least one counterfeit or IP report, keyed by
/// `Finding::business`.
pub fn tally_by_business<'a>(
    findings: impl IntoIterator<Item = Finding<'a>>,
) -> BTreeMap<String, CounterfeitIpTally> {
    let mut out: BTreeMap<String, CounterfeitIpTally> = BTreeMap::new();
    for f in findings
        .into_iter()
        .filter(|f| f.nature.is_counterfeit_or_ip())
    {
        out.entry(f.business.to_owned())
            .or_default()
            .add(f.nature, f.filed);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(business: &str, nature: Nature, filed: bool) -> Finding<'_> {
        Finding {
            business,
            nature,
            filed,
        }
    }

    #[test]
    fn counts_by_nature_and_filed_and_skips_other_natures() {
        let t = tally([
            f("A", Nature::Counterfeit, true),
            f("A", Nature::Counterfeit, false),
            f("B", Nature::IpTrademark, true),
            f("B", Nature::IpPatent, false),
            f("C", Nature::IpCopyright, true),
            f("C", Nature::Quality, true),
        ]);
        assert_eq!(
            t.counterfeit,
            Counted {
                reports: 2,
                filed: 1
            }
        );
        assert_eq!(
            t.of(Nature::IpTrademark),
            Counted {
                reports: 1,
                filed: 1
            }
        );
        assert_eq!(
            t.ip(),
            Counted {
                reports: 3,
                filed: 2
            }
        );
        assert_eq!(
            t.total(),
            Counted {
                reports: 5,
                filed: 3
            }
        );
    }

    #[test]
    fn per_business_counts_only_businesses_with_such_reports() {
        let by = tally_by_business([
            f("91440703MA4UJ5QX2U", Nature::Counterfeit, true),
            f("91440703MA4UJ5QX2U", Nature::IpTrademark, false),
            f("某商行", Nature::Quality, true),
        ]);
        assert_eq!(by.len(), 1);
        let t = by["91440703MA4UJ5QX2U"];
        assert_eq!(
            t.total(),
            Counted {
                reports: 2,
                filed: 1
            }
        );
        assert_eq!(t.counterfeit.filed, 1);
    }
}
