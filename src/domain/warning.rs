//! Consumer warnings (消费预警和风险提示, Order 121 Art. 38): the figures behind a warning,
//! computed from an alert or a hot term and stored with it, the one line they read as, and
//! the checks on the editors' text. Pure: time and counts come in as arguments.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

reason_codes! {
    /// Where a warning's figures were computed from.
    WarningSource {
        Alert => "alert", "类别预警";
        HotTerm => "hot_term", "热词";
    }
}

reason_codes! {
    /// A warning version's life: drafts are editable and never public; published ones are
    /// frozen; a published one becomes superseded when its correction is published.
    WarningStatus {
        Draft => "draft", "草稿";
        Published => "published", "已发布";
        Superseded => "superseded", "已更正";
    }
}

/// The most characters of a title, and of the text.
pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_BODY_CHARS: usize = 4000;

/// The figures behind a warning as computed when it was drafted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WarningFigures {
    pub source: WarningSource,
    /// The category code of an alert, or the hot term itself.
    pub key: String,
    /// What the public reads: the category's Chinese name, or the term.
    pub subject: String,
    /// Cases received in the period.
    pub count: u64,
    /// Alert: the mean weekly count of the baseline weeks. Hot term: cases of the baseline
    /// period that use the term.
    pub baseline: f64,
    /// Alert: the week's count over the baseline (at least one). Hot term: the lift per day,
    /// `null` for a term the baseline lacks.
    pub ratio: Option<f64>,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub baseline_from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub baseline_to: NaiveDate,
}

/// Whole weeks from `from` to `to` inclusive, at least one.
fn weeks(from: NaiveDate, to: NaiveDate) -> i64 {
    ((to - from).num_days() + 1).div_euclid(7).max(1)
}

impl WarningFigures {
    /// The change against the baseline in whole percent (+210 for 3.1 times), if any.
    pub fn change_percent(&self) -> Option<i64> {
        self.ratio.map(|r| ((r - 1.0) * 100.0).round() as i64)
    }

    /// The one line the figures read as, on every page, the feed and the API, e.g.
    /// "面膜 投诉 38 件，较前 4 周周均 +210%，2026-11-01 至 2026-11-28".
    pub fn line(&self) -> String {
        let change = match self.change_percent() {
            Some(p) if p >= 0 => format!("+{p}%"),
            Some(p) => format!("{p}%"),
            None => "此前无同类投诉".to_owned(),
        };
        let period = format!("{} 至 {}", self.from, self.to);
        match self.source {
            WarningSource::Alert => format!(
                "{} 投诉 {} 件，较前 {} 周周均（{:.1} 件）{change}，{period}",
                self.subject,
                self.count,
                weeks(self.baseline_from, self.baseline_to),
                self.baseline,
            ),
            WarningSource::HotTerm => format!(
                "涉及「{}」的投诉 {} 件，日均较 {} 至 {}（{} 件）{change}，{period}",
                self.subject, self.count, self.baseline_from, self.baseline_to, self.baseline,
            ),
        }
    }
}

/// Common family names, for [`names_a_person`].
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤区甄关";
/// What follows a name when a person is meant.
const TITLES: [&str; 6] = ["先生", "女士", "小姐", "同学", "阿姨", "师傅"];
/// Labels that introduce someone's personal data.
const LABELS: [&str; 4] = ["姓名", "联系人", "住址", "家住"];

/// Whether `text` seems to name a person: a family name and one or two characters before a
/// form of address (张伟先生, 李女士), or a label such as 姓名 or 联系人. "某" names no one
/// (张某, 李某某 are how the bureau writes of people).
pub fn names_a_person(text: &str) -> bool {
    if LABELS.iter().any(|l| text.contains(l)) {
        return true;
    }
    let chars: Vec<char> = text.chars().collect();
    for title in TITLES {
        let t: Vec<char> = title.chars().collect();
        for (i, window) in chars.windows(t.len()).enumerate() {
            if window != t.as_slice() {
                continue;
            }
            // The family name, one or two characters before the title, then the given name.
            for len in 1..=3usize {
                let Some(start) = i.checked_sub(len) else {
                    break;
                };
                let name = &chars[start..i];
                if SURNAMES.contains(name[0]) && !name.contains(&'某') {
                    return true;
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default()
    }

    #[test]
    fn an_alert_reads_as_one_line_with_its_period() {
        let f = WarningFigures {
            source: WarningSource::Alert,
            key: "goods.cosmetics.skincare".into(),
            subject: "护肤类化妆品".into(),
            count: 38,
            baseline: 12.3,
            ratio: Some(3.1),
            from: day(11, 23),
            to: day(11, 29),
            baseline_from: day(9, 28),
            baseline_to: day(11, 22),
        };
        assert_eq!(f.change_percent(), Some(210));
        assert_eq!(
            f.line(),
            "护肤类化妆品 投诉 38 件，较前 8 周周均（12.3 件）+210%，2026-11-23 至 2026-11-29"
        );
    }

    #[test]
    fn a_new_hot_term_has_no_change_to_show() {
        let f = WarningFigures {
            source: WarningSource::HotTerm,
            key: "荧光剂".into(),
            subject: "荧光剂".into(),
            count: 8,
            baseline: 0.0,
            ratio: None,
            from: day(11, 2),
            to: day(11, 8),
            baseline_from: day(9, 7),
            baseline_to: day(11, 1),
        };
        assert!(f.line().contains("此前无同类投诉"), "{}", f.line());
    }

    #[test]
    fn persons_are_found_and_the_bureaus_wording_is_not() {
        for text in [
            "张伟先生反映",
            "消费者李女士",
            "姓名：王五",
            "联系人小陈",
            "家住某路",
        ] {
            assert!(names_a_person(text), "{text}");
        }
        for text in [
            "张某某女士投诉",
            "消费者王某反映",
            "广大消费者请注意",
            "某美容店退还货款 300 元",
            "请勿向陌生人提供身份证和手机验证码",
        ] {
            assert!(!names_a_person(text), "{text}");
        }
    }
}
