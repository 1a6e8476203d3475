//! Deadline policy: a table of versions, each effective from a date; a case uses the
//! version in force on the date it was received.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::{Due, WorkCalendar};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("期限策略格式错误：{0}")]
    Parse(String),
    #[error("期限策略表至少需要一个版本")]
    Empty,
    #[error("期限策略版本编号不能为空")]
    EmptyId,
    #[error("期限策略版本编号 {0} 重复")]
    DuplicateId(String),
    #[error("期限策略版本 {first} 与 {second} 的生效日期相同（{date}）")]
    DuplicateEffectiveFrom {
        first: String,
        second: String,
        date: NaiveDate,
    },
    #[error("期限策略版本 {id} 的 {field} 必须大于0")]
    ZeroDays { id: String, field: &'static str },
}

/// The clocks a case can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// 决定是否受理投诉
    Acceptance,
    /// 调解
    Mediation,
    /// 告知终止调解
    TerminationNotice,
    /// 举报核查、决定是否立案
    Verification,
    /// ODR 企业自行协商
    OdrNegotiation,
    /// 消费者评价
    Rating,
    /// 化妆品不良反应报告：一般
    AdverseGeneral,
    /// 化妆品不良反应报告：严重
    AdverseSerious,
    /// 化妆品不良反应报告：可能引起较大社会影响
    AdversePublicConcern,
}

impl Clock {
    pub const ALL: [Clock; 9] = [
        Clock::Acceptance,
        Clock::Mediation,
        Clock::TerminationNotice,
        Clock::Verification,
        Clock::OdrNegotiation,
        Clock::Rating,
        Clock::AdverseGeneral,
        Clock::AdverseSerious,
        Clock::AdversePublicConcern,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Clock::Acceptance => "受理决定",
            Clock::Mediation => "调解",
            Clock::TerminationNotice => "终止调解告知",
            Clock::Verification => "举报核查",
            Clock::OdrNegotiation => "ODR企业协商",
            Clock::Rating => "消费者评价",
            Clock::AdverseGeneral => "不良反应报告（一般）",
            Clock::AdverseSerious => "不良反应报告（严重）",
            Clock::AdversePublicConcern => "不良反应报告（较大社会影响）",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    Working,
    Calendar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct ClockLimit {
    pub days: u32,
    pub unit: DayUnit,
}

fn default_true() -> bool {
    true
}

/// One version of the deadline rules. `*_wd` are working days, `*_days` calendar days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyVersion {
    #[schema(example = "samr-order-121")]
    pub id: String,
    /// Title of the rule this version follows.
    #[serde(default)]
    pub name: String,
    pub effective_from: NaiveDate,
    pub acceptance_wd: u32,
    pub mediation_wd: u32,
    pub termination_notice_wd: u32,
    pub verification_wd: u32,
    pub odr_negotiation_wd: u32,
    pub rating_days: u32,
    pub adverse_general_days: u32,
    pub adverse_serious_days: u32,
    pub adverse_public_concern_days: u32,
    /// Whether testing/appraisal (检测鉴定) time pauses the mediation clock.
    #[serde(default = "default_true")]
    pub testing_pauses_mediation: bool,
    #[serde(default)]
    pub notes: String,
}

impl PolicyVersion {
    pub fn limit(&self, clock: Clock) -> ClockLimit {
        let (days, unit) = match clock {
            Clock::Acceptance => (self.acceptance_wd, DayUnit::Working),
            Clock::Mediation => (self.mediation_wd, DayUnit::Working),
            Clock::TerminationNotice => (self.termination_notice_wd, DayUnit::Working),
            Clock::Verification => (self.verification_wd, DayUnit::Working),
            Clock::OdrNegotiation => (self.odr_negotiation_wd, DayUnit::Working),
            Clock::Rating => (self.rating_days, DayUnit::Calendar),
            Clock::AdverseGeneral => (self.adverse_general_days, DayUnit::Calendar),
            Clock::AdverseSerious => (self.adverse_serious_days, DayUnit::Calendar),
            Clock::AdversePublicConcern => (self.adverse_public_concern_days, DayUnit::Calendar),
        };
        ClockLimit { days, unit }
    }

    /// Due date of `clock` started on `start` (the start day itself is not counted).
    /// Calendar-day clocks do not depend on the holiday calendar and are never provisional.
    pub fn due(&self, calendar: &WorkCalendar, clock: Clock, start: NaiveDate) -> Due {
        let limit = self.limit(clock);
        match limit.unit {
            DayUnit::Working => calendar.add_working_days(start, limit.days),
            DayUnit::Calendar => match start.checked_add_days(Days::new(u64::from(limit.days))) {
                Some(date) => Due {
                    date,
                    provisional: false,
                },
                None => Due {
                    date: NaiveDate::MAX,
                    provisional: true,
                },
            },
        }
    }

    fn check(&self) -> Result<(), PolicyError> {
        if self.id.trim().is_empty() {
            return Err(PolicyError::EmptyId);
        }
        let fields = [
            ("acceptance_wd", self.acceptance_wd),
            ("mediation_wd", self.mediation_wd),
            ("termination_notice_wd", self.termination_notice_wd),
            ("verification_wd", self.verification_wd),
            ("odr_negotiation_wd", self.odr_negotiation_wd),
            ("rating_days", self.rating_days),
            ("adverse_general_days", self.adverse_general_days),
            ("adverse_serious_days", self.adverse_serious_days),
            (
                "adverse_public_concern_days",
                self.adverse_public_concern_days,
            ),
        ];
        match fields.iter().find(|(_, days)| *days == 0) {
            Some((field, _)) => Err(PolicyError::ZeroDays {
                id: self.id.clone(),
                field,
            }),
            None => Ok(()),
        }
    }
}

/// All policy versions, sorted by `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PolicyTable {
    pub versions: Vec<PolicyVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    versions: Vec<PolicyVersion>,
}

const BUILTIN_POLICY: &str = include_str!("../../reference/policy.toml");

impl PolicyTable {
    /// The table shipped in `reference/policy.toml`.
    #[expect(
        clippy::expect_used,
        reason = "the built-in file is compiled in and parsed by a unit test"
    )]
    pub fn builtin() -> PolicyTable {
        PolicyTable::from_toml(BUILTIN_POLICY).expect("built-in policy file is valid")
    }

    pub fn from_toml(text: &str) -> Result<PolicyTable, PolicyError> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| PolicyError::Parse(e.message().to_string()))?;
        PolicyTable::new(file.versions)
    }

    /// Validates (ids unique and non-empty, no two versions on the same date, no zero
    /// limits) and sorts the versions.
    pub fn new(mut versions: Vec<PolicyVersion>) -> Result<PolicyTable, PolicyError> {
        if versions.is_empty() {
            return Err(PolicyError::Empty);
        }
        for (i, version) in versions.iter().enumerate() {
            version.check()?;
            if versions[..i].iter().any(|v| v.id == version.id) {
                return Err(PolicyError::DuplicateId(version.id.clone()));
            }
        }
        versions.sort_by_key(|v| v.effective_from);
        if let Some(pair) = versions
            .windows(2)
            .find(|w| w[0].effective_from == w[1].effective_from)
        {
            return Err(PolicyError::DuplicateEffectiveFrom {
                first: pair[0].id.clone(),
                second: pair[1].id.clone(),
                date: pair[1].effective_from,
            });
        }
        Ok(PolicyTable { versions })
    }

    /// The version in force on `received`; `None` before the first version.
    pub fn select(&self, received: NaiveDate) -> Option<&PolicyVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= received)
    }

    pub fn get(&self, id: &str) -> Option<&PolicyVersion> {
        self.versions.iter().find(|v| v.id == id)
    }

    /// The version a case was received under, or else the one in force on the day received.
    pub fn of_case(&self, version: &str, received: NaiveDate) -> Option<&PolicyVersion> {
        self.get(version).or_else(|| self.select(received))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    fn version_toml(id: &str, from: &str, acceptance: u32) -> String {
        format!(
            "[[versions]]\nid = \"{id}\"\neffective_from = \"{from}\"\nacceptance_wd = {acceptance}\n\
             mediation_wd = 45\ntermination_notice_wd = 7\nverification_wd = 15\n\
             odr_negotiation_wd = 10\nrating_days = 20\nadverse_general_days = 30\n\
             adverse_serious_days = 15\nadverse_public_concern_days = 3\n"
        )
    }

    #[test]
    fn builtin_defaults() {
        let table = PolicyTable::builtin();
        let ids: Vec<&str> = table.versions.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["samr-order-20", "samr-order-121"]);
        for v in &table.versions {
            let got: Vec<u32> = Clock::ALL.iter().map(|c| v.limit(*c).days).collect();
            assert_eq!(got, [7, 45, 7, 15, 10, 20, 30, 15, 3], "{}", v.id);
            assert!(v.testing_pauses_mediation);
        }
    }

    #[test]
    fn selection_by_received_date() {
        let table = PolicyTable::builtin();
        let id = |d: &str| table.select(date(d)).map(|v| v.id.as_str());
        assert_eq!(id("2019-12-31"), None);
        assert_eq!(id("2020-01-01"), Some("samr-order-20"));
        assert_eq!(id("2026-04-14"), Some("samr-order-20"));
        assert_eq!(id("2026-04-15"), Some("samr-order-121"));
        assert_eq!(id("2030-01-01"), Some("samr-order-121"));
        assert_eq!(
            table.get("samr-order-20").map(|v| v.effective_from),
            Some(date("2020-01-01"))
        );
    }

    #[test]
    fn versions_are_sorted_and_checked() {
        let text = format!(
            "{}\n{}",
            version_toml("b", "2024-01-01", 5),
            version_toml("a", "2021-01-01", 7)
        );
        let table = PolicyTable::from_toml(&text).expect("valid");
        assert_eq!(table.versions[0].id, "a");
        assert_eq!(
            table.select(date("2023-06-01")).map(|v| v.acceptance_wd),
            Some(7)
        );
        assert_eq!(
            table.select(date("2024-06-01")).map(|v| v.acceptance_wd),
            Some(5)
        );

        let dup = format!(
            "{}\n{}",
            version_toml("a", "2024-01-01", 5),
            version_toml("a", "2021-01-01", 7)
        );
        assert_eq!(
            PolicyTable::from_toml(&dup),
            Err(PolicyError::DuplicateId("a".into()))
        );
        let same_day = format!(
            "{}\n{}",
            version_toml("a", "2024-01-01", 5),
            version_toml("b", "2024-01-01", 7)
        );
        assert!(matches!(
            PolicyTable::from_toml(&same_day),
            Err(PolicyError::DuplicateEffectiveFrom { .. })
        ));
        let zero = version_toml("z", "2024-01-01", 0);
        assert!(matches!(
            PolicyTable::from_toml(&zero),
            Err(PolicyError::ZeroDays {
                field: "acceptance_wd",
                ..
            })
        ));
        assert_eq!(
            PolicyTable::from_toml("versions = []"),
            Err(PolicyError::Empty)
        );
        let typo = version_toml("t", "2024-01-01", 7).replace("mediation_wd", "mediaton_wd");
        assert!(matches!(
            PolicyTable::from_toml(&typo),
            Err(PolicyError::Parse(_))
        ));
        let empty_id = version_toml(" ", "2024-01-01", 7);
        assert_eq!(PolicyTable::from_toml(&empty_id), Err(PolicyError::EmptyId));
    }

    #[test]
    fn due_dates_per_clock() {
        let table = PolicyTable::builtin();
        let calendar = WorkCalendar::builtin();
        let received = date("2026-09-30");
        let Some(v) = table.select(received) else {
            panic!("a version applies");
        };
        let acceptance = v.due(&calendar, Clock::Acceptance, received);
        assert_eq!(
            (acceptance.date, acceptance.provisional),
            (date("2026-10-15"), false)
        );
        let rating = v.due(&calendar, Clock::Rating, received);
        assert_eq!(
            (rating.date, rating.provisional),
            (date("2026-10-20"), false)
        );
        let serious = v.due(&calendar, Clock::AdverseSerious, received);
        assert_eq!(serious.date, date("2026-10-15"));
        let mediation = v.due(&calendar, Clock::Mediation, date("2026-12-01"));
        assert!(mediation.provisional);
    }
}
