//! A fully populated example bulletin for 2026-Q3 in Jiangmen, used by renderer tests and
//! available to other tests. Plain data: no database, no clock. The figures are invented but
//! add up: every breakdown sums to the complaint total it shares.

use chrono::{NaiveDate, TimeZone, Utc};

use super::model::{
    Bulletin, BusinessRow, Change, CosmeticsSection, Figures, HotIssue, Indicator, OdrStats,
    PeriodInfo, Rate, Rates, Row, SCHEMA_VERSION, Tip, Totals, TotalsChange, TypicalCase, change,
    ratio,
};
use super::period::Period;
use crate::domain::severity::Severity;

/// Complaints received in the sample quarter; the breakdown tables sum to this.
const COMPLAINTS: u64 = 3486;

pub fn sample() -> Bulletin {
    Bulletin {
        id: Some(12),
        version: 1,
        status: "published".into(),
        published_at: Utc.with_ymd_and_hms(2026, 10, 20, 2, 0, 0).single(),
        erratum: None,
        supersedes: None,
        inputs_hash: "3f6c2a9e81d04b57a1c9e0f2d4b86a7e5c13f9d0b2a4e6c8d1f3a5b7c9e0d2f4".into(),
        figures: figures(),
        typical_cases: typical_cases(),
        tips: tips(),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn quarter(year: i32, q: u32) -> Period {
    Period::quarter(year, q).unwrap_or(Period {
        label: format!("{year}-Q{q}"),
        from: NaiveDate::default(),
        to: NaiveDate::default(),
    })
}

/// One breakdown line: `(code, label, count, count a year earlier)`.
fn rows(total: u64, lines: &[(&str, &str, u64, u64)]) -> Vec<Row> {
    lines
        .iter()
        .map(|&(code, label, count, previous)| Row {
            code: code.into(),
            label: label.into(),
            count,
            share: ratio(count as f64, total as f64),
            yoy: change(count as i64, Some(previous as i64)),
            previous_year: Some(previous),
        })
        .collect()
}

fn headline(now: i64, previous_year: i64, previous_period: i64) -> Change {
    Change {
        previous_year: Some(previous_year),
        previous_period: Some(previous_period),
        yoy: change(now, Some(previous_year)),
        qoq: change(now, Some(previous_period)),
    }
}

fn figures() -> Figures {
    let totals = Totals {
        complaints: COMPLAINTS,
        reports: 612,
        recovered_fen: 128_645_350,
    };
    Figures {
        schema_version: SCHEMA_VERSION,
        region: "江门市".into(),
        period: PeriodInfo {
            label: "2026-Q3".into(),
            from: date(2026, 7, 1),
            to: date(2026, 9, 30),
            as_of: date(2026, 10, 15),
            previous_year: quarter(2025, 3),
            previous_period: quarter(2026, 2),
        },
        totals,
        change: TotalsChange {
            complaints: headline(totals.complaints as i64, 3102, 3311),
            reports: headline(totals.reports as i64, 548, 655),
            recovered_fen: headline(totals.recovered_fen, 104_522_000, 119_870_025),
        },
        rates: Rates {
            acceptance_on_time: Rate::of(3391, 3452),
            closure_on_time: Rate::of(1876, 1968),
            verification_on_time: Rate::of(597, 606),
            mediation_success: Rate::of(1402, 1968),
            online_shopping: Rate::of(1528, COMPLAINTS),
        },
        odr: OdrStats {
            enterprises_enrolled: 1286,
            cases: 1174,
            settled: Rate::of(802, 1093),
            median_working_days: Some(4.5),
        },
        by_channel: rows(
            COMPLAINTS,
            &[
                ("mini_program", "微信小程序", 1534, 1188),
                ("web", "网页", 842, 905),
                ("phone", "电话", 708, 761),
                ("app", "手机应用", 221, 96),
                ("visit", "来访", 118, 104),
                ("letter", "信函", 63, 48),
            ],
        ),
        by_district: rows(
            COMPLAINTS,
            &[
                ("440703", "蓬江区", 1012, 934),
                ("440705", "新会区", 736, 651),
                ("440781", "台山市", 452, 430),
                ("440704", "江海区", 398, 342),
                ("440783", "开平市", 389, 371),
                ("440784", "鹤山市", 297, 244),
                ("440785", "恩平市", 202, 130),
            ],
        ),
        by_category: rows(
            COMPLAINTS,
            &[
                ("goods.cosmetics.skincare", "护肤品", 486, 402),
                ("services.internet", "互联网服务", 402, 377),
                ("goods.food", "食品", 356, 349),
                ("services.beauty_salon", "美容美发", 318, 251),
                ("goods.clothing", "服装鞋帽", 289, 301),
                ("goods.appliances", "家用电器", 247, 262),
                ("goods.electronics", "电子及通讯产品", 231, 219),
                ("services.catering", "餐饮服务", 198, 187),
                ("goods.cosmetics.makeup", "彩妆", 173, 142),
                ("goods.daily", "日用商品", 163, 158),
                ("goods.other", "其他商品", 152, 139),
                ("services.renovation", "装修装饰服务", 141, 120),
                ("services.education", "教育培训服务", 126, 155),
                ("services.other", "其他服务", 112, 101),
                ("goods.cosmetics.whitening_spot", "美白祛斑产品", 92, 0),
            ],
        ),
        by_nature: rows(
            COMPLAINTS,
            &[
                ("quality", "质量", 1087, 1002),
                ("after_sales", "售后服务", 842, 760),
                ("false_advertising", "虚假宣传", 536, 402),
                ("contract", "合同", 398, 371),
                ("price", "价格", 287, 296),
                ("safety", "安全", 164, 139),
                ("counterfeit", "假冒", 96, 88),
                ("other", "其他", 31, 19),
                ("measurement", "计量", 28, 16),
                ("personal_rights", "人格权益", 17, 9),
            ],
        ),
        hot_issues: [
            ("直播带货", 168, 52),
            ("预付卡", 142, 61),
            ("过敏", 117, 40),
            ("自动续费", 88, 31),
            ("美容院退卡", 76, 0),
            ("外卖", 61, 24),
            ("虚假功效", 58, 12),
        ]
        .into_iter()
        .map(|(term, count, previous_count)| {
            // 2026-Q3 has 92 days, 2026-Q2 91; the period before is smoothed by one case.
            let (days, previous_days) = (92.0, 91.0);
            let per_day = count as f64 / days;
            HotIssue {
                term: term.into(),
                count,
                previous_count,
                per_day: Some((per_day * 100.0).round() / 100.0),
                previous_per_day: Some(
                    (previous_count as f64 / previous_days * 100.0).round() / 100.0,
                ),
                lift: (previous_count > 0).then(|| {
                    (per_day / ((previous_count as f64 + 1.0) / previous_days) * 100.0).round()
                        / 100.0
                }),
                struck: None,
            }
        })
        .collect(),
        cosmetics: CosmeticsSection {
            complaints: 751,
            reports: 139,
            referrals_by_severity: rows(
                43,
                &[
                    ("general", Severity::General.label_zh(), 38, 31),
                    ("serious", Severity::Serious.label_zh(), 4, 2),
                    ("public_concern", Severity::PublicConcern.label_zh(), 1, 0),
                ],
            ),
            referrals_on_time: Rate::of(42, 43),
            commitment_unit_complaints: 86,
            top_issues: rows(
                890,
                &[
                    ("quality", "质量", 241, 214),
                    ("false_advertising", "虚假宣传", 198, 131),
                    ("safety", "安全", 127, 110),
                    ("after_sales", "售后服务", 104, 99),
                    ("counterfeit", "假冒", 45, 51),
                ],
            ),
        },
        top_businesses: top_businesses(),
        methodology: methodology(),
        history_periods: vec!["2025-Q3".into()],
        aftercare: super::aftercare::AftercareSection {
            notices_on_time: 61,
            notices_late: 3,
            notices_pending: 5,
            notice_on_time: Rate::of(61, 64),
            follow_ups: 52,
            fulfilled: Rate::of(44, 49),
            unfulfilled: 5,
        },
        counterfeit_ip: Some(counterfeit_ip()),
    }
}

fn counterfeit_ip() -> super::counterfeit::CounterfeitIpSection {
    let rows = [
        ("counterfeit", "假冒", 96, 41),
        ("ip_trademark", "商标侵权", 23, 12),
        ("ip_patent", "专利侵权", 4, 1),
        ("ip_copyright", "著作权侵权", 7, 3),
    ];
    super::counterfeit::CounterfeitIpSection {
        rows: rows
            .iter()
            .map(
                |(code, label, reports, filed)| super::counterfeit::CounterfeitIpRow {
                    code: (*code).into(),
                    label: (*label).into(),
                    reports: *reports,
                    filed: *filed,
                },
            )
            .collect(),
        reports: 130,
        ip_reports: 34,
        filed: Rate::of(57, 130),
    }
}

fn top_businesses() -> Vec<BusinessRow> {
    [
        (
            "江门市悦颜美容连锁有限公司",
            Some("91440703MA4UX2K15Q"),
            47,
            (31, 33),
            (24, 40),
        ),
        ("某电商平台“美妆优选旗舰店”", None, 39, (39, 39), (30, 37)),
        (
            "江门市蓬江区丽人坊美容院",
            Some("92440703MA51R8TQ2X"),
            28,
            (17, 22),
            (12, 26),
        ),
        (
            "台山市汇鑫电器商行",
            Some("92440781MA52C0HL7D"),
            21,
            (21, 21),
            (18, 20),
        ),
        (
            "江门市新会区优学教育培训中心有限公司",
            Some("91440705MA53YB9E3K"),
            18,
            (9, 15),
            (6, 17),
        ),
    ]
    .into_iter()
    .map(
        |(name, uscc, complaints, (answered, sent), (settled, closed))| BusinessRow {
            name: name.into(),
            uscc: uscc.map(Into::into),
            complaints,
            response: Rate::of(answered, sent),
            settlement: Rate::of(settled, closed),
        },
    )
    .collect()
}

fn methodology() -> Vec<Indicator> {
    [
        (
            "acceptance_on_time",
            "投诉按时受理率",
            "期内作出受理或不予受理决定的投诉中，在法定期限内决定的件数",
            "期内作出受理或不予受理决定的投诉件数",
        ),
        (
            "closure_on_time",
            "调解按时办结率",
            "期内结束的调解中，在调解期限内办结的件数",
            "期内结束的调解件数",
        ),
        (
            "verification_on_time",
            "举报按时核查率",
            "期内作出立案或不予立案决定的举报中，在核查期限内决定的件数",
            "期内作出立案或不予立案决定的举报件数",
        ),
        (
            "mediation_success",
            "调解成功率",
            "期内结束的调解中，达成调解协议的件数",
            "期内结束的调解件数",
        ),
        (
            "online_shopping",
            "网购投诉占比",
            "期内收到的投诉中，涉及网络购物的件数",
            "期内收到的投诉件数（合并的重复投诉不计）",
        ),
        (
            "odr_settled",
            "在线纠纷和解率",
            "期内结束的在线协商中，双方自行和解的件数",
            "期内结束的在线协商件数",
        ),
        (
            "cosmetics_referrals_on_time",
            "化妆品不良反应按时转报率",
            "期内转报的不良反应中，在时限内报送监测机构的件数",
            "期内转报的化妆品不良反应件数",
        ),
    ]
    .into_iter()
    .map(|(key, label, numerator, denominator)| Indicator {
        key: key.into(),
        label: label.into(),
        numerator: numerator.into(),
        denominator: denominator.into(),
    })
    .collect()
}

fn typical_cases() -> Vec<TypicalCase> {
    vec![
        TypicalCase {
            title: "直播间购买“祛斑霜”使用后皮肤红肿".into(),
            category: "美白祛斑产品".into(),
            summary: "消费者在某直播间购买一款宣称“七天祛斑”的面霜，使用三天后面部出现红肿、瘙痒，\
                      经医院诊断为接触性皮炎。该产品未取得特殊化妆品注册证。"
                .into(),
            outcome: "经调解，商家退还货款并承担医疗费用共计 1,860 元。该产品涉嫌无证生产经营，\
                      已移交属地执法部门立案查处，不良反应已报送监测机构。"
                .into(),
        },
        TypicalCase {
            title: "美容院停业，预付卡余额难退".into(),
            category: "美容美发".into(),
            summary: "12 名消费者反映，蓬江区某美容院突然停业，已办理的会员卡余额合计约 4.6 万元\
                      无法使用，经营者联系不上。"
                .into(),
            outcome: "属地市场监管所会同街道约谈经营者，经营者承诺分期退款，目前已退还 3.1 万元，\
                      其余款项正在跟进。"
                .into(),
        },
        TypicalCase {
            title: "网购空调迟迟不安装".into(),
            category: "家用电器".into(),
            summary: "消费者通过网购平台购买空调，商家承诺三天内上门安装，但半个月后仍未安装，\
                      多次催促无果。"
                .into(),
            outcome: "通过在线消费纠纷解决机制，商家两个工作日内回应，安排上门安装并赔偿 200 元。"
                .into(),
        },
    ]
}

fn tips() -> Vec<Tip> {
    vec![
        Tip {
            title: "理性看待化妆品功效宣传".into(),
            body: "宣称祛斑、美白、防晒等功效的化妆品属于特殊化妆品，须取得注册证。\
                   购买前可在国家药监局网站或“化妆品监管”应用查询注册信息，\
                   不要轻信“立刻见效”“无副作用”等说法。"
                .into(),
        },
        Tip {
            title: "办理预付卡要量力而行".into(),
            body: "选择证照齐全、经营稳定的商家，签订书面合同，写明服务内容和退款条件，\
                   一次充值不宜过多，并保存好付款凭证。"
                .into(),
        },
        Tip {
            title: "网购留好凭证，发生纠纷及时投诉".into(),
            body: "保存订单截图、聊天记录和付款记录。与商家协商不成的，可通过微信小程序或网页提交投诉，\
                   加入在线消费纠纷解决机制的商家会直接处理。"
                .into(),
        },
    ]
}
