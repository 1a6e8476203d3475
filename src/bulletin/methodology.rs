//! 统计说明: how each indicator is counted, published with the figures so a reader can check
//! every rate from its numerator and denominator.

use super::model::Indicator;

const DEFINITIONS: [(&str, &str, &str, &str); 12] = [
    (
        "totals.complaints",
        "投诉量",
        "收到日期（北京时间）在统计期内的投诉件数，已合并的重复投诉和并入共同投诉的投诉不重复计算",
        "—",
    ),
    (
        "totals.reports",
        "举报量",
        "收到日期（北京时间）在统计期内的举报件数，已合并或认定为重复举报的不重复计算",
        "—",
    ),
    (
        "totals.recovered_fen",
        "挽回经济损失",
        "统计期内达成调解协议记录的挽回金额之和（分）",
        "—",
    ),
    (
        "rates.acceptance_on_time",
        "投诉按时受理率",
        "本期投诉中在受理期限内作出受理或不予受理决定的件数。受理期限自辖区局收到投诉之日起算（当日不计入）；2026年4月15日起收到的投诉适用第121号令，由统一接收机构分送的，自分送至辖区局之日起算，辖区局无管辖权退回统一接收机构后重新分送的，自重新分送之日重新起算（第四十一条），退回前的受理期限单独判断是否按时",
        "本期投诉中已作出决定或截至统计日已超期的件数",
    ),
    (
        "rates.closure_on_time",
        "调解按时办结率",
        "本期投诉中在调解期限内（扣除检测鉴定、申请回避等暂停时间）办结的调解件数。2026年4月15日前收到的投诉适用第20号令，调解期限为受理后45个工作日；此后收到的适用第121号令，为受理次日起60日（自然日），最后一日为法定节假日或周末（调休上班日除外）的顺延至其后第一个工作日",
        "本期投诉中调解已办结或截至统计日已超期的件数",
    ),
    (
        "rates.verification_on_time",
        "举报按时核查率",
        "本期举报中在核查期限内作出立案或不予立案决定的件数",
        "本期举报中已作出决定或截至统计日已超期的件数",
    ),
    (
        "rates.mediation_success",
        "调解成功率",
        "本期投诉中经调解达成协议的件数",
        "本期投诉中调解已结束（达成协议或终止调解）的件数；撤回的不计入",
    ),
    (
        "rates.online_shopping",
        "网购投诉占比",
        "本期投诉中网络购买的件数",
        "本期投诉件数",
    ),
    (
        "odr.settled",
        "ODR 和解率",
        "本期经在线消费纠纷解决（ODR）企业自行协商达成和解的件数",
        "本期 ODR 协商已结束的件数（和解或转入受理）",
    ),
    (
        "odr.median_working_days",
        "ODR 办理工作日中位数",
        "自收到投诉次日起至 ODR 协商结束的工作日数的中位数",
        "本期 ODR 协商已结束的件数",
    ),
    (
        "cosmetics.referrals_on_time",
        "不良反应按时报告率",
        "统计期内开启的化妆品不良反应转报中在期限内报送监测机构的件数",
        "已报送或截至统计日已超期的转报件数",
    ),
    (
        "top_businesses",
        "经营者响应率、和解率",
        "响应率：经营者通过 ODR 答复的件数；和解率：达成和解的件数",
        "响应率：ODR 答复或期限已届满的件数；和解率：已办结（和解、终止调解、不予受理）的件数",
    ),
];

pub fn indicators() -> Vec<Indicator> {
    DEFINITIONS
        .iter()
        .chain(super::aftercare::DEFINITIONS.iter())
        .chain(super::counterfeit::DEFINITIONS.iter())
        .map(|(key, label, numerator, denominator)| Indicator {
            key: (*key).to_owned(),
            label: (*label).to_owned(),
            numerator: (*numerator).to_owned(),
            denominator: (*denominator).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mediation_rate_says_which_rules_count_which_cases() {
        let closure = indicators()
            .into_iter()
            .find(|i| i.key == "rates.closure_on_time")
            .map(|i| i.numerator)
            .unwrap_or_default();
        for words in [
            "2026年4月15日",
            "第20号令",
            "45个工作日",
            "第121号令",
            "60日",
            "顺延",
        ] {
            assert!(closure.contains(words), "{words} in {closure}");
        }
    }
}
