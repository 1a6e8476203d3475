//! Quarterly credit scorecards of cosmetics and beauty businesses (化妆品行业信用监管): the
//! quarter, the sector a business is compared within, the city's grading method (`[scorecard]`
//! in the configuration file) and `grade`, the one computation of a grade. The method's
//! printed text is generated from the same values (`Method::explain`), so what a page says
//! and what was computed cannot disagree.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::FieldError;

/// Natures of a filed report that count as a counterfeit or IP finding: `counterfeit`
/// (假冒) from the taxonomy, and the IP natures (商标、专利、著作权侵权) the taxonomy adds for
/// IP complaints. This list is the one place that says which natures these are; a nature
/// the taxonomy does not (yet) have simply never occurs.
pub const COUNTERFEIT_IP_NATURES: [&str; 4] =
    ["counterfeit", "ip_trademark", "ip_patent", "ip_copyright"];

/// Whether a report of `nature` is a counterfeit or IP finding once filed.
pub fn is_counterfeit_or_ip(nature: &str) -> bool {
    COUNTERFEIT_IP_NATURES.contains(&nature)
}

/// A calendar quarter in China dates: `2026Q3` (also read as `2026-Q3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    q: u32,
}

impl Quarter {
    pub fn new(year: i32, q: u32) -> Option<Quarter> {
        ((2000..=2200).contains(&year) && (1..=4).contains(&q)).then_some(Quarter { year, q })
    }

    /// The quarter a China date falls in.
    pub fn of(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            q: d.month0() / 3 + 1,
        }
    }

    pub fn from(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or_default()
    }

    /// The last day, inclusive.
    pub fn to(self) -> NaiveDate {
        self.from()
            .checked_add_months(Months::new(3))
            .and_then(|d| d.pred_opt())
            .unwrap_or_default()
    }

    pub fn previous(self) -> Quarter {
        match self.q {
            1 => Quarter {
                year: self.year - 1,
                q: 4,
            },
            q => Quarter { q: q - 1, ..self },
        }
    }

    /// `2026年第3季度`.
    pub fn label_zh(self) -> String {
        format!("{}年第{}季度", self.year, self.q)
    }
}

impl FromStr for Quarter {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || FieldError::new("invalid_quarter", "季度应写作 2026Q3 (quarter like 2026Q3)");
        let s = s.trim();
        let (y, q) = s.split_once(['Q', 'q']).ok_or_else(bad)?;
        let y = y.strip_suffix('-').unwrap_or(y);
        let all_digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
        if !all_digits(y) || !all_digits(q) || y.len() != 4 || q.len() != 1 {
            return Err(bad());
        }
        let year = y.parse().map_err(|_| bad())?;
        let q = q.parse().map_err(|_| bad())?;
        Quarter::new(year, q).ok_or_else(bad)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

impl Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The sector a business is compared within. A case is cosmetics when its category is under
/// `goods.cosmetics`, beauty when it is `services.beauty_salon` (reference/taxonomy.json).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Cosmetics,
    Beauty,
}

impl Sector {
    pub const COSMETICS_PREFIX: &'static str = "goods.cosmetics";
    pub const BEAUTY_CATEGORY: &'static str = "services.beauty_salon";

    pub fn of_category(category: Option<&str>) -> Option<Sector> {
        let c = category?;
        let under = |root: &str| {
            c.strip_prefix(root)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        };
        if under(Self::COSMETICS_PREFIX) {
            Some(Sector::Cosmetics)
        } else if under(Self::BEAUTY_CATEGORY) {
            Some(Sector::Beauty)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Cosmetics => "cosmetics",
            Sector::Beauty => "beauty",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Sector::Cosmetics => "化妆品",
            Sector::Beauty => "美容美发",
        }
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Grade::A => "A 级（信用良好）",
            Grade::B => "B 级（信用较好）",
            Grade::C => "C 级（信用一般）",
            Grade::D => "D 级（信用较差）",
        }
    }
}

/// A count out of a count; `None` as a rate when nothing was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Share {
    pub numerator: u64,
    pub denominator: u64,
}

impl Share {
    pub fn count(&mut self, hit: bool) {
        self.numerator += u64::from(hit);
        self.denominator += 1;
    }

    pub fn rate(self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }
}

/// Everything a grade is computed from: one business, one quarter.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct GradeInputs {
    /// Complaints against the business received in the quarter, in its sector's categories.
    pub complaints: u64,
    /// Median complaints of the sector's businesses with at least one complaint.
    pub sector_median: Option<f64>,
    /// ODR complaints answered by the business, of those where it had its chance.
    pub response: Share,
    /// Complaints settled, of those ended (settled, terminated, not accepted).
    pub settlement: Share,
    /// Reports against the business filed as cases (立案) in the quarter.
    pub violations: u64,
    /// Of those, counterfeit or IP findings (`COUNTERFEIT_IP_NATURES`).
    pub counterfeit_ip: u64,
    /// Adverse-reaction referrals opened in the quarter from complaints against it.
    pub adverse_referrals: u64,
    /// A 放心消费 or 线下无理由退货 commitment unit.
    pub commitment_unit: bool,
}

/// The city's grading method: `[scorecard]` in the configuration file; every key may be
/// left out (the defaults below). Points are deducted from `base`, the commitment bonus
/// added, the score kept within 0 and `base`, and the grade read from the thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Method {
    pub base: f64,
    /// Points per median above the sector's median (complaints / median − 1).
    pub complaints_weight: f64,
    pub complaints_cap: f64,
    /// Points × (1 − on-time response rate).
    pub response_weight: f64,
    /// Points × (1 − settlement rate).
    pub settlement_weight: f64,
    /// Points per report filed as a case.
    pub violation_points: f64,
    /// Further points per counterfeit or IP finding.
    pub counterfeit_ip_points: f64,
    /// Points per adverse-reaction referral, up to the cap.
    pub referral_points: f64,
    pub referral_cap: f64,
    /// Points added for a commitment unit.
    pub commitment_bonus: f64,
    /// Lowest scores of grades A, B and C; below C is D.
    pub grade_a: f64,
    pub grade_b: f64,
    pub grade_c: f64,
}

impl Default for Method {
    fn default() -> Self {
        Method {
            base: 100.0,
            complaints_weight: 10.0,
            complaints_cap: 30.0,
            response_weight: 20.0,
            settlement_weight: 20.0,
            violation_points: 15.0,
            counterfeit_ip_points: 10.0,
            referral_points: 2.0,
            referral_cap: 10.0,
            commitment_bonus: 5.0,
            grade_a: 90.0,
            grade_b: 75.0,
            grade_c: 60.0,
        }
    }
}

/// One line of a score: what it is and the points it gave (negative: deducted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Item {
    pub key: String,
    pub label: String,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub score: f64,
    pub grade: Grade,
    pub items: Vec<Item>,
}

fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A number as the method's text prints it: `10`, `2.5`.
pub fn num(x: f64) -> String {
    let t = tenth(x);
    if t.fract() == 0.0 {
        format!("{t:.0}")
    } else {
        format!("{t:.1}")
    }
}

impl Method {
    /// Refuses a method that could not grade: negative or non-finite values, or thresholds
    /// out of order.
    pub fn check(&self) -> Result<(), String> {
        let all = [
            self.base,
            self.complaints_weight,
            self.complaints_cap,
            self.response_weight,
            self.settlement_weight,
            self.violation_points,
            self.counterfeit_ip_points,
            self.referral_points,
            self.referral_cap,
            self.commitment_bonus,
            self.grade_a,
            self.grade_b,
            self.grade_c,
        ];
        if all.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err("[scorecard] 的分值和阈值应为非负数".into());
        }
        if !(self.grade_c <= self.grade_b
            && self.grade_b <= self.grade_a
            && self.grade_a <= self.base)
        {
            return Err("[scorecard] 应满足 grade_c ≤ grade_b ≤ grade_a ≤ base".into());
        }
        Ok(())
    }

    /// The method in words, from the values it computes with.
    pub fn explain(&self) -> Vec<String> {
        vec![
            format!(
                "基础分 {} 分，按下列各项扣分或加分，得分不低于 0 分、不高于 {} 分。",
                num(self.base),
                num(self.base)
            ),
            format!(
                "投诉量：与同类经营者（化妆品或美容美发，本季度至少有 1 件投诉的经营者）投诉件数的中位数比较，每高出中位数 1 倍扣 {} 分（按比例计算），最多扣 {} 分；不高于中位数的不扣分。",
                num(self.complaints_weight),
                num(self.complaints_cap)
            ),
            format!(
                "按时响应率：经营者在 ODR 协商期限内答复的件数 ÷ 已答复或协商期限已届满的 ODR 投诉件数；扣 {} ×（1 − 响应率）分，没有可计算的投诉不扣分。",
                num(self.response_weight)
            ),
            format!(
                "和解率：达成和解的件数 ÷ 已办结（和解、终止调解、不予受理）的投诉件数；扣 {} ×（1 − 和解率）分，没有已办结的投诉不扣分。",
                num(self.settlement_weight)
            ),
            format!(
                "查实违法：本季度作出立案决定的举报，每件扣 {} 分；其中属假冒或知识产权侵权（商标、专利、著作权）的，每件再扣 {} 分。尚在核查或未立案的举报不计入。",
                num(self.violation_points),
                num(self.counterfeit_ip_points)
            ),
            format!(
                "化妆品不良反应：本季度由针对该经营者的投诉转报的不良反应，每件扣 {} 分，最多扣 {} 分。",
                num(self.referral_points),
                num(self.referral_cap)
            ),
            format!(
                "承诺单位：放心消费承诺单位或线下无理由退货承诺单位加 {} 分。",
                num(self.commitment_bonus)
            ),
            format!(
                "等级：{} 分及以上为 A 级，{} 分及以上为 B 级，{} 分及以上为 C 级，低于 {} 分为 D 级。每项分值保留一位小数。",
                num(self.grade_a),
                num(self.grade_b),
                num(self.grade_c),
                num(self.grade_c)
            ),
        ]
    }

    fn grade_of(&self, score: f64) -> Grade {
        if score >= self.grade_a {
            Grade::A
        } else if score >= self.grade_b {
            Grade::B
        } else if score >= self.grade_c {
            Grade::C
        } else {
            Grade::D
        }
    }
}

/// The score, its grade and the points of each item.
pub fn assess(i: &GradeInputs, m: &Method) -> Assessment {
    let excess = match i.sector_median {
        Some(median) if median > 0.0 => (i.complaints as f64 / median - 1.0).max(0.0),
        _ => 0.0,
    };
    let shortfall = |s: Share| s.rate().map_or(0.0, |r| 1.0 - r);
    let item = |key: &str, label: &str, points: f64| Item {
        key: key.into(),
        label: label.into(),
        points: tenth(points) + 0.0,
    };
    let items = vec![
        item(
            "complaints",
            "投诉量高于同类中位数",
            -(m.complaints_weight * excess).min(m.complaints_cap),
        ),
        item(
            "response",
            "按时响应率",
            -m.response_weight * shortfall(i.response),
        ),
        item(
            "settlement",
            "和解率",
            -m.settlement_weight * shortfall(i.settlement),
        ),
        item(
            "violations",
            "立案查处",
            -m.violation_points * i.violations as f64,
        ),
        item(
            "counterfeit_ip",
            "假冒、知识产权侵权",
            -m.counterfeit_ip_points * i.counterfeit_ip as f64,
        ),
        item(
            "adverse_referrals",
            "化妆品不良反应转报",
            -(m.referral_points * i.adverse_referrals as f64).min(m.referral_cap),
        ),
        item(
            "commitment",
            "承诺单位",
            if i.commitment_unit {
                m.commitment_bonus
            } else {
                0.0
            },
        ),
    ];
    let total: f64 = m.base + items.iter().map(|it| it.points).sum::<f64>();
    let score = tenth(total.clamp(0.0, m.base));
    Assessment {
        score,
        grade: m.grade_of(score),
        items,
    }
}

/// The grade of one business's quarter under `method`.
pub fn grade(inputs: &GradeInputs, method: &Method) -> Grade {
    assess(inputs, method).grade
}

/// Median of counts; `None` for none.
pub fn median(mut values: Vec<u64>) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    }
}

#[cfg(test)]
#[path = "scorecard_tests.rs"]
mod tests;
