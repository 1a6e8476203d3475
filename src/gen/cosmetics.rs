//! Cosmetics, about half of all cases: skin care, make-up, hair dye, sunscreen,
//! whitening and spot removal, children's products, toothpaste and perfume.

use chrono::{Days, NaiveDate};
use fastrand::Rng;

use super::sectors::Sector;
use super::texts::{self, Slots};
use super::{pick, weighted};
use crate::intake::input::AdverseReactionInput;

const FACE: &[&str] = &[
    "烂脸",
    "过敏",
    "红肿",
    "刺痛",
    "脱皮",
    "长痘",
    "瘙痒",
    "灼烧感",
    "起红疹",
    "发红发烫",
    "爆痘",
    "闭口增多",
    "泛红",
    "起小疙瘩",
];
const HAIR: &[&str] = &[
    "头皮灼痛",
    "头皮红肿",
    "头皮起泡",
    "耳后起红疹",
    "过敏",
    "瘙痒",
    "脱发",
];
const MOUTH: &[&str] = &["牙龈出血", "口腔溃疡", "牙齿酸痛", "嘴角起皮", "过敏"];
const BODY: &[&str] = &["过敏", "起红疹", "瘙痒", "红肿", "刺痛"];

const BRANDS: &[&str] = &[
    "GlowLab",
    "PureSkin",
    "Lumière",
    "AquaVeil",
    "DermaPlus",
    "SkinNova",
    "Belle Rosé",
    "Dr.Herb",
    "肌初研",
    "素颜记",
    "花间集",
    "芷颜坊",
    "雪姬",
    "悦肤堂",
    "侨美",
    "葵乡草本",
];

const SKIN_CLAIMS: &[&str] = &[
    "七天美白",
    "三天祛痘",
    "永不反弹",
    "医用级",
    "药妆",
    "纯天然零添加",
    "孕妇婴儿可用",
    "激活细胞再生",
    "一抹去皱",
    "敏感肌专用",
    "无激素",
];

/// Ingredients consumers name, by category.
pub fn ingredients(category: &str) -> &'static [&'static str] {
    match category {
        "goods.cosmetics.haircare_dye" => &["对苯二胺", "何首乌提取物", "生姜提取物", "氨水"],
        "goods.cosmetics.toothpaste" => &["氟化物", "益生菌", "过氧化氢", "小苏打"],
        "goods.cosmetics.sunscreen" => &["氧化锌", "二氧化钛", "胡莫柳酯", "阿伏苯宗"],
        "goods.cosmetics.whitening_spot" => {
            &["烟酰胺", "377", "熊果苷", "传明酸", "维C", "光甘草定"]
        }
        "goods.cosmetics.perfume" => &["酒精", "香精", "麝香"],
        _ => &[
            "烟酰胺",
            "玻尿酸",
            "视黄醇",
            "水杨酸",
            "果酸",
            "神经酰胺",
            "积雪草",
            "胜肽",
            "二裂酵母",
            "角鲨烷",
            "虾青素",
            "A醇",
        ],
    }
}

/// Where a reaction showed, by category.
pub fn body_sites(category: &str) -> &'static [&'static str] {
    match category {
        "goods.cosmetics.haircare_dye" => &["头皮", "发际线", "耳后及颈部", "额头及头皮"],
        "goods.cosmetics.toothpaste" => &["口腔黏膜", "牙龈", "嘴唇"],
        "goods.cosmetics.perfume" => &["颈部", "手腕", "耳后"],
        "goods.cosmetics.children" => &["面部", "脸颊", "四肢", "全身"],
        "goods.cosmetics.other" => &["手部", "腋下", "腿部", "身体"],
        _ => &["面部", "双颊", "额头", "眼周", "下巴", "鼻翼两侧", "全脸"],
    }
}

/// Special cosmetics (whitening, sunscreen, hair dye) carry a registration number; the
/// rest a filing number.
pub fn is_special(category: &str) -> bool {
    matches!(
        category,
        "goods.cosmetics.whitening_spot"
            | "goods.cosmetics.sunscreen"
            | "goods.cosmetics.haircare_dye"
    )
}

/// Substances a report says were added illegally.
pub const BANNED: &[&str] = &["激素", "汞", "氢醌", "地塞米松", "甲硝唑", "荧光剂"];

const NATURES: &[(&str, u32)] = &[
    ("quality", 28),
    ("safety", 24),
    ("false_advertising", 18),
    ("after_sales", 12),
    ("counterfeit", 10),
    ("price", 5),
    ("contract", 3),
];

#[rustfmt::skip]
pub const COSMETICS: &[Sector] = &[
    Sector {
        category: "goods.cosmetics.skincare",
        weight: 160,
        trade: "cosmetics",
        natures: NATURES,
        items: &["精华液", "面霜", "乳液", "爽肤水", "补水面膜", "眼霜", "洁面乳", "次抛精华", "修护精华", "冻干粉", "早C晚A套装", "水乳套装"],
        brands: BRANDS,
        price: (39, 1280),
        unit: "瓶",
        online: 60,
        effects: FACE,
        claims: SKIN_CLAIMS,
        problems: &[
            ("safety", "使用后{effect}", "使用{days}天后面部开始{effect}，后来又出现{effect2}，停用后也没有好转"),
            ("safety", "用了{effect}", "第一次用就{effect}，脸上像火烧一样，第二天整张脸都{effect2}"),
            ("quality", "膏体变质有异味", "[面霜|眼霜|乳液|修护精华]打开后发现膏体分层，有一股刺鼻的酸臭味，瓶口还有黑点"),
            ("quality", "使用后{effect}", "刚用了两次就{effect}，{ingredient}浓度明显有问题"),
            ("false_advertising", "宣传{claimed}不实", "商家宣传“{claimed}”，还说主要成分是{ingredient}，用了一个疗程一点效果都没有"),
            ("false_advertising", "成分与宣传不符", "详情页写着添加高浓度{ingredient}，收到后看成分表排在最后几位，几乎没有"),
            ("counterfeit", "疑似假货", "和专柜买的对比，瓶身字体、颜色都不一样，扫防伪码提示已被查询过多次，怀疑是假货"),
            ("quality", "三无产品", "产品没有中文标签，也查不到备案信息，是三无产品"),
            ("after_sales", "拒绝七天无理由退货", "未拆封申请七天无理由退货，商家说化妆品不支持无理由退货"),
        ],
    },
    Sector {
        category: "goods.cosmetics.makeup",
        weight: 70,
        trade: "cosmetics",
        natures: NATURES,
        items: &["粉底液", "气垫BB霜", "口红", "唇釉", "眼影盘", "睫毛膏", "遮瑕膏", "散粉", "腮红", "眉笔", "卸妆油", "妆前乳"],
        brands: &["ColorMuse", "Lumière", "GlowLab", "VelvetBloom", "花间集", "素颜记", "眉间雪", "Rouge Atelier"],
        price: (29, 690),
        unit: "支",
        online: 65,
        effects: FACE,
        claims: &["持妆24小时", "不脱妆", "养肤粉底", "专柜正品", "孕妇可用"],
        problems: &[
            ("safety", "使用后{effect}", "上妆后半天脸上就{effect}，卸妆后更严重，还{effect2}"),
            ("quality", "质地异常", "[粉底液|气垫BB霜]油水分离，摇不匀，涂在脸上一块一块的"),
            ("quality", "口红断裂", "[口红]刚拧出来就断了，膏体里面有气泡和白点"),
            ("counterfeit", "买到假口红", "[口红|唇釉|眼影盘]店家说是专柜正品，拿去专柜鉴定是假货，色号编号根本不存在"),
            ("false_advertising", "宣传不脱妆不实", "[粉底液|气垫BB霜|散粉]宣传持妆24小时不脱妆，实际两个小时就斑驳脱妆"),
            ("after_sales", "过敏要求退货被拒", "试用后{effect}，要求退货，商家说已使用不能退"),
        ],
    },
    Sector {
        category: "goods.cosmetics.haircare_dye",
        weight: 50,
        trade: "cosmetics",
        natures: &[("safety", 35), ("false_advertising", 25), ("quality", 20), ("counterfeit", 10), ("after_sales", 10)],
        items: &["染发膏", "泡泡染发剂", "植物染发剂", "防脱洗发水", "生发液", "一洗黑洗发水", "烫发药水", "护发精油"],
        brands: &["HairJoy", "黑亮", "PureSkin", "首乌堂", "发之源", "SilkyHair"],
        price: (29, 598),
        unit: "盒",
        online: 55,
        effects: HAIR,
        claims: &["纯植物不伤发", "一洗黑", "七天长出新发", "无氨无刺激", "孕妇可用"],
        problems: &[
            ("safety", "染发后{effect}", "[染发膏|泡泡染发剂|植物染发剂]按说明染发后当晚{effect}，第二天{effect2}，到医院诊断为接触性皮炎"),
            ("false_advertising", "宣称纯植物", "[染发膏|泡泡染发剂|植物染发剂|一洗黑洗发水]包装上写着纯植物不伤发，成分表却有对苯二胺，用后{effect}"),
            ("false_advertising", "防脱无效", "[防脱洗发水|生发液]宣传七天长出新发，用了{days}天掉发反而更多"),
            ("quality", "上色不均", "[染发膏|泡泡染发剂|植物染发剂]染完颜色深一块浅一块，和色卡完全不同"),
            ("counterfeit", "疑似假冒", "包装上的备案号查不到，疑似假冒产品"),
        ],
    },
    Sector {
        category: "goods.cosmetics.sunscreen",
        weight: 40,
        trade: "cosmetics",
        natures: &[("quality", 30), ("false_advertising", 30), ("safety", 25), ("counterfeit", 8), ("after_sales", 7)],
        items: &["防晒霜", "防晒喷雾", "防晒乳", "隔离防晒霜", "物理防晒霜", "防晒棒"],
        brands: &["SunShield", "AquaVeil", "GlowLab", "晒不黑", "海盐物语"],
        price: (49, 399),
        unit: "支",
        online: 60,
        effects: FACE,
        claims: &["SPF50+ PA++++", "防水防汗", "纯物理防晒", "婴儿可用"],
        problems: &[
            ("false_advertising", "防晒指数不符", "标称SPF50+ PA++++，出去玩了半天就晒伤脱皮，怀疑防晒值虚标"),
            ("safety", "涂后{effect}", "涂了以后脸上{effect}，洗掉后还{effect2}"),
            ("quality", "喷雾喷不出", "[防晒喷雾]按不出来，罐子里还有一大半"),
            ("false_advertising", "宣称纯物理防晒", "[物理防晒霜|防晒乳]宣传是纯物理防晒，成分表里却有胡莫柳酯、阿伏苯宗等化学防晒剂"),
        ],
    },
    Sector {
        category: "goods.cosmetics.whitening_spot",
        weight: 70,
        trade: "cosmetics",
        natures: &[("false_advertising", 35), ("safety", 30), ("quality", 15), ("counterfeit", 10), ("after_sales", 10)],
        items: &["祛斑霜", "美白精华", "淡斑精华", "美白面膜", "亮肤霜", "祛斑套盒", "美白乳液"],
        brands: &["Lumière", "雪姬", "DermaPlus", "白玉兰", "WhiteLab", "芷颜坊"],
        price: (59, 1980),
        unit: "套",
        online: 55,
        effects: FACE,
        claims: &["七天美白", "祛斑不反弹", "三天淡斑", "医院同款", "无激素"],
        problems: &[
            ("false_advertising", "宣称{claimed}", "商家朋友圈宣传“{claimed}”，用了一个月斑一点没淡，反而{effect}"),
            ("safety", "疑似含激素", "刚用时皮肤很白很嫩，停用后马上{effect}、{effect2}，医生说像激素脸"),
            ("safety", "使用后{effect}", "使用{days}天后开始{effect}，主要成分是{ingredient}，商家说是在排毒"),
            ("quality", "没有特证", "产品包装上查不到国妆特字号，属于无证美白产品"),
            ("counterfeit", "假冒品牌", "外包装和官网图片不一致，{brand}客服说没有这个产品编号"),
        ],
    },
    Sector {
        category: "goods.cosmetics.children",
        weight: 30,
        trade: "cosmetics",
        natures: &[("safety", 40), ("quality", 25), ("false_advertising", 25), ("counterfeit", 10)],
        items: &["儿童面霜", "宝宝润肤乳", "儿童洗发沐浴露", "婴儿护臀膏", "儿童防晒霜", "宝宝爽身粉", "儿童唇膏"],
        brands: &["BabyCloud", "LittleBee", "小萌芽", "贝贝安", "KidsCare"],
        price: (25, 298),
        unit: "瓶",
        online: 60,
        effects: FACE,
        claims: &["婴儿专用", "无添加", "食品级成分", "通过皮肤测试"],
        problems: &[
            ("safety", "宝宝用后{effect}", "给两岁的孩子用了{days}天，脸上{effect}，还{effect2}，带去儿科看了"),
            ("safety", "疑似含激素", "宝宝湿疹用了马上好，停了又复发，怀疑添加了激素"),
            ("false_advertising", "宣称{claimed}", "宣传{claimed}，但包装上没有小金盾标志，也查不到儿童化妆品备案"),
            ("quality", "有异味", "打开后气味刺鼻，和之前买的不一样"),
        ],
    },
    Sector {
        category: "goods.cosmetics.toothpaste",
        weight: 30,
        trade: "cosmetics",
        natures: &[("false_advertising", 40), ("quality", 25), ("safety", 20), ("counterfeit", 15)],
        items: &["美白牙膏", "抗敏感牙膏", "益生菌牙膏", "儿童牙膏", "去渍牙膏", "护龈牙膏"],
        brands: &["MintyWhite", "洁齿宝", "SmileUp", "竹盐坊"],
        price: (9, 128),
        unit: "支",
        online: 45,
        effects: MOUTH,
        claims: &["治疗牙周炎", "消炎止血", "根治口臭", "修复蛀牙"],
        problems: &[
            ("false_advertising", "宣称{claimed}", "包装上宣称{claimed}，牙膏不能宣传医疗作用，涉嫌虚假宣传"),
            ("safety", "使用后{effect}", "刷了几天后{effect}，还{effect2}"),
            ("counterfeit", "疑似假冒", "超市买的牙膏和平时用的味道不同，包装批号模糊"),
            ("quality", "临期产品", "收到时离过期只有{days}天，页面没有任何说明"),
        ],
    },
    Sector {
        category: "goods.cosmetics.perfume",
        weight: 30,
        trade: "cosmetics",
        natures: &[("counterfeit", 35), ("quality", 25), ("after_sales", 20), ("false_advertising", 15), ("safety", 5)],
        items: &["淡香水", "香水礼盒", "香体喷雾", "古龙水", "香氛小样套装", "固体香膏"],
        brands: &["Noir Parfum", "Aurora Scent", "Maison Lumière", "花间集", "Belle Rosé"],
        price: (69, 1580),
        unit: "瓶",
        online: 70,
        effects: BODY,
        claims: &["专柜正品", "留香12小时", "法国原装进口"],
        problems: &[
            ("counterfeit", "买到假香水", "宣称专柜正品，和专柜试香对比味道完全不同，喷出来一股酒精味，怀疑是假货"),
            ("quality", "留香时间短", "宣传留香12小时，喷上去半小时就没味道了"),
            ("after_sales", "漏液拒赔", "收到时瓶子漏液，包装盒都湿了，商家说签收了就不管"),
            ("safety", "喷后{effect}", "本身对{ingredient}比较敏感，商家说不含，结果喷在手腕上后{effect}"),
        ],
    },
    Sector {
        category: "goods.cosmetics.other",
        weight: 25,
        trade: "cosmetics",
        natures: &[("quality", 35), ("safety", 30), ("false_advertising", 25), ("after_sales", 10)],
        items: &["身体乳", "指甲油", "脱毛膏", "护手霜", "止汗露", "沐浴露"],
        brands: &["PureSkin", "Velvet", "悦肤堂", "BodyBliss"],
        price: (19, 298),
        unit: "瓶",
        online: 55,
        effects: BODY,
        claims: &["温和不刺激", "永久脱毛", "香味持久"],
        problems: &[
            ("safety", "使用后{effect}", "用了以后皮肤{effect}，连续几天都{effect2}"),
            ("false_advertising", "宣称永久脱毛", "[脱毛膏]宣传永久脱毛，用了两次毛发照样长出来"),
            ("quality", "包装漏液", "[身体乳|沐浴露|护手霜]泵头坏了按不出来，底部还漏液"),
        ],
    },
];

/// Filing or registration numbers in the shapes in use, and now and then one mistyped.
pub fn cosmetics_id(rng: &mut Rng, category: &str) -> String {
    let year = rng.u32(2019..2027);
    match rng.u32(0..20) {
        0 => format!("妆备{year}-{:04}", rng.u32(1..9999)),
        1 | 2 => format!("国妆网备进字（粤）{year}{:06}", rng.u32(0..999_999)),
        3 | 4 if is_special(category) => {
            format!("国妆特进字J{year}{:04}", rng.u32(0..9999))
        }
        _ if is_special(category) => format!("国妆特字G{year}{:04}", rng.u32(0..9999)),
        _ => format!(
            "粤{}妆网备字{year}{:06}",
            pick(rng, &["J", "J", "A", "B", "E"]),
            rng.u32(0..999_999)
        ),
    }
}

/// The adverse-reaction block of a complaint about a skin or body reaction.
pub fn adverse(
    rng: &mut Rng,
    sector: &Sector,
    s: &Slots,
    bought: NaiveDate,
    received: NaiveDate,
) -> AdverseReactionInput {
    let span = (received - bought).num_days().max(0) as u64;
    let started = bought + Days::new(rng.u64(0..=span.min(3)));
    let onset = started
        + Days::new(
            rng.u64(0..=(received - started).num_days().max(0) as u64)
                .min(10),
        );
    let stopped = (onset + Days::new(rng.u64(0..3))).min(received);
    let severity = weighted(
        rng,
        &[("general", 92), ("serious", 7), ("public_concern", 1)],
    );
    let treatment = match severity {
        "general" => pick(
            rng,
            &[
                "自行停用并冷敷",
                "到社区诊所开了抗过敏药膏",
                "到医院皮肤科就诊，诊断为接触性皮炎，口服抗过敏药",
                "停用后用清水冲洗，未就医",
            ],
        ),
        _ => pick(
            rng,
            &[
                "到江门市区医院住院治疗{days}天",
                "急诊就医后住院观察，面部留下色素沉着",
                "在医院皮肤科连续治疗一个月，仍有疤痕",
            ],
        ),
    };
    let mut symptoms = format!("{}、{}", s.effect, s.effect2);
    if s.effect == s.effect2 {
        symptoms = s.effect.clone();
    }
    symptoms.push_str(pick(rng, &["", "，伴有瘙痒", "，有灼热感", "，局部渗液"]));
    AdverseReactionInput {
        onset_date: Some(onset),
        symptoms: Some(symptoms),
        body_site: Some(pick(rng, body_sites(sector.category)).to_string()),
        severity: Some(severity.to_owned()),
        started_use: Some(started),
        stopped_use: (rng.u32(0..100) < 80).then_some(stopped),
        treatment: Some(texts::fill(treatment, s)),
        allergy_history: Some(
            pick(
                rng,
                &[
                    "无",
                    "无",
                    "既往无化妆品过敏史",
                    "有花粉过敏史",
                    "对酒精敏感",
                ],
            )
            .to_string(),
        ),
    }
}
