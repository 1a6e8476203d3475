//! Who takes part: Jiangmen's districts, a pool of businesses that many cases share, and
//! consumers whose names, phones and mail addresses are made up but well-formed.

use std::collections::BTreeMap;

use fastrand::Rng;

use super::sectors::Sector;
use super::{pick, weighted};
use crate::domain::Uscc;

pub struct District {
    pub code: &'static str,
    pub name: &'static str,
    /// Roughly the population in ten-thousands (2020 census): cases follow people.
    pub weight: u32,
    /// Town or neighbourhood names used in business names and addresses.
    pub places: &'static [&'static str],
    pub streets: &'static [&'static str],
}

#[rustfmt::skip]
pub const DISTRICTS: &[District] = &[
    District { code: "440703", name: "蓬江区", weight: 106, places: &["北街", "白沙", "堤东", "环市", "杜阮", "棠下"], streets: &["建设路", "港口路", "白沙大道", "胜利路", "迎宾大道", "发展大道", "跃进路", "长堤路", "丰乐路", "万达广场"] },
    District { code: "440704", name: "江海区", weight: 37, places: &["外海", "礼乐", "滘头", "江南"], streets: &["江海路", "五邑路", "东海路", "高新西路", "金瓯路", "滘北路", "礼乐大道"] },
    District { code: "440705", name: "新会区", weight: 94, places: &["会城", "葵乡", "圭峰", "大泽", "司前"], streets: &["今古洲路", "中心南路", "东庆南路", "新会大道", "江会路", "冈州大道", "圭峰路"] },
    District { code: "440781", name: "台山市", weight: 91, places: &["台城", "广海", "川岛", "斗山"], streets: &["环市路", "台西路", "正市街", "桥湖路", "舜德路", "北郊路"] },
    District { code: "440783", name: "开平市", weight: 75, places: &["长沙", "三埠", "赤坎", "水口"], streets: &["港口路", "幕沙路", "东兴大道", "祥龙中银路", "新昌大道", "堤西路"] },
    District { code: "440784", name: "鹤山市", weight: 53, places: &["沙坪", "古劳", "共和", "址山"], streets: &["人民路", "新华路", "鹤山大道", "中山路", "前进路", "桃源路"] },
    District { code: "440785", name: "恩平市", weight: 50, places: &["恩城", "锦江", "大槐", "沙湖"], streets: &["新平路", "锦江大道", "沿江路", "西安路", "西门路", "东门路"] },
];

pub fn district(rng: &mut Rng) -> &'static District {
    let weights: Vec<(usize, u32)> = DISTRICTS
        .iter()
        .enumerate()
        .map(|(i, d)| (i, d.weight))
        .collect();
    &DISTRICTS[weighted(rng, &weights)]
}

/// A trade: which kinds of business sell a group of sectors.
struct Trade {
    key: &'static str,
    /// Kinds of company (`江门市X{kind}有限公司`).
    companies: &'static [&'static str],
    /// Kinds of shop run by individuals (`台山市台城X{kind}`).
    shops: &'static [&'static str],
    /// Percent of the trade's businesses that are online stores.
    online: u32,
}

#[rustfmt::skip]
const TRADES: &[Trade] = &[
    Trade { key: "cosmetics", companies: &["化妆品", "生物科技", "日用化工", "美容科技", "化妆品贸易"], shops: &["化妆品店", "美妆店", "日化商行", "护肤品专卖店", "美妆集合店"], online: 25 },
    Trade { key: "food", companies: &["食品", "陈皮", "贸易", "农产品"], shops: &["食品商行", "便利店", "超市", "土特产店", "烘焙店"], online: 20 },
    Trade { key: "appliances", companies: &["电器", "家电销售", "电器贸易"], shops: &["电器城", "家电店", "电器商行"], online: 15 },
    Trade { key: "clothing", companies: &["服饰", "鞋业", "纺织品"], shops: &["服装店", "鞋店", "童装店", "服饰店"], online: 30 },
    Trade { key: "daily", companies: &["家居用品", "日用品", "家具"], shops: &["百货店", "家居馆", "杂货店"], online: 30 },
    Trade { key: "pharmacy", companies: &["医药连锁", "大药房", "医疗器械"], shops: &["药店", "大药房", "保健品店"], online: 10 },
    Trade { key: "vehicles", companies: &["汽车销售服务", "摩托车", "新能源科技"], shops: &["电动车行", "汽车维修店", "车行"], online: 0 },
    Trade { key: "electronics", companies: &["通讯器材", "电子科技", "数码科技"], shops: &["手机店", "数码店", "电脑城档口"], online: 30 },
    Trade { key: "salon", companies: &["美容服务", "美容管理", "健康管理"], shops: &["美容院", "美发店", "美甲店", "皮肤管理中心", "养生馆"], online: 0 },
    Trade { key: "online", companies: &["电子商务", "网络科技", "信息技术", "文化传媒"], shops: &["网店", "直播工作室"], online: 60 },
    Trade { key: "telecom", companies: &["通信服务", "通信技术"], shops: &["通讯营业厅", "手机营业厅"], online: 0 },
    Trade { key: "education", companies: &["教育咨询", "教育科技", "职业培训学校", "文化培训中心"], shops: &["培训中心", "托管中心", "艺术培训班"], online: 0 },
    Trade { key: "renovation", companies: &["装饰工程", "家居定制", "建材"], shops: &["装饰店", "门窗店", "建材店"], online: 0 },
    Trade { key: "catering", companies: &["餐饮管理", "饮食服务"], shops: &["酒家", "茶餐厅", "奶茶店", "海鲜大排档", "蛋糕店"], online: 0 },
    Trade { key: "tourism", companies: &["旅行社", "酒店管理", "旅游发展"], shops: &["旅行社门市部", "温泉度假村", "酒店"], online: 0 },
];

#[rustfmt::skip]
const SHOP_WORDS: &[&str] = &[
    "美颜", "丽人", "花漾", "悦己", "佳丽", "芳华", "莱美", "金凤", "侨乡", "五邑", "新华",
    "永兴", "鸿运", "盛世", "华美", "嘉禾", "福满", "万家", "利民", "惠民", "兴隆", "和记",
    "宏达", "恒信", "顺发", "翠华", "晨曦", "星辉", "蓝湾", "潮流", "优品", "尚品", "乐购",
    "骏马", "康宁", "安心", "金叶", "银河", "天禄", "碉乡", "温泉", "古劳", "东湖", "江华",
    "锦绣", "名媛", "雅丽", "俏佳人", "美之源", "颜究所", "小确幸", "大拇指", "好邻居",
];

/// E-commerce platforms where Jiangmen sellers trade.
pub const PLATFORMS: &[(&str, u32)] = &[
    ("淘宝", 30),
    ("抖音", 25),
    ("拼多多", 18),
    ("京东", 15),
    ("侨都优选", 7),
    ("微信小程序商城", 5),
];

#[derive(Debug, Clone)]
pub struct Business {
    pub name: String,
    pub uscc: Option<String>,
    /// `None` for an online seller that shows no reachable address.
    pub address: Option<String>,
    pub district: Option<&'static str>,
    pub platform: Option<&'static str>,
}

/// About `size` businesses, spread over the trades by how many cases each trade sees.
pub struct Pool {
    businesses: Vec<Business>,
    by_trade: BTreeMap<&'static str, Vec<usize>>,
}

impl Pool {
    pub fn new(rng: &mut Rng, size: usize, sectors: &[&Sector]) -> Pool {
        let mut share: BTreeMap<&str, u32> = BTreeMap::new();
        for s in sectors {
            *share.entry(s.trade).or_default() += s.weight;
        }
        let total: u32 = share.values().sum::<u32>().max(1);
        let mut businesses = Vec::new();
        let mut by_trade: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
        for trade in TRADES {
            let count = (size as u32 * share.get(trade.key).copied().unwrap_or(0) / total).max(4);
            for _ in 0..count {
                by_trade
                    .entry(trade.key)
                    .or_default()
                    .push(businesses.len());
                businesses.push(business(rng, trade, sectors));
            }
        }
        Pool {
            businesses,
            by_trade,
        }
    }

    pub fn businesses(&self) -> &[Business] {
        &self.businesses
    }

    /// A business of the trade, mostly one in a district drawn by population, now and then
    /// any (such as an online seller with no address). Earlier ones are picked far more often, as a few businesses draw
    /// most complaints.
    #[expect(clippy::expect_used, reason = "the pool is built with every trade")]
    pub fn pick(&self, rng: &mut Rng, trade: &str) -> &Business {
        let list = self
            .by_trade
            .get(trade)
            .or_else(|| self.by_trade.values().next())
            .expect("the pool has every trade");
        let here = district(rng).code;
        let anywhere = rng.u32(0..100) < 10;
        let local: Vec<usize> = list
            .iter()
            .copied()
            .filter(|i| self.businesses[*i].district == Some(here))
            .collect();
        let list = if local.is_empty() || anywhere {
            list
        } else {
            &local
        };
        let weights: Vec<(usize, u32)> = (0..list.len())
            .map(|rank| (list[rank], 1000 / (rank as u32 + 2)))
            .collect();
        &self.businesses[weighted(rng, &weights)]
    }
}

fn business(rng: &mut Rng, trade: &Trade, sectors: &[&Sector]) -> Business {
    let d = district(rng);
    let word = pick(rng, SHOP_WORDS);
    if rng.u32(0..100) < trade.online {
        // An online store: often named after a brand the trade sells.
        let brands: Vec<&str> = sectors
            .iter()
            .filter(|s| s.trade == trade.key)
            .flat_map(|s| s.brands.iter().copied())
            .filter(|b| !b.is_empty())
            .collect();
        let name = match (rng.u32(0..3), brands.is_empty()) {
            (0, false) => format!("{}官方旗舰店", pick(rng, &brands)),
            (1, _) if trade.key == "cosmetics" => format!("{word}美妆专营店"),
            (1, _) => format!("{word}{}专营店", pick(rng, &["优选", "精品", "好物"])),
            _ => format!("{word}{}", pick(rng, trade.shops)),
        };
        let platform = weighted(rng, PLATFORMS);
        // A few sellers show no address at all: routed by their platform.
        let reachable = rng.u32(0..100) >= 12;
        let individual = rng.bool();
        return Business {
            name,
            uscc: reachable.then(|| uscc(rng, d.code, individual)),
            address: reachable.then(|| address(rng, d)),
            district: reachable.then_some(d.code),
            platform: Some(platform),
        };
    }
    let company = rng.u32(0..100) < 55;
    let name = if company {
        let prefix = match (d.code, rng.u32(0..3)) {
            ("440703" | "440704" | "440705", 0) => "江门市".to_owned(),
            ("440703" | "440704" | "440705", _) => format!("江门市{}", d.name),
            _ => d.name.to_owned(),
        };
        format!("{prefix}{word}{}有限公司", pick(rng, trade.companies))
    } else {
        let place = pick(rng, d.places);
        let suffix = if rng.u32(0..4) == 0 {
            "（个体工商户）"
        } else {
            ""
        };
        format!("{}{place}{word}{}{suffix}", d.name, pick(rng, trade.shops))
    };
    Business {
        name,
        uscc: (rng.u32(0..100) < 70).then(|| uscc(rng, d.code, !company)),
        address: Some(address(rng, d)),
        district: Some(d.code),
        platform: None,
    }
}

const USCC_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A well-formed unified social credit code registered in the district: `91` for a
/// company, `92` for an individual business, then the division code, a random
/// organisation code and the GB 32100 check character.
#[expect(
    clippy::expect_used,
    reason = "17 characters drawn from the USCC charset always have a check character"
)]
pub fn uscc(rng: &mut Rng, district: &str, individual: bool) -> String {
    let mut first17 = String::from(if individual { "92" } else { "91" });
    first17.push_str(district);
    for _ in 0..9 {
        first17.push(char::from(USCC_CHARS[rng.usize(0..USCC_CHARS.len())]));
    }
    let check = Uscc::check_char(&first17).expect("17 characters from the USCC charset");
    first17.push(check);
    first17
}

pub fn address(rng: &mut Rng, d: &District) -> String {
    let street = pick(rng, d.streets);
    let tail = match rng.u32(0..4) {
        0 => String::new(),
        1 => format!("{}号铺", rng.u32(1..60)),
        2 => "首层".to_owned(),
        _ => format!("{}楼", rng.u32(1..6)),
    };
    format!("江门市{}{street}{}号{tail}", d.name, rng.u32(1..300))
}

#[rustfmt::skip]
const SURNAMES: &[&str] = &[
    "李", "陈", "黄", "梁", "林", "关", "余", "谭", "吴", "张", "刘", "周", "伍", "甄", "司徒",
    "欧阳", "区", "邝", "冯", "何", "胡", "赵", "钟", "莫", "罗", "朱", "杨", "郑", "谢", "曾",
    "邓", "许", "麦", "梅", "雷", "方", "苏", "潘", "彭", "叶", "蔡", "王", "容", "温",
];
#[rustfmt::skip]
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "艳", "杰", "娟", "涛", "明",
    "霞", "颖", "婷", "秀英", "嘉欣", "晓琳", "子轩", "浩然", "梓涵", "思彤", "雪梅", "志强",
    "家豪", "嘉怡", "美玲", "少华", "锦华", "慧敏", "泳诗", "咏欣", "健雄", "国强", "振华",
    "惠娟", "丽华", "凤英", "晓燕", "文杰", "俊杰", "诗琪", "雅婷", "秋萍", "伟文", "淑仪",
];
const ESTATES: &[&str] = &[
    "金汇花园",
    "丽宫花园",
    "江华苑",
    "侨景新村",
    "翠湖豪庭",
    "滨江新城",
    "东湖花园",
    "幸福里",
    "锦绣家园",
    "华侨新村",
    "江滨小区",
    "桂园小区",
];
#[rustfmt::skip]
const SYLLABLES: &[&str] = &[
    "wang", "li", "chen", "huang", "liang", "lin", "guan", "yu", "tan", "wu", "zhang", "liu",
    "zhou", "mei", "xiao", "jia", "hui", "min", "ling", "wei", "hao", "jun", "ting", "yan", "xin",
];
const PHONE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "183", "185", "186",
    "187", "188", "189", "198", "199",
];

/// A made-up consumer. E-mail goes to reserved example domains only.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub address: String,
}

pub fn person(rng: &mut Rng) -> Person {
    let mut name = pick(rng, SURNAMES).to_owned();
    name.push_str(pick(rng, GIVEN));
    let mut phone = pick(rng, PHONE_PREFIXES).to_owned();
    for _ in 0..8 {
        phone.push(char::from(b'0' + rng.u8(0..10)));
    }
    let email = (rng.u32(0..100) < 40).then(|| {
        let domain = pick(rng, &["example.com", "example.net", "example.org"]);
        format!(
            "{}{}{}@{domain}",
            pick(rng, SYLLABLES),
            pick(rng, SYLLABLES),
            rng.u32(1..9999)
        )
    });
    let d = district(rng);
    let address = format!(
        "江门市{}{}{}号{}{}栋{}房",
        d.name,
        pick(rng, d.streets),
        rng.u32(1..200),
        pick(rng, ESTATES),
        rng.u32(1..30),
        rng.u32(101..2800)
    );
    Person {
        name,
        phone,
        email,
        address,
    }
}
