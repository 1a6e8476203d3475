//! Deadline policy: a table of versions, each effective from a date; a case uses the
//! version in force on the date it was received.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::{Due, WorkCalendar};
use super::grounds::{NotAcceptGround, TerminationGround, all_grounds};

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
    #[error("期限策略版本 {id} 的期限 {field} 的天数必须大于0")]
    ZeroDays { id: String, field: &'static str },
    #[error("期限策略版本 {id} 的 {list} 重复列出了 {code}")]
    DuplicateGround {
        id: String,
        list: &'static str,
        code: &'static str,
    },
    #[error("期限策略版本 {id} 的核查延长期限须与核查期限使用同一计算单位")]
    ExtensionUnit { id: String },
    #[error("回访抽样比例 follow_up_share 应为0至100（百分比），收到 {0}")]
    FollowUpShare(u32),
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

    /// The clock's key in `policy.toml`.
    pub fn key(self) -> &'static str {
        match self {
            Clock::Acceptance => "acceptance",
            Clock::Mediation => "mediation",
            Clock::TerminationNotice => "termination_notice",
            Clock::Verification => "verification",
            Clock::OdrNegotiation => "odr_negotiation",
            Clock::Rating => "rating",
            Clock::AdverseGeneral => "adverse_general",
            Clock::AdverseSerious => "adverse_serious",
            Clock::AdversePublicConcern => "adverse_public_concern",
        }
    }

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

impl DayUnit {
    /// "3 个工作日" or "3 天".
    pub fn count_zh(self, days: u64) -> String {
        match self {
            DayUnit::Working => format!("{days} 个工作日"),
            DayUnit::Calendar => format!("{days} 天"),
        }
    }
}

/// Days left on a clock, in the unit it counts; negative once overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct DaysLeft {
    pub days: i64,
    pub unit: DayUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct ClockLimit {
    pub days: u32,
    pub unit: DayUnit,
}

fn default_true() -> bool {
    true
}

/// What a version that does not state `verification_extension` grants: 15 working days,
/// as both Order 20 and Order 121 do (a policy table stored before the field existed).
fn default_verification_extension() -> ClockRule {
    ClockRule {
        days: 15,
        unit: DayUnit::Working,
        basis: "《市场监督管理行政处罚程序规定》第十八条".into(),
        last_day_off: None,
    }
}

/// One clock's length as a policy version states it, with the articles it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockRule {
    pub days: u32,
    pub unit: DayUnit,
    /// The articles the number comes from, shown where deadlines are explained.
    #[serde(default)]
    pub basis: String,
    /// Overrides the version's `last_day_off` for a clock another rule governs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_day_off: Option<LastDayOff>,
}

/// Every clock's rule in one policy version; each must be stated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockRules {
    pub acceptance: ClockRule,
    pub mediation: ClockRule,
    pub termination_notice: ClockRule,
    pub verification: ClockRule,
    pub odr_negotiation: ClockRule,
    pub rating: ClockRule,
    pub adverse_general: ClockRule,
    pub adverse_serious: ClockRule,
    pub adverse_public_concern: ClockRule,
}

impl ClockRules {
    pub fn rule(&self, clock: Clock) -> &ClockRule {
        match clock {
            Clock::Acceptance => &self.acceptance,
            Clock::Mediation => &self.mediation,
            Clock::TerminationNotice => &self.termination_notice,
            Clock::Verification => &self.verification,
            Clock::OdrNegotiation => &self.odr_negotiation,
            Clock::Rating => &self.rating,
            Clock::AdverseGeneral => &self.adverse_general,
            Clock::AdverseSerious => &self.adverse_serious,
            Clock::AdversePublicConcern => &self.adverse_public_concern,
        }
    }
}

/// Where a calendar-day period ends when its last day is a day off (Order 121 Art. 45).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LastDayOff {
    /// The period ends on its last day, whatever day that is.
    Kept,
    /// A last day in a statutory holiday moves to the next day that is not one.
    HolidaysOnly,
    /// A last day on a holiday or a weekend (not a make-up working day) moves to the next
    /// working day: how courts read 法定休假日.
    #[default]
    HolidaysAndWeekends,
}

/// One version of the deadline rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyVersion {
    #[schema(example = "samr-order-121")]
    pub id: String,
    /// Title of the rule this version follows.
    #[serde(default)]
    pub name: String,
    pub effective_from: NaiveDate,
    pub clocks: ClockRules,
    /// How far a supervisor's approval pushes a report's verification out, once; counted in
    /// the verification clock's unit.
    #[serde(default = "default_verification_extension")]
    pub verification_extension: ClockRule,
    /// How a calendar-day period whose last day is off work ends.
    #[serde(default)]
    pub last_day_off: LastDayOff,
    /// Whether testing/appraisal (检测鉴定) time pauses the mediation clock.
    #[serde(default = "default_true")]
    pub testing_pauses_mediation: bool,
    /// Order 121 Art. 41: the city's unified intake unit dispatches cases; a bureau without
    /// competence returns a case to it and may not transfer it to another bureau itself.
    #[serde(default)]
    pub unified_dispatch: bool,
    #[serde(default)]
    pub notes: String,
    /// 不予受理 grounds of this version with their articles. Left out, the law's list for
    /// this version id (the built-in file), or every code for an id it does not know.
    #[serde(default)]
    pub not_accept_grounds: Vec<NotAcceptGround>,
    /// 终止调解 grounds of this version with their articles; defaults as above.
    #[serde(default)]
    pub termination_grounds: Vec<TerminationGround>,
}

impl PolicyVersion {
    pub fn limit(&self, clock: Clock) -> ClockLimit {
        let rule = self.clocks.rule(clock);
        ClockLimit {
            days: rule.days,
            unit: rule.unit,
        }
    }

    /// Due date of `clock` started on `start` (the start day itself is not counted).
    pub fn due(&self, calendar: &WorkCalendar, clock: Clock, start: NaiveDate) -> Due {
        self.due_after_pauses(calendar, clock, start, 0)
    }

    /// Due date of `clock` started on `start` and paused for `paused` days in its own unit.
    pub fn due_after_pauses(
        &self,
        calendar: &WorkCalendar,
        clock: Clock,
        start: NaiveDate,
        paused: u32,
    ) -> Due {
        let limit = self.limit(clock);
        let days = limit.days.saturating_add(paused);
        match limit.unit {
            DayUnit::Working => calendar.add_working_days(start, days),
            DayUnit::Calendar => match start.checked_add_days(Days::new(u64::from(days))) {
                Some(last) => self.period_end(calendar, clock, last),
                None => Due {
                    date: NaiveDate::MAX,
                    provisional: true,
                },
            },
        }
    }

    /// Art. 45: the end of a calendar-day period whose last day is `last`.
    fn period_end(&self, calendar: &WorkCalendar, clock: Clock, last: NaiveDate) -> Due {
        let rule = self.clocks.rule(clock).last_day_off;
        match rule.unwrap_or(self.last_day_off) {
            LastDayOff::Kept => Due {
                date: last,
                provisional: false,
            },
            LastDayOff::HolidaysOnly => calendar.next_non_holiday(last),
            LastDayOff::HolidaysAndWeekends => calendar.next_working_day(last),
        }
    }

    /// Fills grounds lists left out: the built-in file's for the same id, else every code.
    fn with_default_grounds(mut self) -> PolicyVersion {
        if !self.not_accept_grounds.is_empty() && !self.termination_grounds.is_empty() {
            return self;
        }
        let builtin: Option<PolicyFile> = toml::from_str(BUILTIN_POLICY).ok();
        let law = builtin
            .and_then(|f| f.versions.into_iter().find(|v| v.id == self.id))
            .filter(|v| !v.not_accept_grounds.is_empty() && !v.termination_grounds.is_empty())
            .map(|v| (v.not_accept_grounds, v.termination_grounds));
        let (not_accept, termination) = law.unwrap_or_else(all_grounds);
        if self.not_accept_grounds.is_empty() {
            self.not_accept_grounds = not_accept;
        }
        if self.termination_grounds.is_empty() {
            self.termination_grounds = termination;
        }
        self
    }

    fn check(&self) -> Result<(), PolicyError> {
        if self.id.trim().is_empty() {
            return Err(PolicyError::EmptyId);
        }
        let duplicate = |list, codes: Vec<&'static str>| {
            let twice = codes
                .iter()
                .enumerate()
                .find(|(i, c)| codes[..*i].contains(c));
            match twice {
                Some((_, code)) => Err(PolicyError::DuplicateGround {
                    id: self.id.clone(),
                    list,
                    code,
                }),
                None => Ok(()),
            }
        };
        duplicate(
            "not_accept_grounds",
            self.not_accept_grounds
                .iter()
                .map(|g| g.code.as_str())
                .collect(),
        )?;
        duplicate(
            "termination_grounds",
            self.termination_grounds
                .iter()
                .map(|g| g.code.as_str())
                .collect(),
        )?;
        if let Some(clock) = Clock::ALL.iter().find(|c| self.limit(**c).days == 0) {
            return Err(PolicyError::ZeroDays {
                id: self.id.clone(),
                field: clock.key(),
            });
        }
        if self.verification_extension.days == 0 {
            return Err(PolicyError::ZeroDays {
                id: self.id.clone(),
                field: "verification_extension",
            });
        }
        if self.verification_extension.unit != self.clocks.verification.unit {
            return Err(PolicyError::ExtensionUnit {
                id: self.id.clone(),
            });
        }
        Ok(())
    }
}

/// All policy versions, sorted by `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PolicyTable {
    pub versions: Vec<PolicyVersion>,
    /// Share of settled complaints drawn for a follow-up visit (回访, Order 121 Art. 26), in
    /// percent; the city sets it in the policy file (`follow_up_share`, default 10).
    pub follow_up_share: u8,
}

fn default_follow_up_share() -> u32 {
    u32::from(super::aftercare::DEFAULT_FOLLOW_UP_SHARE)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default = "default_follow_up_share")]
    follow_up_share: u32,
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
        let share = u8::try_from(file.follow_up_share)
            .ok()
            .filter(|s| *s <= 100)
            .ok_or(PolicyError::FollowUpShare(file.follow_up_share))?;
        Ok(PolicyTable {
            follow_up_share: share,
            ..PolicyTable::new(file.versions)?
        })
    }

    /// Validates (ids unique and non-empty, no two versions on the same date, no zero
    /// limits, no ground listed twice), fills grounds lists left out, and sorts the versions.
    pub fn new(versions: Vec<PolicyVersion>) -> Result<PolicyTable, PolicyError> {
        if versions.is_empty() {
            return Err(PolicyError::Empty);
        }
        let mut versions: Vec<PolicyVersion> = versions
            .into_iter()
            .map(PolicyVersion::with_default_grounds)
            .collect();
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
        Ok(PolicyTable {
            versions,
            follow_up_share: super::aftercare::DEFAULT_FOLLOW_UP_SHARE,
        })
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
#[path = "policy_tests.rs"]
mod tests;
